"""RQ entry points: thin wrappers that call services with ids (jobs are serialised)."""

from integrations import services
from integrations.models import ConnectionCheck


def check_connection_job(check_id: int) -> bool:
    check = ConnectionCheck.objects.select_related("integration").get(pk=check_id)
    return services.integration_check_connection(integration=check.integration, check=check).ok


def sync_job(run_id: int) -> str:
    return services.sync_execute(run_id=run_id).status


def push_job(integration_id: int, entity: str, local_id: int) -> str:
    return services.push_execute(integration_id=integration_id, entity=entity, local_id=local_id)


def quarantine_retry_job(record_ids: list[int]) -> dict[str, int]:
    return services.quarantine_retry(record_ids=record_ids)


def dispatch_due_syncs() -> int:
    """The scheduler's tick (see oroint/cron.py)."""
    return len(services.sync_dispatch_due())
