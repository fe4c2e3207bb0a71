"""Writes to the simulated back office as Oro validates and applies them: compound documents with
temporary ids in `included`, Oro's constraint errors (pointing at the field), and what Oro does
besides (a product's inventory levels, a price's composite id, a payment status replaced).

Everything is checked before anything is stored: a refused document changes nothing.
"""

import base64
import binascii
from decimal import Decimal, InvalidOperation
from typing import Any

from .jsonapi import ApiError, not_found, serialize
from .resources import TYPES, ResourceType
from .store import Resource, Store, now_text, ref, related_ids

PRICE_DUPLICATE = (
    'Product has duplication of product prices. Set of fields "PriceList", "Quantity" , "Unit" and "Currency" '
    "should be unique."
)
PRODUCT_STATUSES = ("enabled", "disabled")
PAYMENT_STATUSES = ("full", "partially", "authorized", "declined", "pending", "invoiced")
_KIND_NAMES = {"string": "string", "int": "integer", "number": "numeric", "bool": "boolean"}


def _refused(title: str, detail: str, pointer: str) -> ApiError:
    return ApiError(400, title, detail, {"pointer": pointer})


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _quantity_text(value: Decimal) -> str:
    """Inventory quantities as Oro answers them: "12", "12.5"."""
    return format(value.normalize(), "f")


