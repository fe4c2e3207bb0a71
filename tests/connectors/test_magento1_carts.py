"""Carts: mapping, OroCRM's statuses (both directions of Purchased), guest carts, removed items."""

import pytest
from django.db import transaction

from channels.models import Cart, CartItem, Customer, Order, Store, Website
from integrations.connectors.magento1.carts import CartStream, cart
from integrations.connectors.magento1.connector import Magento1Connector
from integrations.connectors.magento1.streams import OrderStream
from integrations.engine.contracts import Skip
from integrations.engine.importer import import_raw
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db

BILLING = {"address_id": "90", "firstname": "Ann", "lastname": "Lee", "telephone": "555-0101", "city": "Leeds"}


def quote(entity_id: int, **fields) -> dict:
    item = {"item_id": str(entity_id * 10), "sku": "mug", "qty": "2.0000", "price": "4.5000", "product_id": "3"}
    return {
        "entity_id": str(entity_id),
        "store_id": "1",
        "is_active": "1",
        "customer_id": "7",
        "customer_is_guest": "0",
        "customer_email": "ann@example.com",
        "customer_firstname": "Ann",
        "customer_lastname": "Lee",
        "items_count": "1",
        "items_qty": "2.0000",
        "grand_total": "9.0000",
        "created_at": "2025-01-01 10:00:00",
        "updated_at": "2025-01-02 10:00:00",
        "billing_address": BILLING,
        "items": [item],
        **fields,
    }


@pytest.fixture
def shop():
    integration = magento_integration(shared_guest_emails="family@example.com")
    website = Website.objects.create(integration=integration, remote_id=1, code="base", name="Main")
    Store.objects.create(
        integration=integration, remote_id=1, code="default", name="Default", website=website, website_remote_id=1
    )
    Customer.objects.create(integration=integration, remote_id="7", email="ann@example.com", website=website)
    return integration


def write(stream, integration, *raws):
    with transaction.atomic():
        result, rejected = import_raw(stream, integration, list(raws))
    assert not rejected, rejected
    return result


def carts(shop):
    return CartStream(Magento1Connector(shop))


def orders(shop):
    return OrderStream(Magento1Connector(shop))


def status(shop, remote_id) -> str:
    return Cart.objects.get(integration=shop, remote_id=remote_id).status


def order(order_id: int, quote_id: int) -> dict:
    return {
        "order_id": str(order_id),
        "increment_id": f"1000{order_id}",
        "store_id": "1",
        "customer_id": "7",
        "quote_id": str(quote_id),
        "customer_email": "ann@example.com",
        "created_at": "2025-01-03 10:00:00",
        "updated_at": "2025-01-03 10:00:00",
    }


def test_a_cart_maps_as_oro_maps_it():
    mapped = cart(quote(5, payment={"method": "checkmo"}, categories=None), {"1": "1"})
    assert mapped.key == "5"
    assert mapped.fields["email"] == "ann@example.com" and mapped.fields["payment_method"] == "checkmo"
    assert mapped.fields["customer_remote_id"] == "7" and not mapped.fields["is_guest"]
    assert mapped.refs["website"].remote_id == "1"
    assert mapped.children["items"][0]["sku"] == "mug" and not mapped.children["items"][0]["is_removed"]
    assert [a["address_type"] for a in mapped.children["addresses"]] == ["billing"]


def test_carts_with_neither_an_email_nor_a_billing_phone_are_skipped():
    with pytest.raises(Skip):
        cart(quote(5, customer_email=None, customer_id=None, billing_address={"address_id": "1"}), {})
    phone_only = cart(quote(5, customer_email=None, customer_id=None), {})
    assert phone_only.fields["is_guest"] and phone_only.fields["email"] == ""


def test_statuses_open_expired_and_a_status_that_is_not_open_stays(shop):
    stream = carts(shop)
    write(stream, shop, quote(1), quote(2, is_active="0"))
    assert (status(shop, "1"), status(shop, "2")) == ("open", "expired")
    # Back to active in the store: an expired cart stays expired; a lost one stays lost.
    Cart.objects.filter(integration=shop, remote_id="1").update(status="lost", status_set_by="Ann")
    write(carts(shop), shop, quote(1, grand_total="12.0000"), quote(2, is_active="1"))
    assert (status(shop, "1"), status(shop, "2")) == ("lost", "expired")
    # An open cart deactivated in the store expires.
    write(carts(shop), shop, quote(3))
    write(carts(shop), shop, quote(3, is_active="0", updated_at="2025-02-01 10:00:00"))
    assert status(shop, "3") == "expired"


def test_purchased_whichever_comes_first_the_order_or_the_cart(shop):
    write(carts(shop), shop, quote(1))
    write(orders(shop), shop, order(100, quote_id=1))
    assert status(shop, "1") == "purchased"
    write(orders(shop), shop, order(101, quote_id=2))
    write(carts(shop), shop, quote(2))
    assert status(shop, "2") == "purchased"
    # A later import of the converted quote (inactive now) keeps it purchased.
    write(carts(shop), shop, quote(2, is_active="0", updated_at="2025-03-01 10:00:00"))
    assert status(shop, "2") == "purchased"


def test_guest_carts_link_like_guest_orders(shop):
    guest = {"customer_id": None, "customer_is_guest": "1"}
    write(
        carts(shop),
        shop,
        quote(1, **guest),  # ann@ is registered on this website
        quote(2, **guest, customer_email="zoe@example.com", customer_firstname="Zoe"),
        quote(3, **guest, customer_email="ZOE@example.com", customer_firstname="Zoe"),
    )
    found = {c.remote_id: c.customer for c in Cart.objects.filter(integration=shop).select_related("customer")}
    assert found["1"].remote_id == "7"
    assert found["2"] == found["3"] and found["2"].is_guest and found["2"].email == "zoe@example.com"
    # A guest order with that email goes to the same guest customer.
    write(
        orders(shop),
        shop,
        {**order(100, 9), "customer_id": None, "customer_is_guest": "1", "customer_email": "zoe@example.com"},
    )
    assert Order.objects.get(integration=shop, remote_id="100").customer == found["2"]


def test_items_the_store_no_longer_lists_are_flagged_and_all_when_the_cart_is_emptied(shop):
    two = quote(1)
    two["items"] = [*two["items"], {"item_id": "11", "sku": "tea", "qty": "1.0000"}]
    write(carts(shop), shop, two)
    write(carts(shop), shop, quote(1, updated_at="2025-02-01 10:00:00"))
    items = dict(CartItem.objects.filter(cart__remote_id="1").values_list("sku", "is_removed"))
    assert items == {"mug": False, "tea": True}
    write(carts(shop), shop, quote(1, items_qty="0.0000", items_count="0", updated_at="2025-03-01 10:00:00"))
    assert set(CartItem.objects.filter(cart__remote_id="1").values_list("is_removed", flat=True)) == {True}
    # The same item listed again is no longer removed; rows keep their primary keys throughout.
    pks = set(CartItem.objects.values_list("pk", flat=True))
    write(carts(shop), shop, two | {"updated_at": "2025-04-01 10:00:00"})
    assert set(CartItem.objects.filter(is_removed=False).values_list("sku", flat=True)) == {"mug", "tea"}
    assert set(CartItem.objects.values_list("pk", flat=True)) == pks


def test_anonymous_carts_are_counted_skipped(shop):
    anonymous = quote(9, customer_email=None, customer_id=None, billing_address=None)
    result = write(carts(shop), shop, quote(1), anonymous)
    assert (result.created, result.skipped) == (1, 1)
    assert not Cart.objects.filter(remote_id="9").exists()
