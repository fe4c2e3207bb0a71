"""The simulator with WS-I compliance on answers as a real store does: document/literal, read strictly."""

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import zeep
from lxml import etree

from integrations.simulators.magento1 import wsdl
from integrations.simulators.magento1.server import start_simulator
from integrations.simulators.magento1.soap import ResponseWriter
from tests.simulators.test_magento1_simulator import raw_call, strict_client

NOW = datetime(2026, 6, 1, tzinfo=UTC)
USER, KEY = "tester", "tester-key-42"
EVERYTHING = ("2000-01-01 00:00:00", "2100-01-01 00:00:00")
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


@pytest.fixture(scope="module")
def sim():
    simulator = start_simulator(customers=30, orders=60, seed=5, now=NOW, api_user=USER, api_key=KEY, wsi=True)
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def client(sim):
    return strict_client(sim.wsdl_url)


@pytest.fixture(scope="module")
def session(client):
    return client.service.login(USER, KEY)


def filters(*complex_conditions: tuple[str, str, str], **equal: str) -> dict:
    """A WS-I `filters` value: every list a run of `complexObjectArray`."""
    value: dict = {}
    if equal:
        value["filter"] = {"complexObjectArray": [{"key": key, "value": text} for key, text in equal.items()]}
    if complex_conditions:
        value["complex_filter"] = {
            "complexObjectArray": [
                {"key": key, "value": {"key": op, "value": text}} for key, op, text in complex_conditions
            ]
        }
    return value


def members(value: Any) -> list:
    """A literal array as zeep reads it strictly: its `complexObjectArray` (an empty one is None).

    zeep hands an operation's `result` array over as the list itself.
    """
    if value is None:
        return []
    return value if isinstance(value, list) else list(value.complexObjectArray)


