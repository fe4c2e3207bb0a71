"""Where a stream resumes: cursors that turn a checkpoint state into pages, and back.

A cursor yields Pages whose `state` is the checkpoint reached once that page is written; the
engine stores it in the same transaction as the page, so a run killed at any moment resumes
exactly after the last page that committed. Each cursor owns the format of the timestamps it
keeps and sends, and names itself in its state (`"cursor": kind`) so that any page can describe
a checkpoint without knowing the stream.

Faults they are built for, whatever the store says:
- a clock that lies: windows end at the earlier of the store's clock and ours, and a finished read
  leaves its checkpoint `overlap` before the newest `updated_at` it wrote, never later (what the
  data proves was read, in the store's own database clock); a clock that differs from ours by more
  than `MAX_CLOCK_SKEW` is logged on the run;
- ids that break the keyset (not a whole number, missing, out of order, far above the others): the
  keyset never moves past a record whose place is unknown, nor to an id only one answer gave; such
  a record is located with the store's own id filter and refused into the quarantine under that id;
- a page that cannot be read (a 10 MB value): smaller pages, then the id range narrowed down to the
  one record, which is quarantined by id while the rest of the window is read around it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from integrations.engine.contracts import Backfill, Page, Refused
from integrations.engine.errors import RemoteError, UnreadableAnswer
from integrations.engine.values import parse_timestamp

MAX_CLOCK_SKEW = datetime.timedelta(hours=1)
UTC = datetime.UTC
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def _local_now() -> datetime.datetime:
    return datetime.datetime.now(UTC)


def numeric_id(value: str) -> int:
    """The sort key of a system whose ids are whole numbers ("10" after "9"); ValueError if not one.

    Only ASCII digits: Python's int() also reads "٣" and " 12 ", which no store filter compares.
    """
    if not isinstance(value, str) or not _WHOLE_NUMBER.fullmatch(value):
        raise ValueError(value)
    return int(value)


def window_end(
    remote_now: datetime.datetime, local_now: datetime.datetime, log: Callable[[str], None]
) -> datetime.datetime:
    """Where a read up to "now" stops: the earlier of the store's clock and ours.

    A window that reaches past the store's real now lets a record changed during the read keep a
    time inside the window, behind the id keyset, where the next run (starting near the window's
    end) never looks. Either clock may be wrong (a Date header of 2100, our own clock off), so the
    earlier one is taken: a store that really runs ahead only has its newest changes read a run
    later. A gap beyond MAX_CLOCK_SKEW is logged, since it is a store (or host) to fix.
    """
    gap = remote_now - local_now
    if abs(gap) > MAX_CLOCK_SKEW:
        log(
            f"the store's clock says {UpdatedAtKeyset.format(remote_now)} UTC and ours "
            f"{UpdatedAtKeyset.format(local_now)} UTC: it is {_duration(abs(gap))} "
            f"{'ahead' if gap > datetime.timedelta(0) else 'behind'}. Reading up to the earlier of the two; "
            f"the checkpoint never passes the newest record read. Check the store's clock."
        )
    return min(remote_now, local_now)


def _duration(span: datetime.timedelta) -> str:
    if span >= datetime.timedelta(days=2):
        return f"{span.days} days"
    if span >= datetime.timedelta(hours=2):
        return f"{span.seconds // 3600 + 24 * span.days} hours"
    return f"{int(span.total_seconds() // 60)} minutes"


def _no_log(line: str) -> None:
    pass


def _updated_at(raw: dict[str, Any]) -> Any:
    return raw.get("updated_at")


# -- updated_at windows with an id keyset ----------------------------------------------------------

# fetch(since, until, after_id, limit[, upto_id]) -> records with since <= updated_at <= until and
# id > after_id (None: from the first), ascending by id, at most `limit`; with `upto_id`, also
# id <= upto_id. Only a cursor locating one record (an id it cannot place, an answer it cannot read)
# asks for `upto_id`; a connector answers it with the store's own id filter (an "at most" condition).
WindowFetch = Callable[..., list[dict[str, Any]]]


@dataclass
class UpdatedAtKeyset:
    """Windows of `updated_at`, each read in id order (SOAP stores that filter by from/to and id gt).

    State: {"cursor": "updated_at_keyset", "since", "until", "after_id", ["newest"], ["phase",
    "frontier", ["resume"]], ["floor"]}. A window [since, until] is read in id order, `after_id`
    being the last id written; paging by id rather than page number means a record updated during
    the sync cannot shift another out of the page being read. `newest` is the newest `updated_at`
    written so far in this read. When the read reaches now, the next one starts `overlap` before
    that newest record (or before the window's end, if earlier): a checkpoint never passes what the
    data itself proves was read, so a store clock that lied during a run costs nothing later. The
    price is that each run reads again the records written within `overlap` of the newest one (a
    few, skipped as unchanged). A read that wrote nothing stays where it began.

    Reading in id order trusts the ids, so each answer is checked (see _WindowRead): the keyset
    never passes a record whose id cannot be placed (not a whole number, not after the id asked
    for, out of order), and moves to the last record of an answer only once the next answer, asked
    from the id before it, lists it first again, so an id far above the others (100000 in a page of
    800s) cannot move it past the records it hides. A record that cannot be placed is located with
    the store's own id filter and refused into the quarantine. A window ends only on an empty answer.

    `window` is the first window's length for APIs that answer a whole window at once (None: one
    window up to now); later windows double while they hold fewer than `window_target` / 2 records
    and halve while they hold more than twice as many. `backwards` walks the first sync from now
    down to `start` (newest records first), then goes on forwards from where it began. Its pages
    say how far back it has got (`Page.backfill`), so that the engine can interleave streams.

    A finished backfill leaves `floor` (the start it read down to) in every later state. When the
    start is later moved earlier, the next read backfills [new start, floor] newest first with the
    forward state set aside (`resume`), then goes on forwards from exactly that state: nothing in
    between is lost or read twice. A start moved later changes nothing already read.
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
    updated_of: Callable[[dict[str, Any]], Any] = _updated_at
    log: Callable[[str], None] = _no_log

    @classmethod
    def format(cls, moment: datetime.datetime) -> str:
        return moment.astimezone(UTC).strftime(cls.FORMAT)

    @classmethod
    def parse(cls, text: str) -> datetime.datetime:
        return datetime.datetime.strptime(text, cls.FORMAT).replace(tzinfo=UTC)

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        now = window_end(self.now, self.local_now, self.log)
        self._carry: dict[str, Any] = {}
        if state.get("phase") == "backfill" or (self.backwards and not state.get("since")):
            yield from self._backfill(state, now)
            return
        floor = self._moment(state.get("floor"))
        if floor is not None and self.start < floor:
            # The start date moved earlier: read [start, old floor] newest first, then go on forwards
            # from the very state the read had reached (nothing after the old floor is read again).
            yield from self._backfill({"frontier": state["floor"], "resume": state}, now)
            return
        if floor is not None:
            self._carry = {"floor": state["floor"]}
        yield from self._forwards(state, now)

    def _forwards(self, state: dict[str, Any], now: datetime.datetime) -> Iterator[Page]:
        since = self.parse(state["since"]) if state.get("since") else self.start
        until = self.parse(state["until"]) if state.get("until") else None
        after_id = _id_or_none(state.get("after_id"))
        newest = self._moment(state.get("newest"))
        began = since
        window = self.window
        while True:
            if until is None:
                until = now if window is None else min(now, since + window)
            read = 0
            for page in self._window(since, until, after_id, newest):
                read += len(page.records)
                newest = self._moment(page.state.get("newest"))
                yield page
            window = self._resize(window, read)
            reached_now = until >= now
            if reached_now:
                since, newest = self._resume_point(began, until, newest), None
            else:
                since = until
            until, after_id = None, None
            yield Page(records=[], state=self._state(since, None, None, newest), done=reached_now)
            if reached_now:
                return

    def _resume_point(
        self, began: datetime.datetime, until: datetime.datetime, newest: datetime.datetime | None
    ) -> datetime.datetime:
        """Where the next read begins: `overlap` before the newest record written (never later than
        the read's end, never before where it began); where it began if it wrote nothing."""
        if newest is None:
            return began
        return max(began, min(until, newest) - self.overlap)

    def _backfill(self, state: dict[str, Any], now: datetime.datetime) -> Iterator[Page]:
        frontier = self.parse(state["frontier"]) if state.get("frontier") else now
        until = self.parse(state["until"]) if state.get("until") else frontier
        after_id = _id_or_none(state.get("after_id"))
        newest = self._moment(state.get("newest"))
        window = self.window or datetime.timedelta(days=30)
        resume = state.get("resume")  # where forwards went on before the start date moved earlier
        extra = {"phase": "backfill", "frontier": frontier, "resume": resume}
        # A run that resumes inside a window reads that very window (windows resize as they go).
        resumed_since = self.parse(state["since"]) if after_id is not None and state.get("since") else None
        while until > self.start:
            since = resumed_since or max(self.start, until - window)
            resumed_since = None
            read = 0
            for page in self._window(since, until, after_id, newest, **extra):
                read += len(page.records)
                newest = self._moment(page.state.get("newest"))
                page.backfill = self._reached(until, frontier)
                yield page
            window = self._resize(window, read)
            until, after_id = since, None
            state = self._state(since, until, None, newest, **extra)
            yield Page(records=[], state=state, backfill=self._reached(since, frontier))
        # Backfill done: everything from `start` on is read, which the checkpoint remembers (`floor`), so
        # that a start date moved earlier later reads only what lies before it.
        self._carry = {"floor": self.format(self.start)}
        if resume:
            forward = {**resume, **self._carry}
        else:
            # From now on read forwards from the newest record it read (or from `start`).
            forward = self._state(self._resume_point(self.start, frontier, newest), None, None)
        if frontier >= now:
            # It began at this run's own now: what lies between is read already, the next run goes on.
            yield Page(records=[], state=forward, done=True)
            return
        yield Page(records=[], state=forward)
        yield from self._forwards(forward, now)

    def _reached(self, moment: datetime.datetime, frontier: datetime.datetime) -> Backfill:
        span = (frontier - self.start).total_seconds()
        done = 1.0 if span <= 0 else min(1.0, max(0.0, (frontier - moment).total_seconds() / span))
        return Backfill(reached=moment, done=done)

    def _window(self, since, until, after_id, newest, **extra) -> Iterator[Page]:
        yield from _WindowRead(self, since, until, after_id, newest, extra).pages()

    def _moment(self, text: Any) -> datetime.datetime | None:
        """A store timestamp, or None when it is not one (a malformed record is not proof of anything)."""
        if not isinstance(text, str):
            return None
        try:
            return self.parse(text.strip())
        except ValueError:
            return None

    def _resize(self, window: datetime.timedelta | None, read: int) -> datetime.timedelta | None:
        if window is None:
            return None
        if read < self.window_target // 2:
            return window * 2
        if read > self.window_target * 2:
            return max(window / 2, self.MIN_WINDOW)
        return window

    def _state(self, since, until, after_id, newest=None, phase=None, frontier=None, resume=None) -> dict[str, Any]:
        state = {
            "cursor": self.kind,
            "since": self.format(since),
            "until": self.format(until) if until else None,
            "after_id": after_id,
        }
        if newest is not None:
            state["newest"] = self.format(newest)
        if phase:
            state.update(phase=phase, frontier=self.format(frontier))
            if resume:
                state["resume"] = resume
        else:
            state.update(getattr(self, "_carry", {}))
        return state

    @staticmethod
    def describe(state: dict[str, Any]) -> str:
        if state.get("phase") == "backfill":
            earlier = " (the start date moved earlier)" if state.get("resume") else ""
            return (
                f"newest first{earlier}: down to {state.get('until') or state['since']}, "
                f"after id {state.get('after_id') or '-'}"
            )
        if state.get("until"):
            return f"window {state['since']} to {state['until']}, after id {state.get('after_id') or '-'}"
        return f"complete; next run from {state['since']}" if state.get("since") else ""


