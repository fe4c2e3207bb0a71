"""Incremental reading by `updated_at` windows and id keysets, with resumable state.

The checkpoint state of an incremental stream is
    {"since": "YYYY-MM-DD HH:MM:SS", "until": same or None, "after_id": int or None}.
A window [since, until] is read in id order, `after_id` being the last id written; a killed run
resumes inside its window, after that id. Paging by id rather than by page number means a record
updated during the sync cannot shift another one out of the page being read. When a window is
done, the next starts a little before its end (the overlap), so a record written while the
window was read, with a clock slightly behind, is still seen; re-reading it changes nothing.
"""

import datetime
from collections.abc import Callable, Iterator
from typing import Any

from integrations.engine.records import Page

REMOTE_FORMAT = "%Y-%m-%d %H:%M:%S"
MIN_WINDOW = datetime.timedelta(hours=1)

# fetch(since, until, after_id, limit) -> records with ids > after_id, ascending, at most `limit`.
Fetch = Callable[[str, str, int, int], list[dict[str, Any]]]


def format_remote(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime(REMOTE_FORMAT)


def parse_remote(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, REMOTE_FORMAT).replace(tzinfo=datetime.UTC)


def keyset_windows(
    *,
    state: dict[str, Any],
    start: datetime.datetime,
    now: datetime.datetime,
    fetch: Fetch,
    id_of: Callable[[dict[str, Any]], int],
    page_size: int,
    overlap: datetime.timedelta,
    window: datetime.timedelta | None = None,
    window_target: int = 1000,
) -> Iterator[Page]:
    """Yield pages over every window from the checkpoint up to `now` (the remote server's time).

    `window` is the first window's length, for APIs that answer a whole window at once; later
    windows double while they hold fewer than `window_target` / 2 records and halve while they
    hold more than twice as many, so empty years pass in a few calls and busy days stay small.
    None reads everything up to `now` in one keyset window.
    """
    since = parse_remote(state["since"]) if state.get("since") else start
    until = parse_remote(state["until"]) if state.get("until") else None
    after_id = int(state.get("after_id") or 0)
    while True:
        if until is None:
            until = now if window is None else min(now, since + window)
        read = 0
        while True:
            records = fetch(format_remote(since), format_remote(until), after_id, page_size)
            if not records:
                break
            read += len(records)
            after_id = max(id_of(r) for r in records)
            yield Page(records=records, state=_state(since, until, after_id))
        if window is not None:
            if read < window_target // 2:
                window *= 2
            elif read > window_target * 2:
                window = max(window / 2, MIN_WINDOW)
        reached_now = until >= now
        # The next window starts `overlap` before this one ended (never before it started).
        since = max(since, until - overlap) if reached_now else until
        until, after_id = None, 0
        if reached_now:
            yield Page(records=[], state=_state(since, None, None), done=True)
            return
        yield Page(records=[], state=_state(since, None, None))


def _state(since: datetime.datetime, until: datetime.datetime | None, after_id: int | None) -> dict[str, Any]:
    return {
        "since": format_remote(since),
        "until": format_remote(until) if until else None,
        "after_id": after_id,
    }
