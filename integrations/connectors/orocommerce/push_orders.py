"""What oroint tells an OroCommerce store about its orders (Marello's order cancel / ship / paid): the
store actions offered on the page of an order of an OroCommerce integration.

Cancelled and shipped move the order's internal status (PATCH of its relationship); paid posts the
order's payment status (api-bridge's paymentstatuses). The local order follows once the store accepted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels import stats
from channels.models import Order
from integrations.connectors.orocommerce.push_common import linkage

if TYPE_CHECKING:
    from integrations.transports.jsonapi import JsonApiClient

ORDER_CLASS = "Oro\\Bundle\\OrderBundle\\Entity\\Order"

ORDER_ACTIONS: list[tuple[str, str]] = [
    ("cancel", "Cancel in OroCommerce"),
    ("ship", "Mark as shipped in OroCommerce"),
    ("pay", "Mark as paid in OroCommerce"),
]

# The internal status each action gives the order in the store (its id there) and here.
STATUS_OF = {"cancel": "cancelled", "ship": "shipped"}


def order_action(client: JsonApiClient, order: Order, name: str) -> str:
    """Do `name` (one of ORDER_ACTIONS) on the order in the store, then here; what happened in one line.
    A JsonApiError carries the store's refusal (and nothing changes here)."""
    if name == "pay":
        client.post(
            "paymentstatuses",
            {
                "data": {
                    "type": "paymentstatuses",
                    "attributes": {
                        "entityClass": ORDER_CLASS,
                        "entityIdentifier": str(order.remote_id),
                        "paymentStatus": "full",
                    },
                }
            },
        )
        Order.objects.filter(pk=order.pk).update(payment_status="full")
        return f"Order {order.increment_id} is paid in full in the store."
    status = STATUS_OF[name]
    client.patch(
        f"orders/{order.remote_id}",
        {
            "data": {
                "type": "orders",
                "id": str(order.remote_id),
                "relationships": {"internalStatus": linkage("orderinternalstatuses", status)},
            }
        },
    )
    Order.objects.filter(pk=order.pk).update(status=status)
    stats.orders_changed(integration_id=order.integration_id, pks=[order.pk])  # cancelled: out of revenue
    return f"Order {order.increment_id} is {status} in the store."
