"""The Magento 1 simulator answers as a real OpenMage store: read with a strict zeep client over HTTP."""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zeep
from zeep.cache import InMemoryCache
from zeep.transports import Transport

from integrations.simulators.magento1 import generator
from integrations.simulators.magento1.server import RunningSimulator, start_simulator
from integrations.simulators.magento1.wsdl import MODES

ROOT = Path(__file__).resolve().parents[2]
SOAP_ENCODING = ROOT / "integrations" / "transports" / "soap-encoding.xsd"
# A fixed clock keeps the data identical between runs and between two simulators.
NOW = datetime(2026, 6, 1, tzinfo=UTC)
USER, KEY = "tester", "tester-key-42"
EVERYTHING = ("2000-01-01 00:00:00", "2100-01-01 00:00:00")


def strict_client(wsdl_url: str) -> zeep.Client:
    cache = InMemoryCache()
    cache.add("http://schemas.xmlsoap.org/soap/encoding/", SOAP_ENCODING.read_bytes())
    transport = Transport(cache=cache, timeout=10, operation_timeout=30)
    return zeep.Client(wsdl_url, transport=transport, settings=zeep.Settings(strict=True))


def filters(*complex_conditions: tuple[str, str, str], **equal: str) -> dict:
    """A zeep `filters` value: `filters(("updated_at", "from", "2020-01-01"), email="a@b.c")`."""
    value: dict = {}
    if equal:
        value["filter"] = {"_value_1": [{"key": key, "value": text} for key, text in equal.items()]}
    if complex_conditions:
        value["complex_filter"] = {
            "_value_1": [{"key": key, "value": {"key": op, "value": text}} for key, op, text in complex_conditions]
        }
    return value


def pager(page: int, size: int) -> dict:
    return {"page": str(page), "pageSize": str(size)}


def raw_call(sim: RunningSimulator, body: str, path: str = "/api.php?type=v2_soap") -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection(sim.host, sim.port, timeout=10)
    try:
        connection.request("POST", path, body.encode(), {"Content-Type": "text/xml; charset=utf-8"})
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def envelope(operation: str, inner: str, namespace: str = "urn:Magento") -> str:
    return (
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<SOAP-ENV:Body><ns1:{operation} xmlns:ns1="{namespace}">{inner}</ns1:{operation}></SOAP-ENV:Body>'
        "</SOAP-ENV:Envelope>"
    )


