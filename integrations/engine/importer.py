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
import time
import traceback
from collections.abc import Iterator
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
    settle_entities,
    summary,
)
from integrations.engine.upsert import UpsertResult, upsert_batch
from integrations.engine.validation import check_lengths
from integrations.engine.written import records_written
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
    reader: _RunReader | None = None
    try:
        connector = connector or connector_for(integration, log=lambda line: run_log(run_id, line))
        connector.run_id = run_id
        reader = _RunReader(run, integration, connector.selected_streams())
        reader.read_all()
        if reader.origin is not None:
            reader.mark_removed()
        finish_run(run, SyncRun.Status.SUCCEEDED, summary(run))
    except RunCanceled:
        _stop(reader, "Canceled")
    except RemoteError as exc:
        _stop(reader, str(exc))
        finish_run(run, SyncRun.Status.FAILED, str(exc))
    except Exception as exc:
        logger.exception("run %s failed", run_id)
        text = f"Unexpected error: {exc.__class__.__name__}: {exc}"
        _stop(reader, text)
        finish_run(run, SyncRun.Status.FAILED, text, detail=traceback.format_exc())
    finally:
        if connector is not None:
            try:
                connector.close()
            except Exception:  # the run's outcome is already recorded; closing is a courtesy to the remote
                logger.exception("run %s: closing the connector failed", run_id)
    # A cancel ends the run from outside: what the worker had begun or not reached yet ends with it.
    settle_entities(run_id)
    run.refresh_from_db()
    return run


def _stop(reader: _RunReader | None, message: str) -> None:
    if reader is not None:
        reader.stop(message)


class _StreamRead:
    """One stream of a run: its status row, its checkpoint, its page generator and the page it holds."""

    def __init__(self, stream: SourceStream, row: SyncRunEntity, position: int) -> None:
        self.stream, self.row, self.position = stream, row, position
        self.checkpoint: Checkpoint | None = None
        self.full = False  # writing the state of a full re-read (Checkpoint.full_state)
        self.pages: Iterator[Page] | None = None
        self.head: Page | None = None  # read from the remote system, not written yet
        self.total: int | None = None
        self.expected: int | None = None  # the stream's `expected_total` when it told one
        self.share = 0.0  # how much of the stream is read, 0 to 1, for the run's progress
        # Seconds spent reading the remote system for pages not written yet (SyncRunEntity.busy_seconds).
        self.reading = 0.0

    def pull(self) -> Page | None:
        """The next page of the stream (the one held, if any), or None when it has no more."""
        if self.head is None:
            began = time.monotonic()
            self.head = next(self.pages, None)
            self.reading += time.monotonic() - began
        return self.head


