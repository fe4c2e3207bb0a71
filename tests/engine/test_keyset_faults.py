"""An id keyset against answers that lie: outlier ids, ids that are no ids, pages that cannot be read.

The store is in memory and honest; what it answers is changed on the way (`rewrite`) or refused
(`unreadable`), as the hostile proxy does over HTTP. Every record must end up written or refused
(never skipped), and the keyset must never move to an id the store's own filter does not confirm.
"""

from __future__ import annotations

import datetime
import itertools

import pytest

from integrations.engine.cursors import UpdatedAtKeyset
from integrations.engine.errors import RemoteError, Unreachable, UnreadableAnswer

UTC = datetime.UTC
START = datetime.datetime(2020, 1, 1, tzinfo=UTC)
NOW = datetime.datetime(2020, 3, 1, tzinfo=UTC)
OVERLAP = datetime.timedelta(minutes=5)
HUGE = str(2**70)
PAGE_LIMIT = 5000


class Store:
    """`fetch(since, until, after_id, limit, upto_id=None)` over records with whole-number ids."""

    def __init__(self, ids) -> None:
        self.records = [
            {"id": str(i), "updated_at": UpdatedAtKeyset.format(START + datetime.timedelta(minutes=i % 50_000))}
            for i in ids
        ]
        self.calls: list[tuple] = []
        self.rewrite = lambda answer: answer
        self.unreadable: set[str] = set()

    def fetch(self, since, until, after_id, limit, upto_id=None) -> list[dict]:
        self.calls.append((after_id, limit, upto_id))
        low = -(10**100) if after_id is None else int(after_id)
        high = 10**100 if upto_id is None else int(upto_id)
        rows = [r for r in self.records if since <= r["updated_at"] <= until and low < int(r["id"]) <= high]
        answer = [dict(r) for r in sorted(rows, key=lambda r: int(r["id"]))[:limit]]
        if any(r["id"] in self.unreadable for r in answer):
            raise UnreadableAnswer("the answer holds a value larger than the parser accepts.")
        return self.rewrite(answer)

    def ids(self) -> set[str]:
        return {r["id"] for r in self.records}


def cursor(store: Store, **options) -> UpdatedAtKeyset:
    defaults = {
        "fetch": store.fetch,
        "id_of": lambda r: "" if r.get("id") is None else str(r["id"]),
        "start": START,
        "now": NOW,
        "local_now": NOW,
        "page_size": 10,
        "overlap": OVERLAP,
    }
    return UpdatedAtKeyset(**{**defaults, **options})


def read(store: Store, state=None, **options):
    pages = list(itertools.islice(cursor(store, **options).pages(state or {}), PAGE_LIMIT))
    assert len(pages) < PAGE_LIMIT, "the cursor did not come to an end"
    assert pages[-1].done
    written = [r["id"] for p in pages for r in p.records]
    refused = [r for p in pages for r in p.refused]
    return pages, written, refused


def replace_id(real: str, shown: str, times: int | None = None):
    """A rewrite that shows record `real` with the id `shown` (in every answer, or `times` answers)."""
    used = itertools.count()

    def rewrite(answer):
        if any(r["id"] == real for r in answer) and (times is None or next(used) < times):
            for r in answer:
                if r["id"] == real:
                    r["id"] = shown
        return answer

    return rewrite


# -- ids far above the others ------------------------------------------------------------------------


@pytest.mark.parametrize("shown", ["100000", HUGE])
@pytest.mark.parametrize("real", ["805", "810", "836"], ids=["mid-page", "last-of-page", "last-of-window"])
def test_an_outlier_id_in_every_answer_hides_no_record(real, shown):
    store = Store(range(801, 837))  # 36 records, pages of 10
    store.rewrite = replace_id(real, shown)
    _, written, refused = read(store)
    if real == "836":
        # The last record of the window: every answer agrees on it and nothing lies past it.
        assert written == [str(i) for i in range(801, 836)] + [shown] and not refused
        return
    assert written == [str(i) for i in range(801, 837) if str(i) != real]
    (refusal,) = refused
    # Kept under the id the store's own filter gives it, with what the store sent.
    assert (refusal.remote_id, refusal.payload["id"]) == (real, shown)
    assert f"puts this record at id {real}, but its id reads '{shown}'" in refusal.reason


@pytest.mark.parametrize("real", ["805", "810"], ids=["mid-page", "last-of-page"])
def test_an_outlier_id_in_one_answer_only_is_not_trusted_and_the_real_record_is_written(real):
    store = Store(range(801, 837))
    store.rewrite = replace_id(real, "100000", times=1)
    _, written, refused = read(store)
    assert written == [str(i) for i in range(801, 837)]
    assert not refused


@pytest.mark.parametrize("shown", ["5", "809", "811"], ids=["far-below", "the-one-before", "the-one-after"])
def test_an_id_out_of_order_is_kept_under_its_real_id_and_nothing_is_skipped(shown):
    store = Store(range(801, 837))
    store.rewrite = replace_id("810", shown)
    _, written, refused = read(store)
    assert written == [str(i) for i in range(801, 837) if i != 810]
    assert [(r.remote_id, r.payload["id"]) for r in refused] == [("810", shown)]


def test_an_answer_not_sorted_by_id_loses_nothing_and_refuses_nothing():
    store = Store(range(1, 61))
    store.rewrite = lambda answer: list(reversed(answer))
    _, written, refused = read(store)
    assert written == [str(i) for i in range(1, 61)] and not refused


