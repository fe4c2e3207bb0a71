"""OroCommerce JSON:API resources to oroint's records: pure functions of what the store sent.

A stream hands each mapper one record's bundle: the resource and the resources it names, picked out
of the page's `included` and of the page's side calls (tax values, payment statuses), so that the
quarantine keeps all of what the record was written from, and a retry maps it the same way.

    order bundle:    {"order", "lineItems": [..], "billingAddress", "shippingAddress", "customer",
                      "customerUser", "taxes": {"order": result | None, "lines": {line id: result}},
                      "paymentStatus": str | None}
    customer bundle: {"customer", "addresses": [..], "users": [..], "paymentTerm"}
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from channels.models import Customer
from integrations.engine import values
from integrations.engine.contracts import Mapped, MappingError, Ref
from integrations.transports.jsonapi import related_id

ORDER_CLASS = "Oro\\Bundle\\OrderBundle\\Entity\\Order"
LINE_ITEM_CLASS = "Oro\\Bundle\\OrderBundle\\Entity\\OrderLineItem"


def _attrs(resource: dict[str, Any] | None) -> dict[str, Any]:
    return (resource or {}).get("attributes") or {}


def resource_id(resource: dict[str, Any] | None) -> str:
    """The id of a resource, as the store spells it; MappingError if it has none."""
    ident = (resource or {}).get("id")
    if ident is None or str(ident).strip() == "":
        raise MappingError("the resource has no id")
    return str(ident).strip()


def payment_term(resource: dict[str, Any]) -> Mapped:
    return Mapped(key=resource_id(resource), fields={"label": values.text(_attrs(resource), "label")})


# -- customers --------------------------------------------------------------------------------------


def address_fields(resource: dict[str, Any]) -> dict[str, Any]:
    """An orderaddresses / customeraddresses resource as AddressFields values."""
    attrs = _attrs(resource)
    return {
        "remote_id": resource_id(resource),
        "prefix": values.text(attrs, "namePrefix"),
        "first_name": values.text(attrs, "firstName"),
        "middle_name": values.text(attrs, "middleName"),
        "last_name": values.text(attrs, "lastName"),
        "suffix": values.text(attrs, "nameSuffix"),
        "organization": values.text(attrs, "organization"),
        "street": values.text(attrs, "street"),
        "street2": values.text(attrs, "street2"),
        "city": values.text(attrs, "city"),
        "postal_code": values.text(attrs, "postalCode"),
        # Regions are ids such as "US-NY": the code after the country is what an address shows.
        "region_text": (related_id(resource, "region") or "").split("-", 1)[-1],
        "country_code": (related_id(resource, "country") or "")[:2].upper(),
        "phone": values.text(attrs, "phone"),
    }


def _default_for(resource: dict[str, Any], kind: str) -> bool:
    types = _attrs(resource).get("types") or []
    return any(isinstance(t, dict) and t.get("addressType") == kind and t.get("default") for t in types)


def customer(bundle: dict[str, Any]) -> Mapped:
    """A customer (a company) with its addresses; the person is its first customer user, if any."""
    resource = bundle.get("customer")
    attrs = _attrs(resource)
    users = sorted(bundle.get("users") or [], key=lambda u: _id_key(str(u.get("id"))))
    user = _attrs(users[0]) if users else {}
    addresses = []
    for address in bundle.get("addresses") or []:
        row = address_fields(address)
        row["is_default_billing"] = _default_for(address, "billing")
        row["is_default_shipping"] = _default_for(address, "shipping")
        addresses.append(row)
    return Mapped(
        key=resource_id(resource),
        fields={
            "company_name": values.text(attrs, "name"),
            "email": values.email(user, "email", required=False),
            "first_name": values.text(user, "firstName"),
            "last_name": values.text(user, "lastName"),
            "payment_term": values.text(_attrs(bundle.get("paymentTerm")), "label"),
            "is_guest": False,
            "remote_created_at": values.moment(attrs, "createdAt"),
            "remote_updated_at": values.moment(attrs, "updatedAt"),
        },
        children={"addresses": addresses},
    )


def _id_key(ident: str) -> tuple[int, str]:
    return (int(ident), ident) if ident.isdigit() else (2**63, ident)


# -- orders -----------------------------------------------------------------------------------------


def _tax_amount(result: dict[str, Any] | None, part: str) -> Decimal | None:
    """taxvalues' result[part].taxAmount ("total" of an order, "row" of a line)."""
    if not isinstance(result, dict) or not isinstance(result.get(part), dict):
        return None
    return values.decimal(result[part], "taxAmount")


def _excluding_tax(result: dict[str, Any] | None) -> Decimal | None:
    if not isinstance(result, dict) or not isinstance(result.get("row"), dict):
        return None
    return values.decimal(result["row"], "excludingTax")


