"""A run's lifecycle, whatever it moves: claim, heartbeat, log, cancel check, finish.

Nothing here reads or writes records (engine.importer and engine.exporter do) or tells anyone
(a finished run sends `run_finished`; integrations.alerts listens).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import django.dispatch
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from integrations.models import SyncRun, SyncRunEntity

logger = logging.getLogger(__name__)

# Sent once when a run reaches a final state here: sender=SyncRun, run=the run (refreshed).
run_finished = django.dispatch.Signal()

LOG_LIMIT = 100_000  # characters of a run's log kept; a flapping store must not grow a row forever


class RunCanceled(Exception):
    """The run was canceled (or taken over) while it ran."""


def run_log(run_id: int, line: str) -> None:
    """Append a timestamped line to the run's log (outside any page transaction)."""
    stamp = timezone.now().strftime("%Y-%m-%d %H:%M:%S")
    run = SyncRun.objects.only("log").get(pk=run_id)
    log = f"{run.log}{stamp} {line}\n"
    if len(log) > LOG_LIMIT:
        log = "(earlier lines dropped)\n" + log[-LOG_LIMIT:].split("\n", 1)[-1]
    SyncRun.objects.filter(pk=run_id).update(log=log)
    logger.info("run %s: %s", run_id, line)


def claim_run(run_id: int) -> SyncRun | None:
    """Mark a queued run running; None if it was canceled or another worker took it."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().select_related("integration").get(pk=run_id)
        if run.status != SyncRun.Status.QUEUED:
            return None
        now = timezone.now()
        run.status, run.started_at, run.heartbeat_at = SyncRun.Status.RUNNING, now, now
        run.save(update_fields=["status", "started_at", "heartbeat_at"])
    return run


class Heartbeat:
    """Beats for a run from a thread of the worker process, so that a killed worker stops beating.

    A live run keeps beating during a slow remote call; a run whose worker was SIGKILLed does not,
    and `services.sync_mark_stale` fails it after STALE_AFTER_SECONDS.
    """

    def __init__(self, run_id: int, interval: float) -> None:
        self.run_id, self.interval = run_id, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-run-{run_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    beat(self.run_id)
                except DatabaseError as exc:  # a busy database must not end the run; the next beat may pass
                    logger.warning("heartbeat of run %s: %s", self.run_id, exc)
        finally:
            connection.close()


def beat(run_id: int) -> None:
    SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.RUNNING).update(heartbeat_at=timezone.now())


def ensure_active(run_id: int) -> None:
    status = SyncRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
    if status != SyncRun.Status.RUNNING:
        raise RunCanceled


def finish_entity(row: SyncRunEntity | None, status: str, message: str) -> None:
    if row is not None:
        SyncRunEntity.objects.filter(pk=row.pk).update(status=status, message=message, finished_at=timezone.now())


# What an entity left pending or running becomes when its run ends this way, and what it then says.
_SETTLED = {
    SyncRun.Status.FAILED: (SyncRunEntity.Status.FAILED, "Not finished: the run failed."),
    SyncRun.Status.CANCELED: (SyncRunEntity.Status.CANCELED, "Canceled"),
}


def settle_entities(run_id: int) -> int:
    """Give the entities of an ended run that are still pending or running the run's final state.

    Whoever ends a run (the worker, an admin's cancel, the stale sweep) calls it, so that a failed or
    canceled run never shows an entity running or waiting. Their messages, where they have one, stay.
    How many entities it changed."""
    status = SyncRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
    if status not in _SETTLED:
        return 0
    entity_status, text = _SETTLED[status]
    unfinished = SyncRunEntity.objects.filter(run_id=run_id, status__in=SyncRunEntity.UNFINISHED)
    now = timezone.now()
    changed = unfinished.filter(message="").update(status=entity_status, message=text, finished_at=now)
    return changed + unfinished.update(status=entity_status, finished_at=now)


def finish_run(run: SyncRun, status: str, message: str, detail: str = "") -> bool:
    """End a running run; False if it had already ended (a canceled run stays canceled)."""
    updates: dict[str, Any] = {"status": status, "message": message, "finished_at": timezone.now()}
    if status == SyncRun.Status.SUCCEEDED:
        updates["progress"] = 100.0
    updates["current_entity"] = ""
    finished = SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.RUNNING).update(**updates)
    if detail:
        logger.error("run %s: %s", run.pk, detail)
    if finished:
        settle_entities(run.pk)
        run.refresh_from_db()
        run_finished.send(sender=SyncRun, run=run)
    return bool(finished)


def summary(run: SyncRun) -> str:
    totals = run.totals()
    text = "Stats: " + ", ".join(f"{key} [{count}]" for key, count in totals.items())
    if run.full_resync and run.direction == SyncRun.Direction.IMPORT:
        removed = sum(entity.removed for entity in run.entities.all())
        text += f". Full re-sync: {removed} removed in the store"
    return text


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
