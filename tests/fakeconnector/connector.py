"""The fake connector: customers in (JSON:API-like keyset on updatedAt, id), products out."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from channels.models import Customer, CustomerAddress, InventoryLevel, Order, Product, ProductTaxCode
from integrations.engine import values as v
from integrations.engine.contracts import (
    AlreadyExists,
    CheckResult,
    ChildSpec,
    Connector,
    Gone,
    Mapped,
    MappingError,
    Page,
    Pushed,
    Sink,
    SourceStream,
)
from integrations.engine.cursors import UpdatedAtIdKeyset, UpdatedAtKeyset
from integrations.engine.errors import RemoteError, TransientError
from integrations.engine.registry import register
from tests.fakeconnector.forms import FakeSettingsForm
from tests.fakeconnector.models import FakeOrder, FakeProduct, FakeSettings
from tests.fakeconnector.remote import FakeRemote


class CustomerStream(SourceStream):
    name = "customers"
    model = Customer
    children = {"addresses": ChildSpec(CustomerAddress, "customer")}

    def __init__(self, connector: FakeConnector) -> None:
        self.connector = connector

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        cursor = UpdatedAtIdKeyset(
            fetch=self.connector.remote.customer_page,
            updated_of=lambda raw: raw["updatedAt"],
            id_of=self.remote_id_of,
            page_size=self.connector.settings.page_size,
            overlap=datetime.timedelta(seconds=60),
        )
        yield from cursor.pages(state)

    def map(self, raw: dict[str, Any]) -> Mapped:
        return Mapped(
            key=v.remote_id(raw, "id"),
            fields={
                "email": v.email(raw, "email", required=True),
                "first_name": v.text(raw, "firstName"),
                "last_name": v.text(raw, "lastName"),
                "remote_updated_at": v.moment(raw, "updatedAt"),
            },
            children={
                "addresses": [
                    {"remote_id": v.remote_id(a, "id"), "street": v.text(a, "street"), "city": v.text(a, "city")}
                    for a in raw.get("addresses") or []
                ]
            },
        )

    def remote_id_of(self, raw: dict[str, Any]) -> str:
        return str(raw.get("id") or "")

    def fetch_by_ids(self, remote_ids: list[str]) -> list[dict[str, Any]]:
        customers = self.connector.remote.read()["customers"]
        return [customers[i] for i in remote_ids if i in customers]


class WindowStream(SourceStream):
    """A remote collection read by updated_at windows with an id keyset, newest first, interleaved."""

    collection: str
    interleave = True

    def __init__(self, connector: FakeConnector) -> None:
        self.connector = connector

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        settings = self.connector.settings
        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        cursor = UpdatedAtKeyset(
            fetch=lambda *args: self.connector.remote.window_page(self.collection, *args),
            id_of=self.remote_id_of,
            start=datetime.datetime.combine(settings.start_date, datetime.time(), tzinfo=datetime.UTC),
            now=now,
            local_now=now,
            page_size=settings.page_size,
            overlap=datetime.timedelta(seconds=60),
            backwards=True,
            window_target=WINDOW_TARGET,
        )
        yield from cursor.pages(state)

    def remote_id_of(self, raw: dict[str, Any]) -> str:
        return str(raw.get("id") or "")

    def fetch_by_ids(self, remote_ids: list[str]) -> list[dict[str, Any]]:
        records = self.connector.remote.read().get(self.collection, {})
        return [records[i] for i in remote_ids if i in records]


# Windows of a fake store hold a handful of records: they grow, as over a quiet store (30, 60, 120 days...).
WINDOW_TARGET = 1000


class WindowCustomerStream(WindowStream):
    name = "customers"
    model = Customer
    collection = "customers"

    def map(self, raw: dict[str, Any]) -> Mapped:
        return Mapped(
            key=v.remote_id(raw, "id"),
            fields={
                "email": v.email(raw, "email", required=True),
                "first_name": v.text(raw, "firstName"),
                "last_name": v.text(raw, "lastName"),
                "remote_updated_at": v.moment(raw, "updated_at"),
            },
        )


class WindowOrderStream(WindowStream):
    name = "orders"
    model = FakeOrder
    collection = "orders"

    def map(self, raw: dict[str, Any]) -> Mapped:
        number = v.text(raw, "number")
        if not number:
            raise MappingError("number is empty")
        return Mapped(
            key=v.remote_id(raw, "id"),
            fields={"number": number, "remote_updated_at": v.moment(raw, "updated_at")},
        )


class ProductSink(Sink):
    name = "products"
    model = FakeProduct

    def map_out(self, record: FakeProduct) -> dict[str, Any]:
        if not record.name:
            raise MappingError("name is empty; the remote system requires one")
        return {"sku": record.sku, "name": record.name, "price": str(record.price)}

    def natural_key(self, record: FakeProduct) -> str:
        return record.sku

    def _push(self, remote_id: str | None, values: dict[str, Any]) -> Pushed:
        remote = self.connector.remote
        remote.begin_push(values["name"])
        outcome, found = remote.upsert_product(remote_id, values)
        if outcome == "transient":
            raise TransientError("the fake remote answered HTTP 503")
        if outcome == "refused":
            raise RemoteError(f"the fake remote refused SKU {values['sku']}")
        if outcome == "exists":
            raise AlreadyExists(f"A product with SKU {values['sku']} already exists.", natural_key=values["sku"])
        return Pushed(remote_id=found)

    def create(self, values: dict[str, Any]) -> Pushed:
        return self._push(None, values)

    def update(self, remote_id: str, values: dict[str, Any]) -> Pushed:
        return self._push(remote_id, values)

    def find(self, natural_key: str) -> str | None:
        return self.connector.remote.find_product(natural_key)

    deletes = True

    def delete(self, remote_id: str) -> None:
        if not self.connector.remote.delete_product(remote_id):
            raise Gone(f"the fake remote has no product {remote_id}")


class OutSink(Sink):
    """A sink of the back-office domain writing into one collection of the fake remote."""

    collection: str

    def create(self, values: dict[str, Any]) -> Pushed:
        return Pushed(remote_id=self.connector.remote.write(self.collection, None, values))

    def update(self, remote_id: str, values: dict[str, Any]) -> Pushed:
        return Pushed(remote_id=self.connector.remote.write(self.collection, remote_id, values))


class TaxCodeSink(OutSink):
    name = "taxcodes"
    model = ProductTaxCode
    collection = "taxcodes"

    def map_out(self, record: ProductTaxCode) -> dict[str, Any]:
        return {"code": record.code, "description": record.description}


class CatalogSink(OutSink):
    """Products of the catalog: each needs its tax code bound first."""

    name = "catalog"
    model = Product
    collection = "catalog"

    def depends_on(self, record: Product) -> list[tuple[str, Any]]:
        return [("taxcodes", record.tax_code)] if record.tax_code_id else []

    def map_out(self, record: Product) -> dict[str, Any]:
        return {"sku": record.sku, "name": record.name, "tax_code": self.remote_id_for("taxcodes", record.tax_code_id)}


class StockSink(OutSink):
    """A product's stock over every warehouse, pushed when one of its inventory levels changes."""

    name = "stock"
    model = Product
    collection = "stock"
    triggers = {InventoryLevel: lambda level: [level.product_id]}

    def map_out(self, record: Product) -> dict[str, Any]:
        return {"sku": record.sku, "quantity": sum(level.quantity for level in record.inventory_levels.all())}