def control(sim: RunningSimulator, path: str, payload: dict | None = None) -> dict:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(sim.url + path, data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


@pytest.fixture(scope="module")
def sims():
    started = {mode: start_simulator(customers=90, orders=260, seed=5, mode=mode, api_user=USER, api_key=KEY, now=NOW)
               for mode in MODES}  # fmt: skip
    yield started
    for sim in started.values():
        sim.stop()


@pytest.fixture(scope="module")
def clients(sims):
    return {mode: strict_client(sim.wsdl_url) for mode, sim in sims.items()}


@pytest.fixture(scope="module")
def bridge(sims, clients):
    client = clients["bridge"]
    return sims["bridge"], client, client.service.login(USER, KEY)


@pytest.fixture(scope="module")
def native(sims, clients):
    client = clients["native"]
    return sims["native"], client, client.service.login(USER, KEY)


@pytest.fixture
def fresh():
    """Simulators started for one test, with the options it needs."""
    started: list[RunningSimulator] = []

    def start(**options) -> RunningSimulator:
        options = {"customers": 20, "orders": 40, "seed": 9, "api_user": USER, "api_key": KEY, "now": NOW, **options}
        sim = start_simulator(**options)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


# The WSDL ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode, namespace", [("bridge", b"urn:Magento"), ("native", b"urn:OpenMage")])
@pytest.mark.parametrize(
    "path",
    ["/api/v2_soap/?wsdl=1", "/api/v2_soap?wsdl=1", "/api/v2_soap/index/?wsdl=1", "/index.php/api/v2_soap/?wsdl"],
)
def test_wsdl_is_served_on_store_paths_pointing_at_the_simulator(sims, mode, namespace, path):
    sim = sims[mode]
    with urllib.request.urlopen(sim.url + path, timeout=10) as answer:
        document = answer.read()
        assert answer.headers["Content-Type"] == "text/xml; charset=UTF-8"
        assert answer.headers["Date"]
    assert f'<soap:address location="{sim.url}/api.php?type=v2_soap"/>'.encode() in document
    assert b'targetNamespace="' + namespace + b'"' in document
    assert (b'name="oroPing"' in document) == (mode == "bridge")


def test_unknown_paths_are_not_found(sims):
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(sims["bridge"].url + "/api/soap/?wsdl=1", timeout=10)
    assert error.value.code == 404


# Every operation, read by a strict client --------------------------------------------------------


@pytest.mark.parametrize("mode", list(MODES))
def test_core_operations_parse_with_a_strict_client(sims, clients, mode):
    client = clients[mode]
    session = client.service.login(USER, KEY)
    assert re.fullmatch("[0-9a-f]{32}", session), session  # an md5-like hex id, as Magento's

    stores = client.service.storeList(session)
    assert [store.store_id for store in stores] == [1, 2, 3, 4, 5, 6]
    assert {store.website_id for store in stores} == {1, 2, 3}
    groups = client.service.customerGroupList(session)
    assert [(group.customer_group_id, group.customer_group_code) for group in groups][:2] == [
        (0, "NOT LOGGED IN"),
        (1, "General"),
    ]
    assert {country.iso2_code for country in client.service.directoryCountryList(session)} >= {"US", "DE", "GB"}

    customers = client.service.customerCustomerList(session, {})
    assert [customer.customer_id for customer in customers] == list(range(1, 91))
    with_address = next(c for c in customers if sims[mode].store.customer(c.customer_id)["addresses"])
    info = client.service.customerCustomerInfo(session, with_address.customer_id, zeep.xsd.SkipValue)
    assert (info.email, info.created_at, info.website_id) == (
        with_address.email,
        with_address.created_at,
        with_address.website_id,
    )
    addresses = client.service.customerAddressList(session, with_address.customer_id)
    assert addresses and all(isinstance(a.customer_address_id, int) for a in addresses)
    assert sum(a.is_default_billing for a in addresses) == 1

    orders = client.service.salesOrderList(session, {})
    assert [int(order.order_id) for order in orders] == list(range(1, 261))
    assert all(isinstance(order.order_id, str) and order.increment_id for order in orders)
    full = client.service.salesOrderInfo(session, orders[0].increment_id)
    assert full.increment_id == orders[0].increment_id and full.items and full.payment.method
    assert full.billing_address.address_type == "billing" and full.shipping_address.address_type == "shipping"
    # Only the bridge adds the history row id.
    assert all(row.increment_id is None for row in full.status_history)
    assert client.service.endSession(session) is True


def test_bridge_operations_parse_with_a_strict_client(bridge):
    sim, client, session = bridge
    ping = client.service.oroPing(session)
    assert (ping.version, ping.mage_version, ping.customer_scope) == ("1.2.19", "1.9.4.5", 1)
    assert ping.admin_url == f"{sim.url}/index.php/admin/"
    websites = client.service.oroWebsiteList(session)
    assert [(w.website_id, w.code, w.is_default) for w in websites] == [
        (1, "base", True),
        (2, "eu", False),
        (3, "uk", False),
    ]

    customers = client.service.oroCustomerList(session, {}, pager(1, 100))
    assert len(customers) == 90
    assert sum(len(c.addresses or []) for c in customers) > 0
    assert {c.gender for c in customers} == {"Male", "Female", None}  # labels; zeep reads "" as None
    assert client.service.oroCustomerInfo(session, 3, zeep.xsd.SkipValue).customer_id == 3

    orders = client.service.oroOrderList(session, {}, pager(1, 300))
    assert len(orders) == 260
    assert all(row.increment_id for order in orders for row in order.status_history)
    assert client.service.oroOrderInfo(session, orders[5].increment_id).order_id == orders[5].order_id


def test_native_mode_has_no_bridge_operations(native):
    sim, client, session = native
    for operation in ("oroPing", "oroCustomerList", "oroOrderList"):
        status, _, body = raw_call(sim, envelope(operation, f"<sessionId>{session}</sessionId>", "urn:OpenMage"))
        assert status == 200
        assert b"<faultcode>SOAP-ENV:Server</faultcode>" in body
        assert f"Procedure '{operation}' not present".encode() in body
    # Native salesOrderInfo has neither bridge fields nor history ids.
    order = client.service.salesOrderInfo(session, client.service.salesOrderList(session, {})[0].increment_id)
    assert not hasattr(order, "coupon_code")  # not in the native WSDL's salesOrderEntity at all


def test_answers_carry_xsi_types_and_soap_encoded_arrays(bridge):
    sim, _, session = bridge
    status, headers, body = raw_call(
        sim, envelope("customerCustomerList", f"<sessionId>{session}</sessionId><filters/>")
    )
    assert status == 200 and headers["Content-Type"] == "text/xml; charset=UTF-8"
    text = body.decode()
    assert '<ns1:customerCustomerListResponse><storeView SOAP-ENC:arrayType="ns1:customerCustomerEntity[90]"' in text
    assert 'xsi:type="ns1:customerCustomerEntityArray"' in text
    assert '<item xsi:type="ns1:customerCustomerEntity"><customer_id xsi:type="xsd:int">1</customer_id>' in text
    status, _, body = raw_call(
        sim,
        envelope(
            "salesOrderInfo",
            f"<sessionId>{session}</sessionId><orderIncrementId>{sim.store.dataset.orders.increment_id[1]}</orderIncrementId>",
        ),
    )
    text = body.decode()
    assert '<order_id xsi:type="xsd:string">1</order_id>' in text
    assert '<items SOAP-ENC:arrayType="ns1:salesOrderItemEntity[' in text
    assert '<qty_ordered xsi:type="xsd:string">' in text and ".0000</qty_ordered>" in text
    assert "xsi:nil" not in text


def test_php_style_requests_with_typed_items_multi_refs_and_positions(bridge):
    sim, _, session = bridge
    email = sim.store.customer(4)["email"]
    # PHP's SoapClient: typed <item> entries; Axis/.NET: parameters by reference.
    body = envelope(
        "customerCustomerList",
        f'<sessionId xsi:type="xsd:string">{session}</sessionId><filters href="#f"/>',
    ).replace(
        "</ns1:customerCustomerList>",
        '</ns1:customerCustomerList><multiRef id="f"><filter><item xsi:type="ns1:associativeEntity">'
        f"<key>email</key><value>{email.upper()}</value></item></filter></multiRef>",
    )
    status, _, answer = raw_call(sim, body)
    assert status == 200 and b'<customer_id xsi:type="xsd:int">4</customer_id>' in answer
    # Parameters under other names are read by position, as PHP's SoapServer does.
    status, _, answer = raw_call(sim, envelope("customerCustomerInfo", f"<a>{session}</a><b>4</b>"))
    assert b'<customer_id xsi:type="xsd:int">4</customer_id>' in answer


# Gender ----------------------------------------------------------------------------------------

GENDER_LABELS = {1: "Male", 2: "Female", None: ""}


def test_bridge_customers_carry_gender_labels_and_numbers_stay_where_magento_keeps_them(bridge, native):
    """Oro_Api sends the gender option's label; the option id (1, 2) is what is stored and filtered.

    The core customerCustomerEntity has no gender element at all, in either mode; orders carry
    the id in customer_gender.
    """
    sim, client, session = bridge
    ids = range(1, sim.store.customer_count + 1)
    stored = {i: sim.store.customer(i)["gender"] for i in ids}
    assert set(stored.values()) == {1, 2, None}

    _, _, body = raw_call(
        sim,
        envelope(
            "oroCustomerList",
            f"<sessionId>{session}</sessionId><filters/><pager><page>1</page><pageSize>100</pageSize></pager>",
        ),
    )
    sent = re.findall(r'<gender xsi:type="xsd:string">([^<]*)</gender>', body.decode())
    assert sent == [GENDER_LABELS[stored[i]] for i in ids]
    for value in (1, 2, None):
        customer_id = next(i for i in ids if stored[i] == value)
        _, _, body = raw_call(
            sim, envelope("oroCustomerInfo", f"<sessionId>{session}</sessionId><customerId>{customer_id}</customerId>")
        )
        assert f'<gender xsi:type="xsd:string">{GENDER_LABELS[value]}</gender>'.encode() in body

    # A `gender` filter compares the option id, in the bridge list as in the core one.
    males = [i for i in ids if stored[i] == 1]
    bridge_males = client.service.oroCustomerList(session, filters(gender="1"), pager(1, 100))
    assert [c.customer_id for c in bridge_males] == males
    assert {c.gender for c in bridge_males} == {"Male"}

    native_sim, native_client, native_session = native
    native_stored = {i: native_sim.store.customer(i)["gender"] for i in ids}
    females = native_client.service.customerCustomerList(native_session, filters(gender="2"))
    assert [c.customer_id for c in females] == [i for i in ids if native_stored[i] == 2]
    for store_sim, store_session in ((sim, session), (native_sim, native_session)):
        for operation, inner in (
            ("customerCustomerList", "<filters/>"),
            ("customerCustomerInfo", "<customerId>3</customerId>"),
        ):
            _, _, body = raw_call(store_sim, envelope(operation, f"<sessionId>{store_session}</sessionId>{inner}"))
            assert b"<customer_id" in body and b"<gender" not in body

    orders = native_client.service.salesOrderList(native_session, filters(customer_is_guest="0"))
    assert orders
    for order in orders:
        value = native_stored[int(order.customer_id)]
        assert order.customer_gender == (str(value) if value else None)


# Filters ---------------------------------------------------------------------------------------


def test_updated_at_window_applies_both_bounds(bridge):
    _, client, session = bridge
    everything = client.service.customerCustomerList(session, {})
    dates = sorted(c.updated_at for c in everything)
    low, high = dates[20], dates[60]
    window = client.service.customerCustomerList(
        session, filters(("updated_at", "from", low), ("updated_at", "to", high))
    )
    assert [c.customer_id for c in window] == [c.customer_id for c in everything if low <= c.updated_at <= high]
    assert client.service.customerCustomerList(session, filters(("updated_at", "gt", "2099-01-01 00:00:00"))) == []


@pytest.mark.parametrize(
    "op, value, keep",
    [
        ("eq", "2", lambda v: v == 2),
        ("neq", "2", lambda v: v != 2),
        ("in", "1,3", lambda v: v in (1, 3)),
        ("nin", "1, 3", lambda v: v not in (1, 3)),
        ("gt", "2", lambda v: v > 2),
        ("lt", "2", lambda v: v < 2),
        ("gteq", "2", lambda v: v >= 2),
        ("lteq", "2", lambda v: v <= 2),
        ("from", "2", lambda v: v >= 2),
        ("to", "2", lambda v: v <= 2),
    ],
)
def test_complex_filter_operators_on_customers(bridge, op, value, keep):
    _, client, session = bridge
    everything = client.service.customerCustomerList(session, {})
    found = client.service.customerCustomerList(session, filters(("website_id", op, value))) or []
    assert [c.customer_id for c in found] == [c.customer_id for c in everything if keep(c.website_id)]


def test_filters_on_orders_in_every_list_operation(bridge, native):
    _, client, session = bridge
    everything = client.service.oroOrderList(session, {}, pager(1, 1000))
    expected = [o.order_id for o in everything if o.store_id in ("1", "3") and o.status == "complete"]
    conditions = filters(("store_id", "in", "1,3"), status="complete")
    assert [o.order_id for o in client.service.oroOrderList(session, conditions, pager(1, 1000))] == expected
    assert [o.order_id for o in client.service.salesOrderList(session, conditions)] == expected
    by_website = client.service.oroOrderList(session, filters(("website_id", "eq", "2")), pager(1, 1000))
    assert {o.store_id for o in by_website} <= {"3", "4", "5"} and by_website
    _, native_client, native_session = native
    native_orders = native_client.service.salesOrderList(native_session, conditions)
    assert [o.order_id for o in native_orders] == expected
    guests = client.service.salesOrderList(session, filters(customer_is_guest="1"))
    assert guests and all(o.customer_id is None for o in guests)
    like = client.service.salesOrderList(session, filters(("increment_id", "like", "3%")))
    assert like and all(o.increment_id.startswith("3") for o in like)


def test_keyset_paging_reads_every_record_once(bridge):
    _, client, session = bridge
    everything = [o.order_id for o in client.service.oroOrderList(session, {}, pager(1, 1000))]
    seen, last = [], 0
    while True:
        page = (
            client.service.oroOrderList(
                session,
                filters(
                    ("updated_at", "from", EVERYTHING[0]),
                    ("updated_at", "to", EVERYTHING[1]),
                    ("order_id", "gt", str(last)),
                ),
                pager(1, 100),
            )
            or []
        )
        seen += [o.order_id for o in page]
        if len(page) < 100:
            break
        last = int(page[-1].order_id)
    assert seen == everything


@pytest.mark.parametrize("operation", ["customerCustomerList", "salesOrderList", "oroCustomerList", "oroOrderList"])
def test_unknown_column_is_a_sql_fault(bridge, operation):
    _, client, session = bridge
    args = (session, filters(("foo", "eq", "1"))) + ((pager(1, 10),) if operation.startswith("oro") else ())
    with pytest.raises(zeep.exceptions.Fault) as fault:
        getattr(client.service, operation)(*args)
    assert fault.value.code == "1"
    assert fault.value.message == "SQLSTATE[42S22]: Column not found: 1054 Unknown column 'foo' in 'where clause'"


def test_core_order_list_has_no_website_column(native):
    _, client, session = native
    with pytest.raises(zeep.exceptions.Fault) as fault:
        client.service.salesOrderList(session, filters(website_id="1"))
    assert fault.value.code == "1" and "'website_id'" in fault.value.message


# The bridge pager ------------------------------------------------------------------------------


@pytest.mark.parametrize("operation, key", [("oroCustomerList", "customer_id"), ("oroOrderList", "order_id")])
def test_pages_concatenate_to_the_whole_list_and_past_the_end_is_empty(bridge, operation, key):
    _, client, session = bridge
    call = getattr(client.service, operation)
    whole = [getattr(r, key) for r in call(session, {}, pager(1, 1000))]
    pages: list[list] = []
    while not pages or len(pages[-1]) == 25:
        pages.append([getattr(r, key) for r in call(session, {}, pager(len(pages) + 1, 25))])
    assert [record for page in pages for record in page] == whole
    assert call(session, {}, pager(100_000, 25)) == []


def test_page_size_cap(fresh):
    sim = fresh(page_size_cap=7)
    client = strict_client(sim.wsdl_url)
    session = client.service.login(USER, KEY)
    assert len(client.service.oroOrderList(session, {}, pager(1, 100))) == 7
    assert client.service.oroOrderList(session, {}, pager(2, 100))[0].order_id == "8"


# Faults ----------------------------------------------------------------------------------------


def test_faults_are_http_200_with_magento_codes(bridge):
    sim, client, session = bridge
    cases = [
        (lambda: client.service.login(USER, "wrong"), "2", "Access denied."),
        (lambda: client.service.storeList("0" * 32), "5", "Session expired. Try to relogin."),
        (lambda: client.service.salesOrderInfo(session, "999999999"), "100", "Requested order not exists."),
        (
            lambda: client.service.customerCustomerInfo(session, 99_999, zeep.xsd.SkipValue),
            "102",
            "Customer not exists.",
        ),
        (lambda: client.service.customerAddressList(session, 0), "102", "Customer not exists."),
    ]
    for call, code, message in cases:
        with pytest.raises(zeep.exceptions.Fault) as fault:
            call()
        assert (fault.value.code, fault.value.message, fault.value.detail) == (code, message, None)
    status, headers, body = raw_call(sim, envelope("login", "<username>x</username><apiKey>y</apiKey>"))
    assert status == 200 and headers["Date"]
    assert body.endswith(
        b"<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>2</faultcode><faultstring>Access denied.</faultstring>"
        b"</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>\n"
    )


def test_ended_session_is_expired(bridge):
    _, client, _ = bridge
    session = client.service.login(USER, KEY)
    client.service.storeList(session)
    client.service.endSession(session)
    with pytest.raises(zeep.exceptions.Fault, match="Session expired"):
        client.service.storeList(session)


def test_sessions_expire_after_n_calls(fresh):
    sim = fresh(expire_sessions=3)
    client = strict_client(sim.wsdl_url)
    session = client.service.login(USER, KEY)
    for _ in range(3):
        client.service.storeList(session)
    with pytest.raises(zeep.exceptions.Fault) as fault:
        client.service.storeList(session)
    assert fault.value.code == "5"
    assert client.service.storeList(client.service.login(USER, KEY))


def test_fault_rate_answers_5xx_html_or_drops_deterministically(fresh):
    outcomes = []
    for _ in range(2):
        sim = fresh(fault_rate=0.6)
        seen = []
        for _ in range(30):
            try:
                status, headers, body = raw_call(
                    sim, envelope("login", f"<username>{USER}</username><apiKey>{KEY}</apiKey>")
                )
            except (http.client.RemoteDisconnected, ConnectionError):
                seen.append("drop")
                continue
            assert headers["Date"]
            if status != 200:
                assert status in (500, 502, 503, 504)
                assert headers["Content-Type"].startswith("text/html") and b"<html>" in body
            seen.append(status)
        outcomes.append(seen)
    assert outcomes[0] == outcomes[1]
    assert 200 in outcomes[0] and {500, 502, 503, 504} & set(outcomes[0])


def test_not_xml_rate_answers_200_with_a_php_error_page(fresh):
    sim = fresh(not_xml_rate=1.0)
    status, headers, body = raw_call(sim, envelope("login", f"<username>{USER}</username><apiKey>{KEY}</apiKey>"))
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"Fatal error" in body and not body.startswith(b"<?xml")


def test_latency_and_runtime_fault_settings(fresh):
    sim = fresh(latency_ms=150)
    started = time.monotonic()
    raw_call(sim, envelope("login", f"<username>{USER}</username><apiKey>{KEY}</apiKey>"))
    assert time.monotonic() - started >= 0.15
    assert control(sim, "/_sim/faults", {"latency_ms": 0, "fault_rate": 1.0})["fault_rate"] == 1.0
    status = None
    try:
        status, _, _ = raw_call(sim, envelope("login", "<username>a</username><apiKey>b</apiKey>"))
    except (http.client.RemoteDisconnected, ConnectionError):
        status = "drop"
    assert status in (500, 502, 503, 504, "drop")


def test_bad_xml_is_a_client_fault(bridge):
    sim, _, _ = bridge
    status, _, body = raw_call(sim, "this is not xml")
    assert status == 200 and b"<faultcode>SOAP-ENV:Client</faultcode><faultstring>Bad Request</faultstring>" in body


def test_connections_are_kept_alive(bridge):
    sim, _, _ = bridge
    connection = http.client.HTTPConnection(sim.host, sim.port, timeout=10)
    body = envelope("login", f"<username>{USER}</username><apiKey>{KEY}</apiKey>").encode()
    for _ in range(3):
        connection.request("POST", "/api.php?type=v2_soap", body)
        answer = connection.getresponse()
        assert answer.status == 200 and b"loginReturn" in answer.read()
    connection.close()


# Control endpoints -----------------------------------------------------------------------------


def test_stats_and_touch(fresh):
    sim = fresh(customers=30, orders=50)
    client = strict_client(sim.wsdl_url)
    session = client.service.login(USER, KEY)
    client.service.storeList(session)
    stats = control(sim, "/_sim/stats")
    assert (stats["customers"], stats["orders"], stats["mode"]) == (30, 50, "bridge")
    assert stats["calls"]["login"] == 1 and stats["calls"]["storeList"] == 1

    touched = control(sim, "/_sim/touch", {"entity": "orders", "count": 4})
    assert len(touched["ids"]) == 4
    recent = client.service.oroOrderList(session, filters(("updated_at", "from", touched["updated_at"])), pager(1, 100))
    assert [int(o.order_id) for o in recent] == touched["ids"]
    assert {o.updated_at for o in recent} == {touched["updated_at"]}
    # Same seed, same sequence of touches: the same records.
    other = fresh(customers=30, orders=50)
    assert control(other, "/_sim/touch", {"entity": "orders", "count": 4})["ids"] == touched["ids"]

    chosen = control(sim, "/_sim/touch", {"entity": "customers", "ids": [7, 3]})
    assert chosen["ids"] == [3, 7]
    assert client.service.customerCustomerInfo(session, 7, zeep.xsd.SkipValue).updated_at == chosen["updated_at"]
    with pytest.raises(urllib.error.HTTPError) as error:
        control(sim, "/_sim/touch", {"entity": "carts", "count": 1})
    assert error.value.code == 400


# Data ------------------------------------------------------------------------------------------


def test_same_seed_same_data_and_other_seed_other_data():
    first = generator.generate(seed=11, customers=60, orders=150, now=NOW)
    again = generator.generate(seed=11, customers=60, orders=150, now=NOW)
    other = generator.generate(seed=12, customers=60, orders=150, now=NOW)
    assert [first.customer(i) for i in range(1, 61)] == [again.customer(i) for i in range(1, 61)]
    assert [first.order(i) for i in range(1, 151)] == [again.order(i) for i in range(1, 151)]
    assert [first.order(i) for i in range(1, 151)] != [other.order(i) for i in range(1, 151)]


def test_same_seed_same_answers_over_http(fresh):
    answers = []
    for _ in range(2):
        sim = fresh(customers=25, orders=60, seed=4)
        session = strict_client(sim.wsdl_url).service.login(USER, KEY)
        answers.append(raw_call(sim, envelope("salesOrderList", f"<sessionId>{session}</sessionId><filters/>"))[2])
    assert answers[0] == answers[1]


def test_data_looks_like_a_real_store():
    data = generator.generate(seed=7, customers=300, orders=900, now=NOW)
    customers = [data.customer(i) for i in range(1, 301)]
    orders = [data.order(i) for i in range(1, 901)]
    emails = [(c["email"], c["website_id"]) for c in customers]
    assert len(set(emails)) == len(emails), "emails are unique per website"
    assert len({e for e, _ in emails}) < len(emails), "some email exists on two websites"
    assert any(c["lastname"] is None for c in customers)
    assert all(c["created_at"] <= c["updated_at"] <= "2026-06-01 00:00:00" for c in customers)
    assert any("\n" in a["street"] for c in customers for a in c["addresses"])

    guests = [o for o in orders if o["customer_is_guest"] == "1"]
    assert 0.18 < len(guests) / len(orders) < 0.32
    assert all(o["customer_id"] is None for o in guests)
    guest_emails = [o["customer_email"] for o in guests]
    assert len(set(guest_emails)) < len(guest_emails), "guest emails repeat"
    assert set(guest_emails) & {e for e, _ in emails}, "some guests use a registered customer's email"
    assert len({o["increment_id"] for o in orders}) == len(orders)
    assert len({o["store_id"] for o in orders}) == 6

    def cents(text: str) -> int:
        return round(float(text) * 100)

    for order in orders:
        assert cents(order["subtotal"]) == sum(cents(item["row_total"]) for item in order["items"])
        assert cents(order["grand_total"]) == sum(
            cents(order[f]) for f in ("subtotal", "shipping_amount", "tax_amount", "discount_amount")
        )
        assert order["store_name"].count("\n") == 2
    comments = [row["comment"] for order in orders for row in order["status_history"]]
    assert None in comments and any(comments)


def test_malformed_records_stay_schema_valid(fresh):
    sim = fresh(customers=40, orders=60, malformed=12)
    client = strict_client(sim.wsdl_url)
    session = client.service.login(USER, KEY)
    customers = client.service.oroCustomerList(session, {}, pager(1, 100))
    orders = client.service.oroOrderList(session, {}, pager(1, 100))
    assert len(customers) == 40 and len(orders) == 60
    assert any(c.email is None and c.firstname is None for c in customers)
    assert any(c.created_at == "0000-00-00 00:00:00" for c in customers)
    assert any(o.updated_at == "2021-13-45 99:00:00" for o in orders)
    assert any(c.email and " " in c.email for c in customers)
    assert any(len(c.firstname or "") > 10_000 for c in customers)
    assert any(a.country_id in ("XX", "ZZZ") for c in customers for a in c.addresses or [])
    assert any(o.shipping_address.country_id == "XX" for o in orders)
    assert any(len(i.name) > 10_000 for o in orders for i in o.items)


# The command -----------------------------------------------------------------------------------


def test_command_prints_its_address_and_stops_on_sigterm():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            *(sys.executable, "manage.py", "magento_simulator", "--port", "0"),
            *("--customers", "5", "--orders", "5", "--carts", "3"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("Magento 1 simulator (bridge) listening on http://127.0.0.1:")
        wsdl_url = line.split(" on ", 1)[1].strip()
        assert wsdl_url.endswith("/api/v2_soap/?wsdl=1")
        with urllib.request.urlopen(wsdl_url, timeout=10) as answer:
            assert answer.status == 200
        base = wsdl_url.removesuffix("/api/v2_soap/?wsdl=1")
        with urllib.request.urlopen(base + "/_sim/stats", timeout=10) as answer:
            assert json.load(answer)["quotes"] == 5 + 3
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    finally:
        if process.poll() is None:
            process.kill()
