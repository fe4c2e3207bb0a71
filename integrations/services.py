"""Every write on integrations goes through here: admin buttons, CLI, API and jobs call these."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import django_rq
import redis
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rq.exceptions import NoSuchJobError
from rq.job import Job

from channels.models import Channel
from integrations.engine import exporter, importer, registry
from integrations.engine.contracts import CheckResult
from integrations.engine.run import finish_run, run_log, summary
from integrations.models import ConnectionCheck, Integration, PendingPush, QuarantinedRecord, SyncRun, SyncRunEntity

logger = logging.getLogger(__name__)

SYNC_QUEUE = "sync"
CHECK_QUEUE = "check"
PUSH_QUEUE = "default"
QUARANTINE_QUEUE = "default"


class QueueUnavailable(Exception):
    """Redis cannot be reached: nothing was queued, and nothing was left behind."""

    def __init__(self, exc: Exception) -> None:
        url = settings.RQ_QUEUES[SYNC_QUEUE]["URL"]
        scheme, _, rest = url.partition("://")
        where = f"{scheme}://{rest.rsplit('@', 1)[-1]}"  # never a password
        super().__init__(f"Redis is not reachable at {where} ({exc.__class__.__name__}): start Redis or set REDIS_URL.")


# -- Integrations -----------------------------------------------------------------------------------


@transaction.atomic
def integration_create(
    *,
    name: str,
    integration_type: str,
    settings_values: dict[str, Any] | None = None,
    owner: AbstractBaseUser | None = None,
    channel_name: str | None = None,
    channel_active: bool = True,
    **options: Any,
) -> Integration:
    """Create a channel, its integration and the type's settings; `options` are generic Integration fields."""
    connector = registry.connector_class(integration_type)
    channel = channel_create(
        name=channel_name or name, channel_type=integration_type, is_active=channel_active, owner=owner
    )
    integration = Integration(
        channel=channel,
        name=name,
        integration_type=integration_type,
        default_owner=options.pop("default_owner", owner),
        **options,
    )
    integration.full_clean(exclude=["channel"])
    integration.save()
    if connector.settings_model is not None:
        type_settings = connector.settings_model(integration=integration, **(settings_values or {}))
        type_settings.full_clean(exclude=["integration"])
        type_settings.save()
    return integration


def channel_create(
    *, name: str, channel_type: str, is_active: bool = True, owner: AbstractBaseUser | None = None
) -> Channel:
    """The channel an integration feeds; created with it."""
    if Channel.objects.filter(name=name).exists():
        raise ValidationError({"name": [f"A channel named {name!r} already exists."]})
    return Channel.objects.create(name=name, channel_type=channel_type, is_active=is_active, owner=owner)


# -- Check Connection -----------------------------------------------------------------------------


def connection_check_request(*, integration: Integration, user: AbstractBaseUser | None = None) -> ConnectionCheck:
    """Queue a Check Connection for a worker; the admin page shows its result when it ends."""
    from integrations import jobs

    with transaction.atomic():
        check = ConnectionCheck.objects.create(integration=integration, requested_by=user)
        try:
            django_rq.get_queue(CHECK_QUEUE).enqueue(
                jobs.check_connection_job, check.pk, job_id=f"check-{check.pk}", job_timeout=300, result_ttl=3600
            )
        except redis.RedisError as exc:
            transaction.set_rollback(True)
            raise QueueUnavailable(exc) from exc
    return check


def integration_check_connection(*, integration: Integration, check: ConnectionCheck | None = None) -> CheckResult:
    """Log in to the remote system and let the connector remember what it found."""
    if check is not None:
        ConnectionCheck.objects.filter(pk=check.pk).update(status=ConnectionCheck.Status.RUNNING)
    connector = None
    try:
        connector = registry.connector_for(integration)
        result = connector.check_connection()
    except Exception as exc:  # a check must always end with an answer the admin can read
        logger.exception("connection check of integration %s failed", integration.pk)
        result = CheckResult(False, f"Unexpected error: {exc.__class__.__name__}: {exc}")
    finally:
        if connector is not None:
            connector.close()
    if check is not None:
        ConnectionCheck.objects.filter(pk=check.pk).update(
            status=ConnectionCheck.Status.SUCCEEDED if result.ok else ConnectionCheck.Status.FAILED,
            message=result.message,
            details=result.details,
            finished_at=timezone.now(),
        )
    return result


