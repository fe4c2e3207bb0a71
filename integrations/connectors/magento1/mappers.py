"""Magento 1 records to local fields; pure functions, as OroCRM's converters map them.

Each takes the plain dict a SOAP call returned and returns a Mapped, or raises MappingError with
the field and the reason. Nothing here talks to the store or the database.
"""

import hashlib
from typing import Any

from channels.countries import ISO_COUNTRY_CODES
from channels.models import Customer, CustomerGroup, OrderAddress, Store, Website
from integrations.connectors.magento1 import notes
from integrations.engine import values as v
from integrations.engine.contracts import Mapped, MappingError, Ref

# The native API sends the option id; the Oro Bridge (1.2.19) sends the option's label.
GENDERS = {
    "1": Customer.Gender.MALE,
    "2": Customer.Gender.FEMALE,
    "male": Customer.Gender.MALE,
    "female": Customer.Gender.FEMALE,
}


def website(raw: dict[str, Any]) -> Mapped:
    return Mapped(
        key=v.whole_id(raw, "website_id", required=True),
        fields={
            "code": v.text(raw, "code")[:32],
            "name": v.text(raw, "name")[:255],
            "sort_order": v.integer(raw, "sort_order") or 0,
            "default_group_id": v.integer(raw, "default_group_id"),
            "is_default": v.boolean(raw, "is_default"),
        },
    )