class _RunReader:
    """Reads a run's streams in order; the interleaved ones window by window while they read newest first.

    Streams that do not interleave run one after the other, as listed (dictionaries first). The
    interleaved ones are read together where the first of them is listed: while some read newest
    first, the one least far back (ties: the one listed first) writes one finished window, then the
    choice is made again; a stream with no backfill left (an incremental run) is read to its end at
    once. Each page is still written with its own stream's checkpoint in one transaction.
    """

    def __init__(self, run: SyncRun, integration: Integration, streams: list[SourceStream]) -> None:
        self.run, self.integration = run, integration
        self.reads = [
            _StreamRead(
                stream,
                SyncRunEntity.objects.get_or_create(run=run, entity=stream.name, defaults={"position": i})[0],
                i,
            )
            for i, stream in enumerate(streams)
        ]
        # A full re-sync stamps what it reads with the id of the run that began it (runs that go on with
        # an interrupted one share it) and, once it has read everything, marks what it did not stamp.
        self.origin: int | None = (run.resync_of_id or run.pk) if run.full_resync else None
        self.current: _StreamRead | None = None

    def read_all(self) -> None:
        interleaved = [r for r in self.reads if r.stream.interleave]
        for read in self.reads:
            if not read.stream.interleave:
                self._drain(self._open(read))
            elif read is interleaved[0]:
                self._interleave(interleaved)

    def _interleave(self, reads: list[_StreamRead]) -> None:
        backfilling = []
        for read in reads:
            head = self._open(read).pull()
            if head is not None and head.backfill is not None:
                backfilling.append(read)
            else:
                self._drain(read)  # nothing to read newest first: as without interleaving
        while backfilling:
            read = max(backfilling, key=lambda r: (r.head.backfill.reached, -r.position))
            reached = read.head.backfill.reached
            while (page := read.pull()) is not None and page.backfill is not None and page.backfill.reached == reached:
                self._write(read, page)
            if page is None or page.backfill is None:
                backfilling.remove(read)
                self._drain(read)  # its backfill is done: what is left (forwards up to now) goes in at once

    def _open(self, read: _StreamRead) -> _StreamRead:
        now = timezone.now()
        SyncRunEntity.objects.filter(pk=read.row.pk).update(status=SyncRunEntity.Status.RUNNING, started_at=now)
        read.row.status = SyncRunEntity.Status.RUNNING
        self._switch_to(read)
        checkpoint, _ = Checkpoint.objects.get_or_create(integration=self.integration, entity=read.stream.name)
        if self.origin is not None and checkpoint.full_run_id != self.origin:
            # This full re-sync begins this entity: from its start date, the incremental state set aside.
            checkpoint.full_run_id, checkpoint.full_state = self.origin, {}
            checkpoint.save(update_fields=["full_run_id", "full_state", "updated_at"])
        read.checkpoint = checkpoint
        read.full = self.origin is not None and checkpoint.full_state is not None
        state = checkpoint.full_state if read.full else checkpoint.state
        read.pages = iter(read.stream.pages(dict(state)))
        read.expected = self._expected_total(read, state)
        if read.expected is not None:
            read.total = read.expected
            SyncRunEntity.objects.filter(pk=read.row.pk).update(total=read.total)
        return read

    def _expected_total(self, read: _StreamRead, state: dict[str, Any]) -> int | None:
        # A count is a courtesy to the progress page: a store that cannot answer it still gets synced.
        try:
            return read.stream.expected_total(dict(state))
        except RemoteError as exc:
            run_log(self.run.pk, f"{read.stream.name}: the store did not say how many records to read ({exc})")
            return None

    def _drain(self, read: _StreamRead) -> None:
        while (page := read.pull()) is not None:
            self._write(read, page)
        self._finish(read)

    def _finish(self, read: _StreamRead) -> None:
        if read.full:
            # The full re-read of this entity is complete: its state is the entity's checkpoint from now on.
            Checkpoint.objects.filter(pk=read.checkpoint.pk).update(state=read.checkpoint.full_state, full_state=None)
            read.full = False
        read.share = 1.0
        if read.expected is not None:
            # The store's count includes the records of the checkpoint's second already written; once
            # everything is read, what was read is the total.
            SyncRunEntity.objects.filter(pk=read.row.pk, total__gt=F("read")).update(total=F("read"))
        finish_entity(read.row, SyncRunEntity.Status.SUCCEEDED, read.stream.summary())
        read.row.status = SyncRunEntity.Status.SUCCEEDED

    def _switch_to(self, read: _StreamRead) -> None:
        if self.current is not read:
            self.current = read
            SyncRun.objects.filter(pk=self.run.pk).update(current_entity=read.stream.name, progress=self._progress())

    def _progress(self) -> float:
        # 100 is said by finish_run only: after the last page the run still links, marks and counts,
        # and a running run at 100% reads as stuck.
        return min(99.9, round(100.0 * sum(r.share for r in self.reads) / max(1, len(self.reads)), 1))

    def _write(self, read: _StreamRead, page: Page) -> None:
        read.head = None
        ensure_active(self.run.pk)
        self._switch_to(read)
        if page.total is not None and read.expected is None:
            read.total = (read.total or 0) + page.total
        _write_page(self.run, self.integration, read, page, self.origin)
        if read.total:
            read.row.refresh_from_db(fields=["read"])
            read.share = min(1.0, read.row.read / read.total)
        elif page.backfill is not None:
            read.share = page.backfill.done
        SyncRun.objects.filter(pk=self.run.pk).update(heartbeat_at=timezone.now(), progress=self._progress())

    def mark_removed(self) -> None:
        """After a successful full re-sync: what it did not read is marked removed in the store (never
        deleted), what it read again is no longer marked; each entity counts what is marked."""
        now = timezone.now()
        for read in self.reads:
            if not marks_removed(read.stream):
                continue
            gone = read.stream.model.objects.filter(integration=self.integration, remote_id__isnull=False).exclude(
                last_seen_run_id=self.origin
            )
            with transaction.atomic():
                gone.filter(removed_in_store_at__isnull=True).update(removed_in_store_at=now)
                SyncRunEntity.objects.filter(pk=read.row.pk).update(removed=gone.count())

    def stop(self, message: str) -> None:
        """The run ends here: the entity being read fails with the reason, the others it had begun too."""
        for read in self.reads:
            if read.row.status != SyncRunEntity.Status.RUNNING:
                continue
            canceled = message == "Canceled"
            status = SyncRunEntity.Status.CANCELED if canceled else SyncRunEntity.Status.FAILED
            if read is self.current:
                finish_entity(read.row, status, message)
            else:
                where = self.current.stream.name if self.current else "another entity"
                text = "Canceled" if canceled else f"Not finished: the run stopped at {where}."
                finish_entity(read.row, status, text)


