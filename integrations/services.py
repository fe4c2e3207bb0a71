"""Every write on integrations goes through here: admin buttons, CLI, API and jobs call these."""

from __future__ import annotations

import datetime
import logging
import re
from typing import Any

import django_rq
import redis
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from rq import Callback
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus

from channels.models import Channel
from integrations import crypto
from integrations.engine import exporter, importer, registry
from integrations.engine.contracts import CheckResult
from integrations.engine.run import claim_run, finish_run, run_finished, run_log, settle_entities, summary
from integrations.fields import EncryptedTextField, unreadable_secrets
from integrations.models import (
    Binding,
    ConnectionCheck,
    Integration,
    PendingPush,
    QuarantinedRecord,
    SyncRun,
    SyncRunEntity,
)
from oroint.redaction import mask_credentials

logger = logging.getLogger(__name__)

SYNC_QUEUE = "sync"
CHECK_QUEUE = "check"
PUSH_QUEUE = "default"
QUARANTINE_QUEUE = "default"


class QueueUnavailable(Exception):
    """Redis cannot be reached or refused the job: nothing was queued, and nothing was left behind."""

    def __init__(self, exc: Exception) -> None:
        url = settings.RQ_QUEUES[SYNC_QUEUE]["URL"]
        scheme, _, rest = url.partition("://")
        where = f"{scheme}://{rest.rsplit('@', 1)[-1]}"  # never a password
        if isinstance(exc, redis.ResponseError):  # it answered, and said no (out of memory, read-only replica...)
            said = re.sub(r"^Command # \d+ \(.*?\) of pipeline caused error: ", "", str(exc)).rstrip(".")
            message = f"Redis at {where} refused the job ({said}): free memory in Redis or raise its maxmemory."
        else:
            message = f"Redis is not reachable at {where} ({exc.__class__.__name__}): start Redis or set REDIS_URL."
        super().__init__(message)


class ChannelBeingDeleted(QueueUnavailable):
    """The integration's channel is being deleted: nothing is queued for it. A kind of QueueUnavailable
    (nothing was queued, nothing left behind), so every button and command already shows its message."""

    def __init__(self, integration: Integration) -> None:
        Exception.__init__(self, f"The channel of {integration} is being deleted; it no longer syncs or checks.")


def _refuse_if_deleting(integration: Integration) -> None:
    if Channel.objects.filter(pk=integration.channel_id, deleting_since__isnull=False).exists():
        raise ChannelBeingDeleted(integration)


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


def integration_ensure(
    *, name: str, integration_type: str, settings_values: dict[str, Any], owner: AbstractBaseUser | None = None
) -> tuple[Integration, bool]:
    """The integration of that name, created with these settings when there is none (True), else with its
    settings set to them (False): secrets go through their field, so they are stored encrypted. What the
    demo channels of script/server use, run after run."""
    integration = Integration.objects.filter(name=name, integration_type=integration_type).first()
    if integration is None:
        created = integration_create(
            name=name, integration_type=integration_type, settings_values=settings_values, owner=owner
        )
        return created, True
    found = integration.settings
    for field, value in settings_values.items():
        setattr(found, field, value)
    found.save(update_fields=list(settings_values))
    return integration, False


def channel_create(
    *, name: str, channel_type: str, is_active: bool = True, owner: AbstractBaseUser | None = None
) -> Channel:
    """The channel an integration feeds; created with it."""
    if Channel.objects.filter(name=name).exists():
        raise ValidationError({"name": [f"A channel named {name!r} already exists."]})
    return Channel.objects.create(name=name, channel_type=channel_type, is_active=is_active, owner=owner)


def integration_secret_problem(*, integration: Integration) -> str | None:
    """Why this process cannot use the integration's stored secrets, or None when it can.

    A secret that no key of FIELD_ENCRYPTION_KEYS decrypts (a key was removed, or this process
    was started with other keys) stops a check or a run before anything is sent to the remote
    system, with this message.
    """
    unreadable = unreadable_secrets(integration) + unreadable_secrets(integration.settings)
    if not unreadable:
        return None
    names = " and ".join(secret.label for secret in unreadable)
    return (
        f"The {names} of {integration.name} cannot be decrypted with FIELD_ENCRYPTION_KEYS: add the key it was "
        f"encrypted with back to FIELD_ENCRYPTION_KEYS (after the first key), or enter the {names} again on the "
        "integration page."
    )