@register
class FakeConnector(Connector):
    type_key = "fake"
    label = "Fake (tests only)"
    settings_model = FakeSettings
    settings_form = FakeSettingsForm
    settings_fieldsets = [("Remote", ["remote_path", "page_size"])]
    sink_classes = [ProductSink, TaxCodeSink, CatalogSink, StockSink]

    settings: FakeSettings

    def __init__(self, integration, log=None) -> None:
        super().__init__(integration, log=log)
        self.remote = FakeRemote(self.settings.remote_path)

    def check_connection(self) -> CheckResult:
        return CheckResult(True, f"{len(self.remote.read()['customers'])} customers there")

    def streams(self) -> list[SourceStream]:
        if self.settings.windows:
            return [WindowCustomerStream(self), WindowOrderStream(self)]
        return [CustomerStream(self)]

    @classmethod
    def record_actions(cls, model) -> list[tuple[str, str]]:
        return [("hold", "Hold in the fake store")] if model is Order else []

    def run_record_action(self, record: Order, name: str) -> str:
        self.remote.write("order_holds", None, {"order": record.remote_id})
        Order.objects.filter(pk=record.pk).update(status="holded")
        return f"Order {record.increment_id} is on hold in the fake store."

    @classmethod
    def record_counts(cls, integration) -> dict[str, int]:
        return {
            "customers": Customer.objects.filter(integration=integration).count(),
            "orders": FakeOrder.objects.filter(integration=integration).count(),
        }