def websites_from_stores(stores: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Without the bridge, websites are known only through their stores (as OroCRM builds them)."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    for store in stores:
        grouped.setdefault(int(v.whole_id(store, "website_id", required=True)), []).append(store)
    return [
        {
            "website_id": website_id,
            "code": " / ".join(v.text(s, "code") for s in members),
            "name": ", ".join(v.text(s, "name") for s in members),
        }
        for website_id, members in sorted(grouped.items())
    ]


def store(raw: dict[str, Any]) -> Mapped:
    website_id = v.whole_id(raw, "website_id")
    return Mapped(
        key=v.whole_id(raw, "store_id", required=True),
        fields={
            "code": v.text(raw, "code"),
            "name": v.text(raw, "name"),
            "website_remote_id": website_id,
            "group_remote_id": v.whole_id(raw, "group_id"),
            "is_active": v.boolean(raw, "is_active", default=True),
        },
        refs={"website": Ref(Website, website_id)},
    )


def customer_group(raw: dict[str, Any]) -> Mapped:
    return Mapped(
        key=v.whole_id(raw, "customer_group_id", required=True),
        fields={"name": v.text(raw, "customer_group_code")},
    )


def customer(raw: dict[str, Any]) -> Mapped:
    gender = v.text(raw, "gender").lower()
    addresses = [customer_address(a) for a in raw.get("addresses") or []]
    return Mapped(
        key=v.whole_id(raw, "customer_id", required=True),
        fields={
            "is_guest": False,
            "email": v.email(raw, "email", required=True),
            "prefix": v.text(raw, "prefix"),
            "first_name": v.text(raw, "firstname"),
            "middle_name": v.text(raw, "middlename"),
            "last_name": v.text(raw, "lastname"),
            "suffix": v.text(raw, "suffix"),
            "birthday": v.day(raw, "dob"),
            "gender": GENDERS.get(gender, ""),
            "vat": v.text(raw, "taxvat"),
            "created_in": v.text(raw, "created_in"),
            # Magento keeps a confirmation key until the customer confirms; none means confirmed.
            "confirmed": not _pending_confirmation(raw.get("confirmation")),
            "remote_created_at": v.moment(raw, "created_at"),
            "remote_updated_at": v.moment(raw, "updated_at"),
        },
        refs={
            "website": Ref(Website, v.whole_id(raw, "website_id")),
            "store": Ref(Store, v.whole_id(raw, "store_id")),
            "group": Ref(CustomerGroup, v.whole_id(raw, "group_id")),
        },
        children={"addresses": addresses},
    )


def _pending_confirmation(value: Any) -> bool:
    if value is None or value is False:
        return False
    return str(value).strip().lower() not in {"", "0", "false"}


def _street(raw: dict[str, Any]) -> tuple[str, str]:
    lines = [line.strip() for line in v.text(raw, "street").split("\n")]
    return lines[0] if lines else "", " ".join(line for line in lines[1:] if line)


def _country(raw: dict[str, Any]) -> str:
    code = v.text(raw, "country_id").upper()
    if code and code not in ISO_COUNTRY_CODES:
        raise MappingError(f"country_id {code!r} is not an ISO 3166 country code")
    return code


def address_fields(raw: dict[str, Any]) -> dict[str, Any]:
    street, street2 = _street(raw)
    return {
        "prefix": v.text(raw, "prefix"),
        "first_name": v.text(raw, "firstname"),
        "middle_name": v.text(raw, "middlename"),
        "last_name": v.text(raw, "lastname"),
        "suffix": v.text(raw, "suffix"),
        "organization": v.text(raw, "company"),
        "street": street,
        "street2": street2,
        "city": v.text(raw, "city"),
        "postal_code": v.text(raw, "postcode"),
        "region_text": v.text(raw, "region"),
        "region_id": v.integer(raw, "region_id"),
        "country_code": _country(raw),
        "phone": v.text(raw, "telephone"),
        "fax": v.text(raw, "fax"),
    }


def customer_address(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "remote_id": v.whole_id(raw, "customer_address_id"),
        "is_default_billing": v.boolean(raw, "is_default_billing"),
        "is_default_shipping": v.boolean(raw, "is_default_shipping"),
        **address_fields(raw),
    }


def _order_address(raw: dict[str, Any] | None, address_type: str) -> list[dict[str, Any]]:
    if not raw:
        return []
    return [{"remote_id": v.whole_id(raw, "address_id"), "address_type": address_type, **address_fields(raw)}]


def order_item(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "remote_id": v.whole_id(raw, "item_id"),
        "sku": v.text(raw, "sku"),
        "name": v.text(raw, "name"),
        "product_type": v.text(raw, "product_type"),
        "product_options": v.text(raw, "product_options"),
        "is_virtual": v.boolean(raw, "is_virtual"),
        "qty": v.decimal(raw, "qty_ordered"),
        "price": v.decimal(raw, "price"),
        "original_price": v.decimal(raw, "original_price"),
        "discount_percent": v.decimal(raw, "discount_percent"),
        "discount_amount": v.decimal(raw, "discount_amount"),
        "tax_percent": v.decimal(raw, "tax_percent"),
        "tax_amount": v.decimal(raw, "tax_amount"),
        "row_total": v.decimal(raw, "row_total"),
        "weight": v.decimal(raw, "row_weight"),
    }


PAYMENT_FIELDS = ("method", "amount_ordered", "shipping_amount", "po_number", "cc_type", "cc_last4", "cc_owner")


def order(raw: dict[str, Any], store_websites: dict[str, str | None]) -> Mapped:
    """A full order (salesOrderInfo / oroOrderList). `store_websites` maps store ids to website ids."""
    store_id = v.whole_id(raw, "store_id")
    customer_id = v.whole_id(raw, "customer_id")
    is_guest = v.boolean(raw, "customer_is_guest") or customer_id is None
    payment = raw.get("payment") or {}
    increment_id = v.text(raw, "increment_id")
    if not increment_id:
        raise MappingError("increment_id is missing")
    return Mapped(
        key=v.whole_id(raw, "order_id", required=True),
        fields={
            "increment_id": increment_id,
            "customer_remote_id": None if is_guest else customer_id,
            "is_guest": is_guest,
            "customer_email": v.email(raw, "customer_email", required=False),
            "customer_first_name": v.text(raw, "customer_firstname"),
            "customer_last_name": v.text(raw, "customer_lastname"),
            "status": v.text(raw, "status"),
            "state": v.text(raw, "state"),
            "currency": v.text(raw, "order_currency_code"),
            "subtotal": v.decimal(raw, "subtotal"),
            "shipping_amount": v.decimal(raw, "shipping_amount"),
            "shipping_method": v.text(raw, "shipping_method"),
            "tax_amount": v.decimal(raw, "tax_amount"),
            "discount_amount": v.decimal(raw, "discount_amount"),
            "grand_total": v.decimal(raw, "grand_total"),
            "total_paid": v.decimal(raw, "total_paid"),
            "total_invoiced": v.decimal(raw, "total_invoiced"),
            "total_refunded": v.decimal(raw, "total_refunded"),
            "total_canceled": v.decimal(raw, "total_canceled"),
            "payment_method": v.text(payment, "method"),
            "payment_details": {k: v.text(payment, k) for k in PAYMENT_FIELDS if payment.get(k) not in (None, "")},
            "coupon_code": v.text(raw, "coupon_code"),
            "remote_ip": v.text(raw, "remote_ip"),
            "gift_message": v.text(raw, "gift_message"),
            "store_name": v.text(raw, "store_name"),
            "quote_remote_id": v.whole_id(raw, "quote_id"),
            "is_virtual": v.boolean(raw, "is_virtual"),
            "remote_created_at": v.moment(raw, "created_at"),
            "remote_updated_at": v.moment(raw, "updated_at"),
        },
        refs={
            "store": Ref(Store, store_id),
            "website": Ref(Website, store_websites.get(store_id) if store_id is not None else None),
            "customer": Ref(Customer, None if is_guest else customer_id),
        },
        children={
            "items": [order_item(item) for item in raw.get("items") or []],
            "addresses": [
                *_order_address(raw.get("billing_address"), OrderAddress.Type.BILLING),
                *_order_address(raw.get("shipping_address"), OrderAddress.Type.SHIPPING),
            ],
            "notes": notes.order_notes(raw.get("status_history")),
        },
    )


def guest_key(website_id: str | None, email: str, first_name: str, last_name: str, split_by_name: bool) -> str:
    """The identity of a guest customer: email per website, plus the name for shared emails.

    Hashed, so that however long the email and names are, the key fits its column.
    """
    identity = f"{website_id or 0}|{email.lower()}"
    if split_by_name:
        identity += f"|{first_name.lower()}|{last_name.lower()}"
    return hashlib.sha1(identity.encode(), usedforsecurity=False).hexdigest()


def guest_customer(record: Mapped, key: str, *, email: str, first_name: str, last_name: str) -> Mapped:
    """A guest customer made from a mapped guest order or cart (group 0 is Magento's NOT LOGGED IN)."""
    fields = record.fields
    return Mapped(
        key=key,
        fields={
            "is_guest": True,
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "confirmed": False,
            # An order names its store view on the last line of `store_name`; a cart names none.
            "created_in": (fields.get("store_name") or "").split("\n")[-1].strip(),
            "remote_created_at": fields["remote_created_at"],
            "remote_updated_at": fields["remote_updated_at"],
        },
        refs={"website": record.refs["website"], "store": record.refs["store"], "group": Ref(CustomerGroup, "0")},
    )


def registered_customer_id(raw: dict[str, Any]) -> str | None:
    """The registered customer an order or cart names, or None (a guest, or an id that is no id)."""
    if v.boolean(raw, "customer_is_guest"):
        return None
    try:
        customer_id = v.whole_id(raw, "customer_id")
    except MappingError:
        return None  # the mapper quarantines the record itself
    return None if customer_id in (None, "0") else customer_id


def shared_emails(setting: str) -> set[str]:
    """The 'Split by Full Name' list: emails separated by ; or ,."""
    return {e.strip().lower() for e in setting.replace(";", ",").split(",") if e.strip()}
