"""Carts, credit memos, newsletter subscribers and regions, as OpenMage 20.0.14 + Oro_Api 1.2.19 serve
them: read with a strict zeep client of the same WSDL, over HTTP."""

import re
import urllib.error
from collections import Counter

import pytest
import zeep

from integrations.simulators.magento1 import generator
from integrations.simulators.magento1.server import start_simulator
from integrations.simulators.magento1.wsdl import MODES

from .test_magento1_simulator import KEY, NOW, USER, control, envelope, filters, pager, raw_call, strict_client

EVERYTHING = (("updated_at", "from", "2000-01-01 00:00:00"), ("updated_at", "to", "2100-01-01 00:00:00"))
MONEY = re.compile(r"-?\d+\.\d{4}")


@pytest.fixture(scope="module")
def sims():
    started = {
        mode: start_simulator(customers=90, orders=260, seed=5, mode=mode, api_user=USER, api_key=KEY, now=NOW)
        for mode in MODES
    }
    yield started
    for sim in started.values():
        sim.stop()


@pytest.fixture(scope="module")
def bridge(sims):
    client = strict_client(sims["bridge"].wsdl_url)
    return sims["bridge"], client, client.service.login(USER, KEY)


@pytest.fixture(scope="module")
def native(sims):
    client = strict_client(sims["native"].wsdl_url)
    return sims["native"], client, client.service.login(USER, KEY)


@pytest.fixture(scope="module")
def quotes(bridge):
    _, client, session = bridge
    return client.service.oroQuoteList(session, {}, pager(1, 1000))


@pytest.fixture
def fresh():
    started = []

    def start(**options):
        options = {"customers": 30, "orders": 60, "seed": 9, "api_user": USER, "api_key": KEY, "now": NOW, **options}
        sim = start_simulator(**options)
        started.append(sim)
        client = strict_client(sim.wsdl_url)
        return sim, client, client.service.login(USER, KEY)

    yield start
    for sim in started:
        sim.stop()


def fault_of(call) -> tuple[str, str]:
    with pytest.raises(zeep.exceptions.Fault) as fault:
        call()
    return fault.value.code, fault.value.message


def ids(records, key: str) -> list[int]:
    return [int(getattr(record, key)) for record in records]


# Carts -----------------------------------------------------------------------------------------


def test_quote_list_serves_every_kind_of_cart(bridge, quotes):
    sim, _, _ = bridge
    # 260 converted quotes plus half as many carts, ids ascending.
    assert ids(quotes, "entity_id") == list(range(1, 391))
    assert all(isinstance(q.entity_id, str) and MONEY.fullmatch(q.grand_total) for q in quotes)
    assert {q.is_active for q in quotes} == {"0", "1"}  # inactive and converted ones come back too
    registered = [q for q in quotes if q.customer_id]
    assert registered and all(q.customer_email and q.customer_is_guest == "0" for q in registered)
    guests = [q for q in quotes if q.customer_is_guest == "1"]
    guest_emails = Counter(q.customer_email for q in guests if q.is_active == "1")
    assert guests and all(q.customer_id is None and q.customer_email for q in guests)
    assert max(guest_emails.values()) > 1, "a guest's email repeats over carts"
    names = {}
    for q in guests:
        names.setdefault(q.customer_email, set()).add((q.customer_firstname, q.customer_lastname))
    assert any(len(people) > 1 for people in names.values()), "an email shared by people with different names"
    anonymous = [q for q in quotes if q.customer_id is None and q.customer_email is None]
    assert anonymous and all(q.is_active == "1" for q in anonymous)
    assert any(q.billing_address.telephone for q in anonymous)
    assert any(q.billing_address.telephone is None for q in anonymous)
    empty = [q for q in quotes if q.items_qty == "0.0000"]
    assert empty and all(not q.items and q.items_count == "0" for q in empty)
    # shoppingCartCreate carts: inactive from the start and never converted.
    made_by_api = [q for q in quotes if q.is_active == "0" and q.reserved_order_id is None]
    assert made_by_api
    items = [item for q in quotes for item in q.items or []]
    assert items and all(item.product_image_url.startswith("https://") and item.product_url for item in items)
    assert any(item.categories and item.categories[0].name for item in items)
    assert any(item.parent_item_id for item in items), "a configurable product's simple child"
    assert all(isinstance(item.qty, float) for item in items)
    assert all(q.billing_address.address_type == "billing" for q in quotes)
    assert all(q.store_to_quote_rate == "1.0000" and q.quote_currency_code for q in quotes)
    assert sim.store.count("quotes") == 390


