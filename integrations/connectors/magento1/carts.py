"""Shopping carts (Magento's quotes, `oroQuoteList`: bridge only) and OroCRM's cart statuses.

A cart comes in Open (`is_active` 1) or Expired (`is_active` 0); once it is not Open it keeps its
status on later imports. It becomes Purchased when an imported order's `quote_id` is the cart,
whichever of the two arrives first. Lost is set by a back-office user or by the abandoned-cart rule
(see housekeeping.py), which also expires the open carts the store no longer has.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Subquery
from django.utils import timezone

from channels.models import Cart, CartAddress, CartItem, Customer, Order, Store, Website
from integrations.connectors.magento1 import mappers
from integrations.connectors.magento1.housekeeping import EXPIRATION_BATCH
from integrations.connectors.magento1.streams import (
    CART_GUESTS,
    CustomerFirst,
    StoreScoped,
    link_guests,
)
from integrations.engine import values as v
from integrations.engine.contracts import ChildSpec, Mapped, MappingError, Ref, Skip

# -- mapping: pure functions ---------------------------------------------------------------------------


def cart(raw: dict[str, Any], store_websites: dict[str, str | None]) -> Mapped:
    """A quote as `oroQuoteList` sends it. Skip for a cart with neither an email nor a billing phone
    (an anonymous storefront cart), as OroCRM skips them."""
    billing = raw.get("billing_address") or {}
    email = v.email(raw, "customer_email", required=False)
    if not email and not v.text(billing, "telephone"):
        raise Skip()
    store_id = v.whole_id(raw, "store_id")
    customer_id = mappers.registered_customer_id(raw)
    is_guest = customer_id is None
    payment = raw.get("payment") or {}
    items_qty = v.decimal(raw, "items_qty")
    # An emptied cart (0 items) keeps its items for the story, all flagged removed.
    emptied = items_qty is not None and items_qty == 0
    return Mapped(
        key=v.whole_id(raw, "entity_id", required=True),
        fields={
            "customer_remote_id": customer_id,
            "customer_group_remote_id": v.whole_id(raw, "customer_group_id") or "",
            "is_guest": is_guest,
            "email": email,
            "first_name": v.text(raw, "customer_firstname"),
            "last_name": v.text(raw, "customer_lastname"),
            "is_active": v.boolean(raw, "is_active"),
            "items_count": v.integer(raw, "items_count") or 0,
            "items_qty": items_qty,
            "subtotal": v.decimal(raw, "subtotal"),
            "grand_total": v.decimal(raw, "grand_total"),
            "base_currency": v.text(raw, "base_currency_code"),
            "store_currency": v.text(raw, "store_currency_code"),
            "currency": v.text(raw, "quote_currency_code"),
            "store_to_base_rate": v.decimal(raw, "store_to_base_rate"),
            "store_to_quote_rate": v.decimal(raw, "store_to_quote_rate"),
            "payment_method": v.text(payment, "method"),
            "payment_details": {
                k: v.text(payment, k) for k in mappers.PAYMENT_FIELDS if payment.get(k) not in (None, "")
            },
            "remote_created_at": v.moment(raw, "created_at"),
            "remote_updated_at": v.moment(raw, "updated_at"),
        },
        refs={
            "store": Ref(Store, store_id),
            "website": Ref(Website, store_websites.get(store_id) if store_id is not None else None),
            "customer": Ref(Customer, customer_id),
        },
        children={
            "items": [cart_item(item, removed=emptied) for item in raw.get("items") or []],
            "addresses": [
                *cart_address(raw.get("billing_address"), CartAddress.Type.BILLING),
                *cart_address(raw.get("shipping_address"), CartAddress.Type.SHIPPING),
            ],
        },
    )


def cart_item(raw: dict[str, Any], *, removed: bool = False) -> dict[str, Any]:
    categories = raw.get("categories") or []
    if not isinstance(categories, list):
        raise MappingError(f"categories {categories!r} is not a list")
    return {
        "remote_id": v.whole_id(raw, "item_id"),
        "product_remote_id": v.whole_id(raw, "product_id") or "",
        "parent_item_remote_id": v.whole_id(raw, "parent_item_id") or "",
        "sku": v.text(raw, "sku"),
        "name": v.text(raw, "name"),
        "product_type": v.text(raw, "product_type"),
        "is_virtual": v.boolean(raw, "is_virtual"),
        "free_shipping": v.boolean(raw, "free_shipping"),
        "gift_message": v.text(raw, "gift_message"),
        "tax_class_id": v.text(raw, "tax_class_id"),
        "qty": v.decimal(raw, "qty"),
        "price": v.decimal(raw, "price"),
        "price_incl_tax": v.decimal(raw, "price_incl_tax"),
        "discount_amount": v.decimal(raw, "discount_amount"),
        "tax_percent": v.decimal(raw, "tax_percent"),
        "tax_amount": v.decimal(raw, "tax_amount"),
        "row_total": v.decimal(raw, "row_total"),
        "product_image_url": v.text(raw, "product_image_url"),
        "product_url": v.text(raw, "product_url"),
        "categories": [v.text(c, "name") for c in categories if isinstance(c, dict) and v.text(c, "name")],
        "is_removed": removed,
        "remote_created_at": v.moment(raw, "created_at"),
        "remote_updated_at": v.moment(raw, "updated_at"),
    }


def cart_address(raw: dict[str, Any] | None, address_type: str) -> list[dict[str, Any]]:
    # A quote always carries both address rows; an untouched one holds nothing but ids.
    if not raw or not any(v.text(raw, k) for k in ("firstname", "lastname", "street", "city", "telephone", "email")):
        return []
    return [
        {
            "remote_id": v.whole_id(raw, "address_id"),
            "address_type": address_type,
            "email": v.text(raw, "email"),
            **mappers.address_fields(raw),
        }
    ]


# -- the stream -----------------------------------------------------------------------------------------


class CartStream(CustomerFirst, StoreScoped):
    name = "carts"
    model = Cart
    id_field = "entity_id"
    bridge_list = "oroQuoteList"
    native_list = ""  # the core API has no quote list: the connector leaves carts out natively
    children = {
        "items": ChildSpec(CartItem, "cart", flag_vanished="is_removed"),
        "addresses": ChildSpec(CartAddress, "cart"),
    }

    def map(self, raw: dict[str, Any]) -> Mapped:
        return cart(raw, self.store_websites)

    def fetch_still_in_store(self, remote_ids: list[str]) -> list[dict[str, Any]]:
        """The carts among these the store still has, as OroCRM's expiration job asks: `entity_id in`,
        the website's store filter, pager (1, 200)."""
        return self.fetch_filtered(
            [("entity_id", "in", ",".join(remote_ids)), *self.scope_conditions()], EXPIRATION_BATCH
        )

    def after_write(self, integration_id: int, mapped: list[Mapped], keys_to_pk: dict) -> None:
        self.customers_first(mapped)
        pks = list(keys_to_pk.values())
        now = timezone.now()
        carts = Cart.objects.filter(pk__in=pks)
        # Orders already imported from these quotes (the order came first).
        carts.filter(
            remote_id__in=Subquery(
                Order.objects.filter(integration_id=integration_id, quote_remote_id__in=list(keys_to_pk)).values(
                    "quote_remote_id"
                )
            )
        ).exclude(status=Cart.Status.PURCHASED).update(
            status=Cart.Status.PURCHASED, status_changed_at=now, status_set_by=""
        )
        # Only an open cart follows the store's is_active; any other status stays.
        carts.filter(status=Cart.Status.OPEN, is_active=False).update(
            status=Cart.Status.EXPIRED, status_changed_at=now, status_set_by=""
        )
        if self.settings.guest_customer_sync:
            guests = [m for m in mapped if m.fields["is_guest"]]
            link_guests(self.connector, CART_GUESTS, guests, keys_to_pk)
