"""SOAP answers that cannot be read: too big for the parser (not retried) or garbled (retried first)."""

from __future__ import annotations

import pytest

from integrations.connectors.magento1.streams import complex_filter
from integrations.connectors.magento1.transport import MagentoSoapClient
from integrations.engine.errors import GarbledAnswer, TransientError, UnreadableAnswer
from integrations.simulators.magento1.server import start_simulator

ALL = complex_filter(("updated_at", "from", "2000-01-01 00:00:00"))
PAGE = {"page": "1", "pageSize": "10"}


@pytest.fixture
def store(hostile):
    simulator = start_simulator(customers=12, orders=0)
    proxy = hostile(simulator.url)
    client = MagentoSoapClient(
        wsdl_url=f"{proxy.url}/api/v2_soap/?wsdl=1", api_user="demo", api_key="demo-key-123", retry_delays=(0, 0)
    )
    client.login()
    yield proxy, client
    simulator.stop()


def customer_list_calls(proxy) -> int:
    return sum("oroCustomerList" in request["body"] for request in proxy.control.seen())


def test_a_value_beyond_the_parser_limit_is_unreadable_at_once_and_its_size_kept_out_of_the_message(store):
    proxy, client = store
    huge = {"pattern": r'(<lastname xsi:type="xsd:string">)[^<]*', "with": r"\1{big:10485760}", "count": 1}
    proxy.control.rules({"body": "oroCustomerList", "replace": [huge]})
    with pytest.raises(UnreadableAnswer) as caught:
        client.call("oroCustomerList", ALL, PAGE)
    assert not isinstance(caught.value, TransientError), "the same answer would come again: not retried"
    assert customer_list_calls(proxy) == 1
    message = str(caught.value)
    assert "larger than oroint reads" in message and "Text node too long" in message
    assert len(message) < 500 and caught.value.__cause__ is None, "zeep's error holds the whole answer"


def test_an_answer_that_is_not_soap_is_garbled_and_retried(store):
    proxy, client = store
    proxy.control.rules({"body": "oroCustomerList", "replace": [{"pattern": "(?s).*", "with": "<b>Fatal error</b>"}]})
    with pytest.raises(GarbledAnswer) as caught:
        client.call("oroCustomerList", ALL, PAGE)
    assert isinstance(caught.value, TransientError) and isinstance(caught.value, UnreadableAnswer)
    assert customer_list_calls(proxy) == 3, "tried once and retried twice"
    assert "not SOAP" in str(caught.value) or "not XML" in str(caught.value)
