"""Deleting a channel in a background job: its synced records in batches, then its integration and itself.

A channel with hundreds of thousands of orders cannot be deleted inside one admin request (nor in one
transaction, which would hold locks on every row for minutes). The admin marks the channel
(`Channel.deleting_since`: syncs, checks and the scheduler leave it alone from then on) and queues one
job; the job deletes every model bound to the integration, a batch of primary keys per statement,
each batch in its own transaction, then the integration and the channel. A job that dies part way is
simply run again: it deletes what is left. Accounts and contacts stay (customers point at them, and
the foreign key is SET_NULL the other way).
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter

import django_rq
import redis
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models.deletion import get_candidate_relations_to_delete
from django.utils import timezone

from channels.models import Channel
from integrations import services
from integrations.models import Integration, SyncRun

logger = logging.getLogger(__name__)

DELETE_QUEUE = "default"
BATCH_SIZE = 2000
JOB_TIMEOUT_SECONDS = 6 * 3600


def delete_job_id(channel: Channel) -> str:
    return f"channel-delete-{channel.pk}"


def channel_delete_request(*, channel: Channel, user: AbstractBaseUser | None = None) -> None:
    """Mark the channel as being deleted, stop its syncs and queue the job that deletes it.

    Asking again for a channel already being deleted queues the job again (a crashed job finishes
    that way). Redis down: QueueUnavailable, and the channel is left as it was.
    """
    from channels import jobs

    with transaction.atomic():
        Channel.objects.filter(pk=channel.pk, deleting_since__isnull=True).update(deleting_since=timezone.now())
        try:
            django_rq.get_queue(DELETE_QUEUE).enqueue(
                jobs.channel_delete_job,
                channel.pk,
                job_id=delete_job_id(channel),
                job_timeout=JOB_TIMEOUT_SECONDS,
                result_ttl=24 * 3600,
                description=f"Delete channel {channel.name}",
            )
        except redis.RedisError as exc:
            transaction.set_rollback(True)
            raise services.QueueUnavailable(exc) from exc
    for run in SyncRun.objects.filter(integration__channel=channel, status__in=SyncRun.ACTIVE):
        services.sync_cancel(run=run)
    logger.info("channel %s (%s) queued for deletion by %s", channel.pk, channel.name, user or "nobody")


def channel_delete_resume(*, older_than: datetime.timedelta = datetime.timedelta(minutes=10)) -> int:
    """Queue again the deletions no job is working on (it died with its worker, or Redis lost it): the
    scheduler's tick calls this, so a channel does not stay "Deleting..." until someone asks again.
    Returns how many were queued."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    queued = 0
    connection = django_rq.get_connection(DELETE_QUEUE)
    for channel in Channel.objects.filter(deleting_since__lt=timezone.now() - older_than).order_by("pk"):
        try:
            status = Job.fetch(delete_job_id(channel), connection=connection).get_status()
        except NoSuchJobError:
            status = None
        if status in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED):
            continue
        logger.warning("channel %s: its deletion job is %s; queued again", channel.pk, status or "gone")
        channel_delete_request(channel=channel)
        queued += 1
    return queued


def integration_record_models() -> list[tuple[type[models.Model], str]]:
    """(model, foreign key column) of every model that cascades from Integration, in deletion order.

    Found from the relations Django's own deletion follows, so a model added later is deleted too.
    A model that points at another of them goes first: deleting orders before customers means no
    batch of customers has to clear (SET NULL) the orders pointing at it.
    """
    found: dict[type[models.Model], str] = {}
    for relation in get_candidate_relations_to_delete(Integration._meta):
        if relation.on_delete is models.CASCADE and not relation.related_model._meta.proxy:
            found.setdefault(relation.related_model, relation.field.attname)
    ordered: list[type[models.Model]] = []
    remaining = list(found)
    while remaining:
        # Models no other remaining model points at; a cycle takes the rest as they are.
        free = [m for m in remaining if not any(_points_at(other, m) for other in remaining if other is not m)]
        for model in free or remaining:
            ordered.append(model)
            remaining.remove(model)
    return [(model, found[model]) for model in ordered]


def _points_at(model: type[models.Model], target: type[models.Model]) -> bool:
    return any(f.is_relation and f.many_to_one and f.related_model is target for f in model._meta.get_fields())


def channel_delete_execute(*, channel_id: int, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Delete the channel's integration's records in batches, then the integration and the channel.

    Returns the rows deleted per model label. Idempotent: what an earlier, interrupted run deleted is
    simply no longer found.
    """
    deleted: Counter[str] = Counter()
    channel = Channel.objects.filter(pk=channel_id).first()
    if channel is None:
        return {}
    if channel.deleting_since is None:  # run by hand, or the request's mark was lost: mark it now
        Channel.objects.filter(pk=channel.pk).update(deleting_since=timezone.now())
    integration_id = Integration.objects.filter(channel=channel).values_list("pk", flat=True).first()
    if integration_id is not None:
        for model, column in integration_record_models():
            rows = model._base_manager.filter(**{column: integration_id}).order_by()
            while pks := list(rows.values_list("pk", flat=True)[:batch_size]):
                with transaction.atomic():
                    _total, per_model = model._base_manager.filter(pk__in=pks).delete()
                deleted.update(per_model)
    # Whatever a sync still wrote meanwhile goes with the integration's own cascade; object
    # permissions on the integration go too.
    services.channel_delete(channel=channel)
    logger.info("channel %s deleted: %s", channel_id, dict(deleted))
    return dict(deleted)