# -- Sync -----------------------------------------------------------------------------------------


class SyncAlreadyActive(Exception):
    def __init__(self, run: SyncRun) -> None:
        self.run = run
        super().__init__(f"A sync of {run.integration} is already {run.get_status_display().lower()} (run #{run.pk}).")


def sync_schedule(
    *, integration: Integration, user: AbstractBaseUser | None = None, trigger: str = SyncRun.Trigger.ADMIN
) -> SyncRun:
    """Queue an import run; raise SyncAlreadyActive when one is queued or running.

    One run at a time is the database's promise (a partial unique constraint), not the queue's:
    two admins, a CLI and the scheduler racing here get one run and three refusals. Redis down:
    QueueUnavailable, and no run is left queued.
    """
    from integrations import jobs

    sync_mark_stale(integration=integration)
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(integration=integration, trigger=trigger, requested_by=user)
            run.job_id = f"sync-{integration.pk}-{run.pk}"
            run.save(update_fields=["job_id"])
            try:
                django_rq.get_queue(SYNC_QUEUE).enqueue(
                    jobs.sync_job,
                    run.pk,
                    job_id=run.job_id,
                    job_timeout=settings.RQ_QUEUES[SYNC_QUEUE]["DEFAULT_TIMEOUT"],
                    result_ttl=24 * 3600,
                    description=f"Sync {integration.name} (run #{run.pk})",
                )
            except redis.RedisError as exc:
                transaction.set_rollback(True)
                raise QueueUnavailable(exc) from exc
    except IntegrityError:
        active = _active_run(integration, SyncRun.Direction.IMPORT)
        if active is None:  # it ended between our insert and this read: try once more
            return sync_schedule(integration=integration, user=user, trigger=trigger)
        raise SyncAlreadyActive(active) from None
    return run


def _active_run(integration: Integration, direction: str) -> SyncRun | None:
    return SyncRun.objects.filter(integration=integration, direction=direction, status__in=SyncRun.ACTIVE).first()


def sync_dispatch_due(*, now: datetime.datetime | None = None) -> list[SyncRun]:
    """Queue a run for every enabled integration whose interval has passed (the scheduler's tick)."""
    now = now or timezone.now()
    sync_mark_stale()
    push_requeue_lost()
    queued = []
    due = Integration.objects.filter(enabled=True, channel__is_active=True, sync_interval_minutes__gt=0)
    imports = SyncRun.objects.filter(direction=SyncRun.Direction.IMPORT)
    for integration in due.exclude(pk__in=imports.filter(status__in=SyncRun.ACTIVE).values("integration")):
        last = imports.filter(integration=integration).order_by("-created_at").values_list("created_at", flat=True)
        last = last.first()
        if last and now - last < datetime.timedelta(minutes=integration.sync_interval_minutes):
            continue
        try:
            queued.append(sync_schedule(integration=integration, trigger=SyncRun.Trigger.SCHEDULE))
        except SyncAlreadyActive:
            continue  # someone was quicker; one run at a time is all we want
    return queued


def sync_mark_stale(*, integration: Integration | None = None) -> int:
    """Fail runs whose worker is gone: running without a heartbeat for too long, or whose job vanished."""
    stale_after = datetime.timedelta(seconds=settings.OROINT_SYNC["STALE_AFTER_SECONDS"])
    cutoff = timezone.now() - stale_after
    runs = SyncRun.objects.filter(status=SyncRun.Status.RUNNING, heartbeat_at__lt=cutoff)
    queued = SyncRun.objects.filter(status=SyncRun.Status.QUEUED, created_at__lt=cutoff)
    if integration is not None:
        runs, queued = runs.filter(integration=integration), queued.filter(integration=integration)
    count = 0
    message = (
        f"The worker stopped answering (no heartbeat for {stale_after.seconds} s); "
        "the next run resumes from the last checkpoint."
    )
    for run in runs:
        count += finish_run(run, SyncRun.Status.FAILED, message)
    for run in queued:
        if not _job_exists(run.job_id):
            count += SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.QUEUED).update(
                status=SyncRun.Status.FAILED, finished_at=timezone.now(), message="The queued job was lost."
            )
    return count


