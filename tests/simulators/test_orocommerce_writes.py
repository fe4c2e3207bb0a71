"""Writes to the OroCommerce simulator over HTTP, as the Marello bridge sends them: compound
documents, Oro's constraint errors, what Oro does besides, and that later reads see it all."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from integrations.simulators.orocommerce.control import OroCommerceControl
from integrations.simulators.orocommerce.server import start_simulator

from .orocommerce_client import Api

ORDER_CLASS = "Oro\\Bundle\\OrderBundle\\Entity\\Order"
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
PRICE_DUPLICATE = (
    'Product has duplication of product prices. Set of fields "PriceList", "Quantity" , "Unit" and "Currency" '
    "should be unique."
)


@pytest.fixture
def oro():
    with start_simulator(orders=30, customers=6, seed=4, now=NOW) as running:
        yield running


@pytest.fixture
def api(oro) -> Api:
    return Api(oro.admin_url, oro.options.api_user, oro.options.api_key)


def product_document(sku: str, name: str = "Anvil", units=("item",), tax_code: str | None = "1") -> dict:
    """A product create as Marello's bridge writes it: names and unit precisions in `included`."""
    relationships = {
        "owner": {"data": {"type": "businessunits", "id": "1"}},
        "names": {"data": [{"type": "localizedfallbackvalues", "id": "names-1"}]},
        "attributeFamily": {"data": {"type": "attributefamilies", "id": "1"}},
        "primaryUnitPrecision": {"data": {"type": "productunitprecisions", "id": "precision-0"}},
        "unitPrecisions": {
            "data": [{"type": "productunitprecisions", "id": f"precision-{n}"} for n in range(len(units))]
        },
        "inventory_status": {"data": {"type": "prodinventorystatuses", "id": "out_of_stock"}},
    }
    if tax_code:
        relationships["taxCode"] = {"data": {"type": "producttaxcodes", "id": tax_code}}
    included = [
        {"type": "localizedfallbackvalues", "id": "names-1", "attributes": {"fallback": None, "string": name}},
        *(
            {
                "type": "productunitprecisions",
                "id": f"precision-{n}",
                "attributes": {"precision": 0, "conversionRate": 1 if n == 0 else 6, "sell": True},
                "relationships": {"unit": {"data": {"type": "productunits", "id": unit}}},
            }
            for n, unit in enumerate(units)
        ),
    ]
    return {
        "data": {
            "type": "products",
            "attributes": {
                "sku": sku,
                "status": "enabled",
                "productType": "simple",
                "featured": False,
                "newArrival": False,
                "variantFields": [],
            },
            "relationships": relationships,
        },
        "included": included,
    }


def error_of(answer) -> dict:
    assert answer.status_code == 400, answer.text
    return answer.json()["errors"][0]


def create_product(api: Api, sku: str, **kwargs) -> dict:
    answer = api.post("products", product_document(sku, **kwargs))
    assert answer.status_code == 201, answer.text
    return answer.json()


# --- products -------------------------------------------------------------------------------------


def test_a_product_create_answers_201_with_real_ids_and_makes_inventory_levels(api):
    created = create_product(api, "NEW-1", units=("item", "set"))
    product = created["data"]
    assert product["type"] == "products" and product["id"].isdigit()
    assert product["attributes"]["sku"] == "NEW-1" and product["attributes"]["createdAt"].endswith("Z")
    precisions = product["relationships"]["unitPrecisions"]["data"]
    assert len(precisions) == 2 and all(p["id"].isdigit() for p in precisions)
    assert product["relationships"]["primaryUnitPrecision"]["data"] == precisions[0]
    assert {item["type"] for item in created["included"]} == {"localizedfallbackvalues", "productunitprecisions"}
    names = product["relationships"]["names"]["data"]
    assert names[0]["id"].isdigit()
    assert api.data(f"localizedfallbackvalues/{names[0]['id']}")["attributes"]["string"] == "Anvil"
    warehouses = api.data("warehouses")
    levels = api.data("inventorylevels", **{"filter[product][eq]": product["id"], "page[size]": 100})
    assert len(levels) == 2 * len(warehouses) == 4
    assert all(level["attributes"]["quantity"] == "0" for level in levels)
    one = api.data(
        "inventorylevels",
        **{
            "filter[product][eq]": product["id"],
            "filter[productUnitPrecision][eq]": precisions[1]["id"],
            "filter[warehouse][eq]": warehouses[0]["id"],
        },
    )
    assert len(one) == 1
    found = api.get(f"products/{product['id']}", include="taxCode").json()
    assert found["included"][0]["type"] == "producttaxcodes"
    assert [p["id"] for p in api.data("products", **{"filter[sku]": "NEW-1"})] == [product["id"]]


