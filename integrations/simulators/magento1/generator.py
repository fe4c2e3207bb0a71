"""Deterministic, realistic Magento 1 store data for a seed and record counts.

Only what filters, indexes and cross-references need is generated up front, in columns indexed
by record id (index 0 unused): timestamps, scope, names, emails, the shape of each order. The
rest of a record (profile fields, addresses, items, payment, history) is generated on demand
from a random generator seeded with (seed, record id), so 200,000 orders cost a second or two
to set up and every read of a record returns the same values.
"""

import hashlib
import random
import threading
import time
import unicodedata
from array import array
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from itertools import accumulate
from typing import Any

from .reference import (
    CARD_TYPES,
    CATEGORIES,
    CITIES,
    COMPANIES,
    COUPONS,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    HISTORY_COMMENTS,
    LAST_NAMES,
    MIDDLE_NAMES,
    OLD_STATUS_WEIGHTS,
    PAYMENT_METHODS,
    PREFIXES,
    PRODUCTS,
    RECENT_STATUS_WEIGHTS,
    REGIONS,
    SHIPPING_METHODS,
    STATUS_STATE,
    STORE_BASE_URL,
    STORES_BY_ID,
    STORES_BY_WEBSITE,
    STREETS,
    SUFFIXES,
    WEBSITE_WEIGHTS,
    WEBSITES,
    WEBSITES_BY_ID,
)

DATA_START = datetime(2019, 1, 1, tzinfo=UTC)
DAY = 86_400
GUEST_SHARE = 0.25
_WEBSITE_IDS = tuple(website.website_id for website in WEBSITES)
_TAX_BASIS_POINTS = {"US": 825, "CA": 1300, "DE": 1900, "FR": 2000, "NL": 2100, "ES": 2100, "AT": 2000, "GB": 2000}
_COUPON_PERCENT = {"WELCOME10": 10, "SUMMER15": 15, "VIP20": 20}
_SIZES = ("XS", "S", "M", "L", "XL")
# Status path an order walked to reach its status; one history row per step.
_STATUS_PATH = {
    "pending": ("pending",),
    "processing": ("pending", "processing"),
    "holded": ("pending", "processing", "holded"),
    "complete": ("pending", "processing", "complete"),
    "canceled": ("pending", "canceled"),
    "closed": ("pending", "processing", "complete", "closed"),
}
# Kinds of malformed records real stores hold; record i of the malformed ones gets kind i % 6.
MALFORMED_KINDS = (
    "no_identity",
    "zero_created_at",
    "impossible_updated_at",
    "spaced_email",
    "huge_names",
    "bad_country",
)
_DAY_PREFIXES: dict[int, str] = {}
_LONG_TEXT = "Lorem ipsum dolor sit amet " * 380  # ~10 KB


def format_timestamp(seconds: int) -> str:
    """`YYYY-MM-DD HH:MM:SS` in UTC; the date part is cached, as strftime dominates generation."""
    day, rest = divmod(seconds, DAY)
    prefix = _DAY_PREFIXES.get(day)
    if prefix is None:
        prefix = _DAY_PREFIXES[day] = time.strftime("%Y-%m-%d ", time.gmtime(day * DAY))
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    return f"{prefix}{hours:02d}:{minutes:02d}:{secs:02d}"


def money(cents: int) -> str:
    """Magento's decimal(12,4) as sent over SOAP: `14.9500`, `-5.0000`."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}00"


def quantity(count: int) -> str:
    return f"{count}.0000"


@cache
def _product_options(product: int, qty: int, size: str | None) -> str:
    options: dict[str, Any] = {"info_buyRequest": {"product": str(product + 1), "qty": qty}}
    if size is not None:
        options["attributes_info"] = [{"label": "Size", "value": size}]
    return php_serialize(options)


def php_serialize(value: Any) -> str:
    """PHP's serialize() for the str/int/dict/list values Magento stores in `product_options`."""
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, str):
        return f's:{len(value.encode())}:"{value}";'
    items = value.items() if isinstance(value, dict) else enumerate(value)
    body = "".join(php_serialize(key) + php_serialize(item) for key, item in items)
    return f"a:{len(value)}:{{{body}}}"