# -- Check Connection -----------------------------------------------------------------------------

CHECK_TIMEOUT_SECONDS = 300


def check_job_id(check: ConnectionCheck) -> str:
    return f"check-{check.pk}"


def connection_check_request(*, integration: Integration, user: AbstractBaseUser | None = None) -> ConnectionCheck:
    """Queue a Check Connection of the integration's saved settings (the command line's, the scheduler's)."""
    _refuse_if_deleting(integration)
    return _queue_check(ConnectionCheck(integration=integration, requested_by=user))


def connection_check_draft_request(
    *,
    integration_type: str,
    settings: models.Model | None,
    integration: Integration | None = None,
    user: AbstractBaseUser | None = None,
) -> ConnectionCheck:
    """Queue a Check Connection of settings values that need not be saved (the settings form's, on the
    Add or the change page): `settings` is an unsaved instance of the type's settings model holding them.

    The values travel to the worker on the check's row, never in the job (its only argument is the
    check's id); secrets are encrypted there as the saved settings are, and removed once the check ends.
    """
    if integration is not None:
        _refuse_if_deleting(integration)
    connector = registry.connector_class(integration_type)
    draft, secrets = _draft_of(connector, settings)
    check = ConnectionCheck(
        integration=integration,
        integration_type=integration_type,
        draft=draft,
        draft_secrets=secrets,
        tested_saved=False,  # until the worker finds the draft equal to the saved settings
        requested_by=user,
    )
    return _queue_check(check)


def _queue_check(check: ConnectionCheck) -> ConnectionCheck:
    from integrations import jobs

    with transaction.atomic():
        check.save()
        try:
            django_rq.get_queue(CHECK_QUEUE).enqueue(
                jobs.check_connection_job,
                check.pk,
                job_id=check_job_id(check),
                job_timeout=CHECK_TIMEOUT_SECONDS,
                result_ttl=3600,
                on_failure=Callback(jobs.check_connection_job_failed),
            )
        except redis.RedisError as exc:
            transaction.set_rollback(True)
            raise QueueUnavailable(exc) from exc
    return check


def _draft_fields(connector) -> list[models.Field]:
    """The settings fields a draft carries: what the admin sets, not what a check finds."""
    model = connector.settings_model
    if model is None:
        return []
    skipped = {"integration", *connector.found_fields}
    return [f for f in model._meta.concrete_fields if f.editable and f.name not in skipped]


def _draft_of(connector, settings: models.Model | None) -> tuple[dict[str, Any], dict[str, str]]:
    """(values, encrypted secrets) of a settings instance, as a check's draft holds them."""
    values: dict[str, Any] = {}
    secrets: dict[str, str] = {}
    for field in _draft_fields(connector) if settings is not None else []:
        value = field.value_from_object(settings)
        if isinstance(field, EncryptedTextField):
            secrets[field.name] = crypto.encrypt(str(value)) if value else ""  # an unreadable one raises
        else:
            values[field.name] = value
    return values, secrets


def _settings_from_draft(connector, check: ConnectionCheck) -> models.Model | None:
    """An unsaved settings instance holding a check's draft, its secrets decrypted."""
    model = connector.settings_model
    if model is None:
        return None
    instance = model()
    for field in _draft_fields(connector):
        if isinstance(field, EncryptedTextField):
            token = check.draft_secrets.get(field.name)
            if token is not None:
                setattr(instance, field.attname, crypto.decrypt(token) if token else "")
        elif field.name in check.draft:
            setattr(instance, field.attname, field.to_python(check.draft[field.name]))
    return instance


def _same_settings(connector, saved: models.Model | None, draft: models.Model) -> bool:
    """Whether a draft holds exactly the saved settings (secrets compared in clear: a token differs at
    every encryption)."""
    if saved is None or unreadable_secrets(saved):
        return False
    return all(str(f.value_from_object(saved)) == str(f.value_from_object(draft)) for f in _draft_fields(connector))


