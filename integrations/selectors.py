"""Reads about integrations, shared by the admin, the CLI and the API."""

from typing import Any
from urllib.parse import urlsplit

from django.db.models import prefetch_related_objects
from django.utils import timezone

from integrations import progress
from integrations.engine import registry
from integrations.engine.cursors import describe_state
from integrations.models import Integration, SyncRun
from integrations.transports.http import origin_of


def integration_records(*, integration: Integration) -> dict[str, int]:
    """How many records of each entity an integration holds (plural snake_case keys), by its connector."""
    return integration.connector_class.record_counts(integration)


def run_summary(run: SyncRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "status": run.status,
        "direction": run.direction,
        "trigger": run.trigger,
        "full_resync": run.full_resync,
        "resync_of": run.resync_of_id,
        "message": run.message,
        "progress": run.progress,
        "created_at": run.created_at.isoformat() if run.created_at else None,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "stats": {e.entity: e.as_stats() for e in run.entities.all()},
        "totals": run.totals(),
        "removed_in_store": sum(e.removed for e in run.entities.all()),
        "quarantined": run.quarantined.count(),
    }


def run_progress(run: SyncRun) -> dict[str, Any]:
    """The summary plus what the progress page shows and its polling script updates."""
    prefetch_related_objects([run], "entities")  # read once for stats, totals and rows
    entities = list(run.entities.all())
    now = timezone.now()
    rows = []
    for e in entities:
        status, label = progress.entity_status(e, run)
        rows.append(
            {
                **e.as_stats(),
                "entity": e.entity,
                "status": label,
                "status_key": status,
                "message": e.message,
                "checkpoint": describe_state(e.checkpoint),
                "progress": progress.entity_progress(e, run, now),
            }
        )
    return {
        **run_summary(run),
        "status_display": run.outcome,
        "status_css": run.outcome_css,
        "errors": run.errors,
        "finished": run.is_finished,
        "current_entity": "" if run.is_finished else run.current_entity,
        "phase": progress.phase(run, entities),
        "records": (records := progress.run_records(run, entities, now)),
        "bar": progress.bar(run, entities, records),
        "entities": rows,
        "log": run.log[-4000:],
    }


def integration_status(*, integration: Integration, runs: int = 10) -> dict[str, Any]:
    return {
        "integration": {
            "id": integration.pk,
            "name": integration.name,
            "type": integration.integration_type,
            "channel": integration.channel.name,
            "enabled": integration.enabled,
            "sync_interval_minutes": integration.sync_interval_minutes,
            "settings": integration.connector_class.describe_settings(integration),
        },
        "records": integration_records(integration=integration),
        "runs": [run_summary(r) for r in integration.runs.prefetch_related("entities")[:runs]],
    }


def store_address(url: str | None) -> str | None:
    """A store URL as two integrations on the same store would both have it: scheme, host and port (the
    default port left out), and the path without its trailing slash; no query, no fragment, any case
    of scheme and host. None for what is not an http(s) URL."""
    origin = origin_of(url)
    if origin is None:
        return None
    return origin + urlsplit(url).path.rstrip("/")


def integrations_on_store(*, url: str | None, exclude: int | None = None) -> list[Integration]:
    """The integrations (of any type) whose store URL is `url`, once normalised (store_address): each
    order of that store would come in once per integration. One query per type."""
    address = store_address(url)
    if address is None:
        return []
    found: list[int] = []
    for connector in registry.types().values():
        field = connector.store_url_field
        if field is None or connector.settings_model is None:
            continue
        rows = connector.settings_model.objects.exclude(integration_id=exclude).values_list("integration_id", field)
        found += [pk for pk, other in rows if store_address(other) == address]
    return list(Integration.objects.filter(pk__in=found).order_by("name"))
