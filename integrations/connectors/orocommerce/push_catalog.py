"""The catalog pushed to OroCommerce: products, their prices, images and stock.

A product goes as Oro's compound document (its name and primary unit precision included, with temporary
ids); Oro makes its inventory levels then, one per unit precision (and warehouse), which the stock sink
finds and PATCHes. Prices are those of the local price list chosen in the settings, into the store's
price list chosen there. An image whose file the store already holds for the product is bound, not sent.
"""

from __future__ import annotations

import base64
import hashlib
from decimal import Decimal
from typing import Any

from channels.models import InventoryLevel, Product, ProductImage, ProductPrice
from integrations.connectors.orocommerce.push_common import OroSink, decimal_text, first_id, linkage, pushed
from integrations.engine.contracts import AlreadyExists, MappingError, Pushed
from integrations.engine.errors import RemoteError
from integrations.transports.jsonapi import JsonApiError, attribute, related, related_id

PRICE_DUPLICATED = "Product has duplication of product prices."


def offered(sink: OroSink, product: Product) -> bool:
    """Whether the product goes to this integration's store: the catalog is pushed once the settings name
    the store's owner (business unit) and product family (before, an integration only reads orders, and
    "Reconcile everything" sends the catalog once they are chosen), and the product names no channel, or
    this one."""
    found = sink.connector.settings
    if not (found.business_unit and found.product_family):
        return False
    channels = [channel.pk for channel in product.channels.all()]
    return not channels or sink.integration.channel_id in channels


class ProductSink(OroSink):
    name = "products"
    model = Product
    resource = "products"
    natural_attribute = "sku"

    def wants(self, record: Product) -> bool:
        return offered(self, record)

    def depends_on(self, record: Product) -> list[tuple[str, Any]]:
        return [("producttaxcodes", record.tax_code)] if record.tax_code_id else []

    def map_out(self, record: Product) -> dict[str, Any]:
        if not record.name:
            raise MappingError("The product has no name; OroCommerce requires one.")
        return {
            "sku": record.sku,
            "name": record.name,
            "status": record.status,
            "unit": record.unit or self.setting("product_unit", "product unit"),
            "precision": record.unit_precision,
            "taxCode": self.bound("producttaxcodes", record.tax_code_id, "Tax code"),
            "owner": self.setting("business_unit", "owner (business unit)"),
            "attributeFamily": self.setting("product_family", "product family"),
        }

    def document(self, values: dict[str, Any], remote_id: str | None) -> dict[str, Any]:
        attributes = {"sku": values["sku"], "status": values["status"]}
        relationships = {
            "owner": linkage("businessunits", values["owner"]),
            "attributeFamily": linkage("attributefamilies", values["attributeFamily"]),
            "taxCode": linkage("producttaxcodes", values["taxCode"]),
        }
        if remote_id is None:
            attributes.update({"productType": "simple", "featured": False, "newArrival": False, "variantFields": []})
            relationships.update(
                {
                    "names": {"data": [{"type": "localizedfallbackvalues", "id": "names-1"}]},
                    "primaryUnitPrecision": linkage("productunitprecisions", "precision-1"),
                    "unitPrecisions": {"data": [{"type": "productunitprecisions", "id": "precision-1"}]},
                    "inventory_status": linkage("prodinventorystatuses", "out_of_stock"),
                }
            )
            included = [
                {"type": "localizedfallbackvalues", "id": "names-1", "attributes": {"string": values["name"]}},
                {
                    "type": "productunitprecisions",
                    "id": "precision-1",
                    "attributes": {"precision": values["precision"], "conversionRate": 1, "sell": True},
                    "relationships": {"unit": linkage("productunits", values["unit"])},
                },
            ]
            return {"data": self.primary(None, attributes, relationships), "included": included}
        return {"data": self.primary(remote_id, attributes, relationships)}

    def update(self, remote_id: str, values: dict[str, Any]) -> Pushed:
        document = self.document(values, remote_id)
        # The name and the primary unit precision are resources of their own: updated in place, as Oro's
        # own update documents do (`meta.update`), so their ids stay.
        current = self.client.get(f"products/{remote_id}")
        resource = current.data if isinstance(current.data, dict) else None
        included = []
        names = [name for name in related(resource, "names") or [] if isinstance(name, dict)]
        if names:  # the default name (the first): stores name their localizations after it
            name = {"type": names[0].get("type"), "id": names[0].get("id"), "meta": {"update": True}}
            included.append({**name, "attributes": {"string": values["name"]}})
        precision = related_id(resource, "primaryUnitPrecision")
        if precision:
            included.append(
                {
                    "type": "productunitprecisions",
                    "id": precision,
                    "meta": {"update": True},
                    "attributes": {"precision": values["precision"]},
                    "relationships": {"unit": linkage("productunits", values["unit"])},
                }
            )
        if included:
            document["included"] = included
        return pushed(self.client.patch(f"products/{remote_id}", document), remote_id)