def test_orders_point_at_their_converted_quotes(bridge, quotes):
    _, client, session = bridge
    by_id = {q.entity_id: q for q in quotes}
    orders = client.service.oroOrderList(session, {}, pager(1, 1000))
    assert len({o.quote_id for o in orders}) == len(orders)
    for order in orders:
        quote = by_id[order.quote_id]
        assert (quote.is_active, quote.reserved_order_id) == ("0", order.increment_id)
        assert (quote.customer_email, quote.grand_total, quote.store_id) == (
            order.customer_email,
            order.grand_total,
            order.store_id,
        )
        assert quote.created_at <= order.created_at == quote.updated_at
        assert [i.sku for i in quote.items] == [i.sku for i in order.items]
        assert {i.item_id for i in quote.items} == {i.quote_item_id for i in order.items}
    # Oro's cart expiration asks for open carts by id: 200 at a time, with the store filter.
    wanted = [q.entity_id for q in quotes if q.is_active == "1"][:200]
    found = client.service.oroQuoteList(
        session, filters(("entity_id", "in", ",".join(wanted)), ("store_id", "in", "1,2,3,4,5,6")), pager(1, 200)
    )
    assert [q.entity_id for q in found] == wanted


def test_quote_filters_and_pager(bridge, quotes):
    _, client, session = bridge
    call = client.service.oroQuoteList
    dates = sorted(q.updated_at for q in quotes)
    low, high = dates[50], dates[200]
    window = call(session, filters(("updated_at", "from", low), ("updated_at", "to", high)), pager(1, 1000))
    assert [q.entity_id for q in window] == [q.entity_id for q in quotes if low <= q.updated_at <= high]
    created = call(session, filters(("created_at", "gt", low)), pager(1, 1000))
    assert [q.entity_id for q in created] == [q.entity_id for q in quotes if q.created_at > low]
    keyset = call(session, filters(("entity_id", "gt", "100"), ("entity_id", "lteq", "130")), pager(1, 1000))
    assert ids(keyset, "entity_id") == list(range(101, 131))
    assert ids(call(session, filters(("entity_id", "eq", "7")), pager(1, 10)), "entity_id") == [7]
    assert ids(call(session, filters(("entity_id", "in", "9,3,5000")), pager(1, 10)), "entity_id") == [3, 9]
    stores = call(session, filters(("store_id", "in", "3,4")), pager(1, 1000))
    assert [q.entity_id for q in stores] == [q.entity_id for q in quotes if q.store_id in ("3", "4")]
    active = call(session, filters(is_active="1"), pager(1, 1000))
    assert [q.entity_id for q in active] == [q.entity_id for q in quotes if q.is_active == "1"]

    pages = []
    while not pages or len(pages[-1]) == 40:
        pages.append(call(session, filters(*EVERYTHING), pager(len(pages) + 1, 40)))
    assert [q.entity_id for page in pages for q in page] == [q.entity_id for q in quotes]
    assert call(session, {}, pager(1000, 40)) == []
    assert fault_of(lambda: call(session, filters(("foo", "eq", "1")), pager(1, 10))) == (
        "1",
        "SQLSTATE[42S22]: Column not found: 1054 Unknown column 'foo' in 'where clause'",
    )


def test_carts_option_sets_the_number_of_extra_quotes(fresh):
    sim, client, session = fresh(orders=20, carts=7)
    assert control(sim, "/_sim/stats")["quotes"] == 27
    assert len(client.service.oroQuoteList(session, {}, pager(1, 100))) == 27
    only_carts, _, _ = fresh(orders=0, carts=5)
    assert only_carts.store.count("quotes") == 5