def connection_check_execute(*, check_id: int) -> CheckResult:
    """Run a queued check (the worker's job): of the saved settings, or of its draft.

    A draft is tested on an integration built for it (the saved one, or an unsaved one on the Add
    form) whose settings are the draft's; nothing is saved but the check's outcome. What it found
    goes to the saved settings too when the draft is exactly the saved settings.
    """
    check = ConnectionCheck.objects.select_related("integration").get(pk=check_id)
    if not check.integration_type:
        return integration_check_connection(integration=check.integration, check=check)
    connector = registry.connector_class(check.integration_type)
    try:
        draft = _settings_from_draft(connector, check)
    except Exception as exc:  # a key removed from FIELD_ENCRYPTION_KEYS meanwhile: say so, as for any check
        result = CheckResult(False, f"The values to check cannot be read: {exc}")
        _end_check(check, result, found={})
        return result
    if check.integration_id is not None:
        integration = Integration.objects.select_related("channel").get(pk=check.integration_id)
        same = draft is not None and _same_settings(connector, integration.settings, draft)
    else:
        integration, same = Integration(name="New integration", integration_type=check.integration_type), False
    if same:
        ConnectionCheck.objects.filter(pk=check.pk).update(tested_saved=True)
    if draft is not None:
        draft.integration = integration  # integration.settings is now the draft (a one-to-one's cache)
    return integration_check_connection(integration=integration, check=check, keep_found=same)


def integration_check_connection(
    *, integration: Integration, check: ConnectionCheck | None = None, keep_found: bool = True
) -> CheckResult:
    """Log in to the remote system; what the connector found is kept on the check and, with
    `keep_found`, on the integration's saved settings."""
    if check is not None:
        ConnectionCheck.objects.filter(pk=check.pk).update(status=ConnectionCheck.Status.RUNNING)
    connector = None
    found: dict[str, Any] = {}
    try:
        problem = integration_secret_problem(integration=integration)
        if (
            integration.channel_id
            and Channel.objects.filter(pk=integration.channel_id, deleting_since__isnull=False).exists()
        ):
            problem = str(ChannelBeingDeleted(integration))
        if problem is not None:
            result = CheckResult(False, problem)
        else:
            connector = registry.connector_for(integration)
            result = connector.check_connection()
            if result.ok and connector.settings is not None:
                found = {name: getattr(connector.settings, name) for name in connector.found_fields}
                if keep_found and integration.pk is not None and found:
                    type(connector.settings).objects.filter(pk=integration.pk).update(**found)
    except Exception as exc:  # a check must always end with an answer the admin can read
        logger.exception("connection check of integration %s failed", integration.pk)
        result = CheckResult(False, f"Unexpected error: {exc.__class__.__name__}: {exc}")
    finally:
        if connector is not None:
            connector.close()
    if check is not None:
        _end_check(check, result, found=found)
    return result


def _end_check(check: ConnectionCheck, result: CheckResult, *, found: dict[str, Any]) -> None:
    # The draft's secrets go with the end of the check: saving the form sends the key again.
    ConnectionCheck.objects.filter(pk=check.pk).update(
        status=ConnectionCheck.Status.SUCCEEDED if result.ok else ConnectionCheck.Status.FAILED,
        message=result.message,
        details=result.details,
        found=found,
        draft_secrets={},
        finished_at=timezone.now(),
    )


def connection_check_fail(*, check_id: int, reason: str) -> bool:
    """End a check that its job could not end (the job failed, or was lost)."""
    return bool(
        ConnectionCheck.objects.filter(
            pk=check_id, status__in=(ConnectionCheck.Status.QUEUED, ConnectionCheck.Status.RUNNING)
        ).update(status=ConnectionCheck.Status.FAILED, message=reason, finished_at=timezone.now(), draft_secrets={})
    )


def connection_check_mark_stale() -> int:
    """Fail checks that nothing will end: their job failed, was lost, or has run out of time."""
    stale_after = datetime.timedelta(seconds=settings.OROINT_SYNC["STALE_AFTER_SECONDS"])
    now = timezone.now()
    count = 0
    unfinished = ConnectionCheck.objects.filter(
        status__in=(ConnectionCheck.Status.QUEUED, ConnectionCheck.Status.RUNNING)
    ).order_by()
    for check in unfinished:
        age = now - check.created_at
        if age > datetime.timedelta(seconds=CHECK_TIMEOUT_SECONDS) + stale_after:
            reason = "The check did not end in time (no worker took it, or its worker stopped)."
            _cancel_job(check_job_id(check), CHECK_QUEUE)  # an answer that late would only confuse
        else:
            reason = _why_job_cannot_run(check_job_id(check), CHECK_QUEUE, lost_counts=age > stale_after)
        if reason is not None:
            count += connection_check_fail(check_id=check.pk, reason=f"{reason} Press Check Connection again.")
    return count


