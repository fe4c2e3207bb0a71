"""Pages in: map, validate, upsert, checkpoint, stats; and retrying quarantined records.

Each page is written in one transaction together with the checkpoint it reaches, the run's
counters and its heartbeat, so a run killed at any moment resumes exactly after the last page
that committed. A record that cannot be mapped or written, or that the cursor refused (an id it
cannot place, an answer it cannot read), is quarantined with its payload and reason in that same
transaction; the rest of the page and of the run go on. A record already in the quarantine is not
quarantined twice: its row is brought up to date. A quarantined record read again goes through the
very same path (`import_raw`).
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from integrations.engine.contracts import Connector, Mapped, MappingError, Page, Refused, Skip, SourceStream
from integrations.engine.errors import RemoteError, UnreadableAnswer
from integrations.engine.registry import connector_for
from integrations.engine.run import (
    Heartbeat,
    RunCanceled,
    claim_run,
    ensure_active,
    finish_entity,
    finish_run,
    jsonable,
    run_log,
    summary,
)
from integrations.engine.upsert import UpsertResult, upsert_batch
from integrations.engine.validation import check_lengths
from integrations.models import Checkpoint, Integration, QuarantinedRecord, SyncRun, SyncRunEntity

logger = logging.getLogger(__name__)

Rejected = list[tuple[dict[str, Any], str]]


def execute_import(run_id: int, connector: Connector | None = None) -> SyncRun:
    """Run a queued import to its end. Never raises for remote or data problems: the run records them."""
    run = claim_run(run_id)
    if run is None:
        return SyncRun.objects.get(pk=run_id)
    interval = max(1.0, settings.OROINT_SYNC["STALE_AFTER_SECONDS"] / 6)
    with Heartbeat(run_id, interval):
        return _execute(run, connector)


def _execute(run: SyncRun, connector: Connector | None) -> SyncRun:
    run_id = run.pk
    integration = run.integration
    entity_row: SyncRunEntity | None = None
    try:
        connector = connector or connector_for(integration, log=lambda line: run_log(run_id, line))
        streams = connector.selected_streams()
        rows = [
            SyncRunEntity.objects.get_or_create(run=run, entity=s.name, defaults={"position": i})[0]
            for i, s in enumerate(streams)
        ]
        for index, (stream, entity_row) in enumerate(zip(streams, rows, strict=True)):
            _sync_stream(run, integration, stream, entity_row, index, len(streams))
        entity_row = None
        finish_run(run, SyncRun.Status.SUCCEEDED, summary(run))
    except RunCanceled:
        finish_entity(entity_row, SyncRunEntity.Status.FAILED, "Canceled")
    except RemoteError as exc:
        finish_entity(entity_row, SyncRunEntity.Status.FAILED, str(exc))
        finish_run(run, SyncRun.Status.FAILED, str(exc))
    except Exception as exc:
        logger.exception("run %s failed", run_id)
        text = f"Unexpected error: {exc.__class__.__name__}: {exc}"
        finish_entity(entity_row, SyncRunEntity.Status.FAILED, text)
        finish_run(run, SyncRun.Status.FAILED, text, detail=traceback.format_exc())
    finally:
        if connector is not None:
            try:
                connector.close()
            except Exception:  # the run's outcome is already recorded; closing is a courtesy to the remote
                logger.exception("run %s: closing the connector failed", run_id)
    run.refresh_from_db()
    return run


def _sync_stream(
    run: SyncRun, integration: Integration, stream: SourceStream, row: SyncRunEntity, index: int, count: int
) -> None:
    now = timezone.now()
    SyncRunEntity.objects.filter(pk=row.pk).update(status=SyncRunEntity.Status.RUNNING, started_at=now)
    SyncRun.objects.filter(pk=run.pk).update(current_entity=stream.name, progress=100.0 * index / count)
    checkpoint, _ = Checkpoint.objects.get_or_create(integration=integration, entity=stream.name)
    total = None
    for page in stream.pages(dict(checkpoint.state)):
        ensure_active(run.pk)
        if page.total is not None:
            total = (total or 0) + page.total
        _write_page(run, integration, stream, row, checkpoint, page, total, (index, count))
    finish_entity(row, SyncRunEntity.Status.SUCCEEDED, "")


def _write_page(
    run: SyncRun,
    integration: Integration,
    stream: SourceStream,
    row: SyncRunEntity,
    checkpoint: Checkpoint,
    page: Page,
    total: int | None,
    position: tuple[int, int],
) -> None:
    with transaction.atomic():
        result, rejected = import_raw(stream, integration, page.records)
        quarantine(integration, run, stream, rejected, page.refused)
        Checkpoint.objects.filter(pk=checkpoint.pk).update(state=page.state)
        checkpoint.state = page.state
        SyncRunEntity.objects.filter(pk=row.pk).update(
            read=F("read") + len(page.records) + len(page.refused),
            created=F("created") + result.created,
            updated=F("updated") + result.updated,
            skipped=F("skipped") + result.skipped,
            failed=F("failed") + len(rejected) + len(page.refused),
            total=total,
            checkpoint=page.state,
        )
        index, count = position
        done_in_stream = 0.0
        if total:
            row.refresh_from_db(fields=["read"])
            done_in_stream = min(1.0, row.read / total)
        SyncRun.objects.filter(pk=run.pk).update(
            heartbeat_at=timezone.now(), progress=round(100.0 * (index + done_in_stream) / count, 1)
        )


def quarantine(
    integration: Integration,
    run: SyncRun | None,
    stream: SourceStream,
    rejected: Rejected,
    refused: list[Refused] | None = None,
) -> None:
    """Keep rejected and refused records, once each.

    A record met again while it is still in the quarantine (each run reads again the records near
    its checkpoint, and a broken record stays broken) updates its open row, reason and payload,
    rather than adding one per run; a record without a remote id is matched by its payload.
    """
    held = [Refused(raw, reason, stream.remote_id_of(raw)) for raw, reason in rejected] + list(refused or [])
    if not held:
        return
    open_rows = QuarantinedRecord.objects.filter(
        integration=integration, entity=stream.name, direction=SyncRun.Direction.IMPORT, resolved_at__isnull=True
    )
    known = {
        row.remote_id: row
        for row in open_rows.filter(remote_id__in=[r.remote_id[:255] for r in held if r.remote_id]).order_by("pk")
    }
    new: list[QuarantinedRecord] = []
    for record in held:
        remote_id, payload = record.remote_id[:255], jsonable(record.payload)
        if remote_id:
            existing = known.get(remote_id)
        else:
            existing = open_rows.filter(remote_id="", payload=payload).order_by("pk").first()
        if existing is not None:
            existing.reason, existing.payload = record.reason, payload
            existing.save(update_fields=["reason", "payload"])
            continue
        row = QuarantinedRecord(
            integration=integration,
            run=run,
            entity=stream.name,
            remote_id=remote_id,
            reason=record.reason,
            payload=payload,
        )
        new.append(row)
        if remote_id:
            known[remote_id] = row
    QuarantinedRecord.objects.bulk_create(new)


def import_raw(
    stream: SourceStream, integration: Integration, raws: list[dict[str, Any]]
) -> tuple[UpsertResult, Rejected]:
    """Map and write raw records (inside the caller's transaction); the rejected come back with reasons."""
    mapped, rejected, skipped = map_records(stream, raws)
    result, failed = write_records(stream, integration, mapped)
    result.skipped += skipped
    return result, rejected + failed


def map_records(stream: SourceStream, raws: list[dict[str, Any]]) -> tuple[list[Mapped], Rejected, int]:
    """Map raw records: (mapped, those that cannot be mapped with the reason for the quarantine, how
    many the stream chose not to keep)."""
    children_models = {name: spec.model for name, spec in stream.children.items()}
    mapped: list[Mapped] = []
    rejected: Rejected = []
    skipped = 0
    for raw in raws:
        try:
            record = stream.map(raw)
            check_lengths(stream.model, record, children_models)
            record.payload = raw
            mapped.append(record)
        except Skip:
            skipped += 1
        except MappingError as exc:
            rejected.append((raw, str(exc)))
        except Exception as exc:  # a mapper bug must not stop the run either
            rejected.append((raw, f"{exc.__class__.__name__}: {exc}"))
    return mapped, rejected, skipped


def write_records(
    stream: SourceStream, integration: Integration, mapped: list[Mapped]
) -> tuple[UpsertResult, Rejected]:
    """Upsert mapped records; if the database refuses the batch, find and return the bad ones."""
    try:
        with transaction.atomic():
            return _upsert(stream, integration, mapped), []
    except DatabaseError:
        # One bad record fails the whole statement: write one by one to find it.
        total, failed = UpsertResult(), []
        for record in mapped:
            try:
                with transaction.atomic():
                    total.add(_upsert(stream, integration, [record]))
            except DatabaseError as exc:
                failed.append((record.payload or {}, f"The database refused the record: {exc}".strip()))
        return total, failed


def _upsert(stream: SourceStream, integration: Integration, mapped: list[Mapped]) -> UpsertResult:
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


def retry_quarantined(records: list[QuarantinedRecord]) -> dict[str, int]:
    """Read quarantined records of one integration and entity again and write those that now map.

    A record that maps is written and marked resolved; one that still fails keeps its place with
    the new reason and payload; one the remote system no longer has is resolved with that note.
    """
    outcome = {"resolved": 0, "still_failing": 0, "gone": 0}
    if not records:
        return outcome
    integration, entity = records[0].integration, records[0].entity
    connector = connector_for(integration)
    try:
        stream = {s.name: s for s in connector.streams()}[entity]
        raws, unreadable = _fetch_again(stream, [r.remote_id for r in records if r.remote_id])
    finally:
        connector.close()
    by_id = {stream.remote_id_of(raw): raw for raw in raws}
    for record in records:
        raw = by_id.get(record.remote_id)
        now = timezone.now()
        if record.remote_id in unreadable:
            record.reason = f"{record.reason}\nRetried {now:%Y-%m-%d %H:%M}: {unreadable[record.remote_id]}"
            record.save(update_fields=["reason"])
            outcome["still_failing"] += 1
            continue
        if raw is None:
            record.reason = f"{record.reason}\nRetried {now:%Y-%m-%d %H:%M}: no longer in the remote system."
            record.resolved_at = now
            record.save(update_fields=["reason", "resolved_at"])
            outcome["gone"] += 1
            continue
        with transaction.atomic():
            _, rejected = import_raw(stream, integration, [raw])
        if rejected:
            record.reason, record.payload = rejected[0][1], jsonable(raw)
            record.save(update_fields=["reason", "payload"])
            outcome["still_failing"] += 1
        else:
            record.resolved_at = now
            record.save(update_fields=["resolved_at"])
            outcome["resolved"] += 1
    return outcome


def _fetch_again(stream: SourceStream, remote_ids: list[str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The records with these ids, and why those that cannot be read cannot (one at a time, then)."""
    try:
        return stream.fetch_by_ids(remote_ids), {}
    except UnreadableAnswer as exc:
        if len(remote_ids) == 1:
            return [], {remote_ids[0]: str(exc)}
    raws: list[dict[str, Any]] = []
    unreadable: dict[str, str] = {}
    for remote_id in remote_ids:
        try:
            raws.extend(stream.fetch_by_ids([remote_id]))
        except UnreadableAnswer as exc:
            unreadable[remote_id] = str(exc)
    return raws, unreadable
