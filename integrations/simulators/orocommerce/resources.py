"""The resource types the simulated OroCommerce back-office API serves: their attributes (with the
kind a filter compares them as), relationships, filters, sorts and what may be written.

Kinds: "id" (ids as strings; numeric ones compare as numbers), "datetime", "string", "int",
"number" (ints or decimals, strings allowed), "bool", "json" (not filterable).
"""

from dataclasses import dataclass, field

ORDER_CLASS = "Oro\\Bundle\\OrderBundle\\Entity\\Order"
LINE_ITEM_CLASS = "Oro\\Bundle\\OrderBundle\\Entity\\OrderLineItem"
PRODUCT_CLASS = "Oro\\Bundle\\ProductBundle\\Entity\\Product"

TIMESTAMPS = {"createdAt": "datetime", "updatedAt": "datetime"}
ADDRESS_ATTRIBUTES = {
    "label": "string",
    "street": "string",
    "street2": "string",
    "city": "string",
    "postalCode": "string",
    "organization": "string",
    "namePrefix": "string",
    "firstName": "string",
    "middleName": "string",
    "lastName": "string",
    "nameSuffix": "string",
    "phone": "string",
    **TIMESTAMPS,
}


@dataclass(frozen=True)
class Relation:
    target: str | tuple[str, ...]
    many: bool = False

    def accepts(self, type_: str) -> bool:
        return type_ == self.target or (isinstance(self.target, tuple) and type_ in self.target)


@dataclass(frozen=True)
class ResourceType:
    name: str
    attributes: dict[str, str]
    relationships: dict[str, Relation] = field(default_factory=dict)
    # Filters besides `id` (attributes or relationships); Oro answers any other with "filter constraint".
    filters: tuple[str, ...] = ()
    sorts: tuple[str, ...] = ("id",)
    methods: frozenset[str] = frozenset({"GET"})  # lookups are read-only
    required: tuple[str, ...] = ()
    unique: tuple[str, ...] = ()
    # Fields a PATCH may change (None: every attribute and relationship not set by the server).
    patchable: tuple[str, ...] | None = None
    # Types only ever created inside another resource's `included` (names, unit precisions...).
    included_only: bool = False
    # Attributes the server keeps (a client's value is ignored).
    server_set: tuple[str, ...] = ("createdAt", "updatedAt")
    defaults: dict[str, object] = field(default_factory=dict)

    def kind(self, name: str) -> str | None:
        if name == "id":
            return "id"
        if name in self.attributes:
            return self.attributes[name]
        if name in self.relationships:
            return "id"
        return None


CRUD = frozenset({"GET", "POST", "PATCH", "DELETE"})