def _cancel_job(job_id: str, queue: str) -> None:
    try:
        Job.fetch(job_id, connection=django_rq.get_connection(queue)).cancel()
    except (NoSuchJobError, InvalidJobOperation, redis.RedisError) as exc:
        logger.info("cancel of job %s: %s", job_id, exc)


# -- Sync -----------------------------------------------------------------------------------------


class SyncAlreadyActive(Exception):
    def __init__(self, run: SyncRun) -> None:
        self.run = run
        super().__init__(f"A sync of {run.integration} is already {run.get_status_display().lower()} (run #{run.pk}).")


def sync_schedule(
    *,
    integration: Integration,
    user: AbstractBaseUser | None = None,
    trigger: str = SyncRun.Trigger.ADMIN,
    full: bool = False,
) -> SyncRun:
    """Queue an import run; raise SyncAlreadyActive when one is queued or running.

    One run at a time is the database's promise (a partial unique constraint), not the queue's:
    two admins, a CLI and the scheduler racing here get one run and three refusals. Redis down:
    QueueUnavailable, and no run is left queued.

    `full` asks for a full re-sync: every entity read again from the start date, and what the store
    no longer has marked as removed in the store (see engine.importer). A full re-sync that did not
    succeed is gone on with by the next run, whoever asks for it, until one succeeds.
    """
    from integrations import jobs

    _refuse_if_deleting(integration)
    sync_mark_stale(integration=integration)
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(
                integration=integration,
                trigger=trigger,
                requested_by=user,
                full_resync=full,
                resync_of=None if full else _unfinished_full_resync(integration),
            )
            run.full_resync = run.full_resync or run.resync_of_id is not None
            run.job_id = f"sync-{integration.pk}-{run.pk}"
            run.save(update_fields=["job_id", "full_resync"])
            try:
                django_rq.get_queue(SYNC_QUEUE).enqueue(
                    jobs.sync_job,
                    run.pk,
                    job_id=run.job_id,
                    job_timeout=settings.RQ_QUEUES[SYNC_QUEUE]["DEFAULT_TIMEOUT"],
                    result_ttl=24 * 3600,
                    description=f"Sync {integration.name} (run #{run.pk})",
                    on_failure=Callback(jobs.sync_job_failed),
                )
            except redis.RedisError as exc:
                transaction.set_rollback(True)
                raise QueueUnavailable(exc) from exc
    except IntegrityError:
        active = _active_run(integration, SyncRun.Direction.IMPORT)
        if active is None:  # it ended between our insert and this read: try once more
            return sync_schedule(integration=integration, user=user, trigger=trigger, full=full)
        raise SyncAlreadyActive(active) from None
    return run


def sync_full_resync(
    *, integration: Integration, user: AbstractBaseUser | None = None, trigger: str = SyncRun.Trigger.ADMIN
) -> SyncRun:
    """Queue a full re-sync (Force full re-sync): re-read everything, mark what the store no longer has."""
    return sync_schedule(integration=integration, user=user, trigger=trigger, full=True)