def test_resuming_after_any_page_with_an_outlier_loses_nothing():
    store = Store(range(801, 837))
    store.rewrite = replace_id("810", "100000")
    pages, _, _ = read(store)
    for k in range(1, len(pages)):
        before = {r["id"] for p in pages[:k] for r in p.records} | {r.remote_id for p in pages[:k] for r in p.refused}
        _, after, refused = read(store, state=pages[k - 1].state)
        assert before | set(after) | {r.remote_id for r in refused} >= store.ids(), k


# -- ids that are no ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize("shown", ["abc", "7.5", "", None, " 812", "٨١٢", "0x32c"])
@pytest.mark.parametrize("real", ["801", "805", "810", "836"], ids=["first", "mid-page", "last-of-page", "last"])
def test_an_id_that_is_not_a_whole_number_or_missing_is_kept_under_its_real_id(real, shown):
    store = Store(range(801, 837))
    store.rewrite = replace_id(real, shown)
    _, written, refused = read(store)
    assert written == [str(i) for i in range(801, 837) if str(i) != real]
    (refusal,) = refused
    assert (refusal.remote_id, refusal.payload["id"]) == (real, shown)
    assert ("the record has no id" if not shown else f"its id reads {shown!r}") in refusal.reason


def test_records_that_cannot_be_placed_are_located_one_by_one():
    store = Store(range(801, 813))
    store.rewrite = lambda answer: [{**r, "id": "abc"} if int(r["id"]) <= 810 else r for r in answer]
    _, written, refused = read(store, page_size=5)
    assert written == ["811", "812"]
    assert [r.remote_id for r in refused] == [str(i) for i in range(801, 811)]


def test_records_listed_apart_from_the_order_are_kept_as_listed():
    # A whole-window list sorted locally (native Magento): records whose id is no id come first, once.
    store = Store(range(1, 31))
    fetch = store.fetch

    def window_list(since, until, after_id, limit, upto_id=None):
        answer = fetch(since, until, after_id, limit, upto_id)
        if after_id is None and upto_id is None:
            answer = [{"id": "abc", "n": 1}, {"n": 2}, *answer]
        return answer

    _, written, refused = read(store, fetch=window_list)
    assert written == [str(i) for i in range(1, 31)]
    assert [(r.remote_id, r.payload.get("n")) for r in refused] == [("abc", 1), ("", 2)]
    assert "cannot be placed in id order" in refused[0].reason and "has no id" in refused[1].reason


def test_the_same_record_twice_in_one_answer_is_written_once():
    store = Store(range(1, 21))
    store.rewrite = lambda answer: answer[:3] + answer[2:]
    _, written, refused = read(store)
    assert written == [str(i) for i in range(1, 21)] and not refused


# -- an answer that cannot be read ------------------------------------------------------------------


@pytest.mark.parametrize("bad", [["1"], ["23"], ["50"], ["23", "24"], ["10", "11", "12", "40"]])
def test_an_unreadable_record_is_found_by_id_quarantined_and_the_rest_read(bad):
    store = Store(range(1, 51))
    store.unreadable = set(bad)
    logged: list[str] = []
    _, written, refused = read(store, page_size=20, log=logged.append)
    assert written == [str(i) for i in range(1, 51) if str(i) not in bad]
    assert [r.remote_id for r in refused] == bad
    assert all("cannot be read" in r.reason and "larger than the parser accepts" in r.reason for r in refused)
    assert any("smaller pages" in line for line in logged)
    assert len(store.calls) < 40 * len(bad)


def test_an_unreadable_record_among_sparse_and_huge_ids_is_found():
    ids = [3, 90, 1000, 70_000, 2**40, 2**40 + 7, 2**69]
    store = Store(ids)
    store.unreadable = {str(2**40)}
    _, written, refused = read(store, page_size=4)
    assert written == [str(i) for i in ids if i != 2**40]
    assert [r.remote_id for r in refused] == [str(2**40)]


def test_a_store_that_stops_answering_while_a_record_is_isolated_fails_the_run_and_refuses_nothing():
    store = Store(range(1, 51))
    store.unreadable = {"23"}
    fetch = store.fetch

    def falls_over(since, until, after_id, limit, upto_id=None):
        if upto_id is not None:
            raise Unreachable("Host unreachable")
        return fetch(since, until, after_id, limit, upto_id)

    pages = []
    with pytest.raises(Unreachable):
        for page in cursor(store, fetch=falls_over, page_size=20).pages({}):
            pages.append(page)
    assert not any(p.refused for p in pages)
    assert max(int(p.state["after_id"] or 0) for p in pages) < 23, "the checkpoint stays before the record"


def test_a_store_whose_every_answer_is_unreadable_fails_the_run_and_refuses_nothing():
    store = Store(range(1, 51))

    def garbled(*args):
        raise UnreadableAnswer("not SOAP")

    pages = []
    with pytest.raises(UnreadableAnswer):
        for page in cursor(store, fetch=garbled).pages({}):
            pages.append(page)
    assert not any(p.refused or p.records for p in pages)


def test_a_store_that_ignores_the_id_range_cannot_have_a_record_isolated():
    store = Store(range(1, 51))
    store.unreadable = {"23"}
    fetch = store.fetch

    def no_upper_bound(since, until, after_id, limit, upto_id=None):
        return fetch(since, until, after_id, limit) if upto_id is None else [{"id": "1"}]

    with pytest.raises(RemoteError, match=r"does not filter by id range|larger than the parser"):
        list(itertools.islice(cursor(store, fetch=no_upper_bound, page_size=20).pages({}), PAGE_LIMIT))
