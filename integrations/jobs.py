"""RQ entry points: thin wrappers that call services with ids (jobs are serialised)."""

import logging
from types import TracebackType

from django.db import connections
from redis import Redis
from rq.job import Job

from integrations import services

logger = logging.getLogger(__name__)


def check_connection_job(check_id: int) -> bool:
    return services.connection_check_execute(check_id=check_id).ok


def sync_job(run_id: int) -> str:
    return services.sync_execute(run_id=run_id).status


def push_job(integration_id: int, entity: str, local_id: int) -> str:
    return services.push_execute(integration_id=integration_id, entity=entity, local_id=local_id)


def quarantine_retry_job(record_ids: list[int]) -> dict[str, int]:
    return services.quarantine_retry(record_ids=record_ids)


def dispatch_due_syncs() -> int:
    """The scheduler's tick (see oroint/cron.py)."""
    return len(services.sync_dispatch_due())


def housekeeping_job(integration_id: int) -> str:
    return services.housekeeping_execute(integration_id=integration_id)


def dispatch_housekeeping() -> int:
    """The scheduler's daily upkeep of every integration (see oroint/cron.py)."""
    return services.housekeeping_dispatch()


def prune_history() -> dict[str, int]:
    """The scheduler's hourly pruning of old run logs and resolved quarantine records (see oroint/cron.py)."""
    return services.history_prune()


# -- failure callbacks: RQ calls these in the worker when a job raised --------------------------------


def sync_job_failed(
    job: Job, connection: Redis, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """A sync job raised (the database went away, say): its run must not stay queued or running."""
    _record_failure(lambda reason: services.sync_fail_queued(run_id=job.args[0], reason=reason), exc, "Run again")


def check_connection_job_failed(
    job: Job, connection: Redis, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """A check job raised: its check must not stay queued."""
    _record_failure(
        lambda reason: services.connection_check_fail(check_id=job.args[0], reason=reason), exc, "Check Connection"
    )


def _record_failure(record, exc: BaseException, button: str) -> None:
    reason = f"Its job failed in the worker: {services.describe_failure(f'{type(exc).__name__}: {exc}')}."
    try:
        record(f"{reason} Press {button} again.")
    except Exception:
        # The database is still out of reach; raising here would replace the job's own exception in
        # RQ's record. The stale sweep ends the row once the database answers (services.stale_sweep).
        logger.warning("could not record the failure of a job (%s); the stale sweep will", reason, exc_info=True)
    finally:
        connections.close_all()
