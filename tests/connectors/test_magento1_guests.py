"""Guest Customer Sync: guest orders are attached to a customer as OroCRM attaches them."""

import pytest

from channels.models import Customer, Order, Store, Website
from integrations.connectors.magento1 import mappers
from integrations.connectors.magento1.streams import link_guest_orders
from integrations.engine.registry import connector_for
from integrations.engine.upsert import upsert_batch
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db

BASE = {
    "customer_is_guest": "1",
    "store_id": "1",
    "grand_total": "10.0000",
    "created_at": "2025-01-01 10:00:00",
    "updated_at": "2025-01-01 10:00:00",
    "store_name": "Main Website\nMain Store\nDefault Store View",
}


@pytest.fixture
def shop():
    integration = magento_integration(shared_guest_emails="family@example.com")
    website = Website.objects.create(integration=integration, remote_id=1, code="base", name="Main")
    Store.objects.create(
        integration=integration, remote_id=1, code="default", name="Default", website=website, website_remote_id=1
    )
    return integration


def import_orders(integration, *orders):
    mapped = [
        mappers.order({**BASE, "order_id": str(i), "increment_id": f"1000{i}", **o}, {"1": "1"})
        for i, o in enumerate(orders, start=1)
    ]
    result = upsert_batch(model=Order, integration_id=integration.pk, records=mapped, children={})
    link_guest_orders(connector_for(integration), mapped, result.keys_to_pk)
    return {o.increment_id: o for o in Order.objects.filter(integration=integration).select_related("customer")}


def person(email, first, last):
    return {"customer_email": email, "customer_firstname": first, "customer_lastname": last}


def test_guest_orders_with_one_email_make_one_guest(shop):
    orders = import_orders(shop, person("ann@example.com", "Ann", "Lee"), person("ANN@example.com", "Ann", "Lee"))
    guests = Customer.objects.filter(integration=shop, is_guest=True)
    assert guests.count() == 1
    guest = guests.get()
    assert {o.customer for o in orders.values()} == {guest}
    assert not guest.confirmed and guest.created_in == "Default Store View"


def test_a_registered_customer_with_the_email_takes_the_guest_order(shop):
    registered = Customer.objects.create(
        integration=shop, remote_id=7, email="bob@example.com", website=Website.objects.get(integration=shop)
    )
    orders = import_orders(shop, person("bob@example.com", "Bob", "Ng"))
    assert orders["10001"].customer == registered
    assert not Customer.objects.filter(integration=shop, is_guest=True).exists()


def test_split_by_full_name_separates_people_who_share_an_email(shop):
    import_orders(
        shop,
        person("family@example.com", "Ann", "Lee"),
        person("family@example.com", "Tom", "Lee"),
        person("family@example.com", "Ann", "Lee"),
    )
    names = sorted(Customer.objects.filter(integration=shop, is_guest=True).values_list("first_name", flat=True))
    assert names == ["Ann", "Tom"]


def test_reimport_keeps_the_same_guest(shop):
    import_orders(shop, person("ann@example.com", "Ann", "Lee"))
    import_orders(shop, person("ann@example.com", "Ann", "Lee"))
    assert Customer.objects.filter(integration=shop, is_guest=True).count() == 1
