"""The Magento client reads a WS-I compliant store as it reads an RPC/encoded one: same calls, same data."""

from datetime import UTC, datetime
from typing import Any

import pytest

from integrations.connectors.magento1.streams import complex_filter
from integrations.connectors.magento1.transport import MagentoSoapClient
from integrations.simulators.magento1.server import start_simulator

NOW = datetime(2026, 6, 1, tzinfo=UTC)
SINCE = ("updated_at", "from", "2000-01-01 00:00:00")


@pytest.fixture(scope="module")
def stores():
    """The same seeded store twice: WS-I compliance off and on."""
    started = {wsi: start_simulator(customers=25, orders=50, seed=8, now=NOW, wsi=wsi) for wsi in (False, True)}
    yield started
    for simulator in started.values():
        simulator.stop()


def client_of(simulator) -> MagentoSoapClient:
    return MagentoSoapClient(wsdl_url=simulator.wsdl_url, api_user="demo", api_key="demo-key-123", retry_delays=(0, 0))


@pytest.fixture(scope="module")
def clients(stores):
    made = {wsi: client_of(simulator) for wsi, simulator in stores.items()}
    yield made
    for client in made.values():
        client.end_session()


def same(rpc: Any, wsi: Any) -> bool:
    """Equal, where a list left out of an RPC answer (None) is WS-I's empty one."""
    if isinstance(rpc, dict) and isinstance(wsi, dict):
        return rpc.keys() == wsi.keys() and all(same(rpc[key], wsi[key]) for key in rpc)
    if isinstance(rpc, list) and isinstance(wsi, list):
        return len(rpc) == len(wsi) and all(same(a, b) for a, b in zip(rpc, wsi, strict=True))
    if rpc is None and wsi == []:
        return True
    return rpc == wsi


def test_the_style_is_read_from_the_wsdl(clients):
    assert clients[True].is_wsi and clients[True].style == "document"
    assert not clients[False].is_wsi and clients[False].style == "rpc"


def test_filters_are_built_for_the_store_s_style(clients):
    conditions = [("updated_at", "from", "2020-01-01 00:00:00"), ("customer_id", "gt", "4")]
    items = [
        {"key": "updated_at", "value": {"key": "from", "value": "2020-01-01 00:00:00"}},
        {"key": "customer_id", "value": {"key": "gt", "value": "4"}},
    ]
    assert clients[True].filters(conditions) == {"complex_filter": {"complexObjectArray": items}}
    assert clients[False].filters(conditions) == {"complex_filter": {"_value_1": items}}


CALLS = [
    ("oroPing", ()),
    ("storeList", ()),
    ("customerGroupList", ()),
    ("oroWebsiteList", ()),
    ("oroCustomerList", (complex_filter(SINCE), {"page": "1", "pageSize": "100"})),
    ("oroCustomerList", (complex_filter(SINCE, ("customer_id", "gt", "20")), {"page": "2", "pageSize": "2"})),
    ("customerCustomerList", (complex_filter(SINCE),)),
    ("customerAddressList", (3,)),
    ("oroOrderList", (complex_filter(SINCE), {"page": "1", "pageSize": "100"})),
    ("salesOrderList", (complex_filter(SINCE, ("order_id", "lteq", "10")),)),
    ("salesOrderInfo", ("100000007",)),
    ("oroOrderInfo", ("100000007",)),
]


@pytest.mark.parametrize(("operation", "args"), CALLS, ids=[f"{op}-{i}" for i, (op, _) in enumerate(CALLS)])
def test_both_styles_give_the_same_records(clients, operation, args):
    rpc = clients[False].call(operation, *args)
    wsi = clients[True].call(operation, *args)
    if operation == "oroPing":  # each store names its own address
        rpc.pop("admin_url"), wsi.pop("admin_url")
    assert rpc, "the call returns something to compare"
    assert same(rpc, wsi), f"{operation}: {rpc!r:.600}\n!=\n{wsi!r:.600}"


def test_orders_keep_items_addresses_and_status_history(clients):
    order = clients[True].call("salesOrderInfo", "100000003")
    assert isinstance(order["items"], list) and order["items"]
    assert isinstance(order["status_history"], list) and order["status_history"]
    assert order["billing_address"]["address_type"] == "billing"
    assert isinstance(order["payment"], dict)


def test_a_single_item_is_a_one_item_list_and_nothing_an_empty_one(clients, stores):
    client = clients[True]
    [one] = client.call("oroCustomerList", complex_filter(("customer_id", "eq", "4")), {"page": "1", "pageSize": "9"})
    assert one["customer_id"] == 4
    assert client.call("oroCustomerList", complex_filter(("customer_id", "eq", "99999")), {"page": "1"}) == []
    assert client.call("salesOrderList", complex_filter(("order_id", "eq", "99999"))) == []
    customers = stores[True].store.find_customers([], None)
    single = next(c for c in customers if len(c["addresses"]) == 1)
    none = next((c for c in customers if not c["addresses"]), None)
    [address] = client.call("customerAddressList", single["customer_id"])
    assert address["customer_address_id"] == single["addresses"][0]["customer_address_id"]
    if none is not None:
        assert client.call("customerAddressList", none["customer_id"]) == []
    [listed] = client.call(
        "oroCustomerList", complex_filter(("customer_id", "eq", str(single["customer_id"]))), {"page": "1"}
    )
    assert len(listed["addresses"]) == 1


def test_an_empty_nested_list_is_an_empty_list(stores):
    simulator = stores[True]
    customer = simulator.store.find_customers([], None)[0]
    saved = customer["addresses"]
    customer["addresses"] = []
    try:
        client = client_of(simulator)
        filters = complex_filter(("customer_id", "eq", str(customer["customer_id"])))
        [listed] = client.call("oroCustomerList", filters, {"page": "1"})
        assert listed["addresses"] == []
        assert client.call("customerAddressList", customer["customer_id"]) == []
    finally:
        customer["addresses"] = saved


def test_a_session_that_expires_is_renewed_in_ws_i_mode_too():
    simulator = start_simulator(customers=3, orders=3, wsi=True, expire_sessions=2)
    lines: list[str] = []
    try:
        client = MagentoSoapClient(
            wsdl_url=simulator.wsdl_url, api_user="demo", api_key="demo-key-123", log=lines.append
        )
        for _ in range(5):
            assert len(client.call("storeList")) >= 5
        assert any("session expired" in line for line in lines)
        assert simulator.app.operations.calls["login"] >= 2
    finally:
        simulator.stop()