# Credit memos ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", list(MODES))
def test_credit_memos_list_and_info_in_both_modes(sims, mode):
    sim = sims[mode]
    client = strict_client(sim.wsdl_url)
    session = client.service.login(USER, KEY)
    memos = client.service.salesOrderCreditmemoList(session, {})
    assert ids(memos, "creditmemo_id") == list(range(1, len(memos) + 1))
    orders = {o.order_id: o for o in client.service.salesOrderList(session, {})}
    refunded = {m.order_id for m in memos}
    assert 0.07 < len(refunded) / len(orders) < 0.16, "about one order in ten has a credit memo"
    assert {m.state for m in memos} == {"1", "2", "3"}
    assert max(Counter(m.order_id for m in memos).values()) == 2, "some orders were refunded in two memos"
    assert all(m.items is None and m.comments is None for m in memos), "the list has no items or comments"
    for memo in memos:
        assert MONEY.fullmatch(memo.grand_total) and MONEY.fullmatch(memo.adjustment_negative)
        assert memo.store_id == orders[memo.order_id].store_id
    comments = []
    for memo in memos:
        info = client.service.salesOrderCreditmemoInfo(session, memo.increment_id)
        assert (info.creditmemo_id, info.increment_id, info.grand_total) == (
            memo.creditmemo_id,
            memo.increment_id,
            memo.grand_total,
        )
        assert info.items and all(item.parent_id == memo.creditmemo_id for item in info.items)
        subtotal = sum(round(float(item.row_total) * 100) for item in info.items)
        assert subtotal == round(float(info.subtotal) * 100)
        comments += [c.comment for c in info.comments or []]
        order = orders[memo.order_id]
        if order.status == "closed" and Counter(m.order_id for m in memos)[memo.order_id] == 1:
            ordered = client.service.salesOrderInfo(session, order.increment_id)
            assert {i.order_item_id for i in info.items} == {i.item_id for i in ordered.items}, "a full memo"
            assert info.grand_total == order.grand_total
    assert None in comments and any(comments), "comments with and without text"
    assert fault_of(lambda: client.service.salesOrderCreditmemoInfo(session, "999999999")) == (
        "100",
        "Requested credit memo does not exist.",
    )


def test_credit_memo_filters(bridge):
    _, client, session = bridge
    call = client.service.salesOrderCreditmemoList
    memos = call(session, {})
    dates = sorted(m.updated_at for m in memos)
    low, high = dates[3], dates[-4]
    window = call(session, filters(("updated_at", "from", low), ("updated_at", "to", high)))
    assert [m.creditmemo_id for m in window] == [m.creditmemo_id for m in memos if low <= m.updated_at <= high]
    created = call(session, filters(("created_at", "lt", high)))
    assert [m.creditmemo_id for m in created] == [m.creditmemo_id for m in memos if m.created_at < high]
    assert ids(
        call(session, filters(("creditmemo_id", "gt", "4"), ("creditmemo_id", "lteq", "9"))), "creditmemo_id"
    ) == [
        5,
        6,
        7,
        8,
        9,
    ]
    assert ids(call(session, filters(("creditmemo_id", "in", "2,11"))), "creditmemo_id") == [2, 11]
    some_orders = sorted({m.order_id for m in memos}, key=int)[:3]
    by_order = call(session, filters(("order_id", "in", ",".join(some_orders))))
    assert [m.creditmemo_id for m in by_order] == [m.creditmemo_id for m in memos if m.order_id in some_orders]
    by_store = call(session, filters(("store_id", "in", "1,6")))
    assert [m.creditmemo_id for m in by_store] == [m.creditmemo_id for m in memos if m.store_id in ("1", "6")]
    # The memo API wraps errors of its collection as `invalid_filter` (101), with MySQL's text.
    assert fault_of(lambda: call(session, filters(("foo", "eq", "1")))) == (
        "101",
        "SQLSTATE[42S22]: Column not found: 1054 Unknown column 'foo' in 'where clause'",
    )