def _unfinished_full_resync(integration: Integration) -> SyncRun | None:
    """The run that began a full re-sync which has not succeeded yet (the last import run was part of
    it and failed or was canceled), or None."""
    last = (
        SyncRun.objects.filter(integration=integration, direction=SyncRun.Direction.IMPORT)
        .exclude(status__in=SyncRun.ACTIVE)
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None or not last.full_resync or last.status == SyncRun.Status.SUCCEEDED:
        return None
    return last.resync_of or last


def _active_run(integration: Integration, direction: str) -> SyncRun | None:
    return SyncRun.objects.filter(integration=integration, direction=direction, status__in=SyncRun.ACTIVE).first()


def sync_dispatch_due(*, now: datetime.datetime | None = None) -> list[SyncRun]:
    """Queue a run for every enabled integration whose interval has passed (the scheduler's tick)."""
    now = now or timezone.now()
    stale_sweep()
    push_requeue_lost()
    queued = []
    due = Integration.objects.filter(
        enabled=True, channel__is_active=True, channel__deleting_since__isnull=True, sync_interval_minutes__gt=0
    )
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


def housekeeping_execute(*, integration_id: int) -> str:
    """One integration's daily upkeep (Connector.housekeeping), its session closed whatever happens."""
    integration = Integration.objects.select_related("channel").get(pk=integration_id)
    connector = registry.connector_for(integration)
    try:
        outcome = connector.housekeeping()
    finally:
        connector.close()
    logger.info("housekeeping of integration %s: %s", integration_id, outcome or "nothing to do")
    return outcome


def housekeeping_dispatch() -> int:
    """Queue the daily upkeep of every enabled integration (one job each, so one failing store stops none);
    an integration whose upkeep is still waiting or running is not queued twice. Returns how many were queued."""
    queue = django_rq.get_queue("default")
    ids = Integration.objects.filter(
        enabled=True, channel__is_active=True, channel__deleting_since__isnull=True
    ).values_list("pk", flat=True)
    queued = 0
    for integration_id in ids.order_by("pk"):
        job_id = f"housekeeping-{integration_id}"
        try:
            if Job.fetch(job_id, connection=queue.connection).get_status() in (JobStatus.QUEUED, JobStatus.STARTED):
                continue
        except NoSuchJobError:
            pass
        queue.enqueue("integrations.jobs.housekeeping_job", integration_id, job_id=job_id)
        queued += 1
    return queued


def sync_mark_stale(*, integration: Integration | None = None) -> int:
    """Fail runs that nothing will end: running without a heartbeat, or queued for a job that cannot run.

    A queued run's job may have failed before the run started (the database was down when the worker
    picked it up, and the job's failure callback could not write either), or Redis may have lost it.
    """
    stale_after = datetime.timedelta(seconds=settings.OROINT_SYNC["STALE_AFTER_SECONDS"])
    cutoff = timezone.now() - stale_after
    runs = SyncRun.objects.filter(status=SyncRun.Status.RUNNING, heartbeat_at__lt=cutoff)
    queued = SyncRun.objects.filter(status=SyncRun.Status.QUEUED, direction=SyncRun.Direction.IMPORT)
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
        reason = _why_job_cannot_run(run.job_id, SYNC_QUEUE, lost_counts=run.created_at < cutoff)
        if reason is not None:
            count += sync_fail_queued(run_id=run.pk, reason=f"{reason} Press Run again or Schedule Sync.")
    return count


def sync_fail_queued(*, run_id: int, reason: str) -> bool:
    """Fail a run whose job ended without ending it (queued, or running when the job died); alerts as any failure."""
    run = SyncRun.objects.filter(pk=run_id).first()
    if run is None or run.is_finished:
        return False
    if run.status == SyncRun.Status.RUNNING:
        return finish_run(run, SyncRun.Status.FAILED, reason)
    changed = SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
        status=SyncRun.Status.FAILED, finished_at=timezone.now(), message=reason
    )
    if changed:
        settle_entities(run_id)
        run.refresh_from_db()
        run_finished.send(sender=SyncRun, run=run)
    return bool(changed)


# A job in one of these states will not run again by itself.
_ENDED_JOB = (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED, JobStatus.FINISHED)


def _why_job_cannot_run(job_id: str, queue: str, *, lost_counts: bool) -> str | None:
    """Why the job of a queued row will never end it, or None while it still may (or Redis cannot say).

    A job that is missing counts only when `lost_counts` (the row is old enough that its job cannot
    still be on its way).
    """
    try:
        if not job_id:
            raise NoSuchJobError
        job = Job.fetch(job_id, connection=django_rq.get_connection(queue))
        status = job.get_status(refresh=True)
    except NoSuchJobError:
        return "The queued job was lost (Redis restarted without saving, or was flushed)." if lost_counts else None
    except redis.RedisError:
        return None  # Redis cannot say: nothing is failed for a queue that is only out of reach
    if status not in _ENDED_JOB:
        return None
    if status == JobStatus.FAILED:
        return f"Its job failed in the worker: {job_failure(job)}."
    return f"Its job ended ({status.value}) without running it."


def job_failure(job: Job) -> str:
    """The exception a failed job ended with, on one line, without traceback or credentials."""
    result = job.latest_result()
    text = (result.exc_string if result is not None else "") or ""
    return describe_failure(text) or "no reason recorded (the work horse was killed?)"


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Timeout)\b.*$")