def wsi_envelope(element: str, inner: str) -> str:
    return (
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:ns1="urn:Magento"><SOAP-ENV:Body>'
        f"<ns1:{element}>{inner}</ns1:{element}></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )


def fault_of(body: bytes) -> tuple[str, str]:
    root = etree.fromstring(body)
    fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None, body[:500]
    assert fault.find("detail") is None
    return fault.findtext("faultcode"), fault.findtext("faultstring")


def test_it_serves_the_ws_i_wsdl_with_its_own_address(sim, client):
    import urllib.request

    with urllib.request.urlopen(sim.wsdl_url, timeout=10) as answer:
        document = answer.read()
    assert b'<soap:binding style="document"' in document
    assert f'location="{sim.url}/api.php?type=v2_soap"'.encode() in document
    assert client.service._binding._operations["login"].style == "document"
    assert sim.app.model.wsi and sim.app.model.mode == "bridge"


def test_login_and_ping_answer_in_their_wrappers(sim, client, session):
    assert re.fullmatch(r"[0-9a-f]{32}", session)
    ping = client.service.oroPing(session)
    assert (ping.version, ping.mage_version, ping.customer_scope) == ("1.2.19", "1.9.4.5", 1)
    status, _, body = raw_call(sim, wsi_envelope("oroPingRequestParam", f"<sessionId>{session}</sessionId>"))
    assert status == 200
    text = body.decode()
    assert "<ns1:oroPingResponseParam><result><version>1.2.19</version>" in text
    assert "xsi:type" not in text and "SOAP-ENC" not in text


def test_lists_are_runs_of_complex_object_array_and_an_empty_list_is_an_empty_result(sim, session):
    def customers(inner_filters: str) -> str:
        inner = f"<sessionId>{session}</sessionId><filters>{inner_filters}</filters>"
        status, _, body = raw_call(sim, wsi_envelope("customerCustomerListRequestParam", inner))
        assert status == 200
        return body.decode()

    complex_in = (
        "<complex_filter><complexObjectArray><key>customer_id</key><value><key>in</key><value>{}</value></value>"
        "</complexObjectArray></complex_filter>"
    )
    two = customers(complex_in.format("1,2"))
    assert "<ns1:customerCustomerListResponseParam><result><complexObjectArray><customer_id>1</customer_id>" in two
    assert two.count("<complexObjectArray>") == 2
    one = customers("<filter><complexObjectArray><key>customer_id</key><value>3</value></complexObjectArray></filter>")
    assert one.count("<complexObjectArray>") == 1 and "<customer_id>3</customer_id>" in one
    none = customers(complex_in.format("999999"))
    assert "<ns1:customerCustomerListResponseParam><result/></ns1:customerCustomerListResponseParam>" in none


def test_answers_parse_with_a_strict_client_of_the_ws_i_wsdl(sim, client, session):
    service = client.service
    assert len(members(service.storeList(session))) >= 5
    assert members(service.customerGroupList(session))
    assert members(service.directoryCountryList(session))
    assert {w.website_id for w in members(service.oroWebsiteList(session))} >= {1, 2}

    listed = members(service.oroCustomerList(session, filters(("updated_at", "from", EVERYTHING[0])), pager(1, 50)))
    assert len(listed) == sim.store.customer_count
    with_addresses = next(c for c in listed if members(c.addresses))
    assert with_addresses.gender in ("Male", "Female", None, "")
    addresses = members(service.customerAddressList(session, with_addresses.customer_id))
    assert [a.customer_address_id for a in addresses] == [
        a.customer_address_id for a in members(with_addresses.addresses)
    ]
    core = service.customerCustomerInfo(session, with_addresses.customer_id, None)
    assert core.email == with_addresses.email

    orders = members(service.oroOrderList(session, filters(("updated_at", "from", EVERYTHING[0])), pager(1, 100)))
    assert len(orders) == sim.store.order_count
    info = service.salesOrderInfo(session, orders[0].increment_id)
    assert info.increment_id == orders[0].increment_id
    assert members(info.items) and members(info.status_history)
    assert info.billing_address.address_type == "billing"
    bridge_info = service.oroOrderInfo(session, orders[0].increment_id)
    assert [i.sku for i in members(bridge_info.items)] == [i.sku for i in members(info.items)]
    native = members(service.salesOrderList(session, filters(order_id=str(orders[0].order_id))))
    assert [o.increment_id for o in native] == [orders[0].increment_id]


def pager(page: int, size: int) -> dict:
    return {"page": str(page), "pageSize": str(size)}


def test_filters_and_pagers_are_read_from_the_wrapped_parameters(client, session):
    service = client.service
    everything = filters(("updated_at", "from", EVERYTHING[0]), ("updated_at", "to", EVERYTHING[1]))
    first = members(service.oroCustomerList(session, everything, pager(1, 7)))
    second = members(service.oroCustomerList(session, everything, pager(2, 7)))
    assert len(first) == len(second) == 7
    assert not {c.customer_id for c in first} & {c.customer_id for c in second}
    picked = first[2]
    by_email = members(service.customerCustomerList(session, filters(email=picked.email)))
    assert picked.customer_id in [c.customer_id for c in by_email]
    above = members(service.oroCustomerList(session, filters(("customer_id", "gt", "25")), pager(1, 100)))
    assert above and all(c.customer_id > 25 for c in above)


def test_faults_come_as_in_rpc_mode(sim, session):
    bad_login = raw_call(sim, wsi_envelope("loginParam", f"<username>{USER}</username><apiKey>nope</apiKey>"))
    assert bad_login[0] == 200 and fault_of(bad_login[2]) == ("2", "Access denied.")
    expired = raw_call(sim, wsi_envelope("storeListRequestParam", "<sessionId>not-a-session</sessionId>"))
    assert expired[0] == 200 and fault_of(expired[2]) == ("5", "Session expired. Try to relogin.")
    inner = f"<sessionId>{session}</sessionId><orderIncrementId>999999999</orderIncrementId>"
    missing = raw_call(sim, wsi_envelope("salesOrderInfoRequestParam", inner))
    assert fault_of(missing[2]) == ("100", "Requested order not exists.")
    column = (
        f"<sessionId>{session}</sessionId><filters><filter><complexObjectArray><key>no_such_column</key>"
        "<value>1</value></complexObjectArray></filter></filters>"
    )
    code, message = fault_of(raw_call(sim, wsi_envelope("customerCustomerListRequestParam", column))[2])
    assert code == "1" and "Unknown column 'no_such_column'" in message
    unknown = raw_call(sim, wsi_envelope("fooBarRequestParam", f"<sessionId>{session}</sessionId>"))
    assert fault_of(unknown[2]) == ("SOAP-ENV:Server", "Procedure 'fooBar' not present")


def test_a_strict_client_sees_the_faults_as_faults(client):
    with pytest.raises(zeep.exceptions.Fault) as caught:
        client.service.login(USER, "wrong")
    assert (caught.value.code, caught.value.message) == ("2", "Access denied.")


def sample(model: wsdl.WsdlModel, ref: wsdl.TypeRef, depth: int = 0) -> Any:
    """A value for any type of the WSDL: scalars, structs with every field, arrays of two."""
    if ref.builtin:
        return {"int": 7, "long": 7, "boolean": True, "double": 1.5}.get(ref.name, "a & <b>")
    complex_type = model.types[ref.name]
    if complex_type.item is not None:
        return [] if depth > 3 else [sample(model, complex_type.item, depth + 1) for _ in range(2)]
    record = {name: sample(model, field, depth + 1) for name, field in complex_type.fields if depth <= 3}
    # One optional and one required field left null: left out, and sent empty.
    for name, _ in complex_type.fields[:2]:
        record[name] = None
    return record


def test_every_operation_of_the_wsdl_can_be_answered_and_read_strictly(client):
    """The writer is generic over the WSDL's types: operations without a handler yet answer readably."""
    model = wsdl.load("bridge", wsi=True)
    writer = ResponseWriter(model)
    bound = client.service._binding._operations
    checked = 0
    for name, operation in model.operations.items():
        if operation.output[1].name == "anyType":
            continue  # `call` / `multiCall`: any content, nothing to check
        document = writer.response(name, sample(model, operation.output[1]))
        bound[name].process_reply(etree.fromstring(document))
        checked += 1
    assert checked > 150
    for name in ("oroQuoteList", "salesOrderCreditmemoList", "salesOrderCreditmemoInfo", "newsletterSubscriberList"):
        assert name in model.operations, name


def test_empty_and_single_item_lists_read_strictly(client):
    model = wsdl.load("bridge", wsi=True)
    writer = ResponseWriter(model)
    bound = client.service._binding._operations["newsletterSubscriberList"]
    empty = writer.response("newsletterSubscriberList", [])
    assert b"<result/>" in empty
    assert members(bound.process_reply(etree.fromstring(empty))) == []
    single = writer.response("newsletterSubscriberList", [{"subscriber_id": "4", "subscriber_email": "a@b.c"}])
    [subscriber] = members(bound.process_reply(etree.fromstring(single)))
    assert (subscriber.subscriber_id, subscriber.subscriber_email) == ("4", "a@b.c")


def test_only_the_bridge_store_has_a_ws_i_wsdl():
    with pytest.raises(ValueError, match="no WS-I compliant WSDL for mode 'native'"):
        start_simulator(customers=1, orders=1, mode="native", wsi=True)
