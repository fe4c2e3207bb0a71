"""Seeded data of a simulated OroCommerce store: lookups, tax setup, a catalog, customers (companies)
with users and addresses, orders with lines, addresses, tax values and payment statuses.

The same seed, counts and `now` give the same data. Orders are spread over the 180 days before
`now`; some share the exact same `updatedAt` (keysets must hold on ties), about 2% of lines name
a product that is gone (no product, a SKU not in the catalog).
"""

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .resources import LINE_ITEM_CLASS, ORDER_CLASS, PRODUCT_CLASS
from .store import Resource, format_datetime, ref

CURRENCIES = (("USD", 60), ("EUR", 25), ("GBP", 15))
RATES = {"USD": Decimal(1), "EUR": Decimal("0.92"), "GBP": Decimal("0.79")}
UNITS = {"item": 0, "each": 0, "set": 0, "kg": 3}
INTERNAL_STATUSES = {
    "open": "Open",
    "cancelled": "Cancelled",
    "closed": "Closed",
    "shipped": "Shipped",
    "archived": "Archived",
}
STATUS_WEIGHTS = (("open", 38), ("shipped", 20), ("closed", 27), ("cancelled", 9), ("archived", 6))
SHIPPING_STATUSES = {"not_shipped": "Not Shipped", "shipped": "Shipped", "partially_shipped": "Partially Shipped"}
INVENTORY_STATUSES = {"in_stock": "In Stock", "out_of_stock": "Out of Stock", "discontinued": "Discontinued"}
PAYMENT_TERMS = ("net 10", "net 30")
WAREHOUSES = ("Main Warehouse", "West Coast Warehouse")
PRICE_LISTS = (("Default Price List", ["USD", "EUR", "GBP"]), ("Wholesale", ["USD"]), ("Europe", ["EUR"]))
COUNTRIES = {
    "US": ("United States", "USA"),
    "CA": ("Canada", "CAN"),
    "DE": ("Germany", "DEU"),
    "GB": ("United Kingdom", "GBR"),
    "FR": ("France", "FRA"),
}
REGIONS = {
    "US-NY": "New York",
    "US-CA": "California",
    "US-TX": "Texas",
    "US-FL": "Florida",
    "CA-ON": "Ontario",
    "DE-BE": "Berlin",
    "DE-BY": "Bayern",
    "GB-ENG": "England",
    "FR-75": "Paris",
}
PLACES = {
    "US": [("US-NY", "New York", "100"), ("US-CA", "Los Angeles", "900"), ("US-TX", "Austin", "787")],
    "CA": [("CA-ON", "Toronto", "M5V ")],
    "DE": [("DE-BE", "Berlin", "101"), ("DE-BY", "München", "803")],
    "GB": [("GB-ENG", "London", "EC1A ")],
    "FR": [("FR-75", "Paris", "750")],
}
COUNTRY_FOR = {"USD": ("US", "US", "US", "CA"), "EUR": ("DE", "DE", "FR"), "GBP": ("GB",)}
PRODUCT_TAX_CODES = {
    "TAXABLE_ITEMS": "Taxable items",
    "NON_TAXABLE_ITEMS": "Non-taxable items",
    "DIGITAL_ITEMS": "Digital items",
}
CUSTOMER_TAX_CODES = {"NON_EXEMPT": "Tax payers", "TAX_EXEMPT": "Tax exempt (resellers)", "EU_B2B": "EU business"}
TAXES = (
    ("US_NY_STATE", "0.04", "New York state sales tax"),
    ("US_CA_STATE", "0.0725", "California state sales tax"),
    ("US_TX_STATE", "0.0625", "Texas state sales tax"),
    ("DE_VAT", "0.19", "Germany VAT"),
    ("FR_VAT", "0.2", "France VAT"),
    ("GB_VAT", "0.2", "United Kingdom VAT"),
)
# code, description, country, region, zip codes (a code or a (start, end) range)
JURISDICTIONS: tuple[tuple[str, str, str, str | None, list[Any]], ...] = (
    ("US_NY", "New York", "US", "US-NY", [("10001", "10299"), "10301"]),
    ("US_CA", "California", "US", "US-CA", [("90001", "90999")]),
    ("US_TX", "Texas", "US", "US-TX", []),
    ("DE", "Germany", "DE", None, []),
    ("FR", "France", "FR", None, []),
    ("GB", "United Kingdom", "GB", None, []),
)
TAX_BY_REGION = {"US-NY": 0, "US-CA": 1, "US-TX": 2, "DE-BE": 3, "DE-BY": 3, "FR-75": 4, "GB-ENG": 5}
ADJECTIVES = (
    "Classic",
    "Heavy-Duty",
    "Compact",
    "Deluxe",
    "Ergonomic",
    "Industrial",
    "Portable",
    "Premium",
    "Reusable",
    "Stainless",
    "Waterproof",
    "Insulated",
)
NOUNS = (
    ("Lab Coat", "item"),
    ("Safety Goggles", "each"),
    ("Nitrile Gloves", "set"),
    ("Work Boots", "item"),
    ("Steel Toe Clogs", "item"),
    ("Scrub Top", "item"),
    ("Face Shield", "each"),
    ("Hard Hat", "each"),
    ("Coffee Beans", "kg"),
    ("Floor Cleaner", "kg"),
    ("Tool Kit", "set"),
    ("Headlamp", "each"),
    ("Apron", "item"),
    ("Knee Pads", "set"),
    ("Ear Plugs", "set"),
)
FIRST_NAMES = (
    "Amanda",
    "Brandon",
    "Carla",
    "Daniel",
    "Elena",
    "Felix",
    "Grace",
    "Hugo",
    "Irene",
    "Jonas",
    "Karin",
    "Liam",
    "Marta",
    "Noah",
    "Olga",
    "Peter",
    "Quinn",
    "Rosa",
    "Samuel",
    "Tina",
)
LAST_NAMES = (
    "Cole",
    "Meyer",
    "Dupont",
    "Smith",
    "Novak",
    "Jensen",
    "Rossi",
    "Schmidt",
    "Garcia",
    "Brown",
    "Martin",
    "Keller",
    "Walsh",
    "Fischer",
    "Moreau",
    "Taylor",
)
COMPANY_SUFFIXES = ("Supply Co.", "GmbH", "Ltd", "Inc.", "& Sons", "Medical", "Construction", "Hospitality")
LETTERS = "ABCDEFGHJKLMNPRSTUVWXZ"
STREETS = ("Main Street", "Elm Avenue", "Hauptstraße", "Rue de Rivoli", "High Street", "Oak Lane", "Market Square")


