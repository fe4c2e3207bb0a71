"""The order page's store actions of an OroCommerce integration: cancel, ship, paid, seen in the store."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels.models import Order
from integrations.transports.jsonapi import attribute, related_id
from tests.integrations.test_orocommerce_push import api, oro_integration

pytestmark = pytest.mark.django_db(transaction=True)

ORDER_CLASS = "Oro\\Bundle\\OrderBundle\\Entity\\Order"


def test_cancel_ship_and_paid_are_offered_on_the_order_page_and_seen_in_the_store(orocommerce, admin_client):
    oro = orocommerce(orders=6, customers=2)
    shop = oro_integration(oro)
    first, second = api(shop).get("orders", {"sort": "id", "page[size]": 2}).resources
    orders = [
        Order.objects.create(integration=shop, remote_id=o["id"], increment_id=attribute(o, "identifier") or o["id"])
        for o in (first, second)
    ]
    page = admin_client.get(reverse("admin:channels_order_change", args=[orders[0].pk]))
    for name in ("cancel", "ship", "pay"):
        assert f'id="store-action-{name}"'.encode() in page.content

    def act(order: Order, name: str):
        url = reverse("admin:channels_order_store_action", args=[order.pk, name])
        return admin_client.post(url, follow=True)

    assert b"is cancelled in the store" in act(orders[0], "cancel").content
    assert b"is shipped in the store" in act(orders[1], "ship").content
    assert b"is paid in full in the store" in act(orders[1], "pay").content
    assert related_id(api(shop).get(f"orders/{first['id']}").data, "internalStatus") == "cancelled"
    assert related_id(api(shop).get(f"orders/{second['id']}").data, "internalStatus") == "shipped"
    statuses = (
        api(shop)
        .get("paymentstatuses", {"filter[entityClass]": ORDER_CLASS, "filter[entityIdentifier]": second["id"]})
        .resources
    )
    assert [attribute(s, "paymentStatus") for s in statuses] == ["full"]
    orders[0].refresh_from_db()
    orders[1].refresh_from_db()
    assert (orders[0].status, orders[1].status, orders[1].payment_status) == ("cancelled", "shipped", "full")


def test_a_refused_action_says_the_stores_words_and_changes_nothing_here(orocommerce, admin_client):
    oro = orocommerce(orders=2, customers=1)
    shop = oro_integration(oro)
    ghost = Order.objects.create(integration=shop, remote_id="999999", increment_id="GHOST", status="open")
    response = admin_client.post(reverse("admin:channels_order_store_action", args=[ghost.pk, "cancel"]), follow=True)
    assert b"The store refused" in response.content and b"does not exist" in response.content
    ghost.refresh_from_db()
    assert ghost.status == "open"
