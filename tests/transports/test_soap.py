"""The SOAP transport on the shared HTTP layer, against the Magento simulator behind a hostile proxy."""

from __future__ import annotations

import time

import pytest

from integrations.connectors.magento1.transport import MagentoSoapClient
from integrations.engine.errors import RemoteError, RemoteTimeout


def soap(url: str, sim, **options) -> MagentoSoapClient:
    return MagentoSoapClient(
        **{"wsdl_url": url, "api_user": sim.api_user, "api_key": sim.api_key, "retry_delays": (0, 0), **options}
    )


def wsdl_of(proxy) -> str:
    return f"{proxy.url}/api/v2_soap/?wsdl=1"


def test_a_wsdl_and_an_answer_cut_mid_way_are_retried(magento, hostile):
    sim = magento(customers=5, orders=5)
    proxy = hostile(sim.url)
    proxy.control.rules({"cut_after": 100, "times": 2}, {"body": "storeList", "cut_after": 100, "times": 1})
    lines: list[str] = []
    client = soap(wsdl_of(proxy), sim, log=lines.append)
    assert client.call("storeList")
    assert [line.split(":")[0] for line in lines] == ["loading the WSDL", "loading the WSDL", "storeList"]
    assert all("cut the connection" in line and "retrying" in line for line in lines)


def test_an_endless_wsdl_stops_at_the_size_cap(magento, hostile):
    sim = magento(customers=5, orders=5)
    proxy = hostile(sim.url)
    proxy.control.rules({"path": "wsdl", "endless": True})
    started = time.monotonic()
    with pytest.raises(RemoteError, match="answered the WSDL request with more than 1 MB"):
        soap(wsdl_of(proxy), sim, max_response_bytes=1024 * 1024).login()
    assert time.monotonic() - started < 10


def test_an_endless_answer_stops_at_the_size_cap(magento, hostile):
    sim = magento(customers=5, orders=5)
    proxy = hostile(sim.url)
    proxy.control.rules({"body": "storeList", "endless": True})
    client = soap(wsdl_of(proxy), sim, max_response_bytes=1024 * 1024)
    with pytest.raises(RemoteError, match="answered storeList with more than 1 MB"):
        client.call("storeList")
    assert client.call("customerGroupList"), "the next call works"


@pytest.mark.parametrize(("rule", "what"), [({"path": "wsdl"}, "the WSDL request"), ({"body": "login"}, "login")])
def test_a_dripping_store_ends_at_the_call_deadline(magento, hostile, rule, what):
    sim = magento(customers=5, orders=5)
    proxy = hostile(sim.url)
    proxy.control.rules({**rule, "drip": 0.05})  # one byte every 50 ms: each well within the read timeouts
    started = time.monotonic()
    with pytest.raises(RemoteTimeout, match=f"did not finish answering {what} within 1 s"):
        soap(wsdl_of(proxy), sim, deadline=1, retry_delays=()).login()
    assert time.monotonic() - started < 4