# Newsletter subscribers ------------------------------------------------------------------------


def test_subscribers_newest_first_with_guests_and_every_status(bridge):
    sim, client, session = bridge
    call = client.service.newsletterSubscriberList
    subscribers = call(session, {}, pager(1, 1000))
    assert ids(subscribers, "subscriber_id") == list(range(len(subscribers), 0, -1))
    customers = [s for s in subscribers if s.customer_id != "0"]
    assert 0.25 < len(customers) / sim.store.count("customers") < 0.55
    assert any(s.customer_id == "0" for s in subscribers), "guest subscribers"
    assert {s.subscriber_status for s in subscribers} == {"1", "2", "3", "4"}
    for subscriber in customers:
        assert subscriber.subscriber_email == sim.store.customer(int(subscriber.customer_id))["email"]
    assert len({s.change_status_at[:7] for s in subscribers}) > 12, "changes spread over time"

    newest = int(subscribers[0].subscriber_id)
    # Oro's initial sync: the newest id with a page of one, then back by id.
    assert ids(call(session, {}, pager(1, 1)), "subscriber_id") == [newest]
    older = call(session, filters(("subscriber_id", "lt", "20")), pager(1, 5))
    assert ids(older, "subscriber_id") == [19, 18, 17, 16, 15]
    assert ids(call(session, filters(("subscriber_id", "lt", "20")), pager(2, 5)), "subscriber_id") == [
        14,
        13,
        12,
        11,
        10,
    ]
    assert ids(call(session, filters(("subscriber_id", "gt", str(newest - 3))), pager(1, 10)), "subscriber_id") == [
        newest,
        newest - 1,
        newest - 2,
    ]
    assert ids(call(session, filters(("subscriber_id", "in", "4,2,9")), pager(1, 10)), "subscriber_id") == [9, 4, 2]
    dates = sorted(s.change_status_at for s in subscribers)
    low, high = dates[5], dates[-5]
    expected = [s.subscriber_id for s in subscribers if s.change_status_at > low]
    assert [
        s.subscriber_id for s in call(session, filters(("change_status_at", "gt", low)), pager(1, 1000))
    ] == expected
    window = call(session, filters(("change_status_at", "from", low), ("change_status_at", "to", high)), pager(1, 1000))
    assert [s.subscriber_id for s in window] == [
        s.subscriber_id for s in subscribers if low <= s.change_status_at <= high
    ]
    # `lte` is no Magento operator: an unknown one is an equality, as Varien's SQL builder makes it.
    exact = call(session, filters(("change_status_at", "lte", high)), pager(1, 1000))
    assert [s.subscriber_id for s in exact] == [s.subscriber_id for s in subscribers if s.change_status_at == high]
    by_store = call(session, filters(("store_id", "in", "3,5")), pager(1, 1000))
    assert [s.subscriber_id for s in by_store] == [s.subscriber_id for s in subscribers if s.store_id in ("3", "5")]
    assert call(session, {}, pager(1000, 50)) == []
    assert fault_of(lambda: call(session, filters(("foo", "eq", "1")), pager(1, 10)))[0] == "1"


def test_native_mode_has_no_carts_subscribers_or_bridge_regions(native):
    sim, _, session = native
    for operation in ("oroQuoteList", "newsletterSubscriberList", "oroRegionList"):
        status, _, body = raw_call(sim, envelope(operation, f"<sessionId>{session}</sessionId>", "urn:OpenMage"))
        assert status == 200 and f"Procedure '{operation}' not present".encode() in body


# Regions ---------------------------------------------------------------------------------------