def marks_removed(stream: SourceStream) -> bool:
    """Whether a full re-sync marks this stream's unread records: it says so, its model can hold the mark,
    and it can name the remote id of what it reads."""
    fields = {f.name for f in stream.model._meta.concrete_fields}
    return (
        stream.marks_removed
        and {"removed_in_store_at", "last_seen_run_id", "remote_id"} <= fields
        and type(stream).remote_id_of is not SourceStream.remote_id_of
    )


def _write_page(run: SyncRun, integration: Integration, read: _StreamRead, page: Page, origin: int | None) -> None:
    stream, row, checkpoint = read.stream, read.row, read.checkpoint
    began = time.monotonic()
    with transaction.atomic():
        result, rejected = import_raw(stream, integration, page.records)
        quarantine(integration, run, stream, rejected, page.refused)
        if origin is not None and marks_removed(stream):
            _stamp_seen(stream, integration, page, origin)
        if read.full:
            Checkpoint.objects.filter(pk=checkpoint.pk).update(full_state=page.state)
            checkpoint.full_state = page.state
        else:
            Checkpoint.objects.filter(pk=checkpoint.pk).update(state=page.state)
            checkpoint.state = page.state
        SyncRunEntity.objects.filter(pk=row.pk).update(
            read=F("read") + len(page.records) + len(page.refused),
            created=F("created") + result.created,
            updated=F("updated") + result.updated,
            skipped=F("skipped") + result.skipped,
            failed=F("failed") + len(rejected) + len(page.refused),
            total=read.total,
            checkpoint=page.state,
            busy_seconds=F("busy_seconds") + read.reading + (time.monotonic() - began),
        )
    read.reading = 0.0


