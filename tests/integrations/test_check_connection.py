"""Check Connection says exactly what is wrong: unreachable, timeout, not Magento, access denied."""

import socket
import time

import pytest

from integrations.models import ConnectionCheck, SyncRun
from integrations.services import connection_check_request, integration_check_connection, sync_schedule
from tests.conftest import free_port, wait_for
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db


def check(url: str, **options):
    integration = magento_integration(url=url, **options)
    record = ConnectionCheck.objects.create(integration=integration)
    result = integration_check_connection(integration=integration, check=record)
    record.refresh_from_db()
    assert record.status == ("succeeded" if result.ok else "failed")
    assert record.message == result.message
    return result


def test_host_unreachable():
    result = check(f"http://127.0.0.1:{free_port()}/api/v2_soap/?wsdl=1")
    assert not result.ok
    assert result.message.startswith("Host unreachable")


def test_timeout(settings):
    settings.OROINT_SYNC = {**settings.OROINT_SYNC, "CONNECT_TIMEOUT": 0.5}
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # accepts connections, never answers
    try:
        result = check(f"http://127.0.0.1:{silent.getsockname()[1]}/api/v2_soap/?wsdl=1")
    finally:
        silent.close()
    assert not result.ok
    assert "Timed out" in result.message


def test_not_a_magento_wsdl(http_server):
    result = check(http_server(b"<html><body>Welcome to our shop</body></html>"))
    assert not result.ok
    assert result.message.startswith("Not a Magento WSDL")


def test_a_wsdl_without_login_is_not_magento(http_server):
    wsdl = b"""<?xml version="1.0"?>
    <definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:Other" name="Other"/>"""
    result = check(http_server(wsdl, "text/xml"))
    assert not result.ok
    assert "Not a Magento WSDL" in result.message


def test_access_denied(magento):
    sim = magento(customers=5, orders=5)
    result = check(sim.wsdl_url, api_key="not-the-key")
    assert not result.ok
    assert result.message.startswith("Access denied")
    assert "not-the-key" not in result.message


def test_bridge_detected_with_versions_and_websites(magento):
    sim = magento(customers=5, orders=5)
    result = check(sim.wsdl_url)
    assert result.ok, result.message
    assert result.details["mode"] == "bridge"
    assert result.details["extension_version"] and result.details["magento_version"]
    assert result.details["is_supported_version"] is True


def test_native_store_on_the_openmage_namespace(magento):
    sim = magento(customers=5, orders=5, mode="native")
    result = check(sim.wsdl_url)
    assert result.ok, result.message
    assert result.details["mode"] == "native"
    assert "native Magento API" in result.message
    assert result.details["websites"]


def test_bridge_forced_on_a_native_store_is_refused(magento):
    sim = magento(customers=5, orders=5, mode="native")
    result = check(sim.wsdl_url, mode="bridge")
    assert not result.ok
    assert "Oro Bridge extension not found" in result.message


def test_a_ws_i_store_is_told_what_to_change(http_server):
    from pathlib import Path

    wsdl = (
        Path(__file__).resolve().parents[2] / "integrations/simulators/magento1/wsdl/openmage-20.0.14-bridge-wsi.wsdl"
    )
    result = check(http_server(wsdl.read_bytes(), "text/xml"))
    assert not result.ok
    assert "The store serves the WS-I compliant API (document/literal): tick WS-I compliance" in result.message


def test_the_ws_i_setting_is_read_by_check_connection(magento):
    sim = magento(customers=5, orders=5)
    result = check(sim.wsdl_url, wsi_mode=True)
    assert not result.ok
    assert "The store serves the RPC/encoded API" in result.message
    assert "untick WS-I compliance" in result.message
    assert sim.stats()["calls"].get("login", 0) == 0  # it says so instead of trying


@pytest.mark.parametrize(("rule", "what"), [({"path": "wsdl"}, "the WSDL request"), ({"body": "login"}, "login")])
def test_a_dripping_store_fails_the_check_at_its_deadline(magento, hostile, settings, rule, what):
    settings.OROINT_SYNC = {**settings.OROINT_SYNC, "CALL_DEADLINE": 2}
    sim = magento(customers=5, orders=5)
    proxy = hostile(sim.url)
    proxy.control.rules({**rule, "drip": 0.2})  # a byte every 0.2 s: no read timeout ever fires
    started = time.monotonic()
    result = check(f"{proxy.url}/api/v2_soap/?wsdl=1")
    assert not result.ok
    assert f"did not finish answering {what} within 2 s" in result.message
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(("rule", "what"), [({"path": "wsdl"}, "the WSDL request"), ({"body": "login"}, "login")])
def test_an_endless_answer_fails_the_check_at_the_size_cap(magento, hostile, settings, rule, what):
    settings.OROINT_SYNC = {**settings.OROINT_SYNC, "MAX_RESPONSE_BYTES": 2 * 1024 * 1024}
    sim = magento(customers=5, orders=5)
    proxy = hostile(sim.url)
    proxy.control.rules({**rule, "endless": True})
    started = time.monotonic()
    result = check(f"{proxy.url}/api/v2_soap/?wsdl=1")
    assert not result.ok
    assert f"answered {what} with more than 2 MB" in result.message
    assert time.monotonic() - started < 10


@pytest.mark.django_db(transaction=True)
def test_check_connection_never_waits_behind_a_sync(magento, hostile, start_worker):
    sim = magento(customers=5, orders=5)
    slow = hostile(sim.url)
    slow.control.rules({"body": "oroCustomerList", "delay": 10})  # holds the sync worker
    syncing = magento_integration("Slow store", url=f"{slow.url}/api/v2_soap/?wsdl=1")
    checked = magento_integration("Other store", url=sim.wsdl_url)
    start_worker(queues=("default", "sync"))  # as script/server starts them
    start_worker(queues=("check",))
    run = sync_schedule(integration=syncing)
    wait_for(
        lambda: any("oroCustomerList" in r["body"] for r in slow.control.seen()),
        message="the sync to wait on the slow store",
    )
    request = connection_check_request(integration=checked)
    wait_for(lambda: ConnectionCheck.objects.get(pk=request.pk).is_finished, timeout=8, message="the check")
    assert ConnectionCheck.objects.get(pk=request.pk).status == ConnectionCheck.Status.SUCCEEDED
    assert SyncRun.objects.get(pk=run.pk).status == SyncRun.Status.RUNNING, "the check did not wait for the sync"