def test_bridge_region_list_agrees_with_address_region_ids(bridge, quotes):
    sim, client, session = bridge
    regions = client.service.oroRegionList(session, {}, pager(1, 500))
    assert ids(regions, "region_id") == sorted(ids(regions, "region_id"))
    assert all(isinstance(r.region_id, int) and r.countryCode and r.code and r.name for r in regions)
    by_id = {r.region_id: r for r in regions}
    used = set()
    for customer_id in range(1, sim.store.count("customers") + 1):
        for address in sim.store.customer(customer_id)["addresses"]:
            if address["region_id"] is not None:
                used.add(address["region_id"])
                region = by_id[address["region_id"]]
                assert (region.countryCode, region.name) == (address["country_id"], address["region"])
    for quote in quotes:
        if quote.billing_address.region_id:
            assert by_id[int(quote.billing_address.region_id)].countryCode == quote.billing_address.country_id
    assert len(used) > 10
    first = client.service.oroRegionList(session, {}, pager(1, 50))
    second = client.service.oroRegionList(session, {}, pager(2, 50))
    assert [r.region_id for r in first + second] == [r.region_id for r in regions][:100]
    assert client.service.oroRegionList(session, {}, pager(100, 500)) == []
    german = client.service.oroRegionList(session, filters(country_id="DE"), pager(1, 500))
    assert {r.countryCode for r in german} == {"DE"} and len(german) == 16


@pytest.mark.parametrize("mode", list(MODES))
def test_directory_region_list_per_country(sims, mode):
    client = strict_client(sims[mode].wsdl_url)
    session = client.service.login(USER, KEY)
    us = client.service.directoryRegionList(session, "US")
    assert (us[11].region_id, us[11].code, us[11].name) == ("12", "CA", "California")
    assert [r.region_id for r in client.service.directoryRegionList(session, "deu")][:2] == ["79", "80"]
    assert client.service.directoryRegionList(session, "GB") == []
    assert fault_of(lambda: client.service.directoryRegionList(session, "ZZ")) == ("101", "Country not exists.")
    assert fault_of(lambda: client.service.directoryRegionList(session, "Germany")) == (
        "101",
        "Invalid country code: Germany",
    )


# Touch and delete ------------------------------------------------------------------------------


def test_touch_moves_quotes_memos_and_subscribers(fresh):
    sim, client, session = fresh()
    touched = control(sim, "/_sim/touch", {"entity": "quotes", "count": 3})
    recent = client.service.oroQuoteList(session, filters(("updated_at", "from", touched["updated_at"])), pager(1, 50))
    assert ids(recent, "entity_id") == touched["ids"] and {q.updated_at for q in recent} == {touched["updated_at"]}
    assert {q.created_at for q in recent} != {touched["updated_at"]}

    memo = control(sim, "/_sim/touch", {"entity": "creditmemos", "ids": [2]})
    recent = client.service.salesOrderCreditmemoList(session, filters(("updated_at", "gteq", memo["updated_at"])))
    assert ids(recent, "creditmemo_id") == [2]
    info = client.service.salesOrderCreditmemoInfo(session, recent[0].increment_id)
    assert info.updated_at == memo["updated_at"]

    subscriber = control(sim, "/_sim/touch", {"entity": "subscribers", "ids": [1, 4]})
    recent = client.service.newsletterSubscriberList(
        session, filters(("change_status_at", "from", subscriber["updated_at"])), pager(1, 50)
    )
    assert ids(recent, "subscriber_id") == [4, 1]
    with pytest.raises(urllib.error.HTTPError) as error:
        control(sim, "/_sim/touch", {"entity": "quotes", "ids": [10_000]})
    assert error.value.code == 400


