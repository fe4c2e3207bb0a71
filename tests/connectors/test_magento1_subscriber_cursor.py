"""Newsletter subscribers' cursor: down the ids first (resumable), then change_status_at windows by id keyset."""

import datetime

from integrations.connectors.magento1.subscribers import SubscriberCursor, subscriber
from integrations.engine.cursors import UpdatedAtKeyset

UTC = datetime.UTC
NOW = datetime.datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
OVERLAP = datetime.timedelta(minutes=5)
fmt = UpdatedAtKeyset.format


class Store:
    """Subscribers as the bridge lists them: newest id first, filtered, the first `size` of them."""

    def __init__(self, count: int) -> None:
        self.rows = {
            i: {"subscriber_id": str(i), "change_status_at": fmt(NOW - datetime.timedelta(days=30, minutes=i))}
            for i in range(1, count + 1)
        }
        self.calls: list[list[tuple[str, str, str]]] = []

    def fetch(self, conditions, size):
        self.calls.append(conditions)
        rows = list(self.rows.values())
        for key, op, value in conditions:
            if key == "subscriber_id":
                rows = [r for r in rows if number(r) is None or number(r) < int(value)]
            elif op == "from":
                rows = [r for r in rows if r["change_status_at"] >= value]
            else:
                rows = [r for r in rows if r["change_status_at"] <= value]
        return sorted(rows, key=lambda r: float("-inf") if number(r) is None else -number(r))[:size]


def number(row) -> int | None:
    # An id rewritten in transit ("x9") comes first, whatever the filter says.
    return int(row["subscriber_id"]) if row["subscriber_id"].isdigit() else None


def read(store, state=None, now=NOW, stop_after=None):
    cursor = SubscriberCursor(fetch=store.fetch, now=now, local_now=now, overlap=OVERLAP, page_size=10)
    pages = []
    for page in cursor.pages(state or {}):
        pages.append(page)
        if stop_after and len(pages) == stop_after:
            break
    return pages


def ids(pages):
    return [int(r["subscriber_id"]) for p in pages for r in p.records]


def test_the_first_sync_walks_down_the_ids_from_the_newest_in_pages_of_the_size():
    store = Store(25)
    pages = read(store)
    assert sorted(ids(pages)) == list(range(1, 26))
    assert store.calls[0] == []  # the newest id, with a 1 x 1 pager
    assert store.calls[1] == [("subscriber_id", "lt", "26")]
    assert store.calls[2] == [("subscriber_id", "lt", "16")]
    final = pages[-1].state
    assert final["phase"] == "changes" and final["since"] == fmt(NOW - OVERLAP)


def test_an_interrupted_first_sync_resumes_below_the_smallest_id_written():
    store = Store(25)
    first = read(store, stop_after=1)
    assert first[0].state == {
        "cursor": "subscriber_ids",
        "phase": "initial",
        "initial_id": "26",
        "started": fmt(NOW),
        "below_id": "16",
    }
    store.calls.clear()
    rest = read(store, state=first[0].state)
    assert store.calls[0] == [("subscriber_id", "lt", "16")]
    assert sorted(ids(first) + ids(rest)) == list(range(1, 26))


def test_later_runs_read_changes_by_change_status_at_with_the_overlap():
    store = Store(25)
    state = read(store)[-1].state
    later = NOW + datetime.timedelta(hours=1)
    for i in (3, 7):
        store.rows[i]["change_status_at"] = fmt(later - datetime.timedelta(minutes=10))
    store.calls.clear()
    pages = read(store, state=state, now=later)
    assert sorted(ids(pages)) == [3, 7]
    assert store.calls[0] == [("change_status_at", "from", fmt(NOW - OVERLAP)), ("change_status_at", "to", fmt(later))]
    assert pages[-1].state["since"] == fmt(later - datetime.timedelta(minutes=10) - OVERLAP)
    # Nothing changed since: the next run reads only the overlap again, and stays where it is.
    again = read(store, state=pages[-1].state, now=later)
    assert sorted(ids(again)) == [3, 7]


def test_a_busy_window_is_paged_by_id_so_a_change_during_the_read_skips_no_one():
    store = Store(25)
    state = read(store)[-1].state
    later = NOW + datetime.timedelta(hours=1)
    for i in range(1, 26):
        store.rows[i]["change_status_at"] = fmt(later - datetime.timedelta(minutes=30))
    cursor = SubscriberCursor(fetch=store.fetch, now=later, local_now=later, overlap=OVERLAP, page_size=10)
    pages = cursor.pages(state)
    seen = ids([next(pages)])
    # Subscriber 25 changes again while the window is read: it leaves the window, shifting nothing.
    store.rows[25]["change_status_at"] = fmt(later + datetime.timedelta(minutes=1))
    seen += ids(list(pages))
    assert sorted(seen) == list(range(1, 26))


def test_an_empty_store_goes_straight_to_changes():
    pages = read(Store(0))
    assert ids(pages) == []
    assert pages[-1].state == {"cursor": "subscriber_ids", "phase": "changes", "since": fmt(NOW - OVERLAP)}


def test_a_subscriber_id_that_is_no_number_is_refused_not_written():
    store = Store(5)
    store.rows[99] = {"subscriber_id": "x9", "change_status_at": fmt(NOW)}
    pages = read(store)
    assert sorted(ids(pages)) == [1, 2, 3, 4, 5]
    assert any(r.payload["subscriber_id"] == "x9" for p in pages for r in p.refused)


def test_statuses_emails_and_customers_map_as_oro_maps_them():
    base = {"subscriber_id": "4", "store_id": "1", "change_status_at": "2025-01-01 10:00:00"}
    statuses = [subscriber({**base, "subscriber_status": s}).fields["status"] for s in "1234"]
    assert statuses == ["subscribed", "not_active", "unsubscribed", "unconfirmed"]
    mapped = subscriber(
        {**base, "subscriber_status": "1", "subscriber_email": "  ann@example.com ", "customer_id": "0"}
    )
    assert mapped.fields["email"] == "ann@example.com"
    assert mapped.fields["customer_remote_id"] is None and mapped.refs["customer"].remote_id is None
    linked = subscriber({**base, "subscriber_status": "3", "customer_id": "12"})
    assert linked.fields["customer_remote_id"] == "12"
