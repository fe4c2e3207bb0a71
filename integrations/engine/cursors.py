"""Where a stream resumes: cursors that turn a checkpoint state into pages, and back.

A cursor yields Pages whose `state` is the checkpoint reached once that page is written; the
engine stores it in the same transaction as the page, so a run killed at any moment resumes
exactly after the last page that committed. Each cursor owns the format of the timestamps it
keeps and sends, and names itself in its state (`"cursor": kind`) so that any page can describe
a checkpoint without knowing the stream.

Faults they are built for: a store whose clock runs ahead never moves a checkpoint further than
the local clock plus `MAX_CLOCK_SKEW`; an id that does not sort as a number is the stream's to
refuse (id_key raises), not the cursor's to wrap around.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from integrations.engine.contracts import Page
from integrations.engine.values import parse_timestamp

MAX_CLOCK_SKEW = datetime.timedelta(hours=1)
UTC = datetime.UTC


def _local_now() -> datetime.datetime:
    return datetime.datetime.now(UTC)


def numeric_id(value: str) -> int:
    """The sort key of a system whose ids are whole numbers ("10" after "9")."""
    return int(value)


def clamp_clock(remote_now: datetime.datetime, local_now: datetime.datetime) -> datetime.datetime:
    """The remote clock, but never further ahead of ours than MAX_CLOCK_SKEW."""
    return min(remote_now, local_now + MAX_CLOCK_SKEW)


# -- updated_at windows with an id keyset ----------------------------------------------------------

# fetch(since, until, after_id, limit) -> records with since <= updated_at <= until and id > after_id
# (after_id None: from the first), ascending by id, at most `limit`.
WindowFetch = Callable[[str, str, str | None, int], list[dict[str, Any]]]


@dataclass
class UpdatedAtKeyset:
    """Windows of `updated_at`, each read in id order (SOAP stores that filter by from/to and id gt).

    State: {"cursor": "updated_at_keyset", "since", "until", "after_id", ["phase", "frontier"]}.
    A window [since, until] is read in id order, `after_id` being the last id written; paging by id
    rather than page number means a record updated during the sync cannot shift another out of
    the page being read. When a window is done, the next starts `overlap` before its end, so a
    record written while the window was read, with a clock slightly behind, is still seen.

    `window` is the first window's length for APIs that answer a whole window at once (None: one
    window up to now); later windows double while they hold fewer than `window_target` / 2 records
    and halve while they hold more than twice as many. `backwards` walks the first sync from now
    down to `start` (newest records first), then goes on forwards from where it began.
    """

    kind = "updated_at_keyset"
    FORMAT = "%Y-%m-%d %H:%M:%S"  # the store's, in UTC
    MIN_WINDOW = datetime.timedelta(hours=1)

    fetch: WindowFetch
    id_of: Callable[[dict[str, Any]], str]
    start: datetime.datetime
    now: datetime.datetime
    page_size: int
    overlap: datetime.timedelta
    window: datetime.timedelta | None = None
    window_target: int = 1000
    backwards: bool = False
    id_key: Callable[[str], Any] = numeric_id
    local_now: datetime.datetime = field(default_factory=_local_now)

    @classmethod
    def format(cls, moment: datetime.datetime) -> str:
        return moment.astimezone(UTC).strftime(cls.FORMAT)

    @classmethod
    def parse(cls, text: str) -> datetime.datetime:
        return datetime.datetime.strptime(text, cls.FORMAT).replace(tzinfo=UTC)

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        now = clamp_clock(self.now, self.local_now)
        if state.get("phase") == "backfill" or (self.backwards and not state.get("since")):
            yield from self._backfill(state, now)
            return
        since = self.parse(state["since"]) if state.get("since") else self.start
        until = self.parse(state["until"]) if state.get("until") else None
        after_id = _id_or_none(state.get("after_id"))
        window = self.window
        while True:
            if until is None:
                until = now if window is None else min(now, since + window)
            read = 0
            for page in self._window(since, until, after_id):
                read += len(page.records)
                yield page
            window = self._resize(window, read)
            reached_now = until >= now
            # The next window starts `overlap` before this one ended (never before it started).
            since = max(since, until - self.overlap) if reached_now else until
            until, after_id = None, None
            yield Page(records=[], state=self._state(since, None, None), done=reached_now)
            if reached_now:
                return

    def _backfill(self, state: dict[str, Any], now: datetime.datetime) -> Iterator[Page]:
        frontier = self.parse(state["frontier"]) if state.get("frontier") else now
        until = self.parse(state["until"]) if state.get("until") else frontier
        after_id = _id_or_none(state.get("after_id"))
        window = self.window or datetime.timedelta(days=30)
        # A run that resumes inside a window reads that very window (windows resize as they go).
        resumed_since = self.parse(state["since"]) if after_id is not None and state.get("since") else None
        while until > self.start:
            since = resumed_since or max(self.start, until - window)
            resumed_since = None
            read = 0
            for page in self._window(since, until, after_id, phase="backfill", frontier=frontier):
                read += len(page.records)
                yield page
            window = self._resize(window, read)
            until, after_id = since, None
            yield Page(records=[], state=self._state(since, until, None, phase="backfill", frontier=frontier))
        # Backfill done: from now on read forwards from where it began.
        since = max(self.start, frontier - self.overlap)
        forward = self._state(since, None, None)
        yield Page(records=[], state=forward)
        yield from self.pages(forward)

    def _window(self, since, until, after_id, **extra) -> Iterator[Page]:
        while True:
            records = self.fetch(self.format(since), self.format(until), after_id, self.page_size)
            if not records:
                return
            after_id = max((self.id_of(r) for r in records), key=self.id_key)
            yield Page(records=records, state=self._state(since, until, after_id, **extra))

    def _resize(self, window: datetime.timedelta | None, read: int) -> datetime.timedelta | None:
        if window is None:
            return None
        if read < self.window_target // 2:
            return window * 2
        if read > self.window_target * 2:
            return max(window / 2, self.MIN_WINDOW)
        return window

    def _state(self, since, until, after_id, phase=None, frontier=None) -> dict[str, Any]:
        state = {
            "cursor": self.kind,
            "since": self.format(since),
            "until": self.format(until) if until else None,
            "after_id": after_id,
        }
        if phase:
            state.update(phase=phase, frontier=self.format(frontier))
        return state

    @staticmethod
    def describe(state: dict[str, Any]) -> str:
        if state.get("phase") == "backfill":
            return (
                f"newest first: down to {state.get('until') or state['since']}, after id {state.get('after_id') or '-'}"
            )
        if state.get("until"):
            return f"window {state['since']} to {state['until']}, after id {state.get('after_id') or '-'}"
        return f"complete; next run from {state['since']}" if state.get("since") else ""


def _id_or_none(value: Any) -> str | None:
    # States written before ids were strings said 0 for "from the first"; "0" is an id.
    if value is None or value == "" or (isinstance(value, int) and value == 0):
        return None
    return str(value)


# -- a keyset on (updatedAt, id): JSON:API stores -------------------------------------------------

# fetch(updated_gte, limit, page) -> records with updatedAt >= updated_gte (None: all), sorted by
# (updatedAt, id), the `page`-th page (from 1) of `limit`.
KeysetFetch = Callable[[str | None, int, int], list[dict[str, Any]]]


@dataclass
class UpdatedAtIdKeyset:
    """Reads records in (updatedAt, id) order, resuming after the last pair written.

    State: {"cursor": "updated_at_id", "updated_at": ISO 8601 with offset, "id": str}. An API that
    filters only `updatedAt >= T` answers again the records of T already written: they are
    dropped here, and when a whole page holds nothing but such ties the next page of T is read
    (page numbers only ever count within one timestamp, so an insert elsewhere shifts nothing).
    A finished read leaves the state `overlap` before the newest timestamp written.
    """

    kind = "updated_at_id"

    fetch: KeysetFetch
    updated_of: Callable[[dict[str, Any]], str]
    id_of: Callable[[dict[str, Any]], str]
    page_size: int
    overlap: datetime.timedelta
    start: datetime.datetime | None = None
    id_key: Callable[[str], Any] = str
    local_now: datetime.datetime = field(default_factory=_local_now)

    @staticmethod
    def format(moment: datetime.datetime) -> str:
        return moment.isoformat()

    @staticmethod
    def parse(text: str) -> datetime.datetime:
        return parse_timestamp(text)

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        ceiling = self.local_now + MAX_CLOCK_SKEW
        if state.get("updated_at"):
            last = (self.parse(state["updated_at"]), self.id_key(state["id"]) if state.get("id") else None)
        else:
            last = (self.start, None) if self.start else None
        last_written: tuple[datetime.datetime, str] | None = None
        page_number = 1
        while True:
            gte = self.format(last[0]) if last and last[0] else None
            rows = self.fetch(gte, self.page_size, page_number)
            fresh = [r for r in rows if self._after(r, last)]
            if fresh:
                newest = max(fresh, key=self._key)
                moment = self.parse(self.updated_of(newest))
                last = (moment, self.id_key(self.id_of(newest)))
                # What is read goes on from the record's own time; what is kept never passes our clock.
                last_written = (min(moment, ceiling), self.id_of(newest))
                page_number = 1
                yield Page(records=fresh, state=self._state(*last_written))
            elif len(rows) >= self.page_size:
                page_number += 1  # a page of ties already written: the next page of the same time
            else:
                break
        if last_written is None and state.get("updated_at"):
            last_written = (self.parse(state["updated_at"]), state.get("id") or "")
        if last_written is None:
            yield Page(records=[], state={}, done=True)
            return
        yield Page(records=[], state=self._state(last_written[0] - self.overlap, ""), done=True)

    def _key(self, raw: dict[str, Any]) -> tuple:
        return (self.parse(self.updated_of(raw)), self.id_key(self.id_of(raw)))

    def _after(self, raw: dict[str, Any], last) -> bool:
        if last is None or last[0] is None:
            return True
        moment, ident = self._key(raw)
        if moment != last[0]:
            return moment > last[0]
        return last[1] is None or ident > last[1]

    def _state(self, moment: datetime.datetime, ident: str) -> dict[str, Any]:
        return {"cursor": self.kind, "updated_at": self.format(moment), "id": ident}

    @staticmethod
    def describe(state: dict[str, Any]) -> str:
        return f"after updatedAt {state['updated_at']}, id {state.get('id') or '-'}" if state.get("updated_at") else ""


# -- files ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int
    modified: datetime.datetime


@dataclass
class FileCursor:
    """Files of a folder, each read once, and again only when its content changed.

    State: {"cursor": "file", "seen": {name: {"size", "modified", "sha256"}}}. A file is read when it
    is new or its size or modification time moved; if its checksum is what was read before (a
    touched file), it is passed over. Files come oldest first, one page each; a file that vanished
    is forgotten.
    """

    kind = "file"

    list_files: Callable[[], list[RemoteFile]]
    read: Callable[[str], bytes]
    parse: Callable[[str, bytes], list[dict[str, Any]]]

    @staticmethod
    def format(moment: datetime.datetime) -> str:
        return moment.astimezone(UTC).isoformat()

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        listed = sorted(self.list_files(), key=lambda f: (f.modified, f.name))
        names = {f.name for f in listed}
        seen = {name: info for name, info in (state.get("seen") or {}).items() if name in names}
        for remote in listed:
            known = seen.get(remote.name)
            if known and known["size"] == remote.size and known["modified"] == self.format(remote.modified):
                continue
            body = self.read(remote.name)
            digest = hashlib.sha256(body).hexdigest()
            unchanged = known is not None and known["sha256"] == digest
            seen = {
                **seen,
                remote.name: {"size": remote.size, "modified": self.format(remote.modified), "sha256": digest},
            }
            records = [] if unchanged else self.parse(remote.name, body)
            yield Page(records=records, state={"cursor": self.kind, "seen": seen})
        yield Page(records=[], state={"cursor": self.kind, "seen": seen}, done=True)

    @staticmethod
    def describe(state: dict[str, Any]) -> str:
        return f"{len(state.get('seen') or {})} file(s) read"


CURSORS = {cls.kind: cls for cls in (UpdatedAtKeyset, UpdatedAtIdKeyset, FileCursor)}


def describe_state(state: dict[str, Any]) -> str:
    """A checkpoint as an admin reads it: how far the entity has been read."""
    if not state:
        return ""
    # States written before cursors named themselves are updated_at windows.
    cursor = CURSORS.get(state.get("cursor") or UpdatedAtKeyset.kind)
    return cursor.describe(state) if cursor else ""