class PriceSink(OroSink):
    """Prices of the settings' local price list, into the store's price list of the settings."""

    name = "productprices"
    model = ProductPrice
    resource = "productprices"

    def wants(self, record: ProductPrice) -> bool:
        local = self.connector.settings.local_price_list_id
        return local is not None and record.price_list_id == local and offered(self, record.product)

    def depends_on(self, record: ProductPrice) -> list[tuple[str, Any]]:
        return [("products", record.product)]

    def map_out(self, record: ProductPrice) -> dict[str, Any]:
        return {
            "priceList": self.setting("price_list", "price list"),
            "product": self.bound("products", record.product_id, "Product"),
            "unit": record.unit,
            "quantity": decimal_text(record.quantity),
            "currency": record.currency,
            "value": decimal_text(record.value, 4),
        }

    def natural_key(self, record: ProductPrice) -> str:
        return "|".join([record.unit, decimal_text(record.quantity), record.currency])

    def document(self, values: dict[str, Any], remote_id: str | None) -> dict[str, Any]:
        attributes = {"quantity": float(values["quantity"]), "currency": values["currency"], "value": values["value"]}
        relationships = {
            "product": linkage("products", values["product"]),
            "unit": linkage("productunits", values["unit"]),
        }
        if remote_id is None:  # a price's list cannot change: Oro takes no priceList on an update
            relationships["priceList"] = linkage("pricelists", values["priceList"])
        return {"data": self.primary(remote_id, attributes, relationships)}

    def create(self, values: dict[str, Any]) -> Pushed:
        try:
            return super().create(values)
        except JsonApiError as exc:
            if not any(PRICE_DUPLICATED in str(error.get("detail") or "") for error in exc.errors):
                raise
            # The store has this price already (pushed by an answer that was lost, or made there):
            # the engine finds it by the same product, list, unit, quantity and currency, and updates it.
            key = "|".join(
                [values["priceList"], values["product"], values["unit"], values["quantity"], values["currency"]]
            )
            raise AlreadyExists(str(exc), natural_key=key) from exc

    def find(self, natural_key: str) -> str | None:
        price_list, product, unit, quantity, currency = natural_key.split("|")
        answer = self.client.get(
            "productprices", {"filter[priceList]": price_list, "filter[product]": product, "page[size]": -1}
        )
        for price in answer.resources:
            same = (
                related_id(price, "unit") == unit
                and attribute(price, "currency") == currency
                and Decimal(str(attribute(price, "quantity"))) == Decimal(quantity)
            )
            if same:
                return str(price["id"])
        return None


