"""How far a run has got, in records: per entity and for the whole run, as the progress page says it.

Records read so far, the total where the remote system told it ("unknown" where it did not), the
time spent, the rate, and the time left where a total is known. An ended run's entities are read as
the engine settled them (engine.run.settle_entities): nothing of a failed or canceled run runs.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from integrations.models import SyncRun, SyncRunEntity
from oroint import display

UNKNOWN = "unknown"


def _elapsed(started: datetime.datetime | None, finished: datetime.datetime | None, now: datetime.datetime) -> float:
    if started is None:
        return 0.0
    return max(0.0, ((finished or now) - started).total_seconds())


def figures(read: int, total: int | None, elapsed: float, *, active: bool) -> dict[str, Any]:
    """Read, total, elapsed, rate and time left of one count of records, raw and as shown."""
    rate = read / elapsed if elapsed > 0 else None
    left = None
    if active and total is not None and rate:
        left = max(0, total - read) / rate
    if total is not None:
        of = f"{display.count(read)} of {display.count(total)}"
    elif active:
        of = f"{display.count(read)} read, total {UNKNOWN}"
    else:  # once read to its end, what was read is all there was
        of = f"{display.count(read)} read"
    return {
        "read": read,
        "total": total,
        "elapsed_seconds": round(elapsed, 1),
        "rate": round(rate, 1) if rate is not None else None,
        "eta_seconds": round(left, 1) if left is not None else None,
        "percent": round(min(100.0, 100.0 * read / total), 1) if total else None,
        "shown": {
            "records": of,
            "total": display.count(total) if total is not None else (UNKNOWN if active else display.EMPTY),
            "elapsed": display.duration(elapsed) if elapsed else display.EMPTY,
            "rate": f"{rate:,.1f} records/s" if rate is not None else display.EMPTY,
            "eta": display.duration(left) if left is not None else (UNKNOWN if active else display.EMPTY),
        },
    }


def entity_progress(entity: SyncRunEntity, run: SyncRun, now: datetime.datetime) -> dict[str, Any]:
    active = not run.is_finished and entity.status in SyncRunEntity.UNFINISHED
    return figures(entity.read, entity.total, _elapsed(entity.started_at, entity.finished_at, now), active=active)


def run_records(run: SyncRun, entities: list[SyncRunEntity], now: datetime.datetime | None = None) -> dict[str, Any]:
    """The run's overall figure: records read so far, and of how many when every entity's total is known."""
    now = now or timezone.now()
    read = sum(e.read for e in entities)
    totals = [e.total for e in entities]
    total = sum(totals) if entities and None not in totals else None
    return figures(read, total, _elapsed(run.started_at, run.finished_at, now), active=not run.is_finished)


def phase(run: SyncRun, entities: list[SyncRunEntity]) -> str:
    """One line on where the run is, never two that disagree: waiting for a worker (queued), reading an
    entity (running), or nothing once it ended."""
    if run.status == SyncRun.Status.QUEUED:
        return "Waiting for a worker…"
    if run.status == SyncRun.Status.RUNNING:
        return f"Reading {run.current_entity}" if run.current_entity else "Starting…"
    return ""


def entity_status(entity: SyncRunEntity, run: SyncRun) -> tuple[str, str]:
    """(status, label) of an entity as shown: an ended run's unfinished entity shows the run's end (the
    engine settles them; this covers the moment between the run's end and that)."""
    if run.is_finished and entity.status in SyncRunEntity.UNFINISHED:
        return run.status, run.get_status_display()
    return entity.status, entity.get_status_display()


def _entity_sum(field: str) -> Coalesce:
    """The sum of one counter over a run's entities, as a subquery per listed run (never a GROUP BY over
    the whole run table, which a changelist's count would carry too)."""
    sums = SyncRunEntity.objects.filter(run=OuterRef("pk")).order_by().values("run").annotate(n=Sum(field)).values("n")
    return Coalesce(Subquery(sums, output_field=IntegerField()), Value(0))


def runs_with_figures(runs: QuerySet) -> QuerySet:
    """Runs annotated with `error_count` (what SyncRun.outcome reads, no query per run) and `read_count`."""
    return runs.annotate(error_count=_entity_sum("failed"), read_count=_entity_sum("read"))


def bar(run: SyncRun, entities: list[SyncRunEntity], records: dict[str, Any]) -> dict[str, Any]:
    """What the progress bar measures, said with it: the records read of their total when every total is
    known, else the entities done of those the run reads (a store that tells no totals gives no record
    percentage, and the bar must not pass one off as such)."""
    if records.get("percent") is not None:
        percent = records["percent"] if run.is_finished or records["percent"] < 100 else 99.9
        return {"percent": percent, "label": f"({percent:.1f} % of the records)"}
    done = sum(1 for e in entities if e.status not in SyncRunEntity.UNFINISHED)
    percent = run.progress if run.progress is not None else 0.0
    label = f"({done} of {len(entities)} entities done)" if entities else ""
    return {"percent": percent, "label": label}
