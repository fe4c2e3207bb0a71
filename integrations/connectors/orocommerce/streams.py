"""What an OroCommerce store is read for: payment terms, customers and orders, over its JSON:API.

Customers and orders are read in (updatedAt, id) order with `filter[updatedAt][gte]` and page
numbers that count only within one timestamp (engine.cursors.UpdatedAtIdKeyset), every page to the
last (Marello read only the first): a record updated during the sync moves to the end of the
order and is read there, never skipped. A finished read resumes `overlap` before the newest
record written. Each page of orders asks, in one call each, the tax values of its orders and of
their lines and their payment statuses.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings

from channels.models import Customer, CustomerAddress, Order, OrderAddress, OrderItem, Product
from integrations.connectors.orocommerce import mappers
from integrations.connectors.orocommerce.models import PaymentTerm
from integrations.engine.contracts import ChildSpec, Mapped, Page, SourceStream
from integrations.engine.cursors import UpdatedAtIdKeyset, numeric_id
from integrations.engine.upsert import link_to_parents
from integrations.transports.jsonapi import Document, attribute

if TYPE_CHECKING:
    from integrations.connectors.orocommerce.connector import OroCommerceConnector

# How many SKUs a run's summary names before it says "and N more".
# Orders named one by one in the run's log; the rest are counted in the summary.
ORDERS_LOGGED = 50
SKUS_NAMED = 10


def _id_key(ident: str) -> int:
    return numeric_id(ident)


class OroStream(SourceStream):
    # The bundle's key of the record's own resource (see mappers); None: the record is the resource.
    main: ClassVar[str | None] = None

    def __init__(self, connector: OroCommerceConnector) -> None:
        self.connector = connector
        self.api = connector.api
        self.integration = connector.integration
        self.settings = connector.settings

    def remote_id_of(self, raw: dict[str, Any]) -> str:
        resource = raw.get(self.main) if self.main else raw
        ident = (resource or {}).get("id")
        return "" if ident is None else str(ident)


class PaymentTermStream(OroStream):
    """The store's payment terms: a short list, read whole on every run."""

    name = "payment_terms"
    model = PaymentTerm

    def fetch(self) -> list[dict[str, Any]]:
        return self.api.all("paymentterms", {"sort": "id"}, size=settings.OROINT_SYNC["PAGE_SIZE"])

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        records = self.fetch()
        yield Page(records=records, state={}, total=len(records), done=True)

    def map(self, raw: dict[str, Any]) -> Mapped:
        return mappers.payment_term(raw)

    def fetch_by_ids(self, remote_ids: list[str]) -> list[dict[str, Any]]:
        wanted = set(remote_ids)
        return [raw for raw in self.fetch() if self.remote_id_of(raw) in wanted]


class KeysetStream(OroStream):
    """A resource read in (updatedAt, id) order, each record handed on as a bundle (see mappers)."""

    resource: ClassVar[str]
    include: ClassVar[str]

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        cfg = settings.OROINT_SYNC
        cursor = UpdatedAtIdKeyset(
            fetch=self.fetch,
            updated_of=lambda raw: str(attribute(raw.get(self.main), "updatedAt") or ""),
            id_of=self.remote_id_of,
            page_size=cfg["PAGE_SIZE"],
            overlap=datetime.timedelta(seconds=cfg["OVERLAP_SECONDS"]),
            id_key=_id_key,
            start=self.start(),
        )
        yield from cursor.pages(state)

    def start(self) -> datetime.datetime | None:
        """Where a read with no checkpoint begins (a first sync, a full re-sync): the sync start date."""
        day = self.settings.sync_start_date
        return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC) if day else None

    def scope(self) -> dict[str, Any]:
        """Filters of this integration's own records (a currency)."""
        return {}

    def fetch(self, updated_gte: str | None, limit: int, page: int) -> list[dict[str, Any]]:
        params = {
            "include": self.include,
            "sort": "updatedAt,id",
            "page[size]": limit,
            "page[number]": page,
            **self.scope(),
        }
        if updated_gte:
            params["filter[updatedAt][gte]"] = updated_gte
        return self.bundles(self.api.get(self.resource, params))

    def expected_total(self, state: dict[str, Any]) -> int | None:
        """The records from the checkpoint on (or from the start date), as the store counts them: one
        request of one record with `X-Include: totalCount`. It counts again the few records of the
        checkpoint's own second already written, so the figure is a bound the read comes close to."""
        since = state.get("updated_at") or (self.start().isoformat() if self.start() else None)
        params: dict[str, Any] = {"sort": "updatedAt,id", "page[size]": 1, "page[number]": 1, **self.scope()}
        if since:
            params["filter[updatedAt][gte]"] = since
        return self.api.get(self.resource, params, headers={"X-Include": "totalCount"}).total

    def fetch_by_ids(self, remote_ids: list[str]) -> list[dict[str, Any]]:
        params = {"include": self.include, "filter[id]": ",".join(remote_ids), "page[size]": len(remote_ids)}
        return self.bundles(self.api.get(self.resource, params))

    def bundles(self, doc: Document) -> list[dict[str, Any]]:
        raise NotImplementedError


