"""A Magento 1 sync end to end: the simulator over HTTP, real Redis, a real RQ worker process."""

import pytest

from channels.models import Customer, Order, OrderItem
from integrations.models import QuarantinedRecord, SyncRun
from integrations.selectors import integration_records
from integrations.services import integration_check_connection, sync_schedule
from tests.factories import magento_integration


def sync(integration, run_worker) -> SyncRun:
    run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    return run


def entity(run: SyncRun, name: str):
    return run.entities.get(entity=name)


@pytest.mark.parametrize("mode", ["bridge", "native"])
def test_full_sync_matches_the_store_and_a_rerun_changes_nothing(mode, magento, run_worker):
    sim = magento(customers=40, orders=150, mode=mode)
    integration = magento_integration(url=sim.wsdl_url)

    check = integration_check_connection(integration=integration)
    assert check.ok, check.message
    integration.refresh_from_db()
    assert integration.settings.detected_mode == mode
    assert len(integration.settings.websites) >= 2
    assert all(w["label"].startswith("Website ID: ") for w in integration.settings.websites)

    first = sync(integration, run_worker)
    store = sim.stats()
    records = integration_records(integration=integration)
    assert records["customers"] == store["customers"]
    assert records["orders"] == store["orders"]
    assert records["guest_customers"] > 0
    assert entity(first, "orders").created == store["orders"]
    assert first.progress == 100.0
    assert not QuarantinedRecord.objects.exists()

    orders = Order.objects.filter(integration=integration)
    assert not orders.filter(items__isnull=True).exists(), "every order has its items"
    assert orders.filter(addresses__address_type="billing").count() == store["orders"]
    assert not orders.filter(is_guest=True, customer__isnull=True).exclude(customer_email="").exists()
    registered = orders.filter(is_guest=False).select_related("customer")
    assert all(o.customer and o.customer.remote_id == o.customer_remote_id for o in registered)
    assert OrderItem.objects.filter(order__integration=integration).exclude(sku="").exists()

    second = sync(integration, run_worker)
    for name in ("customers", "orders"):
        stats = entity(second, name)
        assert (stats.created, stats.updated) == (0, 0), f"{name}: {stats.as_stats()}"
    assert integration_records(integration=integration) == records


def test_changed_orders_are_updated_by_the_next_run(magento, run_worker):
    sim = magento(customers=20, orders=60)
    integration = magento_integration(url=sim.wsdl_url)
    sync(integration, run_worker)
    touched = sim.touch("orders", 5)
    run = sync(integration, run_worker)
    orders = entity(run, "orders")
    assert (orders.created, orders.updated) == (0, 5)
    assert orders.read < 60, "an incremental run reads only the recent window"
    newest = Order.objects.filter(integration=integration, remote_id__in=touched)
    assert newest.count() == 5


def test_malformed_records_are_quarantined_and_the_rest_syncs(magento, run_worker):
    sim = magento(customers=30, orders=80, extra=("--malformed", "4"))
    integration = magento_integration(url=sim.wsdl_url)
    run = sync(integration, run_worker)
    quarantined = QuarantinedRecord.objects.filter(integration=integration, run=run)
    bad_customers = quarantined.filter(entity="customers")
    assert bad_customers.count() >= 1
    assert all(q.reason and q.payload for q in quarantined)
    assert entity(run, "customers").failed == bad_customers.count()
    store = sim.stats()
    assert Customer.objects.filter(integration=integration, is_guest=False).count() == (
        store["customers"] - bad_customers.count()
    )
    assert Order.objects.filter(integration=integration).count() == (
        store["orders"] - quarantined.filter(entity="orders").count()
    )
    # A re-run neither duplicates the quarantine nor the records.
    again = sync(integration, run_worker)
    assert QuarantinedRecord.objects.filter(run=again).count() == 0


def test_wrong_key_is_access_denied_and_the_worker_keeps_running(magento, live_worker):
    from tests.conftest import wait_for

    sim = magento(customers=10, orders=20)
    bad = magento_integration("Bad key", url=sim.wsdl_url, api_key="wrong-key")
    check = integration_check_connection(integration=bad)
    assert not check.ok and "Access denied" in check.message

    failed = sync_schedule(integration=bad)
    wait_for(lambda: SyncRun.objects.get(pk=failed.pk).is_finished, message="the bad-key run to end")
    failed.refresh_from_db()
    assert failed.status == SyncRun.Status.FAILED
    assert "Access denied" in failed.message
    assert "wrong-key" not in failed.message + failed.log

    good = magento_integration("Good key", url=sim.wsdl_url)
    run = sync_schedule(integration=good)
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).is_finished, timeout=120, message="the good run to end")
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert live_worker.poll() is None, "the worker process is still running"


def test_customers_read_first_for_their_orders_and_carts_are_counted_on_the_customers_entity(magento, run_worker):
    # Newest first and interleaved, orders and carts meet customers the customers stream has not
    # written yet; those are read first, and the run still counts every customer once, as created.
    sim = magento(customers=60, orders=200)
    integration = magento_integration(url=sim.wsdl_url)
    run = sync(integration, run_worker)
    assert "not known yet read first" in run.log, "the seeded store makes some customers come in first"
    customers = entity(run, "customers")
    registered = Customer.objects.filter(integration=integration, is_guest=False).count()
    guests = Customer.objects.filter(integration=integration, is_guest=True).count()
    assert registered == sim.stats()["customers"]
    # The guest customers made from guest orders and carts are created by the run too, though not read.
    assert customers.created == registered + guests
    assert customers.read == customers.created - guests + customers.skipped + customers.updated + customers.failed