def order_item(resource: dict[str, Any], tax: dict[str, Any] | None, products: Mapping[str, int]) -> dict[str, Any]:
    """An orderlineitems resource as an OrderItem row; its product is the local one with its SKU.

    A line whose SKU the catalog does not have (or a free-form line, without a SKU) is kept as the
    store sent it, flagged `unknown_sku`.
    """
    attrs = _attrs(resource)
    sku = values.text(attrs, "productSku")
    qty = values.decimal(attrs, "quantity")
    price = values.decimal(attrs, "value")
    row_total = _excluding_tax(tax)
    if row_total is None and qty is not None and price is not None:
        row_total = (qty * price).quantize(Decimal("0.0001"))
    product = products.get(sku) if sku else None
    options = [f"unit: {u}" for u in [values.text(attrs, "productUnitCode")] if u]
    options += [c for c in [values.text(attrs, "comment")] if c]
    return {
        "remote_id": resource_id(resource),
        "sku": sku,
        "name": values.text(attrs, "productName") or values.text(attrs, "freeFormProduct"),
        "product_type": "free_form" if not sku and values.text(attrs, "freeFormProduct") else "",
        "product_options": "; ".join(options),
        "product_id": product,
        "unknown_sku": product is None,
        "qty": qty,
        "price": price,
        "original_price": price,
        "tax_amount": _tax_amount(tax, "row"),
        "row_total": row_total,
    }


def order(bundle: dict[str, Any], products: Mapping[str, int]) -> Mapped:
    """An order with its lines and addresses; its customer by the store's id (linked when synced)."""
    resource = bundle.get("order")
    attrs = _attrs(resource)
    key = resource_id(resource)
    currency = values.text(attrs, "currency").upper()
    if currency and len(currency) != 3:
        raise MappingError(f"currency {currency!r} is not a three-letter code")
    user = _attrs(bundle.get("customerUser"))
    taxes = bundle.get("taxes") or {}
    line_taxes = taxes.get("lines") or {}
    shipping = values.decimal(attrs, "overriddenShippingCostAmount")
    if shipping is None:
        shipping = values.decimal(attrs, "estimatedShippingCostAmount")
    method = " / ".join(
        p for p in (values.text(attrs, "shippingMethod"), values.text(attrs, "shippingMethodType")) if p
    )
    customer_id = related_id(resource, "customer")
    addresses = []
    for kind in ("billing", "shipping"):
        address = bundle.get(f"{kind}Address")
        if address:
            addresses.append({**address_fields(address), "address_type": kind})
    return Mapped(
        key=key,
        fields={
            "increment_id": values.text(attrs, "identifier") or key,
            "currency": currency,
            "subtotal": values.decimal(attrs, "subtotalValue"),
            "grand_total": values.decimal(attrs, "totalValue"),
            "discount_amount": values.decimal(attrs, "totalDiscountsAmount"),
            "tax_amount": _tax_amount(taxes.get("order"), "total"),
            "shipping_amount": shipping,
            "shipping_method": method,
            "status": related_id(resource, "internalStatus") or "",
            "payment_status": str(bundle.get("paymentStatus") or ""),
            "customer_remote_id": customer_id,
            "customer_user_remote_id": related_id(resource, "customerUser") or "",
            "customer_email": values.email(user, "email", required=False),
            "customer_first_name": values.text(user, "firstName"),
            "customer_last_name": values.text(user, "lastName"),
            "is_guest": False,
            "gift_message": values.text(attrs, "customerNotes"),
            "remote_created_at": values.moment(attrs, "createdAt"),
            "remote_updated_at": values.moment(attrs, "updatedAt"),
        },
        refs={"customer": Ref(Customer, customer_id)},
        children={
            "items": [
                order_item(line, line_taxes.get(str(line.get("id"))), products)
                for line in bundle.get("lineItems") or []
            ],
            "addresses": addresses,
        },
    )


def unknown_skus(mapped: Mapped) -> list[str]:
    """The SKUs of an order's lines that the catalog does not have (free-form lines have none)."""
    return sorted({item["sku"] for item in mapped.children.get("items", []) if item["unknown_sku"] and item["sku"]})


def payment_statuses(resources: list[dict[str, Any]]) -> dict[str, str]:
    """paymentstatuses resources as {order id: status}; the newest of an order's wins."""
    found: dict[str, tuple[str, str]] = {}
    for resource in resources:
        attrs = _attrs(resource)
        ident = str(attrs.get("entityIdentifier") or "")
        if not ident:
            continue
        stamp = str(attrs.get("updatedAt") or "")
        if ident not in found or stamp >= found[ident][0]:
            found[ident] = (stamp, str(attrs.get("paymentStatus") or ""))
    return {ident: status for ident, (_stamp, status) in found.items()}


def tax_results(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """taxvalues resources as {entity id: result}."""
    found = {}
    for resource in resources:
        attrs = _attrs(resource)
        if attrs.get("entityId") is not None and isinstance(attrs.get("result"), dict):
            found[str(attrs["entityId"])] = attrs["result"]
    return found