def _job_exists(job_id: str) -> bool:
    if not job_id:
        return False
    try:
        job = Job.fetch(job_id, connection=django_rq.get_connection(SYNC_QUEUE))
        return job.get_status(refresh=True) is not None
    except NoSuchJobError:
        return False
    except redis.RedisError:
        return True  # Redis cannot say: a run is never failed for a queue that is only out of reach


def sync_cancel(*, run: SyncRun) -> bool:
    """Cancel a queued or running run; the worker stops after the page it is writing."""
    changed = SyncRun.objects.filter(pk=run.pk, status__in=SyncRun.ACTIVE).update(
        status=SyncRun.Status.CANCELED, finished_at=timezone.now(), message="Canceled by an admin."
    )
    if changed and run.job_id:
        try:
            Job.fetch(run.job_id, connection=django_rq.get_connection(SYNC_QUEUE)).cancel()
        except (NoSuchJobError, Exception) as exc:  # the job may be running or gone; the row rules
            logger.info("cancel of job %s: %s", run.job_id, exc)
    return bool(changed)


def sync_execute(*, run_id: int) -> SyncRun:
    """Run a queued import in this process (what the worker does)."""
    return importer.execute_import(run_id)


# -- Pushes (the way out) -------------------------------------------------------------------------


def _push_key(integration_id: int, entity: str, local_id: int) -> str:
    return f"{integration_id}-{entity}-{local_id}"


def push_request(*, integration: Integration, entity: str, local_id: int) -> bool:
    """Ask for a push of one local record; one queued job per record, however many changes come.

    Called after the change committed. The change is written down first (PendingPush), so that a
    lost job loses nothing; a job is queued only when none is waiting for this record (a Redis
    flag the job clears when it starts), so an edit made while a push runs queues exactly one
    follow-up push, which reads the latest state. Returns whether a job was queued.
    """
    from integrations import jobs

    PendingPush.objects.update_or_create(
        integration=integration, entity=entity, local_id=local_id, defaults={"requested_at": timezone.now()}
    )
    key = _push_key(integration.pk, entity, local_id)
    connection = django_rq.get_connection(PUSH_QUEUE)
    if not connection.set(f"oroint:push:queued:{key}", 1, nx=True, ex=24 * 3600):
        return False
    django_rq.get_queue(PUSH_QUEUE).enqueue(
        jobs.push_job, integration.pk, entity, local_id, job_id=f"push-{key}-{timezone.now().timestamp() * 1e6:.0f}"
    )
    return True


def push_execute(*, integration_id: int, entity: str, local_id: int) -> str:
    """One push of one record (what the push job does); the outcome's name."""
    key = _push_key(integration_id, entity, local_id)
    connection = django_rq.get_connection(PUSH_QUEUE)
    # From here on, a new change queues a follow-up: this push may read the record before it.
    connection.delete(f"oroint:push:queued:{key}")
    with connection.lock(f"oroint:push:lock:{key}", timeout=3600, blocking_timeout=3600):
        pending = PendingPush.objects.filter(integration_id=integration_id, entity=entity, local_id=local_id).first()
        if pending is None:
            return "nothing to push"  # an earlier push already sent the latest state
        integration = Integration.objects.get(pk=integration_id)
        run = _export_run(integration)
        connector = registry.connector_for(integration, log=lambda line: run_log(run.pk, line))
        try:
            sink = {s.name: s for s in connector.sinks()}[entity]
            outcome = exporter.push_record(sink, local_id, log=lambda line: run_log(run.pk, line))
        finally:
            connector.close()
        _count_push(run, entity, outcome)
        if outcome.result == "failed":
            QuarantinedRecord.objects.create(
                integration=integration,
                run=run,
                entity=entity,
                direction=SyncRun.Direction.EXPORT,
                local_id=local_id,
                remote_id=outcome.remote_id,
                reason=outcome.reason,
                payload=outcome.values or {},
            )
        PendingPush.objects.filter(pk=pending.pk, requested_at__lte=pending.requested_at).delete()
        _finish_export_run_if_idle(run)
        return outcome.result


