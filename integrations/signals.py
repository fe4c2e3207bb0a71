"""What happens by itself: a failed run tells its owner; a committed local change is pushed.

Connected once, when the app is ready (after the connectors registered their sinks).
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from integrations.engine import registry
from integrations.engine.run import run_finished
from integrations.models import Integration, SyncRun

logger = logging.getLogger(__name__)


def alert_on_failure(sender, run: SyncRun, **kwargs) -> None:
    if run.status == SyncRun.Status.FAILED:
        from integrations.alerts import run_failed_alert

        run_failed_alert(run=run)


def push_on_change(sender, instance, raw: bool = False, **kwargs) -> None:
    """Queue a push of the saved or deleted record (or of the records a change of it touches, for a sink
    it triggers) to every enabled integration with a sink for it.

    After the transaction commits: a rolled back change is never pushed, and the job reads what
    was committed. The local ids are taken now: a deleted instance is still in hand here.
    """
    if raw:  # loaddata
        return
    touched = registry.sinks_touched_by(sender)
    if not touched:
        return
    # One query for every sink the change touches (a product moves its own sink, its stock's and its
    # images'): a CSV import saves thousands of rows, each paying this once, not once per sink.
    integrations: dict[str, list[Integration]] = {}
    for integration in Integration.objects.filter(
        integration_type__in={type_key for type_key, _, _ in touched}, enabled=True
    ):
        integrations.setdefault(integration.integration_type, []).append(integration)
    for type_key, sink, local_ids_of in touched:
        if type_key not in integrations:
            continue
        local_ids = [pk for pk in local_ids_of(instance) if pk is not None]
        for integration in integrations[type_key]:
            for local_id in local_ids:
                transaction.on_commit(
                    lambda integration=integration, sink=sink, local_id=local_id: _request(
                        integration, sink.name, local_id
                    )
                )


def _request(integration: Integration, entity: str, local_id: int) -> None:
    import redis

    from integrations.services import push_request

    try:
        push_request(integration=integration, entity=entity, local_id=local_id)
    except redis.RedisError as exc:
        # The change is written down (PendingPush) before the queue is asked; the scheduler's tick
        # queues it again once Redis is back. The save that caused it must not fail for that.
        logger.warning("push of %s %s to %s waits for Redis: %s", entity, local_id, integration.pk, exc)


def connect() -> None:
    run_finished.connect(alert_on_failure, dispatch_uid="oroint-alert-on-failure")
    for model in registry.watched_models():
        post_save.connect(push_on_change, sender=model, dispatch_uid=f"oroint-push-{model._meta.label}")
        post_delete.connect(push_on_change, sender=model, dispatch_uid=f"oroint-push-deleted-{model._meta.label}")
