"""The entities a Magento 1 store is read for, in dependency order, bridge or native.

With the Oro Bridge, lists are paged (`oro*List` with `pager`) and carry whole records. Natively,
`customerCustomerList` / `salesOrderList` answer a whole window at once, so windows are kept short
and each order is read again with `salesOrderInfo` (addresses with `customerAddressList`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from channels.models import (
    Cart,
    CreditMemo,
    Customer,
    CustomerAddress,
    CustomerGroup,
    NewsletterSubscriber,
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
from integrations.engine.importer import count_on_run, fetch_again, import_related
from integrations.engine.upsert import link_to_parents, upsert_batch

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
    """A small list read whole; on every run, or at most once per `refresh_every`.

    With `refresh_every`, the checkpoint remembers when the last whole read finished
    (`{"cursor": "refreshed", "read_at": ISO 8601}`) and a run within that span reads nothing. A read
    that is interrupted leaves the previous time in place, so the next run reads it all again.
    """

    refresh_every: datetime.timedelta | None = None

    def fetch(self) -> list[dict[str, Any]]:
        return [raw for page in self.fetch_pages() for raw in page]

    def fetch_pages(self) -> Iterator[list[dict[str, Any]]]:
        """The list in pages (one, unless the store pages it)."""
        yield self.fetch()

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        if self.refresh_every is None:
            records = self.fetch()
            yield Page(records=records, state={}, total=len(records), done=True)
            return
        now = timezone.now()
        read_at = state.get("read_at")
        if read_at and now - datetime.datetime.fromisoformat(read_at) < self.refresh_every:
            yield Page(records=[], state=state, total=0, done=True)
            return
        for records in self.fetch_pages():
            yield Page(records=records, state=state)
        yield Page(records=[], state={"cursor": "refreshed", "read_at": now.isoformat()}, done=True)

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
        # Orders, carts and subscribers read before their customer existed locally are linked now.
        for model in CUSTOMER_OWNED:
            link_to_parents(model, "customer", Customer, integration_id, list(keys_to_pk))
        contacts.link_customers(self.integration, self.settings, keys_to_pk.values())


# The records that name a registered customer by its Magento id (`customer_remote_id`).
CUSTOMER_OWNED: tuple[type[models.Model], ...] = (Order, Cart, NewsletterSubscriber)


class StoreScoped(IncrementalStream):
    """An entity of a store view (orders, carts, credit memos): one website's is read with `store_id in`
    its stores; All Websites sends no such filter."""

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
        return store_scope(self.settings, self.store_websites)


def store_scope(settings: Magento1Settings, store_websites: dict[str, str | None]) -> list[tuple[str, str, str]]:
    website_id = settings.website_id
    if website_id == Magento1Settings.ALL_WEBSITES:
        return []
    stores = sorted((s for s, w in store_websites.items() if w == str(website_id)), key=int)
    return [("store_id", "in", ",".join(stores) or "-1")]


class CustomerFirst(IncrementalStream):
    """Records that point at a customer: customers not known locally yet are read and written first.

    A customer registered after the customers stream read its window (or quarantined then, or read
    later by an interleaved first sync) would leave the page's records unlinked until it comes in.
    Instead, each page's unknown customer ids are fetched in one call and imported as the page is
    written (in its transaction, from `after_write`), so the link is set at once. Not earlier: in an
    interleaved first sync the page is read before it is written, and the customers stream's own
    newest window must go in first.
    """

    def __init__(self, connector: Magento1Connector) -> None:
        super().__init__(connector)
        self._customers_asked: set[str] = set()
        self._customer_stream: CustomerStream | None = None

    def customers_first(self, mapped: list[Mapped]) -> None:
        """Call first thing in `after_write`: imports the page's customers not known yet."""
        self.import_unknown_customers([m.payload for m in mapped if m.payload])

    def import_unknown_customers(self, raws: list[dict[str, Any]]) -> int:
        """Import the registered customers these records name that are not local yet; how many came."""
        wanted = {cid for raw in raws if (cid := mappers.registered_customer_id(raw)) is not None}
        wanted -= self._customers_asked
        if not wanted:
            return 0
        known = set(
            Customer.objects.filter(integration=self.integration, remote_id__in=wanted).values_list(
                "remote_id", flat=True
            )
        )
        missing = sorted(wanted - known, key=int)
        # Asked once per run: a customer the store no longer has is not asked for on every page.
        self._customers_asked |= wanted
        if not missing:
            return 0
        if self._customer_stream is None:
            self._customer_stream = CustomerStream(self.connector)
        customers = self._customer_stream
        # One call; one per id if the answer cannot be read (a 10 MB value), as a quarantine retry reads.
        raws, unreadable = fetch_again(customers, missing)
        if unreadable:
            self.connector.log(
                f"{self.name}: the store's answer for customer(s) {', '.join(sorted(unreadable))} cannot be read; "
                "their records are linked when the customers come in"
            )
        with transaction.atomic():
            result = import_related(self.connector, customers, raws)
        self.connector.log(
            f"{self.name}: {len(missing)} customer(s) not known yet read first: "
            f"{result.created} created, {result.updated} updated, {result.failed} quarantined"
        )
        return result.created + result.updated