def _export_run(integration: Integration) -> SyncRun:
    """The integration's running export run, started if there is none (one at a time)."""
    now = timezone.now()
    for _ in range(3):
        active = _active_run(integration, SyncRun.Direction.EXPORT)
        if active is not None:
            SyncRun.objects.filter(pk=active.pk).update(heartbeat_at=now)
            return active
        try:
            with transaction.atomic():
                return SyncRun.objects.create(
                    integration=integration,
                    direction=SyncRun.Direction.EXPORT,
                    trigger=SyncRun.Trigger.CHANGE,
                    status=SyncRun.Status.RUNNING,
                    started_at=now,
                    heartbeat_at=now,
                )
        except IntegrityError:
            continue  # another push started it a moment ago
    raise RuntimeError(f"No export run could be started for {integration}")


def _count_push(run: SyncRun, entity: str, outcome: exporter.PushOutcome) -> None:
    from django.db.models import F

    row, _ = SyncRunEntity.objects.get_or_create(
        run=run, entity=entity, defaults={"status": SyncRunEntity.Status.RUNNING, "started_at": timezone.now()}
    )
    counters = {"pushed": F("pushed") + int(outcome.result in ("created", "updated"))}
    if outcome.result in ("created", "updated", "failed"):
        counters[outcome.result] = F(outcome.result) + 1
    SyncRunEntity.objects.filter(pk=row.pk).update(**counters)
    SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())


def _finish_export_run_if_idle(run: SyncRun) -> None:
    if PendingPush.objects.filter(integration_id=run.integration_id).exists():
        return  # more pushes are on their way; the last one ends the run
    SyncRunEntity.objects.filter(run=run).update(status=SyncRunEntity.Status.SUCCEEDED, finished_at=timezone.now())
    finish_run(run, SyncRun.Status.SUCCEEDED, summary(run))


def push_requeue_lost(*, older_than: datetime.timedelta = datetime.timedelta(minutes=10)) -> int:
    """Queue again the pending pushes whose job was lost (Redis flushed, a worker killed mid-push)."""
    cutoff = timezone.now() - older_than
    count = 0
    for pending in PendingPush.objects.filter(requested_at__lt=cutoff).select_related("integration"):
        count += push_request(integration=pending.integration, entity=pending.entity, local_id=pending.local_id)
    return count


# -- Quarantine -------------------------------------------------------------------------------------


def quarantine_retry_request(*, records: list[QuarantinedRecord]) -> str:
    """Queue a retry of quarantined records (read again, or pushed again)."""
    from integrations import jobs

    ids = sorted(r.pk for r in records if r.resolved_at is None)
    job = django_rq.get_queue(QUARANTINE_QUEUE).enqueue(jobs.quarantine_retry_job, ids, job_timeout=1800)
    return job.id


def quarantine_retry(*, record_ids: list[int]) -> dict[str, int]:
    """Retry quarantined records: imports through the import path, exports as a new push request."""
    pending = QuarantinedRecord.objects.filter(pk__in=record_ids, resolved_at__isnull=True).select_related(
        "integration"
    )
    groups: dict[tuple[int, str, str], list[QuarantinedRecord]] = {}
    for record in pending:
        groups.setdefault((record.integration_id, record.entity, record.direction), []).append(record)
    outcome = {"resolved": 0, "still_failing": 0, "gone": 0, "pushes_queued": 0}
    for (_, entity, direction), records in groups.items():
        if direction == SyncRun.Direction.EXPORT:
            for record in records:
                push_request(integration=record.integration, entity=entity, local_id=record.local_id)
                record.resolved_at = timezone.now()
                record.reason += f"\nRetried {record.resolved_at:%Y-%m-%d %H:%M}: pushed again (see the export runs)."
                record.save(update_fields=["resolved_at", "reason"])
                outcome["pushes_queued"] += 1
            continue
        for key, count in importer.retry_quarantined(records).items():
            outcome[key] += count
    return outcome