def test_deleted_records_leave_every_list_and_info(fresh):
    sim, client, session = fresh()
    service = client.service
    before = control(sim, "/_sim/stats")
    assert {k: before[k] for k in ("customers", "orders", "quotes", "creditmemos", "subscribers")} == {
        "customers": 30,
        "orders": 60,
        "quotes": 90,
        "creditmemos": sim.store.dataset.creditmemo_count,
        "subscribers": sim.store.dataset.subscriber_count,
    }
    assert before["regions"] > 100

    assert control(sim, "/_sim/delete", {"entity": "customers", "ids": [5, 3]})["ids"] == [3, 5]
    assert 3 not in ids(service.customerCustomerList(session, {}), "customer_id")
    assert 5 not in ids(service.oroCustomerList(session, {}, pager(1, 100)), "customer_id")
    assert fault_of(lambda: service.customerCustomerInfo(session, 3, zeep.xsd.SkipValue))[0] == "102"
    assert fault_of(lambda: service.oroCustomerInfo(session, 5, zeep.xsd.SkipValue))[0] == "102"
    assert fault_of(lambda: service.customerAddressList(session, 5))[0] == "102"

    order = service.salesOrderList(session, filters(order_id="7"))[0]
    control(sim, "/_sim/delete", {"entity": "orders", "ids": [7]})
    assert "7" not in [o.order_id for o in service.salesOrderList(session, {})]
    assert "7" not in [o.order_id for o in service.oroOrderList(session, {}, pager(1, 100))]
    for info in (service.salesOrderInfo, service.oroOrderInfo):
        assert fault_of(lambda info=info: info(session, order.increment_id)) == ("100", "Requested order not exists.")

    # Magento's quote cleaning deletes old carts; Oro's expiration job then finds them gone.
    control(sim, "/_sim/delete", {"entity": "quotes", "ids": [2, 4]})
    found = service.oroQuoteList(session, filters(("entity_id", "in", "1,2,3,4")), pager(1, 200))
    assert ids(found, "entity_id") == [1, 3]
    assert len(service.oroQuoteList(session, {}, pager(1, 200))) == 88

    memo = service.salesOrderCreditmemoList(session, filters(creditmemo_id="1"))[0]
    control(sim, "/_sim/delete", {"entity": "creditmemos", "ids": [1]})
    assert 1 not in ids(service.salesOrderCreditmemoList(session, {}), "creditmemo_id")
    assert fault_of(lambda: service.salesOrderCreditmemoInfo(session, memo.increment_id))[0] == "100"

    newest = sim.store.dataset.subscriber_count
    control(sim, "/_sim/delete", {"entity": "subscribers", "ids": [newest]})
    assert ids(service.newsletterSubscriberList(session, {}, pager(1, 1)), "subscriber_id") == [newest - 1]

    after = control(sim, "/_sim/stats")
    assert (after["customers"], after["orders"], after["quotes"]) == (28, 59, 88)
    assert (after["creditmemos"], after["subscribers"]) == (before["creditmemos"] - 1, before["subscribers"] - 1)
    for payload in (
        {"entity": "carts", "ids": [1]},
        {"entity": "quotes", "ids": [0]},
        {"entity": "quotes", "ids": ["x"]},
    ):
        with pytest.raises(urllib.error.HTTPError) as error:
            control(sim, "/_sim/delete", payload)
        assert error.value.code == 400


# Data ------------------------------------------------------------------------------------------


def test_same_seed_same_carts_memos_and_subscribers():
    first = generator.generate(seed=3, customers=40, orders=100, now=NOW)
    again = generator.generate(seed=3, customers=40, orders=100, now=NOW)
    other = generator.generate(seed=4, customers=40, orders=100, now=NOW)
    for name, count in (("quote", 150), ("creditmemo", first.creditmemo_count), ("subscriber", first.subscriber_count)):
        records = [getattr(first, name)(i) for i in range(1, count + 1)]
        assert records == [getattr(again, name)(i) for i in range(1, count + 1)]
    assert [first.quote(i) for i in range(1, 151)] != [other.quote(i) for i in range(1, 151)]


def test_status_history_holds_plain_empty_and_hostile_html_comments():
    data = generator.generate(seed=7, customers=100, orders=400, now=NOW)
    comments = [row["comment"] for i in range(1, 401) for row in data.order(i)["status_history"]]
    assert None in comments and "" in comments
    assert any(c and "<" not in c for c in comments)
    assert any(c and "<p>" in c and "<br>" in c for c in comments)
    assert any(c and "<script>" in c and "onclick=" in c and "<b>" in c for c in comments)