def test_the_product_fixture_of_oro_itself_is_accepted(api):
    """Oro's own create_product test document (productnames, fallbacks, slugs left out: not served)."""
    document = product_document("test-api-2")
    document["data"]["relationships"]["names"] = {
        "data": [{"type": "productnames", "id": "names-1"}, {"type": "productnames", "id": "names-2"}]
    }
    document["data"]["relationships"]["manageInventory"] = {
        "data": {"type": "entityfieldfallbackvalues", "id": "1abcd"}
    }
    document["included"][0] = {
        "type": "productnames",
        "id": "names-1",
        "attributes": {"fallback": None, "string": "Test product"},
    }
    document["included"] += [
        {"type": "productnames", "id": "names-2", "attributes": {"fallback": None, "string": "Product in spanish"}},
        {
            "type": "entityfieldfallbackvalues",
            "id": "1abcd",
            "attributes": {"fallback": "systemConfig", "scalarValue": None, "arrayValue": None},
        },
    ]
    answer = api.post("products", document)
    assert answer.status_code == 201, answer.text
    assert len(answer.json()["data"]["relationships"]["names"]["data"]) == 2


def test_a_duplicate_sku_points_at_the_sku(oro, api):
    precisions = oro.store.count("productunitprecisions")
    existing = api.data("products/1")["attributes"]["sku"]
    error = error_of(api.post("products", product_document(existing)))
    assert error == {
        "status": "400",
        "title": "unique entity constraint",
        "detail": "This value is already used.",
        "source": {"pointer": "/data/attributes/sku"},
    }
    assert len(api.data("products", **{"page[size]": -1})) == 60, "a refused document changes nothing"
    assert oro.store.count("productunitprecisions") == precisions


def test_missing_values_unknown_relations_and_bad_choices_are_refused_with_a_pointer(oro, api):
    precisions_before = oro.store.count("productunitprecisions")
    document = product_document("X-1")
    del document["data"]["attributes"]["sku"]
    assert error_of(api.post("products", document)) == {
        "status": "400",
        "title": "not blank constraint",
        "detail": "This value should not be blank.",
        "source": {"pointer": "/data/attributes/sku"},
    }
    document = product_document("X-1", tax_code="999")
    error = error_of(api.post("products", document))
    assert error["source"]["pointer"] == "/data/relationships/taxCode/data"
    assert '"999" does not exist' in error["detail"]
    document = product_document("X-1")
    document["data"]["attributes"]["status"] = "sold out"
    assert error_of(api.post("products", document))["title"] == "choice constraint"
    document = product_document("X-1")
    document["included"][1]["relationships"]["unit"]["data"]["id"] = "barrel"
    assert error_of(api.post("products", document))["source"]["pointer"] == "/included/1/relationships/unit/data"
    document = product_document("X-1")
    document["data"]["attributes"]["colour"] = "red"
    assert error_of(api.post("products", document))["title"] == "extra fields constraint"
    assert oro.store.count("productunitprecisions") == precisions_before
    assert api.data("products", **{"filter[sku]": "X-1"}) == []
    wrong_type = api.post("products", {"data": {"type": "orders", "attributes": {}}})
    assert wrong_type.status_code == 409
    assert api.call("POST", "products", headers={"Content-Type": "application/json"}, body={}).status_code == 415