class _WindowRead:
    """One window of an UpdatedAtKeyset read in id order, trusting no id the store sends.

    `anchor` is the last id written: the next answer is asked for the records after it. An answer
    is used only up to its first record that cannot be placed: an id that is not an id (id_key
    refuses it), not after the anchor, or not below every later id of the answer (asked for the
    records after the anchor, a store lists the smallest ids first). What follows such a record is
    asked for again, so the anchor never passes a record whose real place is unknown. Of the usable
    records the last is `held`: it is written only when the next answer, asked after the id before
    it, lists it first again, so an id far above the others (100000 in a page of 800s) cannot move
    the anchor past the records it hides; one that is not listed first again is not written (it
    comes again where it really is, or it is gone). Answers ask for at least MIN_LIMIT records, so
    that each can show what follows the held one.

    A record that cannot be placed at the head of an answer is located with the store's own id
    filter (`_locate`: the smallest b with a record in (anchor, b]); it is quarantined under that
    id, and the anchor moves to it. An answer that cannot be read (UnreadableAnswer) is asked again
    with half the page size, down to MIN_LIMIT, then its first record is located the same way.
    """

    MIN_LIMIT = 2
    MAX_PROBES = 400  # enough to bisect ids up to 2**200; a store that needs more is not answering sense
    MAX_STALLS = 20  # answers in a row that do not move the anchor: the store keeps changing its mind

    def __init__(self, cursor: UpdatedAtKeyset, since, until, after_id, newest, extra) -> None:
        self.cursor = cursor
        self.since, self.until = since, until
        self.bounds = (cursor.format(since), cursor.format(until))
        self.anchor: str | None = after_id
        self.newest: datetime.datetime | None = newest
        self.extra = extra
        self.held: tuple[Any, dict[str, Any]] | None = None
        self.limit = max(cursor.page_size, self.MIN_LIMIT)
        self.refused_before: set[str] = set()
        # Head records without an id met beside a record located out of its place: a store listing in id
        # order lists them again where they are; one listing them apart (native mode) does not, so those
        # not met again by the end of the window are refused then, as listed.
        self.unplaced_pending: list[dict[str, Any]] = []

    def pages(self) -> Iterator[Page]:
        stalls = 0
        while True:
            anchor_before = self.anchor
            try:
                answer = self.cursor.fetch(*self.bounds, self.anchor, self.limit)
            except UnreadableAnswer as exc:
                if self.limit > self.MIN_LIMIT:
                    if self.limit == max(self.cursor.page_size, self.MIN_LIMIT):
                        self.cursor.log(f"{exc} Reading the records {self._where()} in smaller pages to find it.")
                    self.limit = max(self.MIN_LIMIT, self.limit // 2)
                    continue
                yield self._isolate(exc, [])
                continue
            usable, bounded, unplaced_head = self._usable(answer)
            if not answer:
                if self.held is not None:
                    self._drop_held("nothing")
                if self.unplaced_pending:
                    pending, self.unplaced_pending = self.unplaced_pending, []
                    yield self._page([], [self._as_listed(raw) for raw in pending])
                return  # the store confirms the window holds nothing more after the anchor
            page = self._take(usable, bounded)
            if page is None:
                yield self._isolate(None, unplaced_head)
                continue
            if page.records:
                yield page
            stalls = 0 if self.anchor != anchor_before else stalls + 1
            if stalls > self.MAX_STALLS:
                raise RemoteError(
                    f"The store's answers for the records {self._where()} keep changing: "
                    f"{stalls} answers in a row listed them differently. Try again later."
                )

    # -- one answer ---------------------------------------------------------------------------------

    def _usable(
        self, answer: list[dict[str, Any]]
    ) -> tuple[list[tuple[Any, dict[str, Any]]], bool, list[dict[str, Any]]]:
        """(the answer's records in id order up to the first that cannot be placed; whether a later id
        of the answer bounds the last of them; the records at its head whose id is no id at all)."""
        cursor = self.cursor
        anchor_key = cursor.id_key(self.anchor) if self.anchor is not None else None
        kept: list[dict[str, Any]] = []
        keys: list[Any] = []  # None: not an id, or not after the anchor
        for raw in answer:
            if kept and raw == kept[-1]:
                continue  # the same record twice in a row: once is enough
            try:
                key = cursor.id_key(cursor.id_of(raw))
            except (ValueError, TypeError):
                key = None
            kept.append(raw)
            keys.append(key if key is not None and (anchor_key is None or key > anchor_key) else None)
        # Asked for the records after the anchor, a store lists the smallest ids first: a record is in
        # place only if its id is below every later one (an outlier, high or low, breaks that).
        below_later: list[bool] = []
        bounded: list[bool] = []
        smallest_later = None
        for key in reversed(keys):
            below_later.append(key is not None and (smallest_later is None or key < smallest_later))
            bounded.append(smallest_later is not None)
            if key is not None:
                smallest_later = key if smallest_later is None else min(smallest_later, key)
        below_later.reverse()
        bounded.reverse()
        usable: list[tuple[Any, dict[str, Any]]] = []
        for raw, key, in_place in zip(kept, keys, below_later, strict=True):
            if not in_place:
                break
            usable.append((key, raw))
        head: list[dict[str, Any]] = []
        if not usable:
            for raw in kept:
                try:
                    cursor.id_key(cursor.id_of(raw))
                    break
                except (ValueError, TypeError):
                    head.append(raw)
        return usable, bool(usable) and bounded[len(usable) - 1], head

    def _take(self, usable: list[tuple[Any, dict[str, Any]]], bounded: bool) -> Page | None:
        """The page the usable records give, or None when there is nothing to go on (locate instead).

        The last usable record is held unless a later id of the same answer bounds it from above
        (then it cannot be an outlier hiding records below it)."""
        written: list[tuple[Any, dict[str, Any]]] = []
        if self.held is not None:
            if usable and usable[0][0] == self.held[0]:
                written.append(usable.pop(0))  # listed first again: its place is confirmed (fresh copy)
                self.held = None
            else:
                self._drop_held(f"id {self.cursor.id_of(usable[0][1])}" if usable else "a record that cannot be placed")
        if usable and not bounded:
            self.held = usable.pop()
        written.extend(usable)
        if not written and self.held is None:
            return None
        return self._page(written, [])

    def _drop_held(self, listed: str) -> None:
        held_id = self.cursor.id_of(self.held[1])
        self.held = None
        self.cursor.log(
            f"the store listed id {held_id} right after id {self.anchor or '-'}, then {listed} there: "
            f"id {held_id} is not written until it is listed where it really is"
        )

    def _page(self, written: list[tuple[Any, dict[str, Any]]], refused: list[Refused]) -> Page:
        records = [raw for _, raw in written]
        if self.unplaced_pending:
            met = records + [r.payload for r in refused]
            self.unplaced_pending = [raw for raw in self.unplaced_pending if raw not in met]
        if written:
            self.anchor = self.cursor.id_of(written[-1][1])
        for raw in records:
            moment = self.cursor._moment(self.cursor.updated_of(raw))
            if moment is not None:
                # A record claiming a time past the window proves nothing past the window's end.
                moment = min(moment, self.until)
                self.newest = moment if self.newest is None else max(self.newest, moment)
        state = self.cursor._state(self.since, self.until, self.anchor, self.newest, **self.extra)
        return Page(records=records, state=state, refused=[r for r in refused if self._first_refusal(r)])

    def _where(self) -> str:
        window = f"updated from {self.bounds[0]} to {self.bounds[1]}"
        return f"after id {self.anchor}, {window}" if self.anchor is not None else window

    def _first_refusal(self, refused: Refused) -> bool:
        """Whether this record is refused for the first time in this window (answers overlap)."""
        digest = hashlib.sha1(
            json.dumps([refused.remote_id, refused.payload], sort_keys=True, default=str).encode(),
            usedforsecurity=False,
        ).hexdigest()
        if digest in self.refused_before:
            return False
        self.refused_before.add(digest)
        return True

    # -- locating one record by id range -------------------------------------------------------------

    def _isolate(self, error: UnreadableAnswer | None, unplaced_head: list[dict[str, Any]]) -> Page:
        """The first record after the anchor, located by the store's id filter, written or refused.

        Called when an answer of MIN_LIMIT records cannot be read (`error`), or starts with records
        that cannot be placed (`unplaced_head`). Where the store's filter puts the first record is
        its id, whatever its answer says; the anchor moves to it. Head records without an id, when
        the record located is in its place (they were sent apart from the order), are refused as
        they were listed.
        """
        found, outcome = self._locate(error)
        cursor, found_key = self.cursor, self.cursor.id_key(found)
        if self.held is not None and self.held[0] <= found_key:
            held_raw = self.held[1] if self.held[0] == found_key else None
            self.held = None
        else:
            held_raw = None
        refused: list[Refused] = []
        written: list[tuple[Any, dict[str, Any]]] = []
        unplaced_elsewhere: list[dict[str, Any]] = []
        if isinstance(outcome, UnreadableAnswer):
            refused.append(
                Refused(
                    payload=held_raw or {},
                    reason=(
                        f"The store's answer for this record cannot be read: {outcome} Its id was found by "
                        f"narrowing the id range {self._where()}; the other records were read around it."
                    ),
                    remote_id=found,
                )
            )
            cursor.log(f"the record with id {found} cannot be read: it is quarantined, the rest is read")
            self.limit = max(cursor.page_size, self.MIN_LIMIT)
        else:
            raw = outcome[0]
            ident = cursor.id_of(raw)
            if self._reads(raw, found_key):
                written.append((found_key, raw))
                # The first record is in its place, so the head records without an id are not there: the
                # store sent them apart from the order (a whole-window list, sorted here by id).
                unplaced_elsewhere = unplaced_head
            else:
                refused.append(Refused(payload=raw, reason=self._misplaced(found, ident), remote_id=found))
                self.unplaced_pending += [r for r in unplaced_head if r != raw and r not in self.unplaced_pending]
        refused += [self._as_listed(raw) for raw in unplaced_elsewhere]
        self.anchor = found
        return self._page(written, refused)

    def _as_listed(self, raw: dict[str, Any]) -> Refused:
        ident = self.cursor.id_of(raw)
        return Refused(payload=raw, reason=self._unplaceable(ident), remote_id=ident)

    def _reads(self, raw: dict[str, Any], key: Any) -> bool:
        try:
            return self.cursor.id_key(self.cursor.id_of(raw)) == key
        except (ValueError, TypeError):
            return False

    @staticmethod
    def _misplaced(found: str, ident: str) -> str:
        what = "the record has no id" if not ident else f"its id reads {ident!r}"
        return (
            f"The store's id filter puts this record at id {found}, but {what}: the id was changed in transit, "
            "or is not an id of this store (a whole number in id order). It is kept here, not written."
        )

    def _unplaceable(self, ident: str) -> str:
        what = "The record has no id" if not ident else f"Its id {ident!r} cannot be placed in id order"
        return (
            f"{what}, and the store's id filter does not list it {self._where()} either: it is kept here as "
            "the store sent it, not written."
        )

    def _locate(self, error: UnreadableAnswer | None) -> tuple[str, list[dict[str, Any]] | UnreadableAnswer]:
        """(id, what the store answers for it alone): the first record after the anchor, by id range."""
        what = f"the record {self._where()}"
        try:
            low = self.cursor.id_key(self.anchor) if self.anchor is not None else -1
            if not isinstance(low, int):
                raise TypeError(low)
        except (ValueError, TypeError):
            raise error or RemoteError(f"The store's answer for {what} cannot be placed in id order.") from None
        probes = 0

        def probe(upto: int) -> list[dict[str, Any]] | UnreadableAnswer:
            nonlocal probes
            probes += 1
            if probes > self.MAX_PROBES:
                raise error or RemoteError(f"{what}: the store's id filter never narrowed it down.")
            try:
                return self.cursor.fetch(*self.bounds, self.anchor, 1, str(upto))
            except UnreadableAnswer as exc:
                return exc

        if probe(low):
            # Asked for an empty id range, it answered records (or garbage): its id filter cannot be used.
            raise error or RemoteError(f"{what}: the store does not filter by id range, so it cannot be located.")
        step, high, outcome = 1, None, None
        while high is None:
            answer = probe(low + step)
            if answer:
                high, outcome = low + step, answer
            else:
                low, step = low + step, step * 2
        while high - low > 1:
            middle = (low + high) // 2
            answer = probe(middle)
            if answer:
                high, outcome = middle, answer
            else:
                low = middle
        return str(high), outcome


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