def generate(*, seed: int, customers: int, orders: int, now: datetime | None = None) -> list[Resource]:
    """Every resource of the store for this seed (`now` defaults to today 00:00 UTC)."""
    if now is None:
        now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return _Generator(random.Random(seed), now).run(customers, orders)


def money(value: Decimal) -> str:
    """Oro's money strings: 4 decimals."""
    return str(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def resource(type_: str, id_: Any, attributes: dict[str, Any], **relationships: Any) -> Resource:
    return {
        "type": type_,
        "id": str(id_),
        "attributes": attributes,
        "relationships": {name: {"data": data} for name, data in relationships.items()},
    }


class _Generator:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.out: list[Resource] = []
        self.ids: dict[str, int] = {}

    def add(self, type_: str, attributes: dict[str, Any], **relationships: Any) -> Resource:
        self.ids[type_] = self.ids.get(type_, 0) + 1
        item = resource(type_, self.ids[type_], attributes, **relationships)
        self.out.append(item)
        return item

    def stamp(self, moment: datetime) -> str:
        return format_datetime(moment)

    def run(self, customers: int, orders: int) -> list[Resource]:
        self.lookups()
        self.taxes()
        self.catalog()
        self.customers(customers)
        self.orders(orders)
        return self.out

    def lookups(self) -> None:
        since = self.stamp(self.now - timedelta(days=900))
        self.add("organizations", {"name": "ACME"})
        self.add("users", {"username": "admin", "email": "admin@example.com"})
        self.add("businessunits", {"name": "Main", "createdAt": since, "updatedAt": since})
        self.add("localizations", {"name": "English (United States)", "formattingCode": "en_US"})
        for code, precision in UNITS.items():
            self.out.append(resource("productunits", code, {"defaultPrecision": precision}))
        for code, (name, iso3) in COUNTRIES.items():
            self.out.append(resource("countries", code, {"name": name, "iso3Code": iso3}))
        for code, name in REGIONS.items():
            country = code.split("-")[0]
            self.out.append(
                resource("regions", code, {"name": name, "code": code.split("-")[1]}, country=ref("countries", country))
            )
        for code, name in INTERNAL_STATUSES.items():
            self.out.append(resource("orderinternalstatuses", code, {"name": name}))
        for code, name in SHIPPING_STATUSES.items():
            self.out.append(resource("ordershippingstatuses", code, {"name": name}))
        for code, name in INVENTORY_STATUSES.items():
            self.out.append(resource("prodinventorystatuses", code, {"name": name}))
        for label in PAYMENT_TERMS:
            self.add("paymentterms", {"label": label})
        for name in WAREHOUSES:
            self.add("warehouses", {"name": name, "createdAt": since, "updatedAt": since})
        for name, currencies in PRICE_LISTS:
            self.add(
                "pricelists",
                {
                    "name": name,
                    "priceListCurrencies": currencies,
                    "active": True,
                    "createdAt": since,
                    "updatedAt": since,
                },
            )
        label = self.add(
            "localizedfallbackvalues", {"fallback": None, "string": "Default", "text": None}, localization=None
        )
        self.add(
            "attributefamilies",
            {"code": "default_family", "entityClass": PRODUCT_CLASS, "createdAt": since, "updatedAt": since},
            labels=[ref("localizedfallbackvalues", label["id"])],
        )

    def taxes(self) -> None:
        since = self.stamp(self.now - timedelta(days=900))
        for code, description in PRODUCT_TAX_CODES.items():
            self.add(
                "producttaxcodes", {"code": code, "description": description, "createdAt": since, "updatedAt": since}
            )
        for code, description in CUSTOMER_TAX_CODES.items():
            self.add(
                "customertaxcodes", {"code": code, "description": description, "createdAt": since, "updatedAt": since}
            )
        for code, rate, description in TAXES:
            self.add(
                "taxes",
                {"code": code, "description": description, "rate": rate, "createdAt": since, "updatedAt": since},
            )
        for number, (code, description, country, region, zips) in enumerate(JURISDICTIONS, start=1):
            zip_refs = []
            for zip_code in zips:
                start, end = zip_code if isinstance(zip_code, tuple) else (None, None)
                item = self.add(
                    "zipcodes",
                    {
                        "zipCode": None if start else zip_code,
                        "zipRangeStart": start,
                        "zipRangeEnd": end,
                        "createdAt": since,
                        "updatedAt": since,
                    },
                    taxJurisdiction=ref("taxjurisdictions", number),
                )
                zip_refs.append(ref("zipcodes", item["id"]))
            self.add(
                "taxjurisdictions",
                {"code": code, "description": description, "regionText": None, "createdAt": since, "updatedAt": since},
                country=ref("countries", country),
                region=ref("regions", region),
                zipCodes=zip_refs,
            )
        for number in range(1, len(TAXES) + 1):
            self.add(
                "taxrules",
                {"description": f"{TAXES[number - 1][2]} for tax payers", "createdAt": since, "updatedAt": since},
                customerTaxCode=ref("customertaxcodes", 1),
                productTaxCode=ref("producttaxcodes", 1),
                tax=ref("taxes", number),
                taxJurisdiction=ref("taxjurisdictions", number),
            )

    def catalog(self) -> None:
        rng = self.rng
        self.products: list[dict[str, Any]] = []
        skus: set[str] = set()
        for adjective in ADJECTIVES:
            for noun, unit in rng.sample(NOUNS, 5):
                sku = ""
                while not sku or sku in skus:
                    sku = f"{rng.randint(1, 9)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}{rng.randint(10, 99)}"
                skus.add(sku)
                created = self.now - timedelta(days=rng.randint(200, 800), seconds=rng.randint(0, 86_399))
                updated = created + timedelta(days=rng.randint(0, 150))
                name = self.add(
                    "localizedfallbackvalues",
                    {"fallback": None, "string": f"{adjective} {noun}", "text": None},
                    localization=None,
                )
                units = [(unit, 1)] + (
                    [("set", rng.choice((6, 10, 12)))] if unit in ("item", "each") and rng.random() < 0.3 else []
                )
                product_id = self.ids.get("products", 0) + 1
                precisions = [
                    self.add(
                        "productunitprecisions",
                        {"precision": UNITS[code], "conversionRate": rate, "sell": True},
                        product=ref("products", product_id),
                        unit=ref("productunits", code),
                    )
                    for code, rate in units
                ]
                tax_code = 1 if rng.random() < 0.85 else rng.choice((2, 3))
                price = Decimal(rng.randint(299, 24_999)) / 100
                self.add(
                    "products",
                    {
                        "sku": sku,
                        "status": "enabled" if rng.random() < 0.92 else "disabled",
                        "productType": "simple",
                        "featured": rng.random() < 0.15,
                        "newArrival": rng.random() < 0.1,
                        "variantFields": [],
                        "createdAt": self.stamp(created),
                        "updatedAt": self.stamp(min(updated, self.now)),
                    },
                    owner=ref("businessunits", 1),
                    organization=ref("organizations", 1),
                    names=[ref("localizedfallbackvalues", name["id"])],
                    attributeFamily=ref("attributefamilies", 1),
                    primaryUnitPrecision=ref("productunitprecisions", precisions[0]["id"]),
                    unitPrecisions=[ref("productunitprecisions", p["id"]) for p in precisions],
                    inventory_status=ref("prodinventorystatuses", "in_stock"),
                    taxCode=ref("producttaxcodes", tax_code),
                    images=[],
                )
                for precision in precisions:
                    for warehouse in range(1, len(WAREHOUSES) + 1):
                        quantity = rng.randint(0, 400)
                        self.add(
                            "inventorylevels",
                            {"quantity": str(quantity)},
                            product=ref("products", product_id),
                            productUnitPrecision=ref("productunitprecisions", precision["id"]),
                            warehouse=ref("warehouses", warehouse),
                        )
                for list_id, (_, currencies) in enumerate(PRICE_LISTS, start=1):
                    for currency in currencies:
                        value = price * RATES[currency] * (Decimal("0.85") if list_id == 2 else 1)
                        item = resource(
                            "productprices",
                            None,
                            {"quantity": 1, "currency": currency, "value": money(_cents(value))},
                            priceList=ref("pricelists", list_id),
                            product=ref("products", product_id),
                            unit=ref("productunits", unit),
                        )
                        item["id"] = f"{_uuid(rng)}-{list_id}"
                        self.out.append(item)
                self.products.append(
                    {
                        "id": product_id,
                        "sku": sku,
                        "name": f"{adjective} {noun}",
                        "unit": unit,
                        "price": price,
                        "tax_code": tax_code,
                    }
                )

    def person(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def place(self, country: str) -> dict[str, Any]:
        rng = self.rng
        region, city, zip_prefix = rng.choice(PLACES[country])
        digits = 5 - len(zip_prefix.strip()) if country in ("US", "DE", "FR") else 3
        postal = zip_prefix + "".join(str(rng.randint(0, 9)) for _ in range(max(digits, 0)))
        return {
            "region": region,
            "city": city,
            "postal": postal.strip(),
            "country": country,
            "street": f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
        }

    def customers(self, count: int) -> None:
        rng = self.rng
        self.companies: list[dict[str, Any]] = []
        for number in range(1, count + 1):
            first, last = self.person()
            created = self.now - timedelta(days=rng.randint(180, 700), seconds=rng.randint(0, 86_399))
            updated = min(created + timedelta(days=rng.randint(0, 400), seconds=rng.randint(0, 86_399)), self.now)
            currency = _weighted(rng, CURRENCIES)
            country = rng.choice(COUNTRY_FOR[currency])
            parent = rng.randint(1, number - 1) if number > 3 and rng.random() < 0.1 else None
            addresses, users = [], []
            for index in range(rng.choice((1, 1, 2))):
                where = self.place(country)
                types = (
                    [{"addressType": "billing", "default": True}, {"addressType": "shipping", "default": True}]
                    if index == 0
                    else [{"addressType": "shipping", "default": False}]
                )
                address = self.add(
                    "customeraddresses",
                    self.address_attributes(where, first, last, f"{last} {COMPANY_SUFFIXES[number % 8]}", created)
                    | {"primary": index == 0, "types": types},
                    country=ref("countries", country),
                    region=ref("regions", where["region"]),
                    customer=ref("customers", number),
                )
                addresses.append(address)
            for index in range(rng.choice((1, 1, 2, 3))):
                user_first, user_last = (first, last) if index == 0 else self.person()
                user_created = created + timedelta(days=index * rng.randint(1, 30))
                user = self.add(
                    "customerusers",
                    {
                        "email": f"{user_first}.{user_last}.{number}.{index}@example.com".lower(),
                        "firstName": user_first,
                        "lastName": user_last,
                        "enabled": rng.random() < 0.95,
                        "createdAt": self.stamp(min(user_created, self.now)),
                        "updatedAt": self.stamp(min(user_created + timedelta(days=rng.randint(0, 60)), self.now)),
                    },
                    customer=ref("customers", number),
                )
                users.append(user)
            payment_term = rng.randint(1, len(PAYMENT_TERMS))
            tax_code = 1 if currency == "USD" or rng.random() < 0.5 else 3
            if rng.random() < 0.08:
                tax_code = 2
            self.add(
                "customers",
                {
                    "name": f"{last} {COMPANY_SUFFIXES[number % 8]}",
                    "createdAt": self.stamp(created),
                    "updatedAt": self.stamp(updated),
                },
                parent=ref("customers", parent),
                children=[],
                addresses=[ref("customeraddresses", a["id"]) for a in addresses],
                paymentTerm=ref("paymentterms", payment_term),
                taxCode=ref("customertaxcodes", tax_code),
                users=[ref("customerusers", u["id"]) for u in users],
                owner=ref("users", 1),
                organization=ref("organizations", 1),
            )
            self.companies.append(
                {
                    "id": number,
                    "currency": currency,
                    "addresses": addresses,
                    "users": users,
                    "payment_term": payment_term,
                    "exempt": tax_code == 2,
                }
            )
        for customer in self.out:
            if customer["type"] == "customers" and customer["relationships"]["parent"]["data"]:
                parent_id = customer["relationships"]["parent"]["data"]["id"]
                parent = next(c for c in self.out if c["type"] == "customers" and c["id"] == parent_id)
                parent["relationships"]["children"]["data"].append(ref("customers", customer["id"]))

    def address_attributes(
        self, where: dict[str, Any], first: str, last: str, organization: str | None, moment: datetime
    ) -> dict[str, Any]:
        rng = self.rng
        return {
            "label": "Address",
            "street": where["street"],
            "street2": f"Suite {rng.randint(100, 900)}" if rng.random() < 0.2 else None,
            "city": where["city"],
            "postalCode": where["postal"],
            "organization": organization,
            "namePrefix": None,
            "firstName": first,
            "middleName": None,
            "lastName": last,
            "nameSuffix": None,
            "phone": f"+1-555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}" if rng.random() < 0.8 else None,
            "createdAt": self.stamp(moment),
            "updatedAt": self.stamp(moment),
        }

    def orders(self, count: int) -> None:
        rng = self.rng
        span = 180 * 86_400
        created_times = sorted(self.now - timedelta(seconds=rng.randint(60, span)) for _ in range(count))
        updated_times = []
        for created in created_times:
            if rng.random() < 0.4:
                updated_times.append(created)
            else:
                updated_times.append(min(created + timedelta(seconds=rng.randint(60, 40 * 86_400)), self.now))
        # Ties: groups of orders saved in the same second (a mass status change does that).
        for _ in range(max(1, count // 40)) if count >= 3 else ():
            members = rng.sample(range(count), rng.randint(3, min(5, count)))
            moment = max(created_times[m] for m in members) + timedelta(seconds=rng.randint(0, 3_600))
            moment = min(moment, self.now)
            for member in members:
                updated_times[member] = moment
        for number, (created, updated) in enumerate(zip(created_times, updated_times, strict=True), start=1):
            self.order(number, created, updated)

    def order(self, number: int, created: datetime, updated: datetime) -> None:
        rng = self.rng
        company = rng.choice(self.companies) if self.companies else None
        currency = company["currency"] if company and rng.random() < 0.9 else _weighted(rng, CURRENCIES)
        status = _weighted(rng, STATUS_WEIGHTS)
        lines, subtotal = [], Decimal(0)
        for _ in range(rng.randint(1, 5)):
            product = rng.choice(self.products)
            quantity: int | float = rng.randint(1, 10)
            if product["unit"] == "kg":
                quantity = float(Decimal(rng.randint(5, 250)) / 10)
            price = _cents(product["price"] * RATES[currency])
            gone = rng.random() < 0.02
            sku = f"GONE-{rng.randint(1000, 9999)}" if gone else product["sku"]
            lines.append((product, sku, quantity, price, gone))
            subtotal += price * Decimal(str(quantity))
        subtotal = _cents(subtotal)
        discount = _cents(subtotal * Decimal(rng.choice((5, 10, 15))) / 100) if rng.random() < 0.2 else None
        shipping = Decimal(rng.choice((0, 5, 10, 15)))
        shipping_where, billing = self.order_addresses(company, currency, created)
        tax_index = TAX_BY_REGION.get(shipping_where["region"])
        exempt = company is not None and company["exempt"]
        rate = Decimal(TAXES[tax_index][1]) if tax_index is not None and not exempt else Decimal(0)
        taxable = subtotal - (discount or 0)
        tax = _cents(taxable * rate)
        total = taxable + shipping + tax
        order_id = number
        line_refs = []
        for product, sku, quantity, price, gone in lines:
            line = self.add(
                "orderlineitems",
                {
                    "productSku": sku,
                    "productName": f"{product['name']} (discontinued)" if gone else product["name"],
                    "productVariantFields": [],
                    "freeFormProduct": None,
                    "quantity": quantity,
                    "productUnitCode": product["unit"],
                    "value": money(price),
                    "currency": currency,
                    "priceType": 10,
                    "shipBy": None,
                    "comment": "Gift wrap, please" if rng.random() < 0.05 else None,
                    "shippingMethod": None,
                    "shippingMethodType": None,
                    "shippingEstimateAmount": None,
                },
                order=ref("orders", order_id),
                product=None if gone else ref("products", product["id"]),
                parentProduct=None,
                productUnit=ref("productunits", product["unit"]),
            )
            line_refs.append(ref("orderlineitems", line["id"]))
            row = _cents(price * Decimal(str(quantity)))
            self.tax_value(LINE_ITEM_CLASS, int(line["id"]), "row", row, rate, tax_index, currency, updated, unit=price)
        self.tax_value(ORDER_CLASS, order_id, "total", taxable + shipping, rate, tax_index, currency, updated)
        customer_user = rng.choice(company["users"]) if company else None
        shipped = "shipped" if status in ("shipped", "closed") else "not_shipped"
        if status == "open" and rng.random() < 0.1:
            shipped = "partially_shipped"
        # Most orders take their customer's payment term; some were placed without one.
        payment_term = company["payment_term"] if company and rng.random() < 0.85 else None
        self.add(
            "orders",
            {
                "identifier": f"SO-{order_id:06d}",
                "poNumber": f"PO-{rng.randint(10_000, 99_999)}" if rng.random() < 0.5 else None,
                "customerNotes": "Please deliver before noon." if rng.random() < 0.15 else None,
                "shipUntil": None,
                "currency": currency,
                "subtotalValue": money(subtotal),
                "totalValue": money(total),
                "totalDiscountsAmount": money(discount) if discount is not None else None,
                "shippingMethod": "flat_rate_1" if shipping else "free_shipping_2",
                "shippingMethodType": "primary",
                "estimatedShippingCostAmount": money(shipping),
                "overriddenShippingCostAmount": None,
                "sourceEntityIdentifier": None,
                "external": False,
                "createdAt": self.stamp(created),
                "updatedAt": self.stamp(updated),
            },
            billingAddress=ref("orderaddresses", billing),
            shippingAddress=ref("orderaddresses", shipping_where["id"]),
            lineItems=line_refs,
            discounts=[],
            shippingTrackings=[],
            paymentTerm=ref("paymentterms", payment_term),
            internalStatus=ref("orderinternalstatuses", status),
            shippingStatus=ref("ordershippingstatuses", shipped),
            owner=ref("users", 1),
            organization=ref("organizations", 1),
            customerUser=ref("customerusers", customer_user["id"]) if customer_user else None,
            customer=ref("customers", company["id"]) if company else None,
        )
        if rng.random() < 0.88:
            if status == "cancelled":
                payment = rng.choice(("declined", "pending"))
            elif status in ("closed", "shipped", "archived"):
                payment = "full" if rng.random() < 0.9 else "invoiced"
            else:
                payment = _weighted(rng, (("pending", 35), ("authorized", 30), ("partially", 15), ("full", 20)))
            self.add(
                "paymentstatuses",
                {
                    "entityClass": ORDER_CLASS,
                    "entityIdentifier": order_id,
                    "paymentStatus": payment,
                    "updatedAt": self.stamp(updated),
                },
            )

    def order_addresses(self, company: dict[str, Any] | None, currency: str, created: datetime) -> tuple[dict, str]:
        """The shipping address (with its place) and the billing address id of a new order."""
        rng = self.rng
        if company:
            source = rng.choice(company["addresses"])["attributes"]
            country = next(c for c, places in PLACES.items() if any(p[1] == source["city"] for p in places))
            region = next(p[0] for p in PLACES[country] if p[1] == source["city"])
            where = {
                "region": region,
                "city": source["city"],
                "postal": source["postalCode"],
                "country": country,
                "street": source["street"],
            }
            first, last, organization = source["firstName"], source["lastName"], source["organization"]
        else:
            where = self.place(rng.choice(COUNTRY_FOR[currency]))
            (first, last), organization = self.person(), None
        billing = self.add(
            "orderaddresses",
            self.address_attributes(where, first, last, organization, created),
            country=ref("countries", where["country"]),
            region=ref("regions", where["region"]),
        )
        if rng.random() < 0.1:
            where = self.place(where["country"])
            first, last = self.person()
        shipping = self.add(
            "orderaddresses",
            self.address_attributes(where, first, last, organization, created),
            country=ref("countries", where["country"]),
            region=ref("regions", where["region"]),
        )
        return {**where, "id": shipping["id"]}, billing["id"]

    def tax_value(
        self,
        entity_class: str,
        entity_id: int,
        key: str,
        amount: Decimal,
        rate: Decimal,
        tax_index: int | None,
        currency: str,
        updated: datetime,
        unit: Decimal | None = None,
    ) -> None:
        tax = _cents(amount * rate)
        element = {
            "includingTax": money(amount + tax),
            "excludingTax": money(amount),
            "taxAmount": money(tax),
            "currency": currency,
        }
        result: dict[str, Any] = {key: element}
        if key == "total":
            result["shipping"] = {
                "includingTax": "0.0000",
                "excludingTax": "0.0000",
                "taxAmount": "0.0000",
                "currency": currency,
            }
        if unit is not None:
            unit_tax = _cents(unit * rate)
            result["unit"] = {
                "includingTax": money(unit + unit_tax),
                "excludingTax": money(unit),
                "taxAmount": money(unit_tax),
                "currency": currency,
            }
        result["taxes"] = (
            [
                {
                    "tax": TAXES[tax_index][0],
                    "rate": TAXES[tax_index][1],
                    "taxableAmount": money(amount),
                    "taxAmount": money(tax),
                    "currency": currency,
                }
            ]
            if tax_index is not None and rate
            else []
        )
        self.add(
            "taxvalues",
            {
                "entityClass": entity_class,
                "entityId": entity_id,
                "address": None,
                "result": result,
                "createdAt": self.stamp(updated),
                "updatedAt": self.stamp(updated),
            },
        )


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    total = sum(weight for _, weight in choices)
    roll = rng.random() * total
    for value, weight in choices:
        roll -= weight
        if roll < 0:
            return value
    return choices[-1][0]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