def test_patch_and_delete_a_product(oro, api):
    product = create_product(api, "PATCH-ME")["data"]
    patched = api.patch(
        f"products/{product['id']}",
        {"data": {"type": "products", "id": product["id"], "attributes": {"status": "disabled"}}},
    )
    assert patched.status_code == 200, patched.text
    assert api.data(f"products/{product['id']}")["attributes"]["status"] == "disabled"
    added = api.patch(
        f"products/{product['id']}",
        {
            "data": {
                "type": "products",
                "id": product["id"],
                "relationships": {
                    "unitPrecisions": {
                        "data": [
                            *product["relationships"]["unitPrecisions"]["data"],
                            {"type": "productunitprecisions", "id": "new-set"},
                        ]
                    }
                },
            },
            "included": [
                {
                    "type": "productunitprecisions",
                    "id": "new-set",
                    "attributes": {"precision": 0, "conversionRate": 12, "sell": True},
                    "relationships": {"unit": {"data": {"type": "productunits", "id": "set"}}},
                }
            ],
        },
    )
    assert added.status_code == 200, added.text
    assert len(added.json()["data"]["relationships"]["unitPrecisions"]["data"]) == 2
    assert len(api.data("inventorylevels", **{"filter[product]": product["id"]})) == 4
    other = api.data("products/2")["attributes"]["sku"]
    clash = api.patch(
        f"products/{product['id']}", {"data": {"type": "products", "id": product["id"], "attributes": {"sku": other}}}
    )
    assert error_of(clash)["detail"] == "This value is already used."
    mismatch = api.patch(f"products/{product['id']}", {"data": {"type": "products", "id": "2", "attributes": {}}})
    assert mismatch.status_code == 409
    assert api.delete(f"products/{product['id']}").status_code == 204
    assert api.get(f"products/{product['id']}").status_code == 404
    assert api.data("inventorylevels", **{"filter[product]": product["id"]}) == []
    assert api.delete("products/999999").status_code == 404


def test_delete_by_filter_says_how_many(api):
    ids = [create_product(api, f"BULK-{n}")["data"]["id"] for n in range(3)]
    answer = api.delete("products", **{"filter[id][eq]": ",".join(ids)})
    assert answer.status_code == 204 and answer.headers["X-Include-Deleted-Count"] == "3"
    assert api.data("products", **{"filter[id]": ",".join(ids)}) == []
    assert api.delete("products").status_code == 400


# --- prices, images, inventory ----------------------------------------------------------------------


def price_document(product: str, value="12.5", currency="USD", quantity=1, unit="item", price_list="1") -> dict:
    return {
        "data": {
            "type": "productprices",
            "attributes": {"quantity": quantity, "currency": currency, "value": value},
            "relationships": {
                "priceList": {"data": {"type": "pricelists", "id": price_list}},
                "product": {"data": {"type": "products", "id": product}},
                "unit": {"data": {"type": "productunits", "id": unit}},
            },
        }
    }


def test_prices_have_composite_ids_and_refuse_duplicates(api):
    product = create_product(api, "PRICED")["data"]["id"]
    created = api.post("productprices", price_document(product, value=12.5))
    assert created.status_code == 201, created.text
    price = created.json()["data"]
    uuid_part, price_list = price["id"].rsplit("-", 1)
    assert price_list == "1" and len(uuid_part) == 36
    assert price["attributes"]["value"] == "12.5000"
    read = api.get(f"productprices/{price['id']}", include="product").json()
    assert read["included"][0]["attributes"]["sku"] == "PRICED"
    duplicate = error_of(api.post("productprices", price_document(product, value="13")))
    assert duplicate["detail"] == PRICE_DUPLICATE
    assert api.post("productprices", price_document(product, quantity=10)).status_code == 201
    assert error_of(api.post("productprices", price_document(product, currency="JPY")))["source"] == {
        "pointer": "/data/attributes/currency"
    }
    assert error_of(api.post("productprices", price_document(product, unit="kg")))["title"] == (
        "product price allowed units constraint"
    )
    changed = api.patch(
        f"productprices/{price['id']}",
        {"data": {"type": "productprices", "id": price["id"], "attributes": {"value": "14.99"}}},
    )
    assert changed.status_code == 200, changed.text
    assert api.data(f"productprices/{price['id']}")["attributes"]["value"] == "14.9900"
    assert len(api.data("productprices", **{"filter[product]": product})) == 2