TYPES: dict[str, ResourceType] = {
    resource.name: resource
    for resource in (
        ResourceType(
            "orders",
            {
                "identifier": "string",
                "poNumber": "string",
                "customerNotes": "string",
                "shipUntil": "string",
                "currency": "string",
                "subtotalValue": "number",
                "totalValue": "number",
                "totalDiscountsAmount": "number",
                "shippingMethod": "string",
                "shippingMethodType": "string",
                "estimatedShippingCostAmount": "number",
                "overriddenShippingCostAmount": "number",
                "sourceEntityIdentifier": "string",
                "external": "bool",
                **TIMESTAMPS,
            },
            {
                "billingAddress": Relation("orderaddresses"),
                "shippingAddress": Relation("orderaddresses"),
                "lineItems": Relation("orderlineitems", many=True),
                "discounts": Relation("orderdiscounts", many=True),
                "shippingTrackings": Relation("ordershippingtrackings", many=True),
                "paymentTerm": Relation("paymentterms"),
                "internalStatus": Relation("orderinternalstatuses"),
                "shippingStatus": Relation("ordershippingstatuses"),
                "owner": Relation("users"),
                "organization": Relation("organizations"),
                "customerUser": Relation("customerusers"),
                "customer": Relation("customers"),
            },
            filters=("identifier", "currency", "createdAt", "updatedAt", "customer", "customerUser", "poNumber"),
            sorts=("id", "updatedAt", "createdAt", "identifier"),
            methods=frozenset({"GET", "PATCH"}),
            patchable=("internalStatus",),
        ),
        ResourceType(
            "orderlineitems",
            {
                "productSku": "string",
                "productName": "string",
                "productVariantFields": "json",
                "freeFormProduct": "string",
                "quantity": "number",
                "productUnitCode": "string",
                "value": "number",
                "currency": "string",
                "priceType": "int",
                "shipBy": "string",
                "comment": "string",
                "shippingMethod": "string",
                "shippingMethodType": "string",
                "shippingEstimateAmount": "number",
            },
            {
                "order": Relation("orders"),
                "product": Relation("products"),
                "parentProduct": Relation("products"),
                "productUnit": Relation("productunits"),
            },
            filters=("order", "product", "productSku"),
        ),
        ResourceType(
            "orderaddresses",
            ADDRESS_ATTRIBUTES,
            {"country": Relation("countries"), "region": Relation("regions")},
        ),
        ResourceType(
            "customeraddresses",
            {**ADDRESS_ATTRIBUTES, "primary": "bool", "types": "json"},
            {"country": Relation("countries"), "region": Relation("regions"), "customer": Relation("customers")},
            filters=("customer", "updatedAt", "createdAt"),
            sorts=("id", "updatedAt", "createdAt"),
        ),
        ResourceType(
            "customers",
            {"name": "string", **TIMESTAMPS},
            {
                "parent": Relation("customers"),
                "children": Relation("customers", many=True),
                "addresses": Relation("customeraddresses", many=True),
                "paymentTerm": Relation("paymentterms"),
                "taxCode": Relation("customertaxcodes"),
                "users": Relation("customerusers", many=True),
                "owner": Relation("users"),
                "organization": Relation("organizations"),
            },
            filters=("name", "createdAt", "updatedAt", "parent"),
            sorts=("id", "updatedAt", "createdAt", "name"),
        ),
        ResourceType(
            "customerusers",
            {"email": "string", "firstName": "string", "lastName": "string", "enabled": "bool", **TIMESTAMPS},
            {"customer": Relation("customers")},
            filters=("email", "customer", "createdAt", "updatedAt"),
            sorts=("id", "updatedAt", "createdAt", "email"),
        ),
        ResourceType("paymentterms", {"label": "string"}, filters=("label",)),
        ResourceType(
            "taxvalues",
            {"entityClass": "string", "entityId": "int", "address": "string", "result": "json", **TIMESTAMPS},
            filters=("entityClass", "entityId", "updatedAt"),
            sorts=("id", "updatedAt"),
        ),
        ResourceType(
            "paymentstatuses",
            {"entityClass": "string", "entityIdentifier": "int", "paymentStatus": "string", "updatedAt": "datetime"},
            filters=("entityClass", "entityIdentifier", "paymentStatus", "updatedAt"),
            sorts=("id", "updatedAt"),
            methods=frozenset({"GET", "POST"}),
            required=("entityClass", "entityIdentifier", "paymentStatus"),
            server_set=("updatedAt",),
        ),
        ResourceType(
            "products",
            {
                "sku": "string",
                "status": "string",
                "productType": "string",
                "featured": "bool",
                "newArrival": "bool",
                "variantFields": "json",
                "availability_date": "string",
                **TIMESTAMPS,
            },
            {
                "owner": Relation("businessunits"),
                "organization": Relation("organizations"),
                "names": Relation(("localizedfallbackvalues", "productnames"), many=True),
                "attributeFamily": Relation("attributefamilies"),
                "primaryUnitPrecision": Relation("productunitprecisions"),
                "unitPrecisions": Relation("productunitprecisions", many=True),
                "inventory_status": Relation("prodinventorystatuses"),
                "taxCode": Relation("producttaxcodes"),
                "images": Relation("productimages", many=True),
                "manageInventory": Relation("entityfieldfallbackvalues"),
                "inventoryThreshold": Relation("entityfieldfallbackvalues"),
                "lowInventoryThreshold": Relation("entityfieldfallbackvalues"),
                "highlightLowInventory": Relation("entityfieldfallbackvalues"),
                "isUpcoming": Relation("entityfieldfallbackvalues"),
                "decrementQuantity": Relation("entityfieldfallbackvalues"),
                "backOrder": Relation("entityfieldfallbackvalues"),
                "minimumQuantityToOrder": Relation("entityfieldfallbackvalues"),
                "maximumQuantityToOrder": Relation("entityfieldfallbackvalues"),
                "pageTemplate": Relation("entityfieldfallbackvalues"),
            },
            filters=("sku", "status", "createdAt", "updatedAt"),
            sorts=("id", "updatedAt", "createdAt", "sku"),
            methods=CRUD,
            required=("sku", "names", "primaryUnitPrecision"),
            unique=("sku",),
            defaults={"status": "disabled", "productType": "simple", "featured": False, "newArrival": False},
        ),
        ResourceType(
            "productunitprecisions",
            {"precision": "int", "conversionRate": "number", "sell": "bool"},
            {"product": Relation("products"), "unit": Relation("productunits")},
            filters=("product", "unit"),
            methods=frozenset({"GET", "PATCH"}),
            included_only=True,
            required=("unit",),
            defaults={"precision": 0, "conversionRate": 1, "sell": True},
            server_set=(),
        ),
        ResourceType(
            "localizedfallbackvalues",
            {"fallback": "string", "string": "string", "text": "string"},
            {"localization": Relation("localizations")},
            included_only=True,
            server_set=(),
        ),
        ResourceType(
            "productnames",
            {"fallback": "string", "string": "string"},
            {"localization": Relation("localizations")},
            included_only=True,
            server_set=(),
        ),
        ResourceType(
            "entityfieldfallbackvalues",
            {"fallback": "string", "scalarValue": "json", "arrayValue": "json"},
            included_only=True,
            server_set=(),
        ),
        ResourceType(
            "productprices",
            {"quantity": "number", "currency": "string", "value": "number"},
            {"priceList": Relation("pricelists"), "product": Relation("products"), "unit": Relation("productunits")},
            filters=("priceList", "product", "currency", "unit", "quantity"),
            methods=CRUD,
            required=("quantity", "currency", "value", "priceList", "product", "unit"),
            server_set=(),
        ),
        ResourceType(
            "productimages",
            {"types": "json", "updatedAt": "datetime"},
            {"product": Relation("products"), "image": Relation("files")},
            filters=("product", "updatedAt"),
            methods=CRUD,
            required=("product", "image"),
            server_set=("updatedAt",),
            defaults={"types": []},
        ),
        ResourceType(
            "files",
            {
                "mimeType": "string",
                "originalFilename": "string",
                "fileSize": "int",
                "content": "string",
                "parentFieldName": "string",
                **TIMESTAMPS,
            },
            methods=frozenset({"GET"}),
            included_only=True,
            required=("content",),
        ),
        ResourceType(
            "inventorylevels",
            {"quantity": "number"},
            {
                "product": Relation("products"),
                "productUnitPrecision": Relation("productunitprecisions"),
                "warehouse": Relation("warehouses"),
            },
            filters=("product", "productUnitPrecision", "warehouse"),
            methods=frozenset({"GET", "PATCH"}),
            patchable=("quantity",),
            server_set=(),
        ),
        *(
            ResourceType(
                kind,
                {"code": "string", "description": "string", **TIMESTAMPS},
                filters=("code",),
                sorts=("id", "code"),
                methods=CRUD,
                required=("code",),
                unique=("code",),
            )
            for kind in ("producttaxcodes", "customertaxcodes")
        ),
        ResourceType(
            "taxes",
            {"code": "string", "description": "string", "rate": "number", **TIMESTAMPS},
            filters=("code",),
            sorts=("id", "code"),
            methods=CRUD,
            required=("code", "rate"),
            unique=("code",),
        ),
        ResourceType(
            "taxjurisdictions",
            {"code": "string", "description": "string", "regionText": "string", **TIMESTAMPS},
            {
                "country": Relation("countries"),
                "region": Relation("regions"),
                "zipCodes": Relation("zipcodes", many=True),
            },
            filters=("code", "country", "region"),
            sorts=("id", "code"),
            methods=CRUD,
            required=("code", "country"),
            unique=("code",),
        ),
        ResourceType(
            "zipcodes",
            {"zipCode": "string", "zipRangeStart": "string", "zipRangeEnd": "string", **TIMESTAMPS},
            {"taxJurisdiction": Relation("taxjurisdictions")},
            filters=("taxJurisdiction",),
            methods=frozenset({"GET", "POST", "PATCH", "DELETE"}),
        ),
        ResourceType(
            "taxrules",
            {"description": "string", **TIMESTAMPS},
            {
                "customerTaxCode": Relation("customertaxcodes"),
                "productTaxCode": Relation("producttaxcodes"),
                "tax": Relation("taxes"),
                "taxJurisdiction": Relation("taxjurisdictions"),
            },
            filters=("customerTaxCode", "productTaxCode", "tax", "taxJurisdiction"),
            methods=CRUD,
            required=("customerTaxCode", "productTaxCode", "tax", "taxJurisdiction"),
        ),
        ResourceType("productunits", {"defaultPrecision": "int"}),
        ResourceType("pricelists", {"name": "string", "priceListCurrencies": "json", "active": "bool", **TIMESTAMPS}),
        ResourceType(
            "attributefamilies",
            {"code": "string", "entityClass": "string", **TIMESTAMPS},
            {"labels": Relation("localizedfallbackvalues", many=True)},
            filters=("entityClass", "code"),
        ),
        ResourceType("warehouses", {"name": "string", **TIMESTAMPS}, filters=("name",)),
        ResourceType("businessunits", {"name": "string", **TIMESTAMPS}, filters=("name",)),
        ResourceType("organizations", {"name": "string"}),
        ResourceType("users", {"username": "string", "email": "string"}),
        ResourceType("localizations", {"name": "string", "formattingCode": "string"}),
        ResourceType("countries", {"name": "string", "iso3Code": "string"}),
        ResourceType("regions", {"name": "string", "code": "string"}, {"country": Relation("countries")}),
        ResourceType("orderinternalstatuses", {"name": "string"}),
        ResourceType("ordershippingstatuses", {"name": "string"}),
        ResourceType("prodinventorystatuses", {"name": "string"}),
    )
}
