"""A store with WS-I compliance on: Check Connection, the setting that must agree, and a whole sync.

The stores are the simulator over HTTP (`magento_simulator --wsi`, or in this process with a fixed
clock where two stores must hold the same data); syncs run in a real RQ worker on real Redis.
"""

from datetime import UTC, datetime

import pytest

from channels.models import Customer, CustomerAddress, Order, OrderAddress, OrderItem
from integrations.connectors.magento1.connector import RPC_STORE_SETTING_ON, WSI_STORE_SETTING_OFF
from integrations.models import ConnectionCheck, QuarantinedRecord, SyncRun
from integrations.selectors import integration_records
from integrations.services import integration_check_connection, sync_schedule
from integrations.simulators.magento1.server import start_simulator
from tests.factories import magento_integration

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def check(integration):
    record = ConnectionCheck.objects.create(integration=integration)
    result = integration_check_connection(integration=integration, check=record)
    record.refresh_from_db()
    assert record.message == result.message
    return result


def sync(integration, run_worker, status=SyncRun.Status.SUCCEEDED) -> SyncRun:
    run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)
    run_worker()
    run.refresh_from_db()
    assert run.status == status, f"{run.message}\n{run.log}"
    return run


@pytest.mark.django_db
def test_check_connection_is_valid_with_the_setting_on(magento):
    sim = magento(customers=5, orders=5, extra=("--wsi",))
    assert sim.stats()["wsi"]
    integration = magento_integration(url=sim.wsdl_url, wsi_mode=True)
    result = check(integration)
    assert result.ok, result.message
    assert result.message.startswith("Connected to Magento 1.9.4.5 with Oro Bridge 1.2.19")
    integration.refresh_from_db()
    assert integration.settings.detected_mode == "bridge"
    assert len(integration.settings.websites) >= 2
    calls = sim.stats()["calls"]
    assert calls["login"] == 1 and calls["oroPing"] == 1 and calls["oroWebsiteList"] == 1


@pytest.mark.django_db
def test_a_ws_i_store_with_the_setting_off_is_told_to_tick_it(magento):
    sim = magento(customers=5, orders=5, extra=("--wsi",))
    result = check(magento_integration(url=sim.wsdl_url, wsi_mode=False))
    assert not result.ok
    assert result.message == WSI_STORE_SETTING_OFF
    assert result.message.startswith("The store serves the WS-I compliant API (document/literal): tick WS-I")
    assert sim.stats()["calls"].get("login", 0) == 0, "it says so instead of logging in"


@pytest.mark.django_db
def test_an_rpc_store_with_the_setting_on_is_told_to_untick_it(magento):
    sim = magento(customers=5, orders=5)
    result = check(magento_integration(url=sim.wsdl_url, wsi_mode=True))
    assert not result.ok
    assert result.message == RPC_STORE_SETTING_ON
    assert result.message.startswith("The store serves the RPC/encoded API")
    assert "untick WS-I compliance" in result.message
    assert sim.stats()["calls"].get("login", 0) == 0


@pytest.mark.parametrize(("wsi_store", "message"), [(True, WSI_STORE_SETTING_OFF), (False, RPC_STORE_SETTING_ON)])
def test_a_sync_fails_with_the_same_message_when_the_setting_disagrees(magento, run_worker, wsi_store, message):
    sim = magento(customers=5, orders=5, extra=("--wsi",) if wsi_store else ())
    integration = magento_integration(url=sim.wsdl_url, wsi_mode=not wsi_store)
    run = sync(integration, run_worker, status=SyncRun.Status.FAILED)
    assert message in run.message
    assert sim.stats()["calls"].get("login", 0) == 0
    assert not Customer.objects.filter(integration=integration).exists()


def rows(model, scope: dict, *related: str) -> list[dict]:
    """A table's rows as comparable values: every column but the local ids, relations by remote key."""
    skip = {"id", "synced_at"}
    columns = [f.attname for f in model._meta.concrete_fields if not f.is_relation and f.attname not in skip]
    found = list(model.objects.filter(**scope).values(*columns, *related))
    return sorted(found, key=repr)


def snapshot(integration) -> dict[str, list[dict]]:
    return {
        "customers": rows(
            Customer, {"integration": integration}, "website__remote_id", "store__remote_id", "group__remote_id"
        ),
        "customer_addresses": rows(CustomerAddress, {"customer__integration": integration}, "customer__remote_id"),
        "orders": rows(
            Order,
            {"integration": integration},
            "store__remote_id",
            "website__remote_id",
            "customer__remote_id",
            "customer__guest_key",
        ),
        "order_items": rows(OrderItem, {"order__integration": integration}, "order__remote_id"),
        "order_addresses": rows(OrderAddress, {"order__integration": integration}, "order__remote_id"),
    }


@pytest.mark.parametrize("mode", ["auto", "native"])
def test_a_ws_i_sync_gives_the_same_records_as_an_rpc_one(run_worker, mode):
    """The same seeded store synced in both styles (bridge: paged oro* lists; native: core lists and *Info)."""
    stores = {wsi: start_simulator(customers=30, orders=90, seed=11, now=NOW, wsi=wsi) for wsi in (False, True)}
    try:
        synced = {}
        for wsi, simulator in stores.items():
            integration = magento_integration(
                name=f"{'WS-I' if wsi else 'RPC'} store", url=simulator.wsdl_url, wsi_mode=wsi, mode=mode
            )
            run = sync(integration, run_worker)
            assert run.entities.get(entity="orders").created == simulator.store.order_count
            synced[wsi] = integration
        calls = stores[True].app.operations.calls
        if mode == "native":
            assert calls["customerCustomerList"] and calls["customerAddressList"] and calls["salesOrderInfo"]
        else:
            assert calls["oroCustomerList"] and calls["oroOrderList"]
    finally:
        for simulator in stores.values():
            simulator.stop()
    assert not QuarantinedRecord.objects.exists()
    assert integration_records(integration=synced[True]) == integration_records(integration=synced[False])
    wsi, rpc = snapshot(synced[True]), snapshot(synced[False])
    for table in rpc:
        assert len(wsi[table]) == len(rpc[table]) > 0, table
        for wsi_row, rpc_row in zip(wsi[table], rpc[table], strict=True):
            assert wsi_row == rpc_row, table
    assert any(row["customer__guest_key"] for row in wsi["orders"]), "guest orders were linked in both"


def test_a_ws_i_rerun_changes_nothing_and_reads_changes(magento, run_worker):
    sim = magento(customers=20, orders=40, extra=("--wsi",))
    integration = magento_integration(url=sim.wsdl_url, wsi_mode=True)
    assert check(integration).ok
    sync(integration, run_worker)
    again = sync(integration, run_worker)
    for name in ("customers", "orders"):
        stats = again.entities.get(entity=name)
        assert (stats.created, stats.updated) == (0, 0), f"{name}: {stats.as_stats()}"
    touched = sim.touch("orders", 3)
    run = sync(integration, run_worker)
    orders = run.entities.get(entity="orders")
    assert (orders.created, orders.updated) == (0, 3)
    assert Order.objects.filter(integration=integration, remote_id__in=[str(i) for i in touched]).count() == 3