class OrderStream(CustomerFirst, StoreScoped):
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
        self.customers_first(mapped)
        # Credit memos read before their order existed locally are linked now.
        link_to_parents(CreditMemo, "order", Order, integration_id, list(keys_to_pk))
        if self.settings.guest_customer_sync:
            link_guest_orders(self.connector, [m for m in mapped if m.fields["is_guest"]], keys_to_pk)
        # The carts these orders were placed from are purchased (the cart may come first or later:
        # CartStream.after_write looks the other way).
        quotes = [m.fields["quote_remote_id"] for m in mapped if m.key in keys_to_pk and m.fields["quote_remote_id"]]
        if quotes:
            Cart.objects.filter(integration_id=integration_id, remote_id__in=quotes).exclude(
                status=Cart.Status.PURCHASED
            ).update(status=Cart.Status.PURCHASED, status_changed_at=timezone.now(), status_set_by="")


@dataclass(frozen=True)
class GuestFields:
    """Where a record that can belong to a guest keeps the guest's email and name."""

    model: type[models.Model]
    email: str
    first_name: str
    last_name: str


ORDER_GUESTS = GuestFields(Order, "customer_email", "customer_first_name", "customer_last_name")
CART_GUESTS = GuestFields(Cart, "email", "first_name", "last_name")


def link_guest_orders(connector: Magento1Connector, orders: list[Mapped], keys_to_pk: dict) -> None:
    """Attach guest orders to a customer (see link_guests)."""
    link_guests(connector, ORDER_GUESTS, orders, keys_to_pk)


def link_guests(connector: Magento1Connector, kind: GuestFields, records: list[Mapped], keys_to_pk: dict) -> None:
    """Attach guest orders or carts to a customer, as OroCRM's Guest Customer Sync does.

    A registered customer of the same website with the record's email takes it; otherwise a guest
    customer is created, one per email and website (and per full name for the emails listed in
    'Split by Full Name'), shared by that guest's orders and carts; the guests created are counted on
    the run's customers.
    """
    integration, settings = connector.integration, connector.settings
    keys_to_pk = keys_to_pk or {}
    records = [r for r in records if r.fields[kind.email] and r.key in keys_to_pk]
    if not records:
        return
    split = mappers.shared_emails(settings.shared_guest_emails)
    emails = {r.fields[kind.email] for r in records}
    lowered = {e.lower() for e in emails}
    registered = {
        (website_id, email.lower()): pk
        for pk, email, website_id in Customer.objects.filter(
            integration=integration, is_guest=False, email__in=sorted(emails | lowered)
        ).values_list("pk", "email", "website__remote_id")
        if email.lower() in lowered
    }
    guests: dict[str, Mapped] = {}
    record_guest: dict[int, str] = {}
    record_customer: dict[int, int] = {}
    for r in records:
        website_id = r.refs["website"].remote_id
        email = r.fields[kind.email]
        pk = registered.get((website_id, email.lower()))
        if pk is not None:
            record_customer[keys_to_pk[r.key]] = pk
            continue
        first, last = r.fields[kind.first_name], r.fields[kind.last_name]
        key = mappers.guest_key(website_id, email, first, last, email.lower() in split)
        record_guest[keys_to_pk[r.key]] = key
        if key not in guests:
            guests[key] = mappers.guest_customer(r, key, email=email, first_name=first, last_name=last)
    if guests:
        known = set(
            Customer.objects.filter(integration=integration, guest_key__in=list(guests)).values_list(
                "guest_key", flat=True
            )
        )
        # A guest keeps what its first order (or cart) said; later ones only link to it.
        new_guests = [g for key, g in guests.items() if key not in known]
        if new_guests:
            made = upsert_batch(
                model=Customer, integration_id=integration.pk, records=new_guests, key_field="guest_key"
            )
            count_on_run(connector, CustomerStream.name, created=made.created)
        guest_pks = dict(
            Customer.objects.filter(integration=integration, guest_key__in=list(guests)).values_list("guest_key", "pk")
        )
        for record_pk, key in record_guest.items():
            record_customer[record_pk] = guest_pks[key]
    kind.model.objects.bulk_update(
        [kind.model(pk=record_pk, customer_id=customer_pk) for record_pk, customer_pk in record_customer.items()],
        ["customer"],
    )
    contacts.link_customers(integration, settings, set(record_customer.values()))
