"""The entities a Magento 1 store is read for, in dependency order, bridge or native.

With the Oro Bridge, lists are paged (`oro*List` with `pager`) and carry whole records. Natively,
`customerCustomerList` / `salesOrderList` answer a whole window at once, so windows are kept short
and each order is read again with `salesOrderInfo` (addresses with `customerAddressList`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import OuterRef, Subquery

from channels.models import (
    CreditMemo,
    Customer,
    CustomerAddress,
    CustomerGroup,
    Order,
    OrderAddress,
    OrderItem,
    OrderNote,
    Store,
    Website,
)
from integrations.connectors.magento1 import contacts, mappers
from integrations.connectors.magento1.models import Magento1Settings
from integrations.connectors.magento1.transport import Conditions
from integrations.engine.contracts import ChildSpec, Mapped, Page, SourceStream
from integrations.engine.cursors import UpdatedAtKeyset, numeric_id
from integrations.engine.upsert import upsert_batch

if TYPE_CHECKING:
    from integrations.connectors.magento1.connector import Magento1Connector

NATIVE_WINDOW = datetime.timedelta(days=30)


def complex_filter(*conditions: tuple[str, str, str]) -> Conditions:
    """Magento's `filters` argument from (field, operator, value) triples.

    The client writes them in the style its store serves (`MagentoSoapClient.filters`): RPC/encoded
    or WS-I compliant.
    """
    return Conditions(conditions)


class MagentoStream(SourceStream):
    def __init__(self, connector: Magento1Connector) -> None:
        self.connector = connector
        self.soap = connector.soap
        self.integration = connector.integration
        self.settings: Magento1Settings = connector.settings

    @property
    def bridge(self) -> bool:
        return self.connector.mode == "bridge"


class DictionaryStream(MagentoStream):
    """A small list read whole on every run; no checkpoint."""

    def fetch(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        records = self.fetch()
        yield Page(records=records, state={}, total=len(records), done=True)

    def fetch_by_ids(self, remote_ids: list[str]) -> list[dict[str, Any]]:
        wanted = set(remote_ids)
        return [raw for raw in self.fetch() if self.remote_id_of(raw) in wanted]


class WebsiteStream(DictionaryStream):
    name = "websites"
    model = Website

    def fetch(self) -> list[dict[str, Any]]:
        if self.bridge:
            return self.soap.call("oroWebsiteList") or []
        return mappers.websites_from_stores(self.connector.store_list())

    def map(self, raw: dict[str, Any]) -> Mapped:
        return mappers.website(raw)

    def remote_id_of(self, raw: dict[str, Any]) -> str:
        return str(raw.get("website_id", ""))


class StoreStream(DictionaryStream):
    name = "stores"
    model = Store

    def fetch(self) -> list[dict[str, Any]]:
        return self.connector.store_list()

    def map(self, raw: dict[str, Any]) -> Mapped:
        return mappers.store(raw)

    def remote_id_of(self, raw: dict[str, Any]) -> str:
        return str(raw.get("store_id", ""))


class CustomerGroupStream(DictionaryStream):
    name = "customer_groups"
    model = CustomerGroup

    def fetch(self) -> list[dict[str, Any]]:
        return self.soap.call("customerGroupList") or []

    def map(self, raw: dict[str, Any]) -> Mapped:
        return mappers.customer_group(raw)

    def remote_id_of(self, raw: dict[str, Any]) -> str:
        return str(raw.get("customer_group_id", ""))


class IncrementalStream(MagentoStream):
    """An entity read by `updated_at` windows and id keysets (see engine.cursors.UpdatedAtKeyset).

    Bridge mode pages `bridge_list` by id; native mode lists a whole window with `native_list` and
    completes each record with further calls (`complete`). Both filter by id range as the cursor
    asks (`gt` its keyset, `lteq` while it isolates a record it cannot read); which ids are sound is
    the cursor's to judge, so a listed record whose id is not a whole number is handed over as listed.
    """

    id_field: str
    bridge_list: str
    native_list: str
    interleave = True  # a first sync brings the newest week of every entity before an older one

    @property
    def paged(self) -> bool:
        """Whether the list is read page by page (the bridge's `oro*List`); if not, one call answers a
        whole window (the core lists, and the credit memo list even with the bridge)."""
        return self.bridge

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        cfg = settings.OROINT_SYNC
        start = datetime.datetime.combine(self.settings.sync_start_date, datetime.time(), tzinfo=datetime.UTC)
        cursor = UpdatedAtKeyset(
            fetch=self.fetch_bridge if self.paged else self.fetch_native,
            id_of=self.remote_id_of,
            start=start,
            now=self.soap.server_now,
            page_size=cfg["PAGE_SIZE"],
            overlap=datetime.timedelta(seconds=cfg["OVERLAP_SECONDS"]),
            window=None if self.paged else NATIVE_WINDOW,
            backwards=True,
            updated_of=lambda raw: raw.get("updated_at"),
            log=lambda line: self.connector.log(f"{self.name}: {line}"),
        )
        yield from cursor.pages(state)

    def conditions(
        self, since: str, until: str, after_id: str | None, upto_id: str | None = None
    ) -> list[tuple[str, str, str]]:
        conditions = [("updated_at", "from", since), ("updated_at", "to", until)]
        if upto_id is not None:
            # A store applies one operator per field, or `from` and `to` together (never `gt` with
            # `lteq`): an id range is asked as from/to, which it applies both of.
            if after_id is not None:
                conditions.append((self.id_field, "from", str(numeric_id(after_id) + 1)))
            conditions.append((self.id_field, "to", upto_id))
        elif after_id is not None:
            conditions.append((self.id_field, "gt", after_id))
        return conditions + self.scope_conditions()

    def scope_conditions(self) -> list[tuple[str, str, str]]:
        return []

    def complete(self, listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Native mode: turn list entries into whole records."""
        return listed

    def fetch_bridge(
        self, since: str, until: str, after_id: str | None, limit: int, upto_id: str | None = None
    ) -> list[dict[str, Any]]:
        return self.fetch_filtered(self.conditions(since, until, after_id, upto_id), limit)

    def fetch_native(
        self, since: str, until: str, after_id: str | None, limit: int, upto_id: str | None = None
    ) -> list[dict[str, Any]]:
        if upto_id is not None:
            # The cursor narrowing down one record: exactly (after_id, upto_id], not kept.
            listed = self.soap.call(self.native_list, complex_filter(*self.conditions(since, until, after_id, upto_id)))
            unplaced, placed = self._split_by_id(listed or [])
            return (unplaced + self.complete(placed[:limit]))[:limit]
        key = (since, until)
        if getattr(self, "_window_key", None) != key:
            # The whole window comes in one answer; keep it while its pages are written.
            rows = self.soap.call(self.native_list, complex_filter(*self.conditions(since, until, after_id))) or []
            self._window_unplaced, self._window_rows = self._split_by_id(rows)
            self._window_key, self._window_from = key, after_id
        after = None if after_id is None else numeric_id(after_id)
        listed = [raw for raw in self._window_rows if after is None or numeric_id(self.remote_id_of(raw)) > after]
        # Records whose id cannot be placed go to the cursor once, with the window's first page.
        unplaced = self._window_unplaced if after_id == self._window_from else []
        return unplaced + self.complete(listed[:limit])

    def _split_by_id(self, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(rows whose id is not a whole number, as listed; the others in id order)."""
        placed, unplaced = [], []
        for raw in rows:
            try:
                placed.append((numeric_id(self.remote_id_of(raw)), raw))
            except ValueError:
                unplaced.append(raw)
        return unplaced, [raw for _, raw in sorted(placed, key=lambda pair: pair[0])]

    def fetch_filtered(self, conditions: list[tuple[str, str, str]], limit: int) -> list[dict[str, Any]]:
        if self.paged:
            pager = {"page": "1", "pageSize": str(max(limit, 1))}
            return self.soap.call(self.bridge_list, complex_filter(*conditions), pager) or []
        return self.complete(self.soap.call(self.native_list, complex_filter(*conditions)) or [])

    def fetch_by_ids(self, remote_ids: list[str]) -> list[dict[str, Any]]:
        return self.fetch_filtered([(self.id_field, "in", ",".join(remote_ids))], len(remote_ids))

    def remote_id_of(self, raw: dict[str, Any]) -> str:
        value = raw.get(self.id_field)
        return "" if value is None else str(value).strip()


class CustomerStream(IncrementalStream):
    name = "customers"
    model = Customer
    id_field = "customer_id"
    bridge_list = "oroCustomerList"
    native_list = "customerCustomerList"
    children = {"addresses": ChildSpec(CustomerAddress, "customer")}

    def scope_conditions(self) -> list[tuple[str, str, str]]:
        website_id = self.settings.website_id
        if website_id == Magento1Settings.ALL_WEBSITES:
            return []
        return [("website_id", "in", str(website_id))]

    def complete(self, listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for raw in listed:
            raw["addresses"] = self.soap.call("customerAddressList", int(raw["customer_id"])) or []
        return listed

    def map(self, raw: dict[str, Any]) -> Mapped:
        return mappers.customer(raw)

    def after_write(self, integration_id: int, mapped: list[Mapped], keys_to_pk: dict) -> None:
        # Orders read before their customer existed locally are linked now, in one statement.
        Order.objects.filter(
            integration_id=integration_id, customer_remote_id__in=list(keys_to_pk), customer__isnull=True
        ).update(
            customer_id=Subquery(
                Customer.objects.filter(integration_id=integration_id, remote_id=OuterRef("customer_remote_id")).values(
                    "pk"
                )[:1]
            )
        )
        contacts.link_customers(self.integration, self.settings, keys_to_pk.values())


class StoreScoped(IncrementalStream):
    """An entity of a store view (orders, credit memos): one website's is read with `store_id in`."""

    def __init__(self, connector: Magento1Connector) -> None:
        super().__init__(connector)
        self._store_websites: dict[str, str | None] | None = None

    @property
    def store_websites(self) -> dict[str, str | None]:
        # Read when first needed: the stores stream of the same run has written them by then.
        if self._store_websites is None:
            self._store_websites = dict(
                Store.objects.filter(integration=self.integration).values_list("remote_id", "website_remote_id")
            )
        return self._store_websites

    def scope_conditions(self) -> list[tuple[str, str, str]]:
        website_id = self.settings.website_id
        if website_id == Magento1Settings.ALL_WEBSITES:
            return []
        stores = sorted((s for s, w in self.store_websites.items() if w == str(website_id)), key=int)
        return [("store_id", "in", ",".join(stores) or "-1")]


class OrderStream(StoreScoped):
    name = "orders"
    model = Order
    id_field = "order_id"
    bridge_list = "oroOrderList"
    native_list = "salesOrderList"
    children = {
        "items": ChildSpec(OrderItem, "order"),
        "addresses": ChildSpec(OrderAddress, "order"),
        "notes": ChildSpec(OrderNote, "order"),
    }

    def complete(self, listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [self.soap.call("salesOrderInfo", raw["increment_id"]) for raw in listed]

    def map(self, raw: dict[str, Any]) -> Mapped:
        return mappers.order(raw, self.store_websites)

    def after_write(self, integration_id: int, mapped: list[Mapped], keys_to_pk: dict) -> None:
        # Credit memos read before their order existed locally are linked now, in one statement.
        order = Order.objects.filter(integration_id=integration_id, remote_id=OuterRef("order_remote_id"))
        CreditMemo.objects.filter(
            integration_id=integration_id, order_remote_id__in=list(keys_to_pk), order__isnull=True
        ).update(order_id=Subquery(order.values("pk")[:1]))
        if self.settings.guest_customer_sync:
            link_guest_orders(self.integration, self.settings, [m for m in mapped if m.fields["is_guest"]], keys_to_pk)


def link_guest_orders(integration, settings: Magento1Settings, orders: list[Mapped], keys_to_pk: dict) -> None:
    """Attach guest orders to a customer, as OroCRM's Guest Customer Sync does.

    A registered customer of the same website with the order's email takes the order; otherwise a
    guest customer is created, one per email and website (and per full name for the emails listed
    in 'Split by Full Name').
    """
    keys_to_pk = keys_to_pk or {}
    orders = [o for o in orders if o.fields["customer_email"] and o.key in keys_to_pk]
    if not orders:
        return
    split = mappers.shared_emails(settings.shared_guest_emails)
    emails = {o.fields["customer_email"].lower() for o in orders}
    registered = {
        (website_id, email.lower()): pk
        for pk, email, website_id in Customer.objects.filter(
            integration=integration, is_guest=False, email__in=_case_variants(orders)
        ).values_list("pk", "email", "website__remote_id")
        if email.lower() in emails
    }
    guests: dict[str, Mapped] = {}
    order_guest: dict[int, str] = {}
    order_customer: dict[int, int] = {}
    for o in orders:
        website_id = o.refs["website"].remote_id
        email = o.fields["customer_email"]
        pk = registered.get((website_id, email.lower()))
        if pk is not None:
            order_customer[keys_to_pk[o.key]] = pk
            continue
        first, last = o.fields["customer_first_name"], o.fields["customer_last_name"]
        key = mappers.guest_key(website_id, email, first, last, email.lower() in split)
        order_guest[keys_to_pk[o.key]] = key
        if key not in guests:
            guests[key] = mappers.guest_customer(o, key)
    if guests:
        known = set(
            Customer.objects.filter(integration=integration, guest_key__in=list(guests)).values_list(
                "guest_key", flat=True
            )
        )
        # A guest keeps what its first order said; later orders only link to it.
        new_guests = [g for key, g in guests.items() if key not in known]
        if new_guests:
            upsert_batch(model=Customer, integration_id=integration.pk, records=new_guests, key_field="guest_key")
        guest_pks = dict(
            Customer.objects.filter(integration=integration, guest_key__in=list(guests)).values_list("guest_key", "pk")
        )
        for order_pk, key in order_guest.items():
            order_customer[order_pk] = guest_pks[key]
    Order.objects.bulk_update(
        [Order(pk=order_pk, customer_id=customer_pk) for order_pk, customer_pk in order_customer.items()],
        ["customer"],
    )
    contacts.link_customers(integration, settings, set(order_customer.values()))


def _case_variants(orders: list[Mapped]) -> list[str]:
    emails = {o.fields["customer_email"] for o in orders}
    return sorted(emails | {e.lower() for e in emails})
