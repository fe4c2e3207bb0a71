"""UpdatedAtKeyset read newest first: how far back each page has got, and a start date moved earlier.

The remote side is the in-memory WindowStore of test_cursors_more; the cursor is the real one.
"""

from collections import Counter

from integrations.engine.cursors import UpdatedAtKeyset, describe_state
from tests.engine.test_cursors_more import DAY, HOUR, NOW, OVERLAP, START, WindowStore, ids_of, keyset, read

format_remote, parse_remote = UpdatedAtKeyset.format, UpdatedAtKeyset.parse
EARLIER = START - 30 * DAY


def store_with_history() -> WindowStore:
    """A record every 6 hours from 30 days before START up to NOW."""
    return WindowStore.every(6 * HOUR, start=EARLIER, end=NOW)


def test_pages_say_how_far_back_the_backfill_has_got():
    store = store_with_history()
    pages = read(keyset(store, backwards=True, window=DAY).pages({}))
    backfill = [p for p in pages if p.backfill is not None]
    assert backfill[0].backfill.reached == NOW and backfill[0].backfill.done == 0.0
    reached = [p.backfill.reached for p in backfill]
    assert reached == sorted(reached, reverse=True), "never forwards again while it backfills"
    assert reached[-1] == START and backfill[-1].backfill.done == 1.0
    for page in backfill:
        if page.records:  # records of a window are in once the page is written: all after `reached`
            assert all(parse_remote(r["updated_at"]) <= page.backfill.reached for r in page.records)
            assert parse_remote(page.state["until"]) == page.backfill.reached
        else:  # the page that ends a window reaches its lower end
            assert parse_remote(page.state["since"]) == page.backfill.reached
    after = pages[len(backfill) :]
    assert after and all(p.backfill is None for p in after), "forwards, once the backfill is done"
    assert pages[-1].state["floor"] == format_remote(START)


def test_a_start_date_moved_earlier_reads_exactly_the_older_records_then_goes_on_forwards():
    store = store_with_history()
    first = read(keyset(store, backwards=True, window=DAY).pages({}))
    read_first = set(ids_of(first))
    assert read_first == store.ids(newer_than=START)
    later = NOW + 3 * HOUR
    store.records.append({"id": "9999", "updated_at": format_remote(NOW + HOUR)})
    store.calls.clear()

    moved = keyset(store, backwards=True, window=DAY, start=EARLIER, now=later, local_now=later)
    pages = read(moved.pages(first[-1].state))

    counts = Counter(ids_of(pages))
    assert set(counts.values()) == {1}, "each record once"
    older = store.ids() - store.ids(newer_than=START)
    newest_read = max(parse_remote(r["updated_at"]) for r in store.records if r["id"] in read_first)
    # The older records, newest first, then the new one and what lies within `overlap` of the newest
    # record read before (as any next run reads): nothing in between is read again.
    assert set(counts) == older | {"9999"} | (store.ids(newer_than=newest_read - OVERLAP) & read_first)
    backfilled = [p for p in pages if p.backfill is not None and p.records]
    assert set(ids_of(backfilled)) == older
    assert all(parse_remote(until) <= START for _, until, *_ in store.calls[: len(backfilled)])
    assert describe_state(backfilled[0].state).startswith("newest first (the start date moved earlier)")
    assert pages[-1].done and pages[-1].state["floor"] == format_remote(EARLIER)
    assert "phase" not in pages[-1].state and "resume" not in pages[-1].state


def test_an_extension_killed_after_any_page_resumes_and_loses_nothing():
    store = store_with_history()
    first = read(keyset(store, backwards=True, window=DAY).pages({}))
    options = {"backwards": True, "window": DAY, "start": EARLIER, "page_size": 7}
    pages = read(keyset(store, **options).pages(first[-1].state))
    older = store.ids() - store.ids(newer_than=START)
    assert older <= set(ids_of(pages))
    later = NOW + 2 * HOUR
    for k in range(1, len(pages)):
        before = set(ids_of(pages[:k]))
        resumed = read(keyset(store, **{**options, "now": later, "local_now": later}).pages(pages[k - 1].state))
        assert older <= before | set(ids_of(resumed)), f"records lost when resumed after page {k}"
        assert resumed[-1].done and resumed[-1].state["floor"] == format_remote(EARLIER)


def test_a_start_date_moved_later_reads_nothing_already_read_again():
    store = store_with_history()
    first = read(keyset(store, backwards=True, window=DAY).pages({}))
    later = NOW + HOUR
    store.calls.clear()
    pages = read(
        keyset(store, backwards=True, window=DAY, start=NOW - 5 * DAY, now=later, local_now=later).pages(
            first[-1].state
        )
    )
    newest_read = store.newest()
    assert set(ids_of(pages)) == store.ids(newer_than=newest_read - OVERLAP)
    assert all(parse_remote(since) >= newest_read - OVERLAP for since, *_ in store.calls)
    assert pages[-1].state["floor"] == format_remote(START), "the floor stays where the data was read down to"
    # Moved back to where it was, nothing is read again either.
    again = read(keyset(store, backwards=True, window=DAY, now=later, local_now=later).pages(pages[-1].state))
    assert all(p.backfill is None for p in again)


def test_a_forwards_cursor_keeps_its_states_as_they_were():
    store = store_with_history()
    pages = read(keyset(store, window=DAY).pages({}))
    assert all(p.backfill is None and "floor" not in p.state for p in pages)


class ApartStore:
    """A store that lists a window whole and hands the records whose id is no id once, apart, before the
    others (as Magento's native lists are read); its own id filter still knows their real ids."""

    def __init__(self, shown: dict[int, str]) -> None:
        moment = format_remote(NOW - HOUR)
        self.rows = {i: {"id": shown.get(i, str(i)), "updated_at": moment, "n": i} for i in range(1, 9)}
        self.handed_apart: set[tuple[str, str]] = set()  # the windows whose broken records were handed

    def fetch(self, since, until, after_id, limit, upto_id=None):
        low = -1 if after_id is None else int(after_id)
        rows = {i: r for i, r in sorted(self.rows.items()) if since <= r["updated_at"] <= until}
        if upto_id is not None:  # locating one record: the store's filter, by the real id
            return [r for i, r in rows.items() if low < i <= int(upto_id)][:limit]
        apart = [r for r in rows.values() if not r["id"].isdigit()]
        placed = [r for i, r in rows.items() if r["id"].isdigit() and i > low]
        head = [] if (since, until) in self.handed_apart else apart
        self.handed_apart.add((since, until))
        return (head + placed)[:limit]


def test_records_listed_apart_beside_one_located_out_of_place_are_all_kept():
    # The lowest id of the window is itself broken: it is located (id 1), and the other broken one,
    # never listed again, is refused as listed when the window ends instead of being lost.
    store = ApartStore({1: "abc", 3: "x.5"})
    pages = read(keyset(store, backwards=True, window=DAY, page_size=3).pages({}))
    written = [r["n"] for p in pages for r in p.records]
    refused = [(r.remote_id, r.payload["n"]) for p in pages for r in p.refused]
    assert sorted(written) == [2, 4, 5, 6, 7, 8]
    assert sorted(refused, key=lambda pair: pair[1]) == [("1", 1), ("x.5", 3)]
