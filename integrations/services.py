"""Every write on integrations goes through here: admin buttons, CLI, API and jobs call these."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import django_rq
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rq.exceptions import NoSuchJobError
from rq.job import Job

from channels.models import Channel
from integrations.alerts import run_failed_alert
from integrations.connectors.base import CheckResult, connector_for
from integrations.models import ConnectionCheck, Integration, QuarantinedRecord, SyncRun

logger = logging.getLogger(__name__)

SYNC_QUEUE = "sync"
CHECK_QUEUE = "default"


@transaction.atomic
def integration_create(
    *,
    name: str,
    api_url: str,
    api_user: str,
    api_key: str,
    owner: AbstractBaseUser | None = None,
    integration_type: str = Integration.Type.MAGENTO1,
    channel_name: str | None = None,
    channel_active: bool = True,
    **options: Any,
) -> Integration:
    """Create a channel and its integration; `options` are further Integration settings."""
    channel = channel_create(
        name=channel_name or name, channel_type=integration_type, is_active=channel_active, owner=owner
    )
    integration = Integration(
        channel=channel,
        name=name,
        integration_type=integration_type,
        api_url=api_url,
        api_user=api_user,
        api_key=api_key,
        default_owner=options.pop("default_owner", owner),
        **options,
    )
    integration.full_clean(exclude=["channel"])
    integration.save()
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
    check = ConnectionCheck.objects.create(integration=integration, requested_by=user)
    from integrations import jobs

    django_rq.get_queue(CHECK_QUEUE).enqueue(
        jobs.check_connection_job, check.pk, job_id=f"check-{check.pk}", job_timeout=300, result_ttl=3600
    )
    return check


def integration_check_connection(*, integration: Integration, check: ConnectionCheck | None = None) -> CheckResult:
    """Log in to the remote system, detect what it offers and remember it on the integration."""
    if check is not None:
        ConnectionCheck.objects.filter(pk=check.pk).update(status=ConnectionCheck.Status.RUNNING)
    connector = connector_for(integration)
    try:
        result = connector.check_connection()
    except Exception as exc:  # a check must always end with an answer the admin can read
        logger.exception("connection check of integration %s failed", integration.pk)
        result = CheckResult(False, f"Unexpected error: {exc.__class__.__name__}: {exc}")
    finally:
        connector.close()
    if result.ok:
        details = result.details
        Integration.objects.filter(pk=integration.pk).update(
            websites=details.get("websites", []),
            detected_mode=details.get("mode", ""),
            magento_version=details.get("magento_version", ""),
            extension_version=details.get("extension_version", ""),
            admin_url=integration.admin_url or details.get("admin_url", ""),
            updated_at=timezone.now(),
        )
        integration.refresh_from_db()
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
    """Queue a sync run; raise SyncAlreadyActive when one is queued or running.

    One run at a time is the database's promise (a partial unique constraint), not the queue's:
    two admins, a CLI and the scheduler racing here get one run and three refusals.
    """
    sync_mark_stale(integration=integration)
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(integration=integration, trigger=trigger, requested_by=user)
    except IntegrityError:
        active = SyncRun.objects.filter(integration=integration, status__in=SyncRun.ACTIVE).first()
        if active is None:  # it ended between our insert and this read: try once more
            return sync_schedule(integration=integration, user=user, trigger=trigger)
        raise SyncAlreadyActive(active) from None
    from integrations import jobs

    job_id = f"sync-{integration.pk}-{run.pk}"
    SyncRun.objects.filter(pk=run.pk).update(job_id=job_id)
    run.job_id = job_id
    django_rq.get_queue(SYNC_QUEUE).enqueue(
        jobs.sync_job,
        run.pk,
        job_id=job_id,
        job_timeout=settings.RQ_QUEUES[SYNC_QUEUE]["DEFAULT_TIMEOUT"],
        result_ttl=24 * 3600,
        description=f"Sync {integration.name} (run #{run.pk})",
    )
    return run


def sync_dispatch_due(*, now: datetime.datetime | None = None) -> list[SyncRun]:
    """Queue a run for every enabled integration whose interval has passed (the scheduler's tick)."""
    now = now or timezone.now()
    sync_mark_stale()
    queued = []
    due = Integration.objects.filter(enabled=True, channel__is_active=True, sync_interval_minutes__gt=0)
    for integration in due.exclude(runs__status__in=SyncRun.ACTIVE):
        last = integration.runs.order_by("-created_at").values_list("created_at", flat=True).first()
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
    stale = list(runs)
    count = runs.update(
        status=SyncRun.Status.FAILED,
        finished_at=timezone.now(),
        message=f"The worker stopped answering (no heartbeat for {stale_after.seconds} s); "
        "the next run resumes from the last checkpoint.",
    )
    for run in stale:
        run.refresh_from_db()
        run_failed_alert(run=run)
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
    except NoSuchJobError:
        return False
    return job.get_status(refresh=True) is not None


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
    """Run a queued sync in this process (what the worker does)."""
    from integrations.engine.runner import execute_run

    return execute_run(run_id)


# -- Quarantine -------------------------------------------------------------------------------------


def quarantine_retry_request(*, records: list[QuarantinedRecord]) -> str:
    """Queue a retry of quarantined records (they are read again from the remote system)."""
    from integrations import jobs

    ids = sorted(r.pk for r in records if r.resolved_at is None)
    job = django_rq.get_queue(CHECK_QUEUE).enqueue(jobs.quarantine_retry_job, ids, job_timeout=1800)
    return job.id


def quarantine_retry(*, record_ids: list[int]) -> dict[str, int]:
    """Read quarantined records again from the remote system and write those that now map.

    A record that maps is written and marked resolved; one that still fails keeps its place with
    the new reason and payload; one the remote system no longer has is resolved with that note.
    """
    from integrations.engine.runner import jsonable, map_records, write_records

    pending = QuarantinedRecord.objects.filter(pk__in=record_ids, resolved_at__isnull=True).select_related(
        "integration"
    )
    groups: dict[tuple[int, str], list[QuarantinedRecord]] = {}
    for record in pending:
        groups.setdefault((record.integration_id, record.entity), []).append(record)
    outcome = {"resolved": 0, "still_failing": 0, "gone": 0}
    for (_, entity), records in groups.items():
        integration = records[0].integration
        connector = connector_for(integration)
        try:
            stream = {s.name: s for s in connector.streams()}[entity]
            raws = stream.fetch_by_ids([r.remote_id for r in records if r.remote_id])
        finally:
            connector.close()
        by_id = {stream.remote_id_of(raw): raw for raw in raws}
        for record in records:
            raw = by_id.get(record.remote_id)
            now = timezone.now()
            if raw is None:
                record.reason = f"{record.reason}\nRetried {now:%Y-%m-%d %H:%M}: no longer in the remote system."
                record.resolved_at = now
                record.save(update_fields=["reason", "resolved_at"])
                outcome["gone"] += 1
                continue
            mapped, rejected = map_records(stream, [raw])
            if not rejected:
                with transaction.atomic():
                    _, rejected = write_records(stream, integration, mapped)
            if rejected:
                record.reason, record.payload = rejected[0][1], jsonable(raw)
                record.save(update_fields=["reason", "payload"])
                outcome["still_failing"] += 1
            else:
                record.resolved_at = now
                record.save(update_fields=["resolved_at"])
                outcome["resolved"] += 1
    return outcome