def describe_failure(text: str, *, limit: int = 400) -> str:
    """The last exception of a formatted traceback (or an exception's text), one line, short, no credentials."""
    lines = text.strip().splitlines()
    start = next((i for i in range(len(lines) - 1, -1, -1) if _EXCEPTION_LINE.match(lines[i])), 0)
    line = " ".join(part.strip() for part in lines[start:] if part.strip())
    line = re.sub(r"^(?:[a-z_][\w]*\.)+(?=[A-Z])", "", line)  # django.db.utils.OperationalError -> OperationalError
    line = mask_credentials(line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def stale_sweep() -> dict[str, int]:
    """End every run and check that nothing else will end (the scheduler's tick and idle workers call it)."""
    return {"runs": sync_mark_stale(), "checks": connection_check_mark_stale()}


def sync_cancel(*, run: SyncRun) -> bool:
    """Cancel a queued or running run; the worker stops after the page it is writing."""
    changed = SyncRun.objects.filter(pk=run.pk, status__in=SyncRun.ACTIVE).update(
        status=SyncRun.Status.CANCELED, finished_at=timezone.now(), message="Canceled by an admin.", current_entity=""
    )
    if changed:
        settle_entities(run.pk)
    if changed and run.job_id:
        try:
            Job.fetch(run.job_id, connection=django_rq.get_connection(SYNC_QUEUE)).cancel()
        except (NoSuchJobError, Exception) as exc:  # the job may be running or gone; the row rules
            logger.info("cancel of job %s: %s", run.job_id, exc)
    return bool(changed)


def sync_execute(*, run_id: int) -> SyncRun:
    """Run a queued import in this process (what the worker does)."""
    run = SyncRun.objects.select_related("integration").get(pk=run_id)
    problem = integration_secret_problem(integration=run.integration)
    if problem is not None:
        claimed = claim_run(run_id)
        if claimed is not None:
            finish_run(claimed, SyncRun.Status.FAILED, problem)
        return SyncRun.objects.get(pk=run_id)
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
    """Count the push on its entity's row of the run, and the pushes of what it depended on on theirs."""
    from django.db.models import F

    for name, counted in [(dep_entity, dep) for dep_entity, _local_id, dep in outcome.also] + [(entity, outcome)]:
        row, _ = SyncRunEntity.objects.get_or_create(
            run=run, entity=name, defaults={"status": SyncRunEntity.Status.RUNNING, "started_at": timezone.now()}
        )
        counters = {"pushed": F("pushed") + int(counted.result in ("created", "updated", "deleted"))}
        if counted.result in ("created", "updated", "deleted", "failed"):
            counters[counted.result] = F(counted.result) + 1
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


def push_reconcile(*, integration: Integration) -> int:
    """Queue a push of every record every sink of the integration wants, sent even when its values are as
    last pushed (the store may have drifted: edited there, restored from a backup), and of every bound
    record deleted here since (so its remote copy goes). Returns how many pushes were asked for.

    The values as last pushed are forgotten first, so each push sends again; a push queued twice (a
    change made meanwhile) is still one job. QueueUnavailable when Redis cannot take the jobs (the pushes
    asked for before it went away are written down, and queued again by the scheduler's tick).
    """
    try:
        django_rq.get_connection(PUSH_QUEUE).ping()
    except redis.RedisError as exc:
        raise QueueUnavailable(exc) from exc
    connector = registry.connector_for(integration)
    try:
        asked: list[tuple[str, int]] = []
        for sink in connector.sinks():
            Binding.objects.filter(integration=integration, entity=sink.name).update(synced_values={})
            seen: set[int] = set()
            for record in sink.records():
                if sink.wants(record):
                    seen.add(record.pk)
                    asked.append((sink.name, record.pk))
            bound = Binding.objects.filter(integration=integration, entity=sink.name).values_list("local_id", flat=True)
            asked += [(sink.name, local_id) for local_id in bound.iterator() if local_id not in seen]
    finally:
        connector.close()
    try:
        for entity, local_id in asked:
            push_request(integration=integration, entity=entity, local_id=local_id)
    except redis.RedisError as exc:
        raise QueueUnavailable(exc) from exc
    return len(asked)


def record_actions(*, record: models.Model) -> list[tuple[str, str]]:
    """(name, label) of what the record's integration offers to do on it in the remote system."""
    integration = getattr(record, "integration", None)
    if integration is None:
        return []
    return integration.connector_class.record_actions(type(record))


def record_action_run(*, record: models.Model, name: str) -> str:
    """Do one of `record_actions` on the record in its remote system, now; what happened. A RemoteError
    carries the remote system's refusal; LookupError for an action the integration does not offer."""
    if name not in dict(record_actions(record=record)):
        raise LookupError(f"{record.integration} offers no action {name!r} on {record._meta.verbose_name}")
    connector = registry.connector_for(record.integration)
    try:
        return connector.run_record_action(record, name)
    finally:
        connector.close()


# -- Quarantine -------------------------------------------------------------------------------------


def quarantine_retry_request(*, records: list[QuarantinedRecord]) -> str:
    """Queue a retry of quarantined records (read again, or pushed again)."""
    from integrations import jobs

    ids = sorted(r.pk for r in records if r.resolved_at is None)
    # Said before the job is queued: a quick worker's "Imported" must not be overwritten by "Queued".
    marked = QuarantinedRecord.objects.filter(pk__in=ids)
    marked.update(last_retry_at=timezone.now(), last_retry_outcome="Queued")
    try:
        job = django_rq.get_queue(QUARANTINE_QUEUE).enqueue(jobs.quarantine_retry_job, ids, job_timeout=1800)
    except redis.RedisError as exc:
        marked.update(last_retry_outcome="Not queued: the queue could not be reached")
        raise QueueUnavailable(exc) from exc
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
                record.last_retry_at, record.last_retry_outcome = record.resolved_at, "Pushed again"
                record.save(update_fields=["resolved_at", "reason", "last_retry_at", "last_retry_outcome"])
                outcome["pushes_queued"] += 1
            continue
        for key, count in importer.retry_quarantined(records).items():
            outcome[key] += count
    return outcome


# -- History ----------------------------------------------------------------------------------------


def history_prune(*, older_than_days: int | None = None, now: datetime.datetime | None = None) -> dict[str, int]:
    """Empty the logs of runs and delete the resolved quarantine records older than the given age.

    The runs themselves stay (with their outcome, message and counts): they are the history. The age
    defaults to OROINT_PRUNE_AFTER_DAYS; 0 prunes nothing.
    """
    days = settings.OROINT_PRUNE_AFTER_DAYS if older_than_days is None else older_than_days
    if days <= 0:
        return {"run_logs": 0, "quarantined": 0}
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    logs = SyncRun.objects.filter(finished_at__lt=cutoff).exclude(log="").update(log="")
    # A check's draft secrets go when it ends; these are what a lost job left behind. A check of an Add
    # form that was never saved belongs to nothing: it goes.
    ConnectionCheck.objects.filter(created_at__lt=cutoff).exclude(draft_secrets={}).update(draft_secrets={})
    ConnectionCheck.objects.filter(created_at__lt=cutoff, integration__isnull=True).delete()
    resolved = QuarantinedRecord.objects.filter(resolved_at__lt=cutoff)
    _, deleted = resolved.delete()
    return {"run_logs": logs, "quarantined": deleted.get(QuarantinedRecord._meta.label, 0)}


# -- Deletion ---------------------------------------------------------------------------------------


@transaction.atomic
def integration_delete(*, integration: Integration) -> None:
    """Delete an integration and everything it brought in; the channel stays. Its object permissions go too."""
    pk = integration.pk
    integration.delete()
    _forget_object_permissions(Integration, [pk])


@transaction.atomic
def channel_delete(*, channel: Channel) -> None:
    """Delete a channel, its integration and everything that brought in."""
    integration_ids = list(Integration.objects.filter(channel=channel).values_list("pk", flat=True))
    channel.delete()
    _forget_object_permissions(Integration, integration_ids)


def _forget_object_permissions(model: type, pks: list[int]) -> None:
    # django-guardian keys its rows by content type and text id, with no foreign key to cascade.
    from django.contrib.contenttypes.models import ContentType
    from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

    content_type = ContentType.objects.get_for_model(model)
    for perms_model in (get_user_obj_perms_model(model), get_group_obj_perms_model(model)):
        perms_model.objects.filter(content_type=content_type, object_pk__in=[str(pk) for pk in pks]).delete()