class _FastRandom(random.Random):
    """`random.Random` with cheaper draws for hot loops.

    The stock `choice`/`randint`/`choices` dominate generating 250,000 records; scaling
    `random()` is several times cheaper and just as deterministic.
    """

    def below(self, count: int) -> int:
        return int(self.random() * count)

    def randint(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def choice(self, values: Sequence[Any]) -> Any:
        return values[int(self.random() * len(values))]

    def weighted(self, values: Sequence[Any], cumulative: tuple[int, ...]) -> Any:
        return values[bisect_right(cumulative, self.random() * cumulative[-1])]


def _record_rng(seed: int, salt: int, record_id: int) -> _FastRandom:
    return _FastRandom((seed * 1_000_003 + salt) * 10_000_019 + record_id)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(char for char in folded if char.isalnum())


def _email_local(draw: _FastRandom, first: str, last: str | None) -> str:
    first, last = _ascii(first), _ascii(last or "") or "user"
    pattern = draw.below(6)
    if pattern == 0:
        return f"{first}.{last}"
    if pattern == 1:
        return f"{first}{last}"
    if pattern == 2:
        return f"{first[:1]}{last}"
    if pattern == 3:
        return f"{first}_{last}{draw.randint(1, 99)}"
    if pattern == 4:
        return f"{last}.{first}"
    return f"{first}{draw.randint(1960, 2005)}"


@dataclass
class CustomerColumns:
    created_at: list[str]
    updated_at: list[str]
    website_id: list[int]
    store_id: list[int]
    group_id: list[int]
    firstname: list[str | None]
    lastname: list[str | None]
    email: list[str | None]
    address_start: list[int]  # addresses of customer i have ids address_start[i] .. address_start[i + 1] - 1


@dataclass
class OrderColumns:
    created_at: list[str]
    updated_at: list[str]
    store_id: list[int]
    customer_id: list[int]  # 0 for guest orders
    email: list[str | None]
    firstname: list[str | None]
    lastname: list[str | None]
    status: list[str]
    increment_id: list[str]
    products: list[tuple[int, ...]]
    item_start: list[int]
    history_start: list[int]


# Kinds of quotes: converted into an order, or one of the carts real stores keep.
QUOTE_CONVERTED = 0  # checked out: is_active 0, the order's quote_id
QUOTE_ACTIVE = 1  # a registered customer's storefront cart
QUOTE_GUEST = 2  # a guest's cart with the email typed at checkout
QUOTE_ANONYMOUS_PHONE = 3  # no customer, no email, a billing telephone
QUOTE_ANONYMOUS = 4  # no customer, no email, no telephone
QUOTE_API = 5  # made by shoppingCartCreate: is_active 0 from the start, never converted
QUOTE_EMPTY = 6  # an active cart whose items were all removed (items_qty 0)
INACTIVE_QUOTE_KINDS = frozenset((QUOTE_CONVERTED, QUOTE_API))
# Credit memo parts: all of an order, the first or the second of two memos, or a single line.
MEMO_FULL, MEMO_FIRST, MEMO_REST, MEMO_LINE = 0, 1, 2, 3
# Newsletter subscriber statuses, as Mage_Newsletter_Model_Subscriber numbers them.
SUBSCRIBED, NOT_ACTIVE, UNSUBSCRIBED, UNCONFIRMED = 1, 2, 3, 4


@dataclass
class QuoteColumns:
    """Quotes in compact arrays (a million orders make a million and a half quotes)."""

    created_at: array  # seconds since the epoch
    updated_at: array
    store_id: array
    kind: array
    customer_id: array  # 0: none
    order_id: array  # 0: not converted
    person: array  # index into Dataset.guest_people for guest carts, else -1


@dataclass
class CreditmemoColumns:
    order_id: array
    created_at: array  # seconds since the epoch
    updated_at: array
    part: array
    state: array  # 1 pending, 2 refunded, 3 canceled
    increment_id: list[str]


@dataclass
class SubscriberColumns:
    customer_id: array  # 0: a guest
    store_id: array
    status: array
    change_status_at: array  # seconds since the epoch


@dataclass
class Dataset:
    """The generated store: eager columns plus on-demand record builders.

    Quotes, credit memos and subscribers are generated on first use (a benchmark of customers and
    orders never pays for them); what they are made from is kept as compact arrays of seconds.
    """

    seed: int
    now: datetime
    customers: CustomerColumns
    orders: OrderColumns
    carts: int
    customer_created: array
    order_created: array
    malformed_customers: dict[int, str] = field(default_factory=dict)
    malformed_orders: dict[int, str] = field(default_factory=dict)
    # updated_at as generated, for records whose updated_at was touched since; history rows
    # and item timestamps keep their generated times.
    generated_updated_at: dict[tuple[str, int], str] = field(default_factory=dict)
    _built: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _build_lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def _lazy(self, name: str, build: Callable[[], Any]) -> Any:
        built = self._built.get(name)
        if built is None:
            with self._build_lock:
                built = self._built.get(name)
                if built is None:
                    built = self._built[name] = build()
        return built

    @property
    def guest_people(self) -> list[tuple[str, str | None, str]]:
        return self._lazy(
            "guest_people", lambda: _guest_people(_FastRandom(self.seed * 15_487_469 + 23), max(1, self.carts // 4))
        )

    @property
    def quotes(self) -> QuoteColumns:
        return self._lazy("quotes", lambda: _generate_quotes(self, len(self.guest_people)))

    @property
    def creditmemos(self) -> CreditmemoColumns:
        return self._lazy("creditmemos", lambda: _generate_creditmemos(self))

    @property
    def subscribers(self) -> SubscriberColumns:
        return self._lazy("subscribers", lambda: _generate_subscribers(self))

    def order_quote_id(self, order_id: int) -> int:
        """The id of the quote order `order_id` was placed from: the carts are spread evenly among the
        orders in creation order, so this many of them came before it."""
        return order_id + order_id * self.carts // self.order_count

    @property
    def customer_count(self) -> int:
        return len(self.customers.created_at) - 1

    @property
    def order_count(self) -> int:
        return len(self.orders.created_at) - 1

    @property
    def quote_count(self) -> int:
        return self.order_count + self.carts

    @property
    def creditmemo_count(self) -> int:
        return len(self.creditmemos.order_id) - 1

    @property
    def subscriber_count(self) -> int:
        return len(self.subscribers.customer_id) - 1

    def customer(self, customer_id: int) -> dict[str, Any]:
        """A customer as `oroCustomerList` returns it (a superset of `customerCustomerEntity`)."""
        columns = self.customers
        record = {
            "customer_id": customer_id,
            "created_at": columns.created_at[customer_id],
            "updated_at": columns.updated_at[customer_id],
            "store_id": columns.store_id[customer_id],
            "website_id": columns.website_id[customer_id],
            "email": columns.email[customer_id],
            "firstname": columns.firstname[customer_id],
            "lastname": columns.lastname[customer_id],
            "group_id": columns.group_id[customer_id],
        }
        record.update(self.customer_profile(customer_id))
        record["addresses"] = self.customer_addresses(customer_id)
        return record

    def customer_profile(self, customer_id: int) -> dict[str, Any]:
        """The optional EAV attributes of a customer: some set, most null, as in real stores."""
        rng = _record_rng(self.seed, 1, customer_id)
        store = STORES_BY_ID[self.customers.store_id[customer_id]]
        gender = rng.choice((1, 2, 1, 2, None))
        salt = f"{rng.getrandbits(128):032x}"
        profile = {
            "created_in": "Admin" if rng.random() < 0.05 else store.name,
            "middlename": rng.choice(MIDDLE_NAMES) if rng.random() < 0.1 else None,
            "prefix": rng.choice(PREFIXES[gender]) if gender and rng.random() < 0.12 else None,
            "suffix": rng.choice(SUFFIXES) if rng.random() < 0.02 else None,
            "dob": f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 00:00:00"
            if rng.random() < 0.4
            else None,
            "taxvat": f"{rng.choice(('DE', 'FR', 'NL', 'GB', 'US'))}{rng.randint(100_000_000, 999_999_999)}"
            if rng.random() < 0.08
            else None,
            "confirmation": True if rng.random() < 0.04 else None,
            "password_hash": hashlib.sha256(f"{self.seed}:{customer_id}:{salt}".encode()).hexdigest() + ":" + salt,
            "gender": gender,
        }
        if self.malformed_customers.get(customer_id) == "impossible_updated_at":
            profile["dob"] = "2021-13-45 99:00:00"
        return profile

    def customer_addresses(self, customer_id: int) -> list[dict[str, Any]]:
        columns = self.customers
        first_id, end_id = columns.address_start[customer_id], columns.address_start[customer_id + 1]
        if first_id == end_id:
            return []
        rng = _record_rng(self.seed, 2, customer_id)
        website = WEBSITES_BY_ID[columns.website_id[customer_id]]
        bad_country = self.malformed_customers.get(customer_id) == "bad_country"
        shipping_position = 1 if end_id - first_id > 1 and rng.random() < 0.3 else 0
        addresses = []
        for address_id in range(first_id, end_id):
            position = address_id - first_id
            same_person = position == 0 or rng.random() < 0.7
            first = columns.firstname[customer_id] if same_person else rng.choice(FIRST_NAMES)
            last = columns.lastname[customer_id] if same_person else rng.choice(LAST_NAMES)
            country = rng.choice(website.countries) if rng.random() < 0.92 else rng.choice(tuple(REGIONS))
            address = {
                "customer_address_id": address_id,
                "created_at": columns.created_at[customer_id],
                "updated_at": columns.created_at[customer_id],
                "firstname": first,
                "lastname": last,
                **_postal_address(rng, country),
                "is_default_billing": position == 0,
                "is_default_shipping": position == shipping_position,
            }
            if bad_country:
                address["country_id"], address["region_id"] = ("XX", "ZZZ")[position % 2], None
            addresses.append(address)
        return addresses

    def order(self, order_id: int, *, history_ids: bool = True) -> dict[str, Any]:
        """A full order (`salesOrderEntity` plus the `salesOrderListEntity` joined names).

        `history_ids` adds `increment_id` to status history rows, as bridge 1.2.19 does.
        """
        columns = self.orders
        rng = _record_rng(self.seed, 3, order_id)
        store = STORES_BY_ID[columns.store_id[order_id]]
        website = WEBSITES_BY_ID[store.website_id]
        customer_id = columns.customer_id[order_id]
        created_at = columns.created_at[order_id]
        generated_updated = self.generated_updated_at.get(("orders", order_id), columns.updated_at[order_id])
        malformed = self.malformed_orders.get(order_id)
        status = columns.status[order_id]
        first, last = columns.firstname[order_id], columns.lastname[order_id]

        profile = self.customer_profile(customer_id) if customer_id else {}
        saved = self.customer_addresses(customer_id) if customer_id else []
        billing_source = next((a for a in saved if a["is_default_billing"]), None)
        shipping_source = next((a for a in saved if a["is_default_shipping"]), billing_source)
        if billing_source is None:
            country = rng.choice(website.countries)
            billing_source = {"firstname": first or "Guest", "lastname": last, **_postal_address(rng, country)}
            shipping_source = billing_source
            if rng.random() < 0.1:
                gift_country = rng.choice(website.countries)
                recipient = {"firstname": rng.choice(FIRST_NAMES), "lastname": rng.choice(LAST_NAMES)}
                shipping_source = {**recipient, **_postal_address(rng, gift_country)}
        billing = _order_address(order_id, 2 * order_id - 1, "billing", billing_source)
        shipping = _order_address(order_id, 2 * order_id, "shipping", shipping_source)
        if malformed == "bad_country":
            billing["country_id"], shipping["country_id"] = "ZZZ", "XX"
            billing["region_id"] = shipping["region_id"] = None

        coupon = rng.choice(COUPONS) if rng.random() < 0.15 else None
        percent = _COUPON_PERCENT.get(coupon, 0)
        tax_rate = _TAX_BASIS_POINTS.get(shipping["country_id"], 0)
        method, method_title, per_item_shipping = rng.choice(SHIPPING_METHODS)
        rng.below(3)  # was the quote id; still drawn so that every later value of the order stays the same
        quote_id = self.order_quote_id(order_id)
        items, totals = self._order_items(
            rng, order_id, quote_id, status, created_at, generated_updated, percent, tax_rate, malformed
        )
        shipping_cents = per_item_shipping * totals["qty"] if per_item_shipping else 0
        tax, discount, subtotal = totals["tax"], -totals["discount"], totals["subtotal"]
        grand = subtotal + shipping_cents + tax + discount
        state = STATUS_STATE[status]
        paid = grand if status in ("processing", "complete", "closed") else None
        payment_method = rng.choice(PAYMENT_METHODS)
        customer_name = " ".join(part for part in (first, last) if part)
        record = {
            "order_id": str(order_id),
            "increment_id": columns.increment_id[order_id],
            "store_id": str(store.store_id),
            "created_at": created_at,
            "updated_at": columns.updated_at[order_id],
            "customer_id": str(customer_id) if customer_id else None,
            "customer_group_id": str(self.customers.group_id[customer_id]) if customer_id else "0",
            "customer_is_guest": "0" if customer_id else "1",
            "customer_email": columns.email[order_id],
            "customer_firstname": first,
            "customer_lastname": last,
            "customer_middlename": profile.get("middlename"),
            "customer_prefix": profile.get("prefix"),
            "customer_suffix": profile.get("suffix"),
            "customer_dob": profile.get("dob"),
            "customer_gender": str(profile["gender"]) if profile.get("gender") else None,
            "customer_taxvat": profile.get("taxvat"),
            "customer_note_notify": "1",
            "customer_note": "Please ring twice." if rng.random() < 0.02 else None,
            "email_sent": "1",
            "quote_id": str(quote_id),
            "is_virtual": "0",
            "status": status,
            "state": state,
            "protect_code": f"{rng.getrandbits(24):06x}",
            "remote_ip": None if rng.random() < 0.05 else _ip_address(rng),
            "store_name": f"{website.name}\n{store.group_name}\n{store.name}",
            "global_currency_code": "USD",
            "base_currency_code": website.base_currency,
            "store_currency_code": website.base_currency,
            "order_currency_code": website.base_currency,
            "store_to_base_rate": "1.0000",
            "store_to_order_rate": "1.0000",
            "base_to_global_rate": website.base_to_global_rate,
            "base_to_order_rate": "1.0000",
            "weight": f"{totals['weight'] // 100}.{totals['weight'] % 100:02d}00",
            "shipping_method": method,
            "shipping_description": method_title,
            "coupon_code": coupon,
            "discount_description": coupon,
            "applied_rule_ids": "1" if coupon else None,
            "billing_address_id": billing["address_id"],
            "shipping_address_id": shipping["address_id"],
            "billing_firstname": billing["firstname"],
            "billing_lastname": billing["lastname"],
            "shipping_firstname": shipping["firstname"],
            "shipping_lastname": shipping["lastname"],
            "billing_name": " ".join(p for p in (billing["firstname"], billing["lastname"]) if p) or customer_name,
            "shipping_name": " ".join(p for p in (shipping["firstname"], shipping["lastname"]) if p) or customer_name,
            "total_qty_ordered": quantity(totals["qty"]),
            "total_item_count": str(totals["lines"]),
            "total_due": money(0 if paid is not None or status == "canceled" else grand),
        }
        amounts = {
            "subtotal": subtotal,
            "shipping_amount": shipping_cents,
            "tax_amount": tax,
            "discount_amount": discount,
            "grand_total": grand,
            "subtotal_incl_tax": subtotal + tax,
            "shipping_tax_amount": 0,
            "shipping_incl_tax": shipping_cents,
            "shipping_discount_amount": 0,
            "hidden_tax_amount": 0,
            "shipping_hidden_tax_amount": 0,
        }
        if paid is not None:
            amounts.update(
                total_paid=paid,
                total_invoiced=paid,
                subtotal_invoiced=subtotal,
                tax_invoiced=tax,
                shipping_invoiced=shipping_cents,
                discount_invoiced=discount,
            )
        if status == "closed":
            amounts.update(total_refunded=grand, subtotal_refunded=subtotal, tax_refunded=tax)
            amounts["shipping_refunded"] = shipping_cents
            amounts["discount_refunded"] = discount
            amounts["total_online_refunded" if payment_method == "paypal_express" else "total_offline_refunded"] = grand
        if status == "canceled":
            amounts.update(total_canceled=grand, subtotal_canceled=subtotal, tax_canceled=tax)
            amounts["shipping_canceled"] = shipping_cents
            amounts["discount_canceled"] = discount
        for name, cents in amounts.items():
            # Store and base currency are the same in every website of this store.
            record[name] = record["base_" + name] = money(cents)
        record["shipping_address"] = shipping
        record["billing_address"] = billing
        record["items"] = items
        record["payment"] = _payment(rng, order_id, payment_method, grand, shipping_cents, billing)
        record["status_history"] = self._history(
            rng, order_id, status, created_at, generated_updated, history_ids, paid is not None
        )
        return record

    def _order_items(
        self,
        rng: _FastRandom,
        order_id: int,
        quote_id: int,
        status: str,
        created_at: str,
        updated_at: str,
        percent: int,
        tax_rate: int,
        malformed: str | None,
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        item_id = self.orders.item_start[order_id]
        items: list[dict[str, Any]] = []
        totals = {"subtotal": 0, "tax": 0, "discount": 0, "qty": 0, "weight": 0, "lines": 0}
        for product in self.orders.products[order_id]:
            qty = rng.choice((1, 1, 1, 1, 2, 2, 3))
            size = rng.below(len(_SIZES)) if PRODUCTS[product][4] else None
            rows, row_total, tax, discount = _item_rows(product, qty, size, percent, tax_rate, status)
            for row in rows:
                line = dict(row)
                line.update(
                    item_id=str(item_id),
                    order_id=str(order_id),
                    quote_item_id=str(quote_id * 8 + len(items)),
                    created_at=created_at,
                    updated_at=updated_at,
                )
                if malformed == "huge_names":
                    line["name"] = _LONG_TEXT
                items.append(line)
                item_id += 1
            totals["subtotal"] += row_total
            totals["tax"] += tax
            totals["discount"] += discount
            totals["qty"] += qty
            totals["weight"] += PRODUCTS[product][3] * qty
            totals["lines"] += 1
        return items, totals

    def _history(
        self,
        rng: _FastRandom,
        order_id: int,
        status: str,
        created_at: str,
        updated_at: str,
        with_ids: bool,
        invoiced: bool,
    ) -> list[dict[str, Any]]:
        path = _STATUS_PATH[status]
        end = _parse_timestamp(updated_at)
        start = _parse_timestamp(created_at) or end
        end = max(start, end)
        rows = []
        for step, step_status in enumerate(path):
            at = start if step == 0 else end if step == len(path) - 1 else start + (end - start) * step // len(path)
            comment = rng.choice(HISTORY_COMMENTS)
            if step > 0 and step_status == "processing" and invoiced and rng.random() < 0.5:
                comment = f"Invoice #{self.orders.increment_id[order_id]} created."
            row = {
                "parent_id": str(order_id),
                "created_at": format_timestamp(at) if at else created_at,
                "is_customer_notified": "1" if step == 0 else rng.choice(("0", "1")),
                "status": step_status,
                "comment": comment,
            }
            if with_ids:
                row["increment_id"] = str(self.orders.history_start[order_id] + step)
            rows.append(row)
        # Magento returns the newest row first.
        rows.reverse()
        return rows

    def quote(self, quote_id: int) -> dict[str, Any]:
        """A quote as `oroQuoteList` returns it (`salesQuoteEntity`), with addresses, items and payment."""
        columns = self.quotes
        kind = columns.kind[quote_id]
        rng = _record_rng(self.seed, 5, quote_id)
        store = STORES_BY_ID[columns.store_id[quote_id]]
        website = WEBSITES_BY_ID[store.website_id]
        created_at = format_timestamp(columns.created_at[quote_id])
        updated_at = format_timestamp(columns.updated_at[quote_id])
        generated_updated = self.generated_updated_at.get(("quotes", quote_id), updated_at)
        customer_id = columns.customer_id[quote_id]
        order_id = columns.order_id[quote_id]
        record: dict[str, Any] = {
            "entity_id": str(quote_id),
            "store_id": str(store.store_id),
            "created_at": created_at,
            "updated_at": updated_at,
            "is_active": "0" if kind in INACTIVE_QUOTE_KINDS else "1",
            "is_virtual": "0",
            "is_multi_shipping": "0",
            "orig_order_id": "0",
            "store_to_base_rate": "1.0000",
            "store_to_quote_rate": "1.0000",
            "base_currency_code": website.base_currency,
            "store_currency_code": website.base_currency,
            "quote_currency_code": website.base_currency,
            "global_currency_code": "USD",
            "base_to_global_rate": website.base_to_global_rate,
            "base_to_quote_rate": "1.0000",
            "customer_tax_class_id": "3",
            "customer_note_notify": "1",
            "is_changed": "1",
            "trigger_recollect": "0",
            "is_persistent": "0",
        }
        if order_id:
            self._converted_quote(record, quote_id, self.order(order_id, history_ids=False), generated_updated)
            return record
        first = last = email = None
        profile: dict[str, Any] = {}
        if customer_id:
            customers = self.customers
            first, last = customers.firstname[customer_id], customers.lastname[customer_id]
            email = customers.email[customer_id]
            profile = self.customer_profile(customer_id)
        elif kind == QUOTE_GUEST:
            first, last, email = self.guest_people[columns.person[quote_id]]
        record.update(
            customer_id=str(customer_id) if customer_id else None,
            customer_group_id=str(self.customers.group_id[customer_id]) if customer_id else "0",
            customer_is_guest="1" if kind == QUOTE_GUEST else "0",
            checkout_method="guest" if kind == QUOTE_GUEST else None,
            customer_email=email,
            customer_firstname=first,
            customer_lastname=last,
            customer_middlename=profile.get("middlename"),
            customer_prefix=profile.get("prefix"),
            customer_suffix=profile.get("suffix"),
            customer_dob=profile.get("dob"),
            customer_taxvat=profile.get("taxvat"),
            customer_gender=str(profile["gender"]) if profile.get("gender") else None,
            remote_ip=None if kind == QUOTE_API else _ip_address(rng),
        )
        billing_source: dict[str, Any] = {}
        if customer_id and rng.random() < 0.6:
            saved = self.customer_addresses(customer_id)
            billing_source = next((a for a in saved if a["is_default_billing"]), {})
        elif kind == QUOTE_GUEST and rng.random() < 0.5:
            billing_source = {
                "firstname": first,
                "lastname": last,
                **_postal_address(rng, rng.choice(website.countries)),
            }
        elif kind == QUOTE_ANONYMOUS_PHONE:
            billing_source = {"telephone": _telephone(rng, rng.choice(website.countries))}
        country = billing_source.get("country_id")
        items, totals = [], {"subtotal": 0, "tax": 0, "discount": 0, "qty": 0, "weight": 0, "lines": 0}
        if kind != QUOTE_EMPTY and (kind != QUOTE_API or rng.random() < 0.7):
            lines = rng.weighted(_LINES, _LINES_CUMULATIVE)
            products = rng.sample(range(len(PRODUCTS)), lines)
            tax_rate = _TAX_BASIS_POINTS.get(country, 0)
            rows = []
            for product in products:
                qty = rng.choice((1, 1, 1, 2, 3))
                size = rng.below(len(_SIZES)) if PRODUCTS[product][4] else None
                line_rows, row_total, tax, _ = _item_rows(product, qty, size, 0, tax_rate, "pending")
                rows += line_rows
                totals["subtotal"] += row_total
                totals["tax"] += tax
                totals["qty"] += qty
                totals["lines"] += 1
            items = _quote_items(quote_id, store.store_id, created_at, generated_updated, rows)
        subtotal, tax = totals["subtotal"], totals["tax"]
        record.update(
            items_count=str(totals["lines"]),
            items_qty=quantity(totals["qty"]),
            subtotal=money(subtotal),
            base_subtotal=money(subtotal),
            subtotal_with_discount=money(subtotal),
            base_subtotal_with_discount=money(subtotal),
            grand_total=money(subtotal + tax),
            base_grand_total=money(subtotal + tax),
        )
        contact = {"customer_id": record["customer_id"], "email": email}
        record["billing_address"] = _quote_address(
            quote_id, "billing", created_at, generated_updated, contact, billing_source
        )
        record["shipping_address"] = _quote_address(
            quote_id, "shipping", created_at, generated_updated, contact, billing_source, same_as_billing=True
        )
        record["items"] = items
        record["payment"] = {"payment_id": str(quote_id), "created_at": created_at, "updated_at": generated_updated}
        if billing_source.get("street") and rng.random() < 0.5:
            record["payment"]["method"] = rng.choice(PAYMENT_METHODS)
        return record

    def _converted_quote(self, record: dict[str, Any], quote_id: int, order: dict[str, Any], updated_at: str) -> None:
        """The quote an order was placed from: its customer, items, addresses and totals."""
        for name in (
            "customer_id",
            "customer_group_id",
            "customer_is_guest",
            "customer_email",
            "customer_firstname",
            "customer_lastname",
            "customer_middlename",
            "customer_prefix",
            "customer_suffix",
            "customer_dob",
            "customer_taxvat",
            "customer_gender",
            "customer_note",
            "remote_ip",
            "coupon_code",
            "applied_rule_ids",
        ):
            record[name] = order.get(name)
        record["checkout_method"] = "guest" if order["customer_is_guest"] == "1" else "customer"
        record["reserved_order_id"] = order["increment_id"]
        subtotal = _cents(order["subtotal"])
        with_discount = subtotal + _cents(order["discount_amount"])
        record.update(
            items_count=order["total_item_count"],
            items_qty=order["total_qty_ordered"],
            subtotal=order["subtotal"],
            base_subtotal=order["subtotal"],
            subtotal_with_discount=money(with_discount),
            base_subtotal_with_discount=money(with_discount),
            grand_total=order["grand_total"],
            base_grand_total=order["grand_total"],
        )
        created_at = record["created_at"]
        contact = {"customer_id": order["customer_id"], "email": order["customer_email"]}
        billing, shipping = order["billing_address"], order["shipping_address"]
        same = all(billing.get(f) == shipping.get(f) for f in ("firstname", "lastname", "street", "postcode"))
        record["billing_address"] = _quote_address(quote_id, "billing", created_at, updated_at, contact, billing)
        record["shipping_address"] = _quote_address(
            quote_id, "shipping", created_at, updated_at, contact, shipping, same_as_billing=same
        )
        record["shipping_address"].update(
            shipping_method=order["shipping_method"],
            shipping_description=order["shipping_description"],
            weight=order["weight"],
        )
        record["items"] = _quote_items(quote_id, int(order["store_id"]), created_at, updated_at, order["items"])
        payment = {key: value for key, value in order["payment"].items() if key.startswith("cc_") or key == "method"}
        record["payment"] = {"payment_id": str(quote_id), "created_at": created_at, "updated_at": updated_at, **payment}

    def creditmemo(self, memo_id: int, *, children: bool = True) -> dict[str, Any]:
        """A credit memo (`salesOrderCreditmemoEntity`); `children` adds its items and comments (info only)."""
        columns = self.creditmemos
        order_id, part, state = columns.order_id[memo_id], columns.part[memo_id], columns.state[memo_id]
        order = self.order(order_id, history_ids=False)
        rng = _record_rng(self.seed, 6, memo_id)
        created_at = format_timestamp(columns.created_at[memo_id])
        lines = _order_lines(order["items"])
        if part == MEMO_FIRST:
            lines = lines[: len(lines) // 2]
        elif part == MEMO_REST:
            lines = lines[len(lines) // 2 :]
        elif part == MEMO_LINE:
            lines = [rng.choice(lines)]
        items, subtotal, tax, discount = [], 0, 0, 0
        for line in lines:
            parent = line[0]
            ordered = int(parent["qty_ordered"].partition(".")[0])
            qty = 1 if part == MEMO_LINE else ordered
            row = _cents(parent["price"]) * qty
            row_tax = _cents(parent["tax_amount"]) * qty // ordered
            row_discount = _cents(parent["discount_amount"]) * qty // ordered
            subtotal, tax, discount = subtotal + row, tax + row_tax, discount + row_discount
            for position, source in enumerate(line):
                child = position > 0
                item = {
                    "item_id": str(memo_id * 8 + len(items)),
                    "parent_id": str(memo_id),
                    "order_item_id": source["item_id"],
                    "product_id": source["product_id"],
                    "sku": source["sku"],
                    "name": source["name"],
                    "qty": quantity(qty),
                    "price": "0.0000" if child else parent["price"],
                    "base_price": "0.0000" if child else parent["price"],
                    "row_total": money(0 if child else row),
                    "base_row_total": money(0 if child else row),
                    "tax_amount": money(0 if child else row_tax),
                    "base_tax_amount": money(0 if child else row_tax),
                    "discount_amount": money(0 if child else row_discount),
                    "base_discount_amount": money(0 if child else row_discount),
                    "price_incl_tax": money(0 if child else _cents(parent["price"]) + row_tax // qty),
                    "base_price_incl_tax": money(0 if child else _cents(parent["price"]) + row_tax // qty),
                    "row_total_incl_tax": money(0 if child else row + row_tax),
                    "base_row_total_incl_tax": money(0 if child else row + row_tax),
                    "hidden_tax_amount": "0.0000",
                    "base_hidden_tax_amount": "0.0000",
                    "weee_tax_applied": "a:0:{}",
                    "weee_tax_applied_amount": "0.0000",
                    "weee_tax_applied_row_amount": "0.0000",
                    "base_weee_tax_applied_amount": "0.0000",
                    "base_weee_tax_applied_row_amount": "0.0000",
                    "weee_tax_disposition": "0.0000",
                    "weee_tax_row_disposition": "0.0000",
                    "base_weee_tax_disposition": "0.0000",
                    "base_weee_tax_row_disposition": "0.0000",
                    "additional_data": None,
                    "description": None,
                }
                items.append(item)
        shipping = _cents(order["shipping_amount"]) if part in (MEMO_FULL, MEMO_REST) else 0
        fee = 500 if part == MEMO_LINE and rng.random() < 0.3 else 0
        bonus = 250 if part == MEMO_LINE and not fee and rng.random() < 0.2 else 0
        grand = subtotal + tax + shipping - discount + bonus - fee
        record = {
            "creditmemo_id": str(memo_id),
            "increment_id": columns.increment_id[memo_id],
            "order_id": str(order_id),
            "store_id": order["store_id"],
            "created_at": created_at,
            "updated_at": format_timestamp(columns.updated_at[memo_id]),
            "state": str(state),
            "email_sent": "1" if rng.random() < 0.6 else None,
            "invoice_id": str(order_id),
            "transaction_id": f"{rng.getrandbits(40):010X}-refund"
            if order["payment"]["method"] == "paypal_express"
            else None,
            "billing_address_id": order["billing_address_id"],
            "shipping_address_id": order["shipping_address_id"],
            "global_currency_code": order["global_currency_code"],
            "base_currency_code": order["base_currency_code"],
            "order_currency_code": order["order_currency_code"],
            "store_currency_code": order["store_currency_code"],
            "base_to_global_rate": order["base_to_global_rate"],
            "base_to_order_rate": "1.0000",
            "store_to_base_rate": "1.0000",
            "store_to_order_rate": "1.0000",
            "base_shipping_hidden_tax_amnt": "0.0000",
        }
        amounts = {
            "subtotal": subtotal,
            "subtotal_incl_tax": subtotal + tax,
            "tax_amount": tax,
            "shipping_amount": shipping,
            "shipping_tax_amount": 0,
            "shipping_incl_tax": shipping,
            "discount_amount": -discount,
            "adjustment_positive": bonus,
            "adjustment_negative": fee,
            "adjustment": bonus - fee,
            "grand_total": grand,
            "hidden_tax_amount": 0,
        }
        for name, cents in amounts.items():
            record[name] = record["base_" + name] = money(cents)
        record["shipping_hidden_tax_amount"] = "0.0000"
        if children:
            record["items"] = items
            record["comments"] = self._creditmemo_comments(rng, memo_id, created_at)
        return record

    def _creditmemo_comments(self, rng: _FastRandom, memo_id: int, created_at: str) -> list[dict[str, Any]]:
        roll = rng.random()
        texts = [] if roll < 0.4 else [""] if roll < 0.6 else [rng.choice(_MEMO_COMMENTS)]
        if roll >= 0.9:
            texts.append(rng.choice(_MEMO_COMMENTS))
        return [
            {
                "parent_id": str(memo_id),
                "created_at": created_at,
                "comment": text,
                "is_customer_notified": rng.choice(("0", "1")),
                "is_visible_on_front": rng.choice(("0", "1")),
                "comment_id": str(memo_id * 2 + position),
            }
            for position, text in enumerate(texts)
        ]

    def subscriber(self, subscriber_id: int) -> dict[str, Any]:
        """A newsletter subscriber (`newsletterSubscriberEntity`): a customer's, or a guest's (customer_id "0")."""
        columns = self.subscribers
        customer_id = columns.customer_id[subscriber_id]
        rng = _record_rng(self.seed, 7, subscriber_id)
        if customer_id:
            email = self.customers.email[customer_id]
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{_email_local(rng, first, last)}@{rng.choice(EMAIL_DOMAINS)}"
        return {
            "subscriber_id": str(subscriber_id),
            "store_id": str(columns.store_id[subscriber_id]),
            "change_status_at": format_timestamp(columns.change_status_at[subscriber_id]),
            "customer_id": str(customer_id),
            "subscriber_email": email,
            "subscriber_status": str(columns.status[subscriber_id]),
            "subscriber_confirm_code": f"{rng.getrandbits(128):032x}",
        }


@lru_cache(maxsize=16_384)
def _item_rows(
    product: int, qty: int, size: int | None, percent: int, tax_rate: int, status: str
) -> tuple[tuple[dict[str, str], ...], int, int, int]:
    """The fields of an order line that depend only on what was bought, and its amounts.

    Returns the rows (a configurable product adds its chosen simple product as a second row
    with no amounts, as Magento lists it), the row total, tax and discount in cents. Cached:
    orders repeat these combinations, and building ~55 fields per line dominates generation.
    """
    sku, name, price, weight, configurable = PRODUCTS[product]
    row = price * qty
    discount = row * percent // 100
    tax = ((row - discount) * tax_rate + 5_000) // 10_000
    if size is not None:
        sku = f"{sku}-{_SIZES[size]}"
    done = status in ("processing", "complete", "closed")
    line = {
        "product_id": str(product + 1),
        "product_type": "configurable" if configurable else "simple",
        "product_options": _product_options(product, qty, None if size is None else _SIZES[size]),
        "weight": f"{weight // 100}.{weight % 100:02d}00",
        "is_virtual": "0",
        "sku": sku,
        "name": name,
        "free_shipping": "0",
        "is_qty_decimal": "0",
        "no_discount": "0",
        "qty_ordered": quantity(qty),
        "qty_invoiced": quantity(qty if done else 0),
        "qty_shipped": quantity(qty if status in ("complete", "closed") else 0),
        "qty_refunded": quantity(qty if status == "closed" else 0),
        "qty_canceled": quantity(qty if status == "canceled" else 0),
        "price": money(price),
        "base_price": money(price),
        "original_price": money(price),
        "base_original_price": money(price),
        "tax_percent": f"{tax_rate // 100}.{tax_rate % 100:02d}00",
        "tax_amount": money(tax),
        "base_tax_amount": money(tax),
        "tax_invoiced": money(tax if done else 0),
        "base_tax_invoiced": money(tax if done else 0),
        "discount_percent": f"{percent}.0000",
        "discount_amount": money(discount),
        "base_discount_amount": money(discount),
        "discount_invoiced": money(discount if done else 0),
        "base_discount_invoiced": money(discount if done else 0),
        "amount_refunded": money(row if status == "closed" else 0),
        "base_amount_refunded": money(row if status == "closed" else 0),
        "row_total": money(row),
        "base_row_total": money(row),
        "row_invoiced": money(row if done else 0),
        "base_row_invoiced": money(row if done else 0),
        "row_weight": f"{weight * qty // 100}.{weight * qty % 100:02d}00",
        "weee_tax_applied": "a:0:{}",
        "weee_tax_applied_amount": "0.0000",
        "weee_tax_applied_row_amount": "0.0000",
        "base_weee_tax_applied_amount": "0.0000",
        "base_weee_tax_applied_row_amount": "0.0000",
        "weee_tax_disposition": "0.0000",
        "weee_tax_row_disposition": "0.0000",
        "base_weee_tax_disposition": "0.0000",
        "base_weee_tax_row_disposition": "0.0000",
    }
    if size is None:
        return (line,), row, tax, discount
    child = {
        "product_id": str(100 + product * 10 + size),
        "product_type": "simple",
        "product_options": _product_options(product, qty, None),
        "weight": line["weight"],
        "is_virtual": "0",
        "sku": sku,
        "name": f"{name}-{_SIZES[size]}",
        "qty_ordered": quantity(qty),
        "price": "0.0000",
        "base_price": "0.0000",
        "original_price": "0.0000",
        "row_total": "0.0000",
        "base_row_total": "0.0000",
        "tax_amount": "0.0000",
        "discount_amount": "0.0000",
    }
    return (line, child), row, tax, discount


_MEMO_COMMENTS = (
    "Refunded to the original payment method.",
    "Item returned damaged; restocking fee applied.",
    "Customer changed their mind within 14 days.",
    "<b>Goodwill</b> refund after a late delivery.",
)


def _cents(text: str) -> int:
    """Cents of a `14.9500` / `-5.0000` amount."""
    whole, _, fraction = text.partition(".")
    cents = abs(int(whole)) * 100 + int((fraction + "00")[:2])
    return -cents if whole.startswith("-") else cents


def _order_lines(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Order rows grouped by line: a configurable product's row is followed by its chosen simple product's."""
    lines: list[list[dict[str, Any]]] = []
    for item in items:
        if lines and lines[-1][0]["product_type"] == "configurable" and len(lines[-1]) == 1:
            lines[-1].append(item)
        else:
            lines.append([item])
    return lines


def _quote_items(
    quote_id: int, store_id: int, created_at: str, updated_at: str, rows: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Quote items (`shoppingCartItemEntity`) for order-style rows; a child row points at its parent."""
    items: list[dict[str, Any]] = []
    parent_id = None
    for position, row in enumerate(rows):
        item_id = str(quote_id * 8 + position)
        child = row["product_type"] == "simple" and parent_id is not None and row["price"] == "0.0000"
        parent = items[-1] if child else None
        sku = row["sku"]
        slug = _ascii(row["name"][:60]) or "product"
        price, qty = _cents(row["price"]), int(row["qty_ordered"].partition(".")[0])
        tax, discount = _cents(row["tax_amount"]), _cents(row["discount_amount"])
        total = _cents(row["row_total"])
        item = {
            "item_id": item_id,
            "created_at": created_at,
            "updated_at": updated_at,
            "product_id": row["product_id"],
            "store_id": str(store_id),
            "parent_item_id": parent["item_id"] if parent else None,
            "is_virtual": 0,
            "sku": sku,
            "name": row["name"],
            "free_shipping": "0",
            "is_qty_decimal": "0",
            "no_discount": "0",
            "weight": row["weight"],
            "qty": row["qty_ordered"],
            "price": row["price"],
            "base_price": row["price"],
            "discount_percent": row.get("discount_percent", "0.0000"),
            "discount_amount": row["discount_amount"],
            "base_discount_amount": row["discount_amount"],
            "tax_percent": row.get("tax_percent", "0.0000"),
            "tax_amount": row["tax_amount"],
            "base_tax_amount": row["tax_amount"],
            "row_total": row["row_total"],
            "base_row_total": row["row_total"],
            "row_total_with_discount": money(total - discount),
            "row_weight": row.get("row_weight", row["weight"]),
            "product_type": row["product_type"],
            "base_cost": "0",
            "price_incl_tax": money(price + (tax // qty if qty else 0)),
            "base_price_incl_tax": money(price + (tax // qty if qty else 0)),
            "row_total_incl_tax": money(total + tax),
            "base_row_total_incl_tax": money(total + tax),
            "weee_tax_applied": 0,
            "tax_class_id": "2",
            "product_image_url": f"{STORE_BASE_URL}media/catalog/product/{sku[:1]}/{sku[1:2]}/{sku.lower()}.jpg",
            "product_url": f"{STORE_BASE_URL}{slug}.html",
            "categories": [{"name": name} for name in CATEGORIES.get(sku[:3], ())],
        }
        if not child:
            parent_id = item_id if row["product_type"] == "configurable" else None
        items.append(item)
    return items


def _quote_address(
    quote_id: int,
    kind: str,
    created_at: str,
    updated_at: str,
    contact: dict[str, Any],
    source: dict[str, Any],
    *,
    same_as_billing: bool = False,
) -> dict[str, Any]:
    """A quote address; Magento keeps both rows from the first item on, empty until checkout fills them."""
    return {
        "address_id": str(2 * quote_id - (1 if kind == "billing" else 0)),
        "created_at": created_at,
        "updated_at": updated_at,
        "customer_id": contact.get("customer_id"),
        "save_in_address_book": 0,
        "customer_address_id": None
        if source.get("customer_address_id") is None
        else str(source["customer_address_id"]),
        "address_type": kind,
        "email": contact.get("email"),
        "firstname": source.get("firstname"),
        "lastname": source.get("lastname"),
        "company": source.get("company"),
        "street": source.get("street"),
        "city": source.get("city"),
        "region": source.get("region"),
        "region_id": None if source.get("region_id") is None else str(source["region_id"]),
        "postcode": source.get("postcode"),
        "country_id": source.get("country_id"),
        "telephone": source.get("telephone"),
        "fax": source.get("fax"),
        "same_as_billing": 1 if same_as_billing else 0,
        "free_shipping": 0,
    }


def timestamp_seconds(text: Any) -> int | None:
    """Seconds since the epoch of a `YYYY-MM-DD HH:MM:SS` UTC time; None for anything else."""
    if not isinstance(text, str) or len(text) != 19 or text[4] != "-" or text[10] != " ":
        return None
    seconds = _parse_timestamp(text)
    return seconds if seconds or text == "1970-01-01 00:00:00" else None


def _parse_timestamp(text: str) -> int:
    """Seconds since the epoch of a `YYYY-MM-DD HH:MM:SS` UTC time; 0 for malformed ones."""
    try:
        date = (int(text[0:4]), int(text[5:7]), int(text[8:10]))
        moment = datetime(*date, int(text[11:13]), int(text[14:16]), int(text[17:19]), tzinfo=UTC)
    except ValueError:
        return 0
    return int(moment.timestamp())


def _postal_address(rng: _FastRandom, country: str) -> dict[str, Any]:
    region_id, region = rng.choice(REGIONS[country])
    number = rng.randint(1, 250)
    street = f"{number} {rng.choice(STREETS)}" if country in ("US", "CA", "GB") else f"{rng.choice(STREETS)} {number}"
    if rng.random() < 0.2:
        # A second street line arrives as a literal newline, as Magento joins street lines.
        street += f"\n{rng.choice(('Apt', 'Suite', 'Floor', 'c/o Reception'))} {rng.randint(1, 40)}"
    return {
        "street": street,
        "city": rng.choice(CITIES[country]),
        "region": region or None,
        "region_id": region_id,
        "postcode": _postcode(rng, country),
        "country_id": country,
        "telephone": _telephone(rng, country),
        "company": rng.choice(COMPANIES) if rng.random() < 0.2 else None,
        "fax": _telephone(rng, country) if rng.random() < 0.03 else None,
    }


def _postcode(rng: _FastRandom, country: str) -> str:
    if country == "GB":
        outward = rng.choice(("SW1A", "EC1A", "M1", "B33", "LS1"))
        return f"{outward} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRST')}"
    if country == "CA":
        return f"M{rng.randint(1, 9)}V {rng.randint(1, 9)}T{rng.randint(1, 9)}"
    if country == "NL":
        return f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGH')}{rng.choice('ABCDEFGH')}"
    if country == "AT":
        return str(rng.randint(1010, 9990))
    return f"{rng.randint(1000, 99999):05d}"


def _telephone(rng: _FastRandom, country: str) -> str:
    prefix = {"US": "+1 555", "CA": "+1 416", "DE": "+49 30", "FR": "+33 1", "NL": "+31 20", "GB": "+44 20"}
    return f"{prefix.get(country, '+34 91')} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def _ip_address(rng: _FastRandom) -> str:
    if rng.random() < 0.1:
        return f"2001:db8:{rng.getrandbits(16):x}::{rng.getrandbits(16):x}"
    return f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _order_address(order_id: int, address_id: int, kind: str, source: dict[str, Any]) -> dict[str, Any]:
    return {
        "parent_id": str(order_id),
        "address_type": kind,
        "firstname": source.get("firstname"),
        "lastname": source.get("lastname"),
        "company": source.get("company"),
        "street": source.get("street"),
        "city": source.get("city"),
        "region": source.get("region"),
        "postcode": source.get("postcode"),
        "country_id": source.get("country_id"),
        "telephone": source.get("telephone"),
        "fax": source.get("fax"),
        "region_id": None if source.get("region_id") is None else str(source["region_id"]),
        "address_id": str(address_id),
    }


def _payment(
    rng: _FastRandom, order_id: int, method: str, grand: int, shipping: int, billing: dict[str, Any]
) -> dict[str, Any]:
    payment = {
        "parent_id": str(order_id),
        "amount_ordered": money(grand),
        "base_amount_ordered": money(grand),
        "shipping_amount": money(shipping),
        "base_shipping_amount": money(shipping),
        "method": method,
        "payment_id": str(order_id),
    }
    if method == "ccsave":
        payment.update(
            cc_type=rng.choice(CARD_TYPES),
            cc_last4=f"{rng.randint(0, 9999):04d}",
            cc_owner=" ".join(p for p in (billing.get("firstname"), billing.get("lastname")) if p),
            cc_exp_month=str(rng.randint(1, 12)),
            cc_exp_year=str(rng.randint(2024, 2032)),
            cc_ss_start_month="0",
            cc_ss_start_year="0",
        )
    return payment


def generate(
    *,
    seed: int,
    customers: int,
    orders: int,
    carts: int | None = None,
    malformed: int = 0,
    now: datetime | None = None,
) -> Dataset:
    """The whole store for `seed`: same arguments, same data (`now` defaults to today 00:00 UTC).

    `carts` is the number of quotes besides the orders' converted ones (default: half the orders).
    """
    if now is None:
        now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if carts is None:
        carts = orders // 2
    start, end = int(DATA_START.timestamp()), int(now.timestamp())
    customer_columns, customer_created = _generate_customers(seed, customers, start, end)
    order_columns, order_created = _generate_orders(seed, orders, start, end, customer_columns, customer_created)
    dataset = Dataset(
        seed, now, customer_columns, order_columns, carts, array("I", customer_created), array("I", order_created)
    )
    _make_malformed(dataset, malformed)
    return dataset


def _cumulative(weights: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(accumulate(weights))


_WEBSITE_CUMULATIVE = _cumulative(WEBSITE_WEIGHTS)
_ADDRESS_COUNTS, _ADDRESS_CUMULATIVE = (0, 1, 2, 3), _cumulative((20, 50, 22, 8))
_GROUPS, _GROUP_CUMULATIVE = (1, 2, 3), _cumulative((80, 10, 10))
_LINES, _LINES_CUMULATIVE = (1, 2, 3, 4), _cumulative((50, 30, 15, 5))
_RECENT_STATUSES = tuple(status for status, _ in RECENT_STATUS_WEIGHTS)
_RECENT_CUMULATIVE = _cumulative(tuple(weight for _, weight in RECENT_STATUS_WEIGHTS))
_OLD_STATUSES = tuple(status for status, _ in OLD_STATUS_WEIGHTS)
_OLD_CUMULATIVE = _cumulative(tuple(weight for _, weight in OLD_STATUS_WEIGHTS))


def _generate_customers(seed: int, count: int, start: int, end: int) -> tuple[CustomerColumns, list[int]]:
    draw = _FastRandom(seed * 7_919 + 11)
    span = max(1, end - start)
    # More sign-ups in recent years: a skewed rather than uniform spread.
    created = sorted(start + int(span * draw.random() ** 0.75) for _ in range(count))
    columns = CustomerColumns([""], [""], [0], [0], [0], [None], [None], [None], [1])
    taken: dict[int, set[str]] = {website_id: set() for website_id in _WEBSITE_IDS}
    address_counts = [draw.weighted(_ADDRESS_COUNTS, _ADDRESS_CUMULATIVE) for _ in range(count)]
    for customer_id, created_at in enumerate(created, start=1):
        website_id = draw.weighted(_WEBSITE_IDS, _WEBSITE_CUMULATIVE)
        stores = STORES_BY_WEBSITE[website_id]
        store_id = stores[0].store_id if draw.random() < 0.75 else draw.choice(stores).store_id
        first = draw.choice(FIRST_NAMES)
        last = None if draw.random() < 0.01 else draw.choice(LAST_NAMES)
        email = None
        if customer_id > 10 and draw.random() < 0.02:
            # The same person registered on a second website: same email, per-website account.
            donor = draw.randint(1, customer_id - 1)
            donor_email = columns.email[donor]
            if columns.website_id[donor] != website_id and donor_email and donor_email not in taken[website_id]:
                first, last, email = columns.firstname[donor], columns.lastname[donor], donor_email
        if email is None:
            local, domain = _email_local(draw, first, last), draw.choice(EMAIL_DOMAINS)
            email = f"{local}@{domain}"
            if email in taken[website_id]:
                email = f"{local}{customer_id}@{domain}"
        taken[website_id].add(email)
        roll = draw.random()
        if roll < 0.45:
            updated_at = created_at
        elif roll < 0.9:
            updated_at = created_at + int((end - created_at) * draw.random() ** 3)
        else:
            updated_at = max(created_at, end - draw.below(30 * DAY))
        columns.created_at.append(format_timestamp(created_at))
        columns.updated_at.append(format_timestamp(updated_at))
        columns.website_id.append(website_id)
        columns.store_id.append(store_id)
        columns.group_id.append(draw.weighted(_GROUPS, _GROUP_CUMULATIVE))
        columns.firstname.append(first)
        columns.lastname.append(last)
        columns.email.append(email)
    columns.address_start.extend(accumulate(address_counts, initial=1))
    return columns, created


def _generate_orders(
    seed: int, count: int, start: int, end: int, customers: CustomerColumns, customer_created: list[int]
) -> tuple[OrderColumns, list[int]]:
    draw = _FastRandom(seed * 104_729 + 13)
    span = max(1, end - start)
    created = sorted(start + int(span * draw.random() ** 0.6) for _ in range(count))
    columns = OrderColumns([""], [""], [0], [0], [None], [None], [None], [""], [""], [()], [1], [1])
    guest_pool = []
    for _ in range(max(1, count // 5)):
        first, last = draw.choice(FIRST_NAMES), draw.choice(LAST_NAMES)
        guest_pool.append((first, last, f"{_email_local(draw, first, last)}@{draw.choice(EMAIL_DOMAINS)}"))
    sequence = dict.fromkeys(STORES_BY_ID, 0)
    product_count = len(PRODUCTS)
    configurable = [product[4] for product in PRODUCTS]
    customer_total = len(customers.email) - 1
    item_rows, history_rows = [], []
    for created_at in created:
        known = bisect_right(customer_created, created_at)
        customer_id = draw.randint(1, known) if known and draw.random() >= GUEST_SHARE else 0
        if customer_id:
            website_id = customers.website_id[customer_id]
            store_id = customers.store_id[customer_id]
            if draw.random() < 0.3:
                store_id = draw.choice(STORES_BY_WEBSITE[website_id]).store_id
            first, last = customers.firstname[customer_id], customers.lastname[customer_id]
            email = customers.email[customer_id]
        else:
            website_id = draw.weighted(_WEBSITE_IDS, _WEBSITE_CUMULATIVE)
            store_id = draw.choice(STORES_BY_WEBSITE[website_id]).store_id
            if customer_total and draw.random() < 0.12:
                # A registered customer checking out as a guest, with the account's email.
                donor = draw.randint(1, customer_total)
                first, last, email = customers.firstname[donor], customers.lastname[donor], customers.email[donor]
            else:
                first, last, email = draw.choice(guest_pool)
        if end - created_at < 14 * DAY:
            status = draw.weighted(_RECENT_STATUSES, _RECENT_CUMULATIVE)
        else:
            status = draw.weighted(_OLD_STATUSES, _OLD_CUMULATIVE)
        updated_at = created_at + _status_delay(draw, status)
        if updated_at > end:
            updated_at = created_at + int((end - created_at) * draw.random())
        if draw.random() < 0.04:
            updated_at = max(updated_at, end - draw.below(20 * DAY))
        sequence[store_id] += 1
        lines = draw.weighted(_LINES, _LINES_CUMULATIVE)
        products: list[int] = []
        while len(products) < lines:
            product = draw.below(product_count)
            if product not in products:
                products.append(product)
        columns.created_at.append(format_timestamp(created_at))
        columns.updated_at.append(format_timestamp(updated_at))
        columns.store_id.append(store_id)
        columns.customer_id.append(customer_id)
        columns.email.append(email)
        columns.firstname.append(first)
        columns.lastname.append(last)
        columns.status.append(status)
        columns.increment_id.append(f"{store_id}{sequence[store_id]:08d}")
        columns.products.append(tuple(products))
        item_rows.append(lines + sum(configurable[product] for product in products))
        history_rows.append(len(_STATUS_PATH[status]))
    columns.item_start.extend(accumulate(item_rows, initial=1))
    columns.history_start.extend(accumulate(history_rows, initial=1))
    return columns, created


_CART_KINDS = (QUOTE_ACTIVE, QUOTE_GUEST, QUOTE_ANONYMOUS_PHONE, QUOTE_ANONYMOUS, QUOTE_API, QUOTE_EMPTY)
_CART_CUMULATIVE = _cumulative((30, 25, 12, 13, 8, 12))
_REGISTERED_KINDS = (QUOTE_ACTIVE, QUOTE_API, QUOTE_EMPTY)


def _guest_people(draw: _FastRandom, count: int) -> list[tuple[str, str | None, str]]:
    """Guests who fill carts: emails repeat (one person, many carts), and some emails are shared by
    several people with different names (a family or an office address)."""
    people: list[tuple[str, str | None, str]] = []
    for _ in range(count):
        first, last = draw.choice(FIRST_NAMES), draw.choice(LAST_NAMES)
        if people and draw.random() < 0.15:
            _, shared_last, email = people[draw.below(len(people))]
            people.append((first, shared_last if draw.random() < 0.5 else last, email))
            continue
        people.append((first, last, f"{_email_local(draw, first, last)}@{draw.choice(EMAIL_DOMAINS)}"))
    return people


def _span(dataset: Dataset) -> tuple[int, int]:
    return int(DATA_START.timestamp()), int(dataset.now.timestamp())


def _generate_quotes(dataset: Dataset, people: int) -> QuoteColumns:
    """Each order's converted quote, with `dataset.carts` other carts spread among them in creation order.

    Quote ids follow creation as auto-increment ids do: the carts placed between two orders were
    started between those two checkouts (`Dataset.order_quote_id` counts them).
    """
    seed, carts, orders, customers = dataset.seed, dataset.carts, dataset.orders, dataset.customers
    order_created, customer_created = dataset.order_created, dataset.customer_created
    start, end = _span(dataset)
    draw = _FastRandom(seed * 6_700_417 + 29)
    columns = QuoteColumns(*(array(code, [0]) for code in ("I", "I", "B", "B", "i", "i", "i")))
    created_at, updated_at, store_ids = columns.created_at, columns.updated_at, columns.store_id
    kinds, customer_ids, order_ids, persons = columns.kind, columns.customer_id, columns.order_id, columns.person
    count = len(order_created)
    all_stores = tuple(STORES_BY_ID)

    def add_cart(at: int) -> None:
        kind = draw.weighted(_CART_KINDS, _CART_CUMULATIVE)
        customer_id, person = 0, -1
        if kind in _REGISTERED_KINDS:
            known = bisect_right(customer_created, at)
            if known:
                customer_id = draw.randint(1, known)
            else:
                kind = QUOTE_GUEST
        if customer_id:
            store_id = customers.store_id[customer_id]
        else:
            store_id = draw.choice(all_stores)
        if kind == QUOTE_GUEST:
            person = draw.below(people)
        roll = draw.random()
        updated = at if roll < 0.5 else at + int((end - at) * draw.random() ** 4)
        created_at.append(at)
        updated_at.append(min(updated, end))
        store_ids.append(store_id)
        kinds.append(kind)
        customer_ids.append(customer_id)
        order_ids.append(0)
        persons.append(person)

    previous = start
    for order_id, ordered in enumerate(order_created, start=1):
        for _ in range(order_id * carts // count - (order_id - 1) * carts // count):
            add_cart(previous + draw.below(max(1, ordered - previous + 1)))
        started = max(start, ordered - draw.randint(60, 2 * DAY))
        created_at.append(started)
        updated_at.append(ordered)
        store_ids.append(orders.store_id[order_id])
        kinds.append(QUOTE_CONVERTED)
        customer_ids.append(orders.customer_id[order_id])
        order_ids.append(order_id)
        persons.append(-1)
        previous = ordered
    if not count:
        for at in sorted(start + int((end - start) * draw.random() ** 0.6) for _ in range(carts)):
            add_cart(at)
    return columns


def _generate_creditmemos(dataset: Dataset) -> CreditmemoColumns:
    """Refunds: every closed order was refunded in full (some in two memos), and a few complete or
    processing orders had one line refunded, pending or canceled."""
    orders, order_created, (_, end) = dataset.orders, dataset.order_created, _span(dataset)
    draw = _FastRandom(dataset.seed * 9_576_890 + 31)
    memos: list[tuple[int, int, int, int]] = []  # (created, order id, part, state)
    for order_id, ordered in enumerate(order_created, start=1):
        status = orders.status[order_id]
        if status == "closed":
            # As generated: memos are built on first use, maybe after the order was touched.
            updated = dataset.generated_updated_at.get(("orders", order_id), orders.updated_at[order_id])
            refunded = max(ordered, _parse_timestamp(updated))
            if len(orders.products[order_id]) > 1 and draw.random() < 0.25:
                first = max(ordered, refunded - draw.randint(DAY, 10 * DAY))
                memos += [(first, order_id, MEMO_FIRST, 2), (refunded, order_id, MEMO_REST, 2)]
            else:
                memos.append((refunded, order_id, MEMO_FULL, 2))
        elif status in ("complete", "processing") and draw.random() < 0.05:
            at = min(end, ordered + draw.randint(DAY, 30 * DAY))
            memos.append((at, order_id, MEMO_LINE, draw.choice((1, 2, 3))))
    memos.sort()
    columns = CreditmemoColumns(*(array(code, [0]) for code in ("i", "I", "I", "B", "B")), [""])
    sequence = dict.fromkeys(STORES_BY_ID, 0)
    for at, order_id, part, state in memos:
        store_id = orders.store_id[order_id]
        sequence[store_id] += 1
        columns.order_id.append(order_id)
        columns.created_at.append(at)
        # A canceled memo was canceled later; a pending one may have been edited since.
        columns.updated_at.append(min(end, at + draw.randint(3_600, 5 * DAY)) if state != 2 else at)
        columns.part.append(part)
        columns.state.append(state)
        columns.increment_id.append(f"{store_id}{sequence[store_id]:08d}")
    return columns


_SUBSCRIBER_STATUSES = (SUBSCRIBED, NOT_ACTIVE, UNSUBSCRIBED, UNCONFIRMED)
_SUBSCRIBER_CUMULATIVE = _cumulative((60, 8, 25, 7))


def _generate_subscribers(dataset: Dataset) -> SubscriberColumns:
    """About 40% of customers subscribed when they registered; guests (an eighth as many) from the footer form."""
    customers, customer_created, (start, end) = dataset.customers, dataset.customer_created, _span(dataset)
    draw = _FastRandom(dataset.seed * 4_256_249 + 37)
    rows: list[tuple[int, int]] = []  # (subscribed at, customer id or 0)
    for customer_id, registered in enumerate(customer_created, start=1):
        if draw.random() < 0.4:
            rows.append((min(end, registered + draw.below(DAY)), customer_id))
    span = max(1, end - start)
    rows += [(start + int(span * draw.random() ** 0.7), 0) for _ in range(len(customer_created) // 8)]
    rows.sort()
    columns = SubscriberColumns(*(array(code, [0]) for code in ("i", "B", "B", "I")))
    all_stores = tuple(STORES_BY_ID)
    for subscribed, customer_id in rows:
        status = draw.weighted(_SUBSCRIBER_STATUSES, _SUBSCRIBER_CUMULATIVE)
        changed = subscribed
        if status in (UNSUBSCRIBED, SUBSCRIBED) and draw.random() < 0.6:
            changed = subscribed + int((end - subscribed) * draw.random())
        columns.customer_id.append(customer_id)
        columns.store_id.append(customers.store_id[customer_id] if customer_id else draw.choice(all_stores))
        columns.status.append(status)
        columns.change_status_at.append(changed)
    return columns


def _status_delay(draw: _FastRandom, status: str) -> int:
    if status == "pending":
        return 0
    if status in ("processing", "holded"):
        return draw.randint(60, 3 * DAY)
    if status == "complete":
        return draw.randint(DAY, 10 * DAY)
    if status == "canceled":
        return draw.randint(3_600, 5 * DAY)
    return draw.randint(10 * DAY, 60 * DAY)


def _make_malformed(dataset: Dataset, count: int) -> None:
    """Spoil `count` customers and `count` orders the ways real data is spoilt, still valid XML."""
    rng = random.Random(dataset.seed * 15_485_863 + 17)
    for entity, size, target in (
        ("customers", dataset.customer_count, dataset.malformed_customers),
        ("orders", dataset.order_count, dataset.malformed_orders),
    ):
        columns = getattr(dataset, entity)
        for position, record_id in enumerate(sorted(rng.sample(range(1, size + 1), min(count, size)))):
            kind = MALFORMED_KINDS[position % len(MALFORMED_KINDS)]
            if kind == "bad_country" and entity == "customers":
                record_id = _customer_with_address(dataset, record_id, target)
            target[record_id] = kind
            if kind == "no_identity":
                columns.firstname[record_id] = columns.lastname[record_id] = columns.email[record_id] = None
            elif kind == "zero_created_at":
                columns.created_at[record_id] = "0000-00-00 00:00:00"
            elif kind == "impossible_updated_at":
                columns.updated_at[record_id] = "2021-13-45 99:00:00"
            elif kind == "spaced_email" and columns.email[record_id]:
                local, _, domain = columns.email[record_id].partition("@")
                columns.email[record_id] = f"{local[:3]} {local[3:]}@{domain.replace('.', ' .', 1)}"
            elif kind == "huge_names":
                columns.firstname[record_id] = columns.lastname[record_id] = _LONG_TEXT


def _customer_with_address(dataset: Dataset, record_id: int, taken: dict[int, str]) -> int:
    """The first customer from `record_id` on (wrapping) that has an address to spoil."""
    starts, size = dataset.customers.address_start, dataset.customer_count
    for offset in range(size):
        candidate = (record_id - 1 + offset) % size + 1
        if starts[candidate + 1] > starts[candidate] and candidate not in taken:
            return candidate
    return record_id