def test_images_carry_their_file_and_its_content(api):
    product = create_product(api, "PICTURED")["data"]["id"]
    content = base64.b64encode(b"\x89PNG\r\n\x1a\n-fake-image").decode()
    answer = api.post(
        "productimages",
        {
            "data": {
                "type": "productimages",
                "attributes": {"types": ["main", "listing"]},
                "relationships": {
                    "product": {"data": {"type": "products", "id": product}},
                    "image": {"data": {"type": "files", "id": "file-1"}},
                },
            },
            "included": [
                {
                    "type": "files",
                    "id": "file-1",
                    "attributes": {"mimeType": "image/png", "originalFilename": "anvil.png", "content": content},
                }
            ],
        },
    )
    assert answer.status_code == 201, answer.text
    image = answer.json()["data"]
    listed = api.get("productimages", include="image", **{"filter[product][eq]": product}).json()
    assert [i["id"] for i in listed["data"]] == [image["id"]]
    file = listed["included"][0]["attributes"]
    assert file["content"] == content and file["fileSize"] == 19 and file["originalFilename"] == "anvil.png"
    assert api.data(f"products/{product}")["relationships"]["images"]["data"] == [
        {"type": "productimages", "id": image["id"]}
    ]
    assert api.delete(f"productimages/{image['id']}").status_code == 204
    assert api.data(f"products/{product}")["relationships"]["images"]["data"] == []


def test_inventory_quantities_are_patched_and_read_back_as_strings(api):
    level = api.data("inventorylevels", **{"filter[product]": "1"})[0]
    answer = api.patch(
        f"inventorylevels/{level['id']}",
        {"data": {"type": "inventorylevels", "id": level["id"], "attributes": {"quantity": 12.5}}},
    )
    assert answer.status_code == 200, answer.text
    assert api.data(f"inventorylevels/{level['id']}")["attributes"]["quantity"] == "12.5"
    bad = api.patch(
        f"inventorylevels/{level['id']}",
        {"data": {"type": "inventorylevels", "id": level["id"], "attributes": {"quantity": "lots"}}},
    )
    assert error_of(bad)["source"]["pointer"] == "/data/attributes/quantity"
    assert api.post("inventorylevels", {"data": {"type": "inventorylevels"}}).status_code == 405


# --- taxes ----------------------------------------------------------------------------------------


def test_tax_codes_rates_jurisdictions_and_rules(api):
    code = api.post("producttaxcodes", {"data": {"type": "producttaxcodes", "attributes": {"code": "FOOD"}}})
    assert code.status_code == 201
    again = api.post("producttaxcodes", {"data": {"type": "producttaxcodes", "attributes": {"code": "FOOD"}}})
    assert error_of(again)["source"] == {"pointer": "/data/attributes/code"}
    assert api.data("producttaxcodes", **{"filter[code]": "FOOD"})[0]["id"] == code.json()["data"]["id"]
    customer_code = api.post("customertaxcodes", {"data": {"type": "customertaxcodes", "attributes": {"code": "B2B"}}})
    assert customer_code.status_code == 201
    rate = api.post("taxes", {"data": {"type": "taxes", "attributes": {"code": "US_NV", "rate": "0.0825"}}})
    assert rate.status_code == 201 and rate.json()["data"]["attributes"]["rate"] == "0.0825"
    assert error_of(api.post("taxes", {"data": {"type": "taxes", "attributes": {"code": "US_NV2"}}}))["source"] == {
        "pointer": "/data/attributes/rate"
    }
    jurisdiction = api.post(
        "taxjurisdictions",
        {
            "data": {
                "type": "taxjurisdictions",
                "attributes": {"code": "US_NV", "description": "Nevada"},
                "relationships": {
                    "country": {"data": {"type": "countries", "id": "US"}},
                    "zipCodes": {"data": [{"type": "zipcodes", "id": "z1"}, {"type": "zipcodes", "id": "z2"}]},
                },
            },
            "included": [
                {"type": "zipcodes", "id": "z1", "attributes": {"zipCode": "89101"}},
                {"type": "zipcodes", "id": "z2", "attributes": {"zipRangeStart": "89501", "zipRangeEnd": "89599"}},
            ],
        },
    )
    assert jurisdiction.status_code == 201, jurisdiction.text
    jurisdiction_id = jurisdiction.json()["data"]["id"]
    zips = api.data("zipcodes", **{"filter[taxJurisdiction]": jurisdiction_id})
    assert {z["attributes"]["zipCode"] or z["attributes"]["zipRangeStart"] for z in zips} == {"89101", "89501"}
    rule = api.post(
        "taxrules",
        {
            "data": {
                "type": "taxrules",
                "attributes": {"description": "Nevada food"},
                "relationships": {
                    "customerTaxCode": {"data": {"type": "customertaxcodes", "id": customer_code.json()["data"]["id"]}},
                    "productTaxCode": {"data": {"type": "producttaxcodes", "id": code.json()["data"]["id"]}},
                    "tax": {"data": {"type": "taxes", "id": rate.json()["data"]["id"]}},
                    "taxJurisdiction": {"data": {"type": "taxjurisdictions", "id": jurisdiction_id}},
                },
            }
        },
    )
    assert rule.status_code == 201, rule.text
    assert api.data("taxrules", **{"filter[taxJurisdiction]": jurisdiction_id})[0]["id"] == rule.json()["data"]["id"]
    incomplete = api.post("taxrules", {"data": {"type": "taxrules", "attributes": {}}})
    assert error_of(incomplete)["source"]["pointer"].startswith("/data/relationships/")
    assert api.delete(f"taxjurisdictions/{jurisdiction_id}").status_code == 204
    assert api.data("zipcodes", **{"filter[taxJurisdiction]": jurisdiction_id}) == []