def _stamp_seen(stream: SourceStream, integration: Integration, page: Page, origin: int) -> None:
    """A full re-sync has read these records (written, unchanged or quarantined alike): one UPDATE."""
    ids = {stream.remote_id_of(raw) for raw in page.records} | {r.remote_id for r in page.refused}
    ids.discard("")
    if ids:
        stream.model.objects.filter(integration=integration, remote_id__in=sorted(ids)).update(
            last_seen_run_id=origin, removed_in_store_at=None
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
        label = record_label(stream, record.payload, remote_id)
        if existing is not None:
            existing.reason, existing.payload, existing.label = record.reason, payload, label
            existing.save(update_fields=["reason", "payload", "label"])
            continue
        row = QuarantinedRecord(
            integration=integration,
            run=run,
            entity=stream.name,
            remote_id=remote_id,
            label=label,
            reason=record.reason,
            payload=payload,
        )
        new.append(row)
        if remote_id:
            known[remote_id] = row
    QuarantinedRecord.objects.bulk_create(new)


def record_label(stream: SourceStream, payload: dict[str, Any], remote_id: str) -> str:
    """The business key a person knows a quarantined record by; its remote id when the stream cannot tell.

    A payload broken enough to be quarantined may break a stream's `describe` too: that must not stop
    the record from being kept."""
    try:
        label = stream.describe(payload) if isinstance(payload, dict) else ""
    except Exception:
        logger.warning("%s: describe() failed on a quarantined record", stream.name, exc_info=True)
        label = ""
    return (label or remote_id)[:255]


def import_related(connector: Connector, stream: SourceStream, raws: list[dict[str, Any]]) -> UpsertResult:
    """Write records of another stream that a page needs first (a customer its orders name), inside the
    caller's transaction: counted on the connector's run under that stream's entity as if that stream
    had read them, and quarantined with the run. A record that fails is not counted as failed there:
    the stream meets it again in its own pages (a first sync reads them all), and counting it twice
    would say more records failed than the quarantine holds."""
    integration = connector.integration
    result, rejected = import_raw(stream, integration, raws)
    run = SyncRun.objects.filter(pk=connector.run_id).first() if connector.run_id else None
    quarantine(integration, run, stream, rejected)
    if run is not None:
        SyncRunEntity.objects.filter(run=run, entity=stream.name).update(
            read=F("read") + len(raws) - len(rejected),
            created=F("created") + result.created,
            updated=F("updated") + result.updated,
            skipped=F("skipped") + result.skipped,
        )
    result.failed = len(rejected)
    return result


def count_on_run(connector: Connector, entity: str, *, created: int = 0, updated: int = 0) -> None:
    """Count records a stream wrote beside its own pages (guest customers made from orders) on the run's
    row of the entity they belong to, in the caller's transaction; nothing outside a run (a retry)."""
    if connector.run_id is None or not (created or updated):
        return
    SyncRunEntity.objects.filter(run_id=connector.run_id, entity=entity).update(
        created=F("created") + created, updated=F("updated") + updated
    )


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
        records_written.send(stream.model, integration_id=integration.pk, pks=list(result.keys_to_pk.values()))
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
        raws, unreadable = fetch_again(stream, [r.remote_id for r in records if r.remote_id])
    finally:
        connector.close()
    by_id = {stream.remote_id_of(raw): raw for raw in raws}
    for record in records:
        raw = by_id.get(record.remote_id)
        now = timezone.now()
        record.last_retry_at = now
        fields = ["reason", "last_retry_at", "last_retry_outcome"]
        if record.remote_id in unreadable:
            record.reason = f"{record.reason}\nRetried {now:%Y-%m-%d %H:%M}: {unreadable[record.remote_id]}"
            record.last_retry_outcome = f"Failed again: {unreadable[record.remote_id]}"[:500]
            record.save(update_fields=fields)
            outcome["still_failing"] += 1
            continue
        if raw is None:
            record.reason = f"{record.reason}\nRetried {now:%Y-%m-%d %H:%M}: no longer in the remote system."
            record.resolved_at = now
            record.last_retry_outcome = "No longer in the remote system"
            record.save(update_fields=[*fields, "resolved_at"])
            outcome["gone"] += 1
            continue
        with transaction.atomic():
            _, rejected = import_raw(stream, integration, [raw])
        if rejected:
            record.reason, record.payload = rejected[0][1], jsonable(raw)
            record.label = record_label(stream, raw, record.remote_id)
            record.last_retry_outcome = f"Failed again: {rejected[0][1]}"[:500]
            record.save(update_fields=[*fields, "payload", "label"])
            outcome["still_failing"] += 1
        else:
            record.resolved_at = now
            record.last_retry_outcome = "Imported"
            record.save(update_fields=["resolved_at", "last_retry_at", "last_retry_outcome"])
            outcome["resolved"] += 1
    return outcome


def fetch_again(stream: SourceStream, remote_ids: list[str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
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
