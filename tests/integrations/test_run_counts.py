"""A run counts what it made, in records: guest customers made from orders and carts on the run's
customers, and the totals a store tells (OroCommerce's totalCount), with real workers and simulators."""

import pytest

from channels.models import Customer
from integrations.models import SyncRun
from integrations.services import sync_schedule
from tests.factories import magento_integration
from tests.integrations.test_orocommerce_sync import oro_integration

pytestmark = pytest.mark.django_db(transaction=True)


def synced(integration, run_worker) -> SyncRun:
    run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    return run


def test_guest_customers_made_by_a_run_are_counted_on_its_customers(magento, run_worker):
    sim = magento(customers=30, orders=120)
    integration = magento_integration(url=sim.wsdl_url)
    run = synced(integration, run_worker)
    customers = Customer.objects.filter(integration=integration)
    assert customers.filter(is_guest=True).exists(), "the store has guest orders"
    assert run.entities.get(entity="customers").created == customers.count()

    again = synced(integration, run_worker)
    assert again.entities.get(entity="customers").created == 0


def test_a_store_that_tells_its_totals_has_them_on_the_run(orocommerce, run_worker):
    sim = orocommerce(orders=130, customers=12)
    run = synced(oro_integration(sim), run_worker)
    for name in ("customers", "orders"):
        entity = run.entities.get(entity=name)
        assert entity.total == entity.read and entity.read > 0, entity.as_stats()
    orders = run.entities.get(entity="orders")
    assert orders.read == 130