class ImageSink(OroSink):
    name = "productimages"
    model = ProductImage
    resource = "productimages"

    def wants(self, record: ProductImage) -> bool:
        return offered(self, record.product)

    def depends_on(self, record: ProductImage) -> list[tuple[str, Any]]:
        return [("products", record.product)]

    def map_out(self, record: ProductImage) -> dict[str, Any]:
        content = read_file(record)
        return {
            "image": record.pk,
            "product": self.bound("products", record.product_id, "Product"),
            "types": ["main", "listing"] if record.is_main else ["additional"],
            "filename": record.filename or record.file.name.rsplit("/", 1)[-1],
            "mimeType": record.mime_type or "application/octet-stream",
            "size": len(content),
            "sha256": record.sha256 or hashlib.sha256(content).hexdigest(),
        }

    def natural_key(self, record: ProductImage) -> str:
        return str(record.pk)

    def document(self, values: dict[str, Any], remote_id: str | None) -> dict[str, Any]:
        content = read_file(ProductImage.objects.get(pk=values["image"]))
        data = self.primary(
            remote_id,
            {"types": values["types"]},
            {"product": linkage("products", values["product"]), "image": linkage("files", "file-1")},
        )
        file = {
            "type": "files",
            "id": "file-1",
            "attributes": {
                "mimeType": values["mimeType"],
                "originalFilename": values["filename"],
                "fileSize": values["size"],
                "content": base64.b64encode(content).decode(),
            },
        }
        return {"data": data, "included": [file]}

    def create(self, values: dict[str, Any]) -> Pushed:
        same = self.identical(values)
        if same is not None:
            self.connector.log(
                f"productimages {values['image']}: the store has this file already as image {same}; bound"
            )
            return Pushed(remote_id=same)
        return super().create(values)

    def identical(self, values: dict[str, Any]) -> str | None:
        """The store's image of the product holding the same file: same content (its sha256), or where the
        store does not give the content, the same file name and size."""
        answer = self.client.get(
            "productimages", {"include": "image", "filter[product][eq]": values["product"], "page[size]": -1}
        )
        for image in answer.resources:
            file = answer.included_related(image, "image")
            if file is None:
                continue
            content = attribute(file, "content")
            if content:
                try:
                    digest = hashlib.sha256(base64.b64decode(content)).hexdigest()
                except ValueError:
                    continue
                if digest == values["sha256"]:
                    return str(image["id"])
            elif (
                attribute(file, "originalFilename") == values["filename"]
                and attribute(file, "fileSize") == values["size"]
            ):
                return str(image["id"])
        return None

    def find(self, natural_key: str) -> str | None:
        return None


def read_file(image: ProductImage) -> bytes:
    try:
        with image.file.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError) as exc:
        raise MappingError(f"The image file {image.file.name!r} cannot be read: {exc}") from exc


class InventorySink(OroSink):
    """A product's stock: the quantity of the settings' local warehouse (or the sum over all), PATCHed onto
    the store's inventory level of the product's primary unit precision (in the settings' warehouse, where
    the store has warehouses). Pushed when an inventory level of the product changes."""

    name = "inventorylevels"
    model = Product
    resource = "inventorylevels"
    triggers = {InventoryLevel: lambda level: [level.product_id]}
    deletes = False  # the store's levels go with its product

    def wants(self, record: Product) -> bool:
        return offered(self, record)

    def depends_on(self, record: Product) -> list[tuple[str, Any]]:
        return [("products", record)]

    def map_out(self, record: Product) -> dict[str, Any]:
        warehouse = self.connector.settings.local_warehouse_id
        levels = record.inventory_levels.all()
        if warehouse is not None:
            levels = levels.filter(warehouse_id=warehouse)
        quantity = sum((level.quantity for level in levels), Decimal(0))
        return {"product": self.bound("products", record.pk, "Product"), "quantity": decimal_text(quantity)}

    def natural_key(self, record: Product) -> str:
        return str(record.pk)

    def document(self, values: dict[str, Any], remote_id: str | None) -> dict[str, Any]:
        return {"data": self.primary(remote_id, {"quantity": values["quantity"]})}

    def create(self, values: dict[str, Any]) -> Pushed:
        # Oro made the level with the product: found, then PATCHed (there is no POST of inventory levels).
        return self.update(self.level_of(values["product"]), values)

    def level_of(self, product: str) -> str:
        found = self.client.get(f"products/{product}")
        precision = related_id(found.data if isinstance(found.data, dict) else None, "primaryUnitPrecision")
        params = {"filter[product]": product}
        if precision:
            params["filter[productUnitPrecision]"] = precision
        settings = self.connector.settings
        if settings.warehouse and settings.has_warehouses is not False:
            params["filter[warehouse]"] = settings.warehouse
        level = first_id(self.client.get("inventorylevels", params))
        if level is None:
            raise RemoteError(f"The store has no inventory level for product {product} ({params}).")
        return level

    def find(self, natural_key: str) -> str | None:
        return None