class Writer:
    """Creates, updates and deletes resources in a store; the caller holds the store's lock."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- create ---------------------------------------------------------------------------------

    def create(self, resource: ResourceType, document: dict[str, Any]) -> dict[str, Any]:
        data = document["data"]
        self._check_type(resource, data, "/data")
        if resource.included_only:
            raise ApiError(405, "action not allowed exception", "The action is not allowed.")
        included = self._included(document)
        temporary = {(item["type"], item["id"]): index for index, item in included if not _is_update(item)}
        self._validate(resource, data, "/data", temporary, current=None)
        for index, item in included:
            self._validate_included(item, index, temporary)
        if resource.name == "paymentstatuses":
            existing = self.store.find(
                "paymentstatuses",
                entityClass=data["attributes"]["entityClass"],
                entityIdentifier=int(data["attributes"]["entityIdentifier"]),
            )
            if existing:
                return {"data": serialize(self._apply(resource, existing[0], data, {}), {})}
        mapping: dict[tuple[str, str], str] = {}
        created_included = []
        for _, item in included:
            if _is_update(item):
                continue
            new = self._build(TYPES[item["type"]], item)
            mapping[(item["type"], item["id"])] = self.store.put(new)["id"]
            created_included.append(new)
        primary = self._build(resource, data, id_=self._new_id(resource, data))
        self.store.put(primary)
        for item in [primary, *created_included]:
            _remap(item, mapping)
        for _, item in included:
            if _is_update(item):
                self._apply(TYPES[item["type"]], self.store.get(item["type"], item["id"]), item, mapping)
        self._after_create(primary)
        answer: dict[str, Any] = {"data": serialize(primary, {})}
        if created_included:
            answer["included"] = [serialize(item, {}) for item in created_included]
        return answer

    def _new_id(self, resource: ResourceType, data: dict[str, Any]) -> str | None:
        if resource.name == "productprices":
            # Oro's product price id: the price's UUID and the price list id.
            price_list = data["relationships"]["priceList"]["data"]["id"]
            return f"{self.store.new_id('productprices')}-{price_list}"
        return None

    def _build(self, resource: ResourceType, data: dict[str, Any], id_: str | None = None) -> Resource:
        stamp = now_text()
        attributes = {name: None for name in resource.attributes}
        attributes.update({name: value for name, value in resource.defaults.items()})
        attributes.update(data.get("attributes") or {})
        for name in resource.server_set:
            attributes[name] = stamp
        relationships = {
            name: {"data": [] if relation.many else None} for name, relation in resource.relationships.items()
        }
        for name, value in (data.get("relationships") or {}).items():
            relationships[name] = {"data": value.get("data")}
        item = {"type": resource.name, "id": id_, "attributes": attributes, "relationships": relationships}
        self._normalize(item)
        return item

    def _after_create(self, item: Resource) -> None:
        store = self.store
        if item["type"] == "products":
            rels = item["relationships"]
            defaults = {
                "owner": ref("businessunits", 1),
                "organization": ref("organizations", 1),
                "attributeFamily": ref("attributefamilies", 1),
                "inventory_status": ref("prodinventorystatuses", "in_stock"),
            }
            for name, value in defaults.items():
                if rels[name]["data"] is None:
                    rels[name]["data"] = value
            primary = rels["primaryUnitPrecision"]["data"]
            if primary and primary not in rels["unitPrecisions"]["data"]:
                rels["unitPrecisions"]["data"].insert(0, primary)
            self._link_precisions(item, related_ids(item, "unitPrecisions"))
        elif item["type"] == "productimages":
            product = store.get("products", related_ids(item, "product")[0])
            if product is not None:
                product["relationships"]["images"]["data"].append(ref("productimages", item["id"]))
        elif item["type"] == "taxjurisdictions":
            for zip_id in related_ids(item, "zipCodes"):
                zip_code = store.get("zipcodes", zip_id)
                if zip_code is not None:
                    zip_code["relationships"]["taxJurisdiction"]["data"] = ref("taxjurisdictions", item["id"])

    def _link_precisions(self, product: Resource, precision_ids: list[str]) -> None:
        """Unit precisions belong to their product; each gets an inventory level per warehouse, as in Oro."""
        for precision_id in precision_ids:
            precision = self.store.get("productunitprecisions", precision_id)
            if precision is None:
                continue
            precision["relationships"]["product"] = {"data": ref("products", product["id"])}
            if self.store.referring("inventorylevels", "productUnitPrecision", precision_id):
                continue
            for warehouse in self.store.all("warehouses") or [None]:
                self.store.put(
                    {
                        "type": "inventorylevels",
                        "id": None,
                        "attributes": {"quantity": "0"},
                        "relationships": {
                            "product": {"data": ref("products", product["id"])},
                            "productUnitPrecision": {"data": ref("productunitprecisions", precision_id)},
                            "warehouse": {"data": ref("warehouses", warehouse["id"]) if warehouse else None},
                        },
                    }
                )

    # --- update ---------------------------------------------------------------------------------

    def update(self, resource: ResourceType, id_: str, document: dict[str, Any]) -> dict[str, Any]:
        item = self.store.get(resource.name, id_)
        if item is None:
            raise not_found()
        data = document["data"]
        self._check_type(resource, data, "/data")
        if str(data.get("id")) != id_:
            raise ApiError(
                409,
                "conflict constraint",
                "The 'id' property of the primary data object should be equal to the entity identifier.",
                {"pointer": "/data/id"},
            )
        if resource.patchable is not None:
            for section in ("attributes", "relationships"):
                extra = [name for name in data.get(section) or {} if name not in resource.patchable]
                if extra:
                    raise _refused(
                        "extra fields constraint",
                        f'This form should not contain extra fields: "{", ".join(extra)}".',
                        "/data",
                    )
        included = self._included(document)
        temporary = {(i["type"], i["id"]): index for index, i in included if not _is_update(i)}
        self._validate(resource, data, "/data", temporary, current=item)
        for index, included_item in included:
            self._validate_included(included_item, index, temporary)
        mapping: dict[tuple[str, str], str] = {}
        created = []
        for _, included_item in included:
            if not _is_update(included_item):
                new = self._build(TYPES[included_item["type"]], included_item)
                mapping[(included_item["type"], included_item["id"])] = self.store.put(new)["id"]
                created.append(new)
        for new in created:
            _remap(new, mapping)
        before = set(related_ids(item, "unitPrecisions")) if resource.name == "products" else set()
        self._apply(resource, item, data, mapping)
        for _, included_item in included:
            if _is_update(included_item):
                target = self.store.get(included_item["type"], included_item["id"])
                self._apply(TYPES[included_item["type"]], target, included_item, mapping)
        if resource.name == "products":
            self._link_precisions(item, [p for p in related_ids(item, "unitPrecisions") if p not in before])
        answer: dict[str, Any] = {"data": serialize(item, {})}
        if created:
            answer["included"] = [serialize(new, {}) for new in created]
        return answer

    def _apply(
        self, resource: ResourceType, item: Resource, data: dict[str, Any], mapping: dict[tuple[str, str], str]
    ) -> Resource:
        for name, value in (data.get("attributes") or {}).items():
            if name not in resource.server_set:
                item["attributes"][name] = value
        for name, value in (data.get("relationships") or {}).items():
            item["relationships"][name] = {"data": value.get("data")}
        _remap(item, mapping)
        if "updatedAt" in resource.attributes:
            item["attributes"]["updatedAt"] = now_text()
        self._normalize(item)
        return item

    def _normalize(self, item: Resource) -> None:
        attributes = item["attributes"]
        if item["type"] == "productprices" and attributes.get("value") is not None:
            attributes["value"] = str(Decimal(str(attributes["value"])).quantize(Decimal("0.0001")))
        if item["type"] == "productprices" and attributes.get("quantity") is not None:
            quantity = Decimal(str(attributes["quantity"]))
            attributes["quantity"] = int(quantity) if quantity == quantity.to_integral() else float(quantity)
        if item["type"] == "inventorylevels" and attributes.get("quantity") is not None:
            attributes["quantity"] = _quantity_text(Decimal(str(attributes["quantity"])))
        if item["type"] == "taxes" and attributes.get("rate") is not None:
            attributes["rate"] = str(Decimal(str(attributes["rate"])))
        if item["type"] == "paymentstatuses" and attributes.get("entityIdentifier") is not None:
            attributes["entityIdentifier"] = int(attributes["entityIdentifier"])
        if item["type"] == "files" and attributes.get("content"):
            attributes["fileSize"] = len(base64.b64decode(attributes["content"]))

    # --- delete ---------------------------------------------------------------------------------

    def delete(self, resource: ResourceType, ids: list[str]) -> None:
        for id_ in ids:
            item = self.store.get(resource.name, id_)
            if item is None:
                raise not_found()
        for id_ in ids:
            self._delete_one(resource.name, id_)

    def _delete_one(self, type_: str, id_: str) -> None:
        item = self.store.remove(type_, id_)
        if item is None:
            return
        store = self.store
        if type_ == "products":
            for name in ("unitPrecisions", "names"):
                for target in item["relationships"][name]["data"]:
                    store.remove(target["type"], target["id"])
            for dependent in ("inventorylevels", "productprices", "productimages"):
                for child in store.referring(dependent, "product", id_):
                    self._delete_one(dependent, child["id"])
        elif type_ == "productimages":
            for file_id in related_ids(item, "image"):
                store.remove("files", file_id)
            for product_id in related_ids(item, "product"):
                product = store.get("products", product_id)
                if product is not None:
                    images = product["relationships"]["images"]["data"]
                    product["relationships"]["images"]["data"] = [i for i in images if i["id"] != id_]
        elif type_ == "taxjurisdictions":
            for zip_id in related_ids(item, "zipCodes"):
                store.remove("zipcodes", zip_id)
        elif type_ == "orders":
            for line_id in related_ids(item, "lineItems"):
                store.remove("orderlineitems", line_id)
            for name in ("billingAddress", "shippingAddress"):
                for address_id in related_ids(item, name):
                    store.remove("orderaddresses", address_id)
        elif type_ == "customers":
            for name, target in (("addresses", "customeraddresses"), ("users", "customerusers")):
                for child_id in related_ids(item, name):
                    store.remove(target, child_id)

    # --- validation -----------------------------------------------------------------------------

    def _included(self, document: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
        included = document.get("included") or []
        if not isinstance(included, list):
            raise _refused("request data constraint", "The included data should be an array.", "/included")
        checked = []
        for index, item in enumerate(included):
            pointer = f"/included/{index}"
            if not isinstance(item, dict) or not item.get("type") or item.get("id") in (None, ""):
                raise _refused("request data constraint", "The 'type' and 'id' properties are required.", pointer)
            item["id"] = str(item["id"])
            if item["type"] not in TYPES:
                raise _refused("entity type constraint", f"Unknown entity type: {item['type']}.", f"{pointer}/type")
            if _is_update(item) and self.store.get(item["type"], item["id"]) is None:
                raise not_found()
            checked.append((index, item))
        return checked

    def _validate_included(self, item: dict[str, Any], index: int, temporary: dict) -> None:
        current = self.store.get(item["type"], item["id"]) if _is_update(item) else None
        self._validate(TYPES[item["type"]], item, f"/included/{index}", temporary, current=current)

    def _check_type(self, resource: ResourceType, data: dict[str, Any], pointer: str) -> None:
        if data.get("type") != resource.name:
            raise ApiError(
                409,
                "conflict constraint",
                "The 'type' property of the primary data object should match the requested resource.",
                {"pointer": f"{pointer}/type"},
            )

    def _validate(
        self,
        resource: ResourceType,
        data: dict[str, Any],
        pointer: str,
        temporary: dict[tuple[str, str], int],
        current: Resource | None,
    ) -> None:
        attributes = data.get("attributes") or {}
        relationships = data.get("relationships") or {}
        if not isinstance(attributes, dict) or not isinstance(relationships, dict):
            raise _refused("request data constraint", "The attributes and relationships should be objects.", pointer)
        extra = [n for n in attributes if n not in resource.attributes] + [
            n for n in relationships if n not in resource.relationships
        ]
        if extra:
            raise _refused(
                "extra fields constraint", f'This form should not contain extra fields: "{", ".join(extra)}".', pointer
            )
        for name in resource.required:
            where = "attributes" if name in resource.attributes else "relationships"
            given = (attributes if where == "attributes" else relationships).get(name, ...)
            if where == "relationships" and isinstance(given, dict):
                given = given.get("data")
            missing = given is ... and current is None
            if missing or (given is not ... and _blank(given)):
                suffix = f"/attributes/{name}" if where == "attributes" else f"/relationships/{name}/data"
                raise _refused("not blank constraint", "This value should not be blank.", pointer + suffix)
        for name, value in attributes.items():
            self._check_attribute(resource, name, value, f"{pointer}/attributes/{name}")
        for name, value in relationships.items():
            self._check_relationship(resource, name, value, f"{pointer}/relationships/{name}/data", temporary)
        for name in resource.unique:
            value = attributes.get(name)
            if value is None:
                continue
            clashes = [r for r in self.store.find(resource.name, **{name: value}) if r is not current]
            if clashes:
                raise _refused(
                    "unique entity constraint", "This value is already used.", f"{pointer}/attributes/{name}"
                )
        self._check_specific(resource, data, pointer, current)

    def _check_attribute(self, resource: ResourceType, name: str, value: Any, pointer: str) -> None:
        kind = resource.attributes[name]
        if value is None or kind in ("json", "datetime"):
            return
        number = _decimal(value)
        valid = {
            "string": isinstance(value, str),
            "int": (isinstance(value, int) and not isinstance(value, bool))
            or (isinstance(value, str) and value.isdigit()),
            "number": number is not None and number.is_finite(),
            "bool": isinstance(value, bool),
        }.get(kind, True)
        if not valid:
            raise _refused("form constraint", f"This value should be of type {_KIND_NAMES[kind]}.", pointer)

    def _check_relationship(
        self, resource: ResourceType, name: str, value: Any, pointer: str, temporary: dict[tuple[str, str], int]
    ) -> None:
        relation = resource.relationships[name]
        if not isinstance(value, dict) or "data" not in value:
            raise _refused("request data constraint", "The relationship should have 'data' property.", pointer)
        data = value["data"]
        if relation.many and not isinstance(data, list):
            raise _refused("request data constraint", "The 'data' property should be an array.", pointer)
        if not relation.many and isinstance(data, list):
            raise _refused("request data constraint", "The 'data' property should be an object or null.", pointer)
        for index, target in enumerate(data if isinstance(data, list) else [data] if data is not None else []):
            where = f"{pointer}/{index}" if relation.many else pointer
            if not isinstance(target, dict) or not target.get("type") or target.get("id") in (None, ""):
                raise _refused("request data constraint", "The 'type' and 'id' properties are required.", where)
            target["id"] = str(target["id"])
            if not relation.accepts(target["type"]):
                raise _refused("form constraint", f'The "{target["type"]}" entity type is not acceptable here.', where)
            if (target["type"], target["id"]) in temporary:
                continue
            if self.store.get(target["type"], target["id"]) is None:
                raise _refused(
                    "form constraint",
                    f'The "{target["type"]}" entity with the identifier "{target["id"]}" does not exist.',
                    where,
                )

    def _check_specific(
        self, resource: ResourceType, data: dict[str, Any], pointer: str, current: Resource | None
    ) -> None:
        attributes = data.get("attributes") or {}
        if resource.name == "products" and "status" in attributes and attributes["status"] not in PRODUCT_STATUSES:
            raise _refused(
                "choice constraint", "The value you selected is not a valid choice.", f"{pointer}/attributes/status"
            )
        if resource.name == "paymentstatuses" and attributes.get("paymentStatus") not in PAYMENT_STATUSES:
            raise _refused(
                "choice constraint",
                "The value you selected is not a valid choice.",
                f"{pointer}/attributes/paymentStatus",
            )
        if resource.name == "zipcodes":
            merged = {**(current["attributes"] if current else {}), **attributes}
            if _blank(merged.get("zipCode")) and (
                _blank(merged.get("zipRangeStart")) or _blank(merged.get("zipRangeEnd"))
            ):
                raise _refused(
                    "not blank constraint", "Zip code or a zip range should be set.", f"{pointer}/attributes/zipCode"
                )
        if resource.name == "files" and attributes.get("content") is not None:
            try:
                base64.b64decode(attributes["content"], validate=True)
            except (binascii.Error, ValueError) as error:
                raise _refused(
                    "form constraint", "The content is not valid base64.", f"{pointer}/attributes/content"
                ) from error
        if resource.name == "productprices":
            self._check_price(data, pointer, current)

    def _check_price(self, data: dict[str, Any], pointer: str, current: Resource | None) -> None:
        attributes = data.get("attributes") or {}
        relationships = data.get("relationships") or {}

        def value_of(name: str) -> Any:
            if name in relationships:
                target = relationships[name]["data"]
                return target["id"] if target else None
            if name in attributes:
                return attributes[name]
            if current is None:
                return None
            if name in current["attributes"]:
                return current["attributes"][name]
            ids = related_ids(current, name)
            return ids[0] if ids else None

        if (
            current is not None
            and "priceList" in relationships
            and value_of("priceList") != related_ids(current, "priceList")[0]
        ):
            raise _refused(
                "form constraint",
                "The price list of a price cannot be changed.",
                f"{pointer}/relationships/priceList/data",
            )
        price_list = self.store.get("pricelists", str(value_of("priceList")))
        currency = value_of("currency")
        if price_list is not None and currency not in price_list["attributes"]["priceListCurrencies"]:
            raise _refused(
                "product price currency constraint",
                f'Currency "{currency}" is not valid for current price list.',
                f"{pointer}/attributes/currency",
            )
        product = self.store.get("products", str(value_of("product")))
        unit = value_of("unit")
        if product is not None:
            units = {
                related_ids(p, "unit")[0]
                for p in (self.store.get("productunitprecisions", i) for i in related_ids(product, "unitPrecisions"))
                if p is not None and related_ids(p, "unit")
            }
            if unit not in units:
                raise _refused(
                    "product price allowed units constraint",
                    f'Unit "{unit}" is not allowed for product "{product["attributes"]["sku"]}".',
                    f"{pointer}/relationships/unit/data",
                )
        quantity = _decimal(value_of("quantity"))
        for other in self.store.referring("productprices", "product", str(value_of("product"))):
            if other is current:
                continue
            same = (
                related_ids(other, "priceList") == [str(value_of("priceList"))]
                and related_ids(other, "unit") == [unit]
                and other["attributes"]["currency"] == currency
                and _decimal(other["attributes"]["quantity"]) == quantity
            )
            if same:
                raise _refused("unique product prices constraint", PRICE_DUPLICATE, pointer)


def _is_update(item: dict[str, Any]) -> bool:
    return bool((item.get("meta") or {}).get("update"))


def _remap(item: Resource, mapping: dict[tuple[str, str], str]) -> None:
    """Replace temporary ids (from `included`) by the ids the created resources got."""
    if not mapping:
        return
    for relationship in item["relationships"].values():
        data = relationship.get("data")
        for target in data if isinstance(data, list) else [data] if data else []:
            real = mapping.get((target["type"], target["id"]))
            if real is not None:
                target["id"] = real