class CustomerStream(KeysetStream):
    name = "customers"
    model = Customer
    resource = "customers"
    include = "addresses,paymentTerm,users"
    main = "customer"
    children = {"addresses": ChildSpec(CustomerAddress, "customer")}

    def bundles(self, doc: Document) -> list[dict[str, Any]]:
        return [
            {
                "customer": resource,
                "addresses": doc.included_many(resource, "addresses"),
                "users": doc.included_many(resource, "users"),
                "paymentTerm": doc.included_related(resource, "paymentTerm"),
            }
            for resource in doc.resources
        ]

    def map(self, raw: dict[str, Any]) -> Mapped:
        return mappers.customer(raw)

    def after_write(self, integration_id: int, mapped: list[Mapped], keys_to_pk: dict[str, int]) -> None:
        # Orders read before their customer was synced (or quarantined then) are linked now.
        link_to_parents(Order, "customer", Customer, integration_id, list(keys_to_pk))


class OrderStream(KeysetStream):
    name = "orders"
    model = Order
    resource = "orders"
    include = "lineItems,billingAddress,shippingAddress,customer,customerUser"
    main = "order"
    children = {"items": ChildSpec(OrderItem, "order"), "addresses": ChildSpec(OrderAddress, "order")}

    def __init__(self, connector: OroCommerceConnector) -> None:
        super().__init__(connector)
        self._products: dict[str, int | None] = {}
        self.orders_with_unknown_skus = 0
        self.unknown_skus: set[str] = set()

    def scope(self) -> dict[str, Any]:
        currency = self.settings.currency
        return {"filter[currency]": currency} if currency else {}

    def bundles(self, doc: Document) -> list[dict[str, Any]]:
        orders = doc.resources
        if not orders:
            return []
        order_ids = [str(o["id"]) for o in orders]
        lines = {str(o["id"]): doc.included_many(o, "lineItems") for o in orders}
        line_ids = [str(line["id"]) for found in lines.values() for line in found]
        order_taxes = self._taxes(mappers.ORDER_CLASS, order_ids)
        line_taxes = self._taxes(mappers.LINE_ITEM_CLASS, line_ids)
        statuses = mappers.payment_statuses(
            self.api.get(
                "paymentstatuses",
                {
                    "filter[entityClass]": mappers.ORDER_CLASS,
                    "filter[entityIdentifier]": ",".join(order_ids),
                    "page[size]": -1,
                },
            ).resources
        )
        self._know_skus(
            attribute(line, "productSku") for found in lines.values() for line in found if attribute(line, "productSku")
        )
        bundles = []
        for resource in orders:
            ident = str(resource["id"])
            bundles.append(
                {
                    "order": resource,
                    "lineItems": lines[ident],
                    "billingAddress": doc.included_related(resource, "billingAddress"),
                    "shippingAddress": doc.included_related(resource, "shippingAddress"),
                    "customer": doc.included_related(resource, "customer"),
                    "customerUser": doc.included_related(resource, "customerUser"),
                    "taxes": {
                        "order": order_taxes.get(ident),
                        "lines": {
                            str(line["id"]): line_taxes[str(line["id"])]
                            for line in lines[ident]
                            if str(line["id"]) in line_taxes
                        },
                    },
                    "paymentStatus": statuses.get(ident),
                }
            )
        return bundles

    def _taxes(self, entity_class: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        params = {"filter[entityClass]": entity_class, "filter[entityId]": ",".join(ids), "page[size]": -1}
        return mappers.tax_results(self.api.get("taxvalues", params).resources)

    def _know_skus(self, skus) -> None:
        """Look up, in one query, the local products of the SKUs not looked up yet in this run."""
        wanted = {str(s) for s in skus} - set(self._products)
        if not wanted:
            return
        found = dict(Product.objects.filter(sku__in=sorted(wanted)).values_list("sku", "pk"))
        self._products.update({sku: found.get(sku) for sku in wanted})

    def map(self, raw: dict[str, Any]) -> Mapped:
        # A record retried from the quarantine comes without its page: its SKUs are looked up here.
        self._know_skus(s for line in raw.get("lineItems") or [] if (s := attribute(line, "productSku")))
        products = {sku: pk for sku, pk in self._products.items() if pk is not None}
        return mappers.order(raw, products)

    def after_write(self, integration_id: int, mapped: list[Mapped], keys_to_pk: dict[str, int]) -> None:
        for record in mapped:
            if record.key not in keys_to_pk:
                continue  # unchanged: said when it was written
            skus = mappers.unknown_skus(record)
            if skus:
                self.orders_with_unknown_skus += 1
                self.unknown_skus.update(skus)
                if self.orders_with_unknown_skus > ORDERS_LOGGED:
                    continue  # the run's summary counts them all; a line each would bury the log
                self.connector.log(
                    f"order {record.fields['increment_id']}: SKU{'s' if len(skus) > 1 else ''} {', '.join(skus)} "
                    f"{'are' if len(skus) > 1 else 'is'} not in the catalog; the lines are kept"
                )
                if self.orders_with_unknown_skus == ORDERS_LOGGED:
                    self.connector.log(
                        f"further orders with SKUs not in the catalog are not listed here: the {self.name} entity's "
                        "message counts them all"
                    )

    def summary(self) -> str:
        if not self.orders_with_unknown_skus:
            return ""
        named = sorted(self.unknown_skus)
        more = f" and {len(named) - SKUS_NAMED} more" if len(named) > SKUS_NAMED else ""
        return (
            f"{self.orders_with_unknown_skus} order(s) have lines whose SKU is not in the catalog "
            f"({', '.join(named[:SKUS_NAMED])}{more}): the lines are kept, flagged unknown SKU."
        )
