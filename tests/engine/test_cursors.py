"""Cursors: every record read once per window, resumable anywhere, with overlap."""

import datetime

from integrations.engine.cursors import UpdatedAtKeyset

format_remote, parse_remote = UpdatedAtKeyset.format, UpdatedAtKeyset.parse


def keyset_windows(*, state, **options):
    return UpdatedAtKeyset(**options).pages(state)


UTC = datetime.UTC
START = datetime.datetime(2020, 1, 1, tzinfo=UTC)
NOW = datetime.datetime(2020, 3, 1, tzinfo=UTC)
OVERLAP = datetime.timedelta(minutes=5)


def store(n: int) -> list[dict]:
    """n records, updated one per hour from START."""
    return [{"id": str(i), "updated_at": format_remote(START + datetime.timedelta(hours=i))} for i in range(1, n + 1)]


def fetcher(records, calls):
    def fetch(since, until, after_id, limit):
        calls.append((since, until, after_id, limit))
        after = -1 if after_id is None else int(after_id)
        rows = [r for r in records if since <= r["updated_at"] <= until and int(r["id"]) > after]
        return sorted(rows, key=lambda r: int(r["id"]))[:limit]

    return fetch


def read_all(records, state=None, window=None, stop_after=None):
    calls, pages = [], []
    for page in keyset_windows(
        state=state or {},
        start=START,
        now=NOW,
        fetch=fetcher(records, calls),
        id_of=lambda r: r["id"],
        page_size=10,
        overlap=OVERLAP,
        window=window,
    ):
        pages.append(page)
        if stop_after and len(pages) == stop_after:
            break
    return pages, calls


def test_one_window_reads_every_record_once_in_pages():
    records = store(35)
    pages, calls = read_all(records)
    ids = [int(r["id"]) for p in pages for r in p.records]
    assert ids == list(range(1, 36))
    # The last record of each answer is written with the next answer, which must list it first again.
    assert [len(p.records) for p in pages] == [9, 9, 9, 7, 1, 0]
    assert [c[2] for c in calls] == [None, "9", "18", "27", "34", "35"]  # paged by id, not by page number
    assert pages[-1].done
    # The next run starts the overlap before the newest record read (not the window's end: no record
    # proves the store's clock got that far).
    assert pages[-1].state == {
        "cursor": "updated_at_keyset",
        "since": format_remote(START + datetime.timedelta(hours=35) - OVERLAP),
        "until": None,
        "after_id": None,
    }


def test_resume_inside_a_window_continues_after_the_last_written_id():
    records = store(35)
    pages, _ = read_all(records, stop_after=2)
    resumed, calls = read_all(records, state=pages[-1].state)
    written = [int(r["id"]) for p in pages for r in p.records]
    assert written == list(range(1, 19))
    assert [int(r["id"]) for p in resumed for r in p.records] == list(range(19, 36))
    assert calls[0][1] == format_remote(NOW)  # the same window bound as before the interruption


def test_record_updated_during_the_window_is_not_lost():
    records = store(30)
    pages, _ = read_all(records, stop_after=1)
    # Record 3 (already read) and 15 (not yet read) change while the sync runs: both move past `until`.
    for r in records:
        if r["id"] in ("3", "15"):
            r["updated_at"] = format_remote(NOW + datetime.timedelta(minutes=1))
    rest, _ = read_all(records, state=pages[-1].state)
    seen = {int(r["id"]) for p in pages + rest for r in p.records}
    assert seen == set(range(1, 31)) - {15}
    # The next run (clock moved on) picks up both changed records.
    later = []
    for page in keyset_windows(
        state=rest[-1].state,
        start=START,
        now=NOW + datetime.timedelta(hours=1),
        fetch=fetcher(records, []),
        id_of=lambda r: r["id"],
        page_size=10,
        overlap=OVERLAP,
    ):
        later.extend(int(r["id"]) for r in page.records)
    assert {3, 15} <= set(later)


def test_bounded_windows_step_to_now():
    records = store(24 * 50)  # 50 days of hourly updates
    pages, calls = read_all(records, window=datetime.timedelta(days=7))
    ids = [int(r["id"]) for p in pages for r in p.records]
    assert sorted(set(ids)) == list(range(1, 24 * 50 + 1))
    windows = sorted({(c[0], c[1]) for c in calls})
    assert parse_remote(windows[0][1]) - parse_remote(windows[0][0]) == datetime.timedelta(days=7)
    assert windows[-1][1] == format_remote(NOW)
    assert pages[-1].done


def test_windows_grow_over_empty_years_and_shrink_over_busy_days():
    late = [{"id": str(i), "updated_at": format_remote(NOW - datetime.timedelta(minutes=i))} for i in range(1, 3001)]
    calls = []
    pages = list(
        keyset_windows(
            state={},
            start=datetime.datetime(2000, 1, 1, tzinfo=UTC),
            now=NOW,
            fetch=fetcher(late, calls),
            id_of=lambda r: r["id"],
            page_size=100,
            overlap=OVERLAP,
            window=datetime.timedelta(days=30),
            window_target=200,
        )
    )
    assert sorted({int(r["id"]) for p in pages for r in p.records}) == list(range(1, 3001))
    windows = [parse_remote(u) - parse_remote(s) for s, u in sorted({(c[0], c[1]) for c in calls})]
    assert len(windows) < 40, "20 empty years take a handful of windows, not 240"
    assert max(windows) > datetime.timedelta(days=1000)