# --- orders and payment statuses --------------------------------------------------------------------


def test_an_order_patch_moves_its_internal_status_and_updated_at(api):
    before = api.data("orders/3")
    answer = api.patch(
        "orders/3",
        {
            "data": {
                "type": "orders",
                "id": "3",
                "relationships": {"internalStatus": {"data": {"type": "orderinternalstatuses", "id": "cancelled"}}},
            }
        },
    )
    assert answer.status_code == 200, answer.text
    after = api.data("orders/3")
    assert after["relationships"]["internalStatus"]["data"]["id"] == "cancelled"
    assert after["attributes"]["updatedAt"] > before["attributes"]["updatedAt"]
    newest = api.data("orders", sort="-updatedAt", **{"page[size]": 1})
    assert newest[0]["id"] == "3"
    legacy = api.patch(
        "orders/3",
        {
            "data": {
                "type": "orders",
                "id": "3",
                "relationships": {"internal_status": {"data": {"type": "orderinternalstatuses", "id": "shipped"}}},
            }
        },
    )
    assert error_of(legacy)["title"] == "extra fields constraint"
    unknown = api.patch(
        "orders/3",
        {
            "data": {
                "type": "orders",
                "id": "3",
                "relationships": {"internalStatus": {"data": {"type": "orderinternalstatuses", "id": "lost"}}},
            }
        },
    )
    assert error_of(unknown)["source"]["pointer"] == "/data/relationships/internalStatus/data"
    assert api.post("orders", {"data": {"type": "orders"}}).status_code == 405


def test_a_payment_status_post_creates_or_replaces_the_status_of_an_order(api):
    def post(status: str, order: int = 5):
        body = {
            "data": {
                "type": "paymentstatuses",
                "attributes": {"entityClass": ORDER_CLASS, "entityIdentifier": order, "paymentStatus": status},
            }
        }
        return api.post("paymentstatuses", body)

    assert post("authorized").status_code == 201
    assert post("full").status_code == 201
    statuses = api.data("paymentstatuses", **{"filter[entityClass]": ORDER_CLASS, "filter[entityIdentifier]": "5"})
    assert [s["attributes"]["paymentStatus"] for s in statuses] == ["full"]
    assert error_of(post("lost"))["title"] == "choice constraint"


def test_the_records_control_lists_what_was_pushed(oro, api):
    create_product(api, "SEEN-1")
    records = OroCommerceControl(oro.url).records("products")
    assert "SEEN-1" in {r["attributes"]["sku"] for r in records}
    assert len(records) == 61
