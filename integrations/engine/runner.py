"""The sync loop shared by every connector: pages in, batched upserts, checkpoints, stats.

Each page is written in one transaction together with the checkpoint it reaches, the run's
counters and its heartbeat, so a run killed at any moment resumes exactly after the last page
that committed. A record that cannot be mapped or written is quarantined with its payload and
reason; the rest of the page and of the run go on.
"""

from __future__ import annotations

import logging
import threading
import traceback
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from integrations.alerts import run_failed_alert
from integrations.connectors.base import Connector, Stream, connector_for
from integrations.engine.errors import RemoteError
from integrations.engine.records import Mapped, MappingError, Page
from integrations.engine.upsert import UpsertResult, upsert_batch
from integrations.engine.validation import check_lengths
from integrations.models import Checkpoint, Integration, QuarantinedRecord, SyncRun, SyncRunEntity

logger = logging.getLogger(__name__)


class RunCanceled(Exception):
    """The run was canceled (or taken over) while it ran."""


LOG_LIMIT = 100_000  # characters of a run's log kept; a flapping store must not grow a row forever


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
                    SyncRun.objects.filter(pk=self.run_id, status=SyncRun.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError as exc:  # a busy database must not end the run; the next beat may pass
                    logger.warning("heartbeat of run %s: %s", self.run_id, exc)
        finally:
            connection.close()


def execute_run(run_id: int, connector: Connector | None = None) -> SyncRun:
    """Run a queued sync to its end. Never raises for remote or data problems: the run records them."""
    run = claim_run(run_id)
    if run is None:
        return SyncRun.objects.get(pk=run_id)
    interval = max(1.0, settings.OROINT_SYNC["STALE_AFTER_SECONDS"] / 6)
    with Heartbeat(run_id, interval):
        return _execute(run, connector)


def _execute(run: SyncRun, connector: Connector | None) -> SyncRun:
    run_id = run.pk
    integration = run.integration
    connector = connector or connector_for(integration, log=lambda line: run_log(run_id, line))
    entity_row: SyncRunEntity | None = None
    try:
        streams = connector.streams()
        rows = [
            SyncRunEntity.objects.get_or_create(run=run, entity=s.name, defaults={"position": i})[0]
            for i, s in enumerate(streams)
        ]
        for index, (stream, entity_row) in enumerate(zip(streams, rows, strict=True)):
            _sync_stream(run, integration, stream, entity_row, index, len(streams))
        entity_row = None
        _finish(run, SyncRun.Status.SUCCEEDED, _summary(run))
    except RunCanceled:
        _finish_entity(entity_row, SyncRunEntity.Status.FAILED, "Canceled")
        run.refresh_from_db()
    except RemoteError as exc:
        _finish_entity(entity_row, SyncRunEntity.Status.FAILED, str(exc))
        _finish(run, SyncRun.Status.FAILED, str(exc))
    except Exception as exc:
        logger.exception("run %s failed", run_id)
        text = f"Unexpected error: {exc.__class__.__name__}: {exc}"
        _finish_entity(entity_row, SyncRunEntity.Status.FAILED, text)
        _finish(run, SyncRun.Status.FAILED, text, detail=traceback.format_exc())
    finally:
        try:
            connector.close()
        except Exception:  # the run's outcome is already recorded; closing is a courtesy to the remote
            logger.exception("run %s: closing the connector failed", run_id)
    run.refresh_from_db()
    return run


def _sync_stream(
    run: SyncRun, integration: Integration, stream: Stream, row: SyncRunEntity, index: int, count: int
) -> None:
    now = timezone.now()
    SyncRunEntity.objects.filter(pk=row.pk).update(status=SyncRunEntity.Status.RUNNING, started_at=now)
    SyncRun.objects.filter(pk=run.pk).update(current_entity=stream.name, progress=100.0 * index / count)
    checkpoint, _ = Checkpoint.objects.get_or_create(integration=integration, entity=stream.name)
    state = checkpoint.state
    total = None
    for page in stream.pages(dict(state)):
        _ensure_active(run.pk)
        if page.total is not None:
            total = (total or 0) + page.total
        _write_page(run, integration, stream, row, checkpoint, page, total, index, count)
    _finish_entity(row, SyncRunEntity.Status.SUCCEEDED, "")


def _write_page(
    run: SyncRun,
    integration: Integration,
    stream: Stream,
    row: SyncRunEntity,
    checkpoint: Checkpoint,
    page: Page,
    total: int | None,
    index: int,
    count: int,
) -> None:
    mapped, rejected = map_records(stream, page.records)

    with transaction.atomic():
        result, failed = write_records(stream, integration, mapped)
        rejected.extend(failed)
        QuarantinedRecord.objects.bulk_create(
            QuarantinedRecord(
                integration=integration,
                run=run,
                entity=stream.name,
                remote_id=stream.remote_id_of(raw)[:64],
                reason=reason,
                payload=jsonable(raw),
            )
            for raw, reason in rejected
        )
        Checkpoint.objects.filter(pk=checkpoint.pk).update(state=page.state)
        checkpoint.state = page.state
        SyncRunEntity.objects.filter(pk=row.pk).update(
            read=F("read") + len(page.records),
            created=F("created") + result.created,
            updated=F("updated") + result.updated,
            skipped=F("skipped") + result.skipped,
            failed=F("failed") + len(rejected),
            total=total,
            checkpoint=page.state,
        )
        done_in_stream = 0.0
        if total:
            row.refresh_from_db(fields=["read"])
            done_in_stream = min(1.0, row.read / total)
        SyncRun.objects.filter(pk=run.pk).update(
            heartbeat_at=timezone.now(), progress=round(100.0 * (index + done_in_stream) / count, 1)
        )


def map_records(stream: Stream, raws: list[dict[str, Any]]) -> tuple[list[Mapped], list[tuple[dict[str, Any], str]]]:
    """Map raw records; those that cannot be mapped come back with the reason, for the quarantine."""
    children_models = {name: spec.model for name, spec in stream.children.items()}
    mapped: list[Mapped] = []
    rejected: list[tuple[dict[str, Any], str]] = []
    for raw in raws:
        try:
            record = stream.map(raw)
            check_lengths(stream.model, record, children_models)
            record.payload = raw
            mapped.append(record)
        except MappingError as exc:
            rejected.append((raw, str(exc)))
        except Exception as exc:  # a mapper bug must not stop the run either
            rejected.append((raw, f"{exc.__class__.__name__}: {exc}"))
    return mapped, rejected


def write_records(
    stream: Stream, integration: Integration, mapped: list[Mapped]
) -> tuple[UpsertResult, list[tuple[dict[str, Any], str]]]:
    """Upsert mapped records; if the database refuses the batch, find and return the bad ones."""
    try:
        with transaction.atomic():
            return _upsert(stream, integration, mapped), []
    except DatabaseError:
        # One bad record fails the whole statement: write one by one to find it.
        return _upsert_one_by_one(stream, integration, mapped)


def _upsert(stream: Stream, integration: Integration, mapped: list[Mapped]) -> UpsertResult:
    if not mapped:
        return UpsertResult()
    result = upsert_batch(
        model=stream.model,
        integration_id=integration.pk,
        records=mapped,
        key_field=stream.key_field,
        children=stream.children,
    )
    if result.keys_to_pk:
        stream.after_write(integration.pk, mapped, result.keys_to_pk)
    return result


def _upsert_one_by_one(
    stream: Stream, integration: Integration, mapped: list[Mapped]
) -> tuple[UpsertResult, list[tuple[dict[str, Any], str]]]:
    total = UpsertResult()
    failed = []
    for record in mapped:
        try:
            with transaction.atomic():
                one = _upsert(stream, integration, [record])
        except DatabaseError as exc:
            failed.append((record.payload or {}, f"The database refused the record: {exc}".strip()))
            continue
        total.created += one.created
        total.updated += one.updated
        total.skipped += one.skipped
    return total, failed


def _ensure_active(run_id: int) -> None:
    status = SyncRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
    if status != SyncRun.Status.RUNNING:
        raise RunCanceled


def _finish_entity(row: SyncRunEntity | None, status: str, message: str) -> None:
    if row is not None:
        SyncRunEntity.objects.filter(pk=row.pk).update(status=status, message=message, finished_at=timezone.now())


def _finish(run: SyncRun, status: str, message: str, detail: str = "") -> None:
    updates: dict[str, Any] = {"status": status, "message": message, "finished_at": timezone.now()}
    if status == SyncRun.Status.SUCCEEDED:
        updates["progress"] = 100.0
    updates["current_entity"] = ""
    # Only a run still marked running is finished here: a canceled one stays canceled.
    finished = SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.RUNNING).update(**updates)
    if detail:
        logger.error("run %s: %s", run.pk, detail)
    if finished and status == SyncRun.Status.FAILED:
        run.refresh_from_db()
        run_failed_alert(run=run)


def _summary(run: SyncRun) -> str:
    totals = run.totals()
    return (
        f"Stats: read [{totals['read']}], created [{totals['created']}], updated [{totals['updated']}], "
        f"skipped [{totals['skipped']}], failed [{totals['failed']}]"
    )


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
