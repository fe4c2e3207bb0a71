"""Pushes to OroCommerce with real workers, against the OroCommerce simulator over HTTP: the catalog, prices,
images, stock, taxes, reconcile, two stores, and a refused push quarantined in the store's words."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.core.files.base import ContentFile

from channels.models import (
    CustomerTaxCode,
    InventoryLevel,
    PriceList,
    Product,
    ProductImage,
    ProductPrice,
    ProductTaxCode,
    TaxJurisdiction,
    TaxRate,
    TaxRule,
    TaxZipCode,
    Warehouse,
)
from integrations import services
from integrations.connectors.orocommerce.models import STORE_CHOICES
from integrations.engine import registry
from integrations.models import Binding, QuarantinedRecord, SyncRun
from integrations.transports.jsonapi import attribute, related_id

pytestmark = pytest.mark.django_db(transaction=True)


def oro_integration(oro, name: str = "Oro store", **settings):
    """An OroCommerce integration of the simulator, its store records chosen from what Check Connection found."""
    integration = services.integration_create(
        name=name,
        integration_type="orocommerce",
        settings_values={"admin_url": oro.admin_url, "api_user": oro.api_user, "api_key": oro.api_key},
    )
    connector = registry.connector_for(integration)
    result = connector.check_connection()
    assert result.ok, result.message
    found = connector.settings
    for field in STORE_CHOICES:
        choices = found.choices_for(field)
        setattr(found, field, choices[0][0] if choices else "")
    for field, value in settings.items():
        setattr(found, field, value)
    found.save()
    integration.refresh_from_db()
    return integration


def api(integration):
    return registry.connector_for(integration).api


def store_product(integration, sku: str) -> dict | None:
    found = api(integration).get("products", {"filter[sku]": sku, "include": "names"})
    if not found.resources:
        return None
    product = found.resources[0]
    names = found.included_many(product, "names")
    product["name"] = attribute(names[0], "string") if names else None
    return product


def bound(integration, entity: str, local_id: int) -> str:
    return Binding.objects.get(integration=integration, entity=entity, local_id=local_id).remote_id


def calls(oro) -> dict[str, int]:
    return dict(oro.control.stats()["calls"])


def new_calls(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {key: n - before.get(key, 0) for key, n in after.items() if n != before.get(key, 0)}


def last_export(integration) -> SyncRun:
    return SyncRun.objects.filter(integration=integration, direction=SyncRun.Direction.EXPORT).order_by("pk").last()


def test_a_product_is_created_updated_and_deleted_in_the_store(orocommerce, rq, run_worker):
    oro = orocommerce(orders=5, customers=2)
    shop = oro_integration(oro)
    books = ProductTaxCode.objects.create(code="BOOKS-X", description="Books")
    book = Product.objects.create(sku="OI-BOOK-1", name="A book", tax_code=books, unit="item")
    run_worker()
    remote = store_product(shop, "OI-BOOK-1")
    assert remote is not None and remote["id"] == bound(shop, "products", book.pk)
    assert remote["name"] == "A book" and attribute(remote, "status") == "enabled"
    assert related_id(remote, "taxCode") == bound(shop, "producttaxcodes", books.pk)
    assert related_id(remote, "owner") == shop.settings.business_unit
    book.name, book.status, book.unit, book.unit_precision = "The same book, renamed", "disabled", "kg", 3
    book.save()
    run_worker()
    remote = store_product(shop, "OI-BOOK-1")
    assert remote["name"] == "The same book, renamed" and attribute(remote, "status") == "disabled"
    found = api(shop).get(f"products/{remote['id']}", {"include": "primaryUnitPrecision"})
    precision = found.included_related(found.data, "primaryUnitPrecision")
    assert (related_id(precision, "unit"), attribute(precision, "precision")) == ("kg", 3)
    book.delete()
    run_worker()
    assert store_product(shop, "OI-BOOK-1") is None
    assert not Binding.objects.filter(integration=shop, local_id=book.pk, entity="products").exists()
    assert last_export(shop).entities.get(entity="products").deleted == 1


def test_a_product_the_store_has_already_is_found_by_its_sku_bound_and_updated(orocommerce, rq, run_worker):
    oro = orocommerce(orders=5, customers=2)
    shop = oro_integration(oro)
    sink = {s.name: s for s in registry.connector_for(shop).sinks()}["products"]
    values = {
        "sku": "OI-TWICE",
        "name": "Made in the store",
        "status": "enabled",
        "unit": "item",
        "precision": 0,
        "taxCode": None,
        "owner": shop.settings.business_unit,
        "attributeFamily": shop.settings.product_family,
    }
    made_there = sink.create(values).remote_id  # as if an earlier push's answer had been lost
    twice = Product.objects.create(sku="OI-TWICE", name="Pushed from oroint")
    run_worker()
    assert api(shop).get("products", {"filter[sku]": "OI-TWICE"}).resources.__len__() == 1
    assert bound(shop, "products", twice.pk) == made_there
    assert store_product(shop, "OI-TWICE")["name"] == "Pushed from oroint"
    assert "already exists as" in last_export(shop).log


def test_prices_of_the_chosen_list_are_pushed_and_a_duplicate_is_found_and_updated(orocommerce, rq, run_worker):
    oro = orocommerce(orders=5, customers=2)
    retail = PriceList.objects.create(name="Retail", currency="USD")
    other = PriceList.objects.create(name="Other", currency="USD")
    shop = oro_integration(oro, local_price_list=retail)
    mug = Product.objects.create(sku="OI-MUG", name="Mug")
    ProductPrice.objects.create(price_list=other, product=mug, unit="item", quantity=1, currency="USD", value="1.00")
    run_worker()
    product_id = bound(shop, "products", mug.pk)
    price_list = shop.settings.price_list
    in_store = {"filter[product]": product_id, "filter[priceList]": price_list}
    assert api(shop).get("productprices", in_store).resources == [], "a price of another list is not pushed"
    # The store holds the price already (made there): the push finds it by its list, unit, quantity, currency.
    api(shop).post(
        "productprices",
        {
            "data": {
                "type": "productprices",
                "attributes": {"quantity": 1, "currency": "USD", "value": "7.0000"},
                "relationships": {
                    "priceList": {"data": {"type": "pricelists", "id": price_list}},
                    "product": {"data": {"type": "products", "id": product_id}},
                    "unit": {"data": {"type": "productunits", "id": "item"}},
                },
            }
        },
    )
    price = ProductPrice.objects.create(
        price_list=retail, product=mug, unit="item", quantity=1, currency="USD", value="9.9"
    )
    ProductPrice.objects.create(price_list=retail, product=mug, unit="item", quantity=10, currency="USD", value="8.5")
    run_worker()
    prices = api(shop).get("productprices", in_store).resources
    by_quantity = {float(attribute(p, "quantity")): p for p in prices}
    assert sorted(by_quantity) == [1.0, 10.0]
    assert float(attribute(by_quantity[1.0], "value")) == 9.9 and float(attribute(by_quantity[10.0], "value")) == 8.5
    assert bound(shop, "productprices", price.pk) == by_quantity[1.0]["id"]
    assert f"already exists as {by_quantity[1.0]['id']}" in last_export(shop).log


def test_an_image_the_store_holds_already_is_bound_not_sent_again(orocommerce, rq, run_worker):
    oro = orocommerce(orders=5, customers=2)
    shop = oro_integration(oro)
    lamp = Product.objects.create(sku="OI-LAMP", name="Lamp")
    run_worker()
    picture = b"\x89PNG\r\n\x1a\n" + b"lamp" * 100
    product_id = bound(shop, "products", lamp.pk)
    api(shop).post(
        "productimages",
        {
            "data": {
                "type": "productimages",
                "attributes": {"types": ["main"]},
                "relationships": {
                    "product": {"data": {"type": "products", "id": product_id}},
                    "image": {"data": {"type": "files", "id": "f1"}},
                },
            },
            "included": [
                {
                    "type": "files",
                    "id": "f1",
                    "attributes": {
                        "mimeType": "image/png",
                        "originalFilename": "uploaded-there.png",
                        "fileSize": len(picture),
                        "content": base64.b64encode(picture).decode(),
                    },
                }
            ],
        },
    )
    before = calls(oro)
    same = ProductImage(product=lamp, filename="lamp.png", mime_type="image/png", is_main=True)
    same.sha256 = hashlib.sha256(picture).hexdigest()
    same.file.save("lamp.png", ContentFile(picture), save=True)
    other = ProductImage(product=lamp, filename="lamp-side.png", mime_type="image/png")
    other.file.save("lamp-side.png", ContentFile(b"\x89PNG side view"), save=True)
    run_worker()
    images = api(shop).get("productimages", {"filter[product]": product_id}).resources
    assert len(images) == 2, "the identical file is not sent a second time"
    assert new_calls(before, calls(oro)).get("POST productimages") == 1  # the other picture only
    assert bound(shop, "productimages", same.pk) in {image["id"] for image in images}
    other.delete()
    run_worker()
    assert [image["id"] for image in api(shop).get("productimages", {"filter[product]": product_id}).resources] == [
        bound(shop, "productimages", same.pk)
    ]


def level_in_store(shop, product: Product) -> str:
    found = api(shop).get("inventorylevels", {"filter[product]": bound(shop, "products", product.pk)}).resources
    by_id = {level["id"]: level for level in found}
    return attribute(by_id[bound(shop, "inventorylevels", product.pk)], "quantity")


def test_stock_is_the_sum_over_warehouses_or_that_of_the_chosen_one(orocommerce, rq, run_worker):
    oro = orocommerce(orders=5, customers=2)
    north = Warehouse.objects.create(code="N", name="North")
    south = Warehouse.objects.create(code="S", name="South")
    shop = oro_integration(oro)
    kettle = Product.objects.create(sku="OI-KETTLE", name="Kettle")
    InventoryLevel.objects.create(product=kettle, warehouse=north, quantity=5)
    level = InventoryLevel.objects.create(product=kettle, warehouse=south, quantity="2.5")
    run_worker()
    assert level_in_store(shop, kettle) == "7.5"
    found = shop.settings
    found.local_warehouse = north
    found.save()
    level.quantity = 4
    level.save()  # a change of a level pushes the product's stock: now North's alone
    run_worker()
    assert level_in_store(shop, kettle) == "5"
    assert last_export(shop).entities.get(entity="inventorylevels").updated == 1


def test_a_tax_rule_change_pushes_the_rule_and_not_the_products(orocommerce, rq, run_worker):
    oro = orocommerce(orders=5, customers=2)
    shop = oro_integration(oro)
    books = ProductTaxCode.objects.create(code="OI-BOOKS")
    for n in range(3):
        Product.objects.create(sku=f"OI-B{n}", name=f"Book {n}", tax_code=books)
    run_worker()
    before = calls(oro)
    # A rule and what it names, made in one go: the rule's job pushes those not yet in the store first.
    retail = CustomerTaxCode.objects.create(code="OI-RETAIL")
    rate = TaxRate.objects.create(code="OI-NY", rate="0.0825")
    new_york = TaxJurisdiction.objects.create(code="OI-NYC", country_code="US", region_code="US-NY")
    TaxZipCode.objects.create(jurisdiction=new_york, zip_code="10001")
    TaxZipCode.objects.create(jurisdiction=new_york, zip_range_start="10100", zip_range_end="10199")
    rule = TaxRule.objects.create(
        product_tax_code=books, customer_tax_code=retail, tax_rate=rate, jurisdiction=new_york, description="NY"
    )
    run_worker()
    rule_id = bound(shop, "taxrules", rule.pk)
    remote_rule = api(shop).get(f"taxrules/{rule_id}").data
    assert related_id(remote_rule, "tax") == bound(shop, "taxes", rate.pk)
    assert related_id(remote_rule, "taxJurisdiction") == bound(shop, "taxjurisdictions", new_york.pk)
    assert attribute(api(shop).get(f"taxes/{bound(shop, 'taxes', rate.pk)}").data, "rate") in ("0.0825", 0.0825)
    zips = api(shop).get(f"taxjurisdictions/{bound(shop, 'taxjurisdictions', new_york.pk)}", {"include": "zipCodes"})
    assert sorted(str(attribute(z, "zipCode") or attribute(z, "zipRangeStart")) for z in zips.included) == [
        "10001",
        "10100",
    ]
    made = new_calls(before, calls(oro))
    assert made.get("POST taxrules") == 1 and made.get("POST taxes") == 1
    assert "PATCH products" not in made and "POST products" not in made
    before = calls(oro)
    rule.description = "New York City"
    rule.save()
    run_worker()
    made = new_calls(before, calls(oro))
    assert made == {"PATCH taxrules": 1}
    run = last_export(shop)
    assert run.totals() == {"pushed": 1, "created": 0, "updated": 1, "deleted": 0, "failed": 0}


def test_reconcile_sends_again_what_the_store_changed(orocommerce, rq, run_worker):
    oro = orocommerce(orders=5, customers=2)
    shop = oro_integration(oro)
    chair = Product.objects.create(sku="OI-CHAIR", name="Chair")
    run_worker()
    product_id = bound(shop, "products", chair.pk)
    api(shop).patch(
        f"products/{product_id}",
        {"data": {"type": "products", "id": product_id, "attributes": {"status": "disabled"}}},
    )
    before = calls(oro)
    assert services.push_reconcile(integration=shop) >= 2  # the chair and its stock
    run_worker()
    assert attribute(store_product(shop, "OI-CHAIR"), "status") == "enabled"
    assert new_calls(before, calls(oro)).get("PATCH products") == 1


def test_one_product_goes_to_two_stores_with_a_binding_each(orocommerce, rq, run_worker):
    first, second = orocommerce(orders=5, customers=2, seed=1), orocommerce(orders=5, customers=2, seed=2)
    east, west = oro_integration(first, name="East"), oro_integration(second, name="West")
    desk = Product.objects.create(sku="OI-DESK", name="Desk")
    run_worker()
    assert store_product(east, "OI-DESK")["id"] == bound(east, "products", desk.pk)
    assert store_product(west, "OI-DESK")["id"] == bound(west, "products", desk.pk)
    assert Binding.objects.filter(entity="products", local_id=desk.pk).count() == 2


def test_a_push_the_store_refuses_is_quarantined_in_its_words_and_retried(orocommerce, rq, run_worker):
    oro = orocommerce(orders=5, customers=2)
    shop = oro_integration(oro)
    odd = Product.objects.create(sku="OI-ODD", name="Odd", unit="furlong")  # a unit the store does not have
    run_worker()
    record = QuarantinedRecord.objects.get(integration=shop, entity="products", local_id=odd.pk)
    assert "answered POST /admin/api/products with HTTP 400" in record.reason
    assert store_product(shop, "OI-ODD") is None
    Product.objects.filter(pk=odd.pk).update(unit="item")  # fixed without a signal: only the retry pushes
    services.quarantine_retry(record_ids=[record.pk])
    run_worker()
    assert store_product(shop, "OI-ODD")["id"] == bound(shop, "products", odd.pk)


def test_a_tax_code_the_store_has_already_is_found_by_its_code(orocommerce, rq, run_worker):
    oro = orocommerce(orders=5, customers=2)
    shop = oro_integration(oro)
    made_there = api(shop).post(
        "producttaxcodes", {"data": {"type": "producttaxcodes", "attributes": {"code": "OI-FOOD", "description": ""}}}
    )
    food = ProductTaxCode.objects.create(code="OI-FOOD", description="Food")
    run_worker()
    assert bound(shop, "producttaxcodes", food.pk) == made_there.data["id"]
    found = api(shop).get("producttaxcodes", {"filter[code]": "OI-FOOD"}).resources
    assert [(c["id"], attribute(c, "description")) for c in found] == [(made_there.data["id"], "Food")]


def test_the_value_that_collides_is_read_where_the_error_points_in_the_document_sent():
    from integrations.connectors.orocommerce.push_common import value_at

    document = {
        "data": {"attributes": {"sku": "A-1"}},
        "included": [{"attributes": {"code": "x"}}, {"attributes": {"code": "NY-10001"}}],
    }
    assert value_at(document, "/data/attributes/sku") == "A-1"
    assert value_at(document, "/included/1/attributes/code") == "NY-10001"
    assert value_at(document, "/included/7/attributes/code") == ""
    assert value_at(document, "/data/attributes") == ""


def test_the_catalog_waits_for_the_owner_and_family_then_reconcile_sends_it(orocommerce, rq, run_worker):
    oro = orocommerce(orders=5, customers=2)
    shop = oro_integration(oro, business_unit="", product_family="")
    vase = Product.objects.create(sku="OI-VASE", name="Vase")
    run_worker()
    assert store_product(shop, "OI-VASE") is None and not QuarantinedRecord.objects.exists()
    found = shop.settings
    found.business_unit, found.product_family = (
        found.choices_for("business_unit")[0][0],
        found.choices_for("product_family")[0][0],
    )
    found.save()
    services.push_reconcile(integration=shop)
    run_worker()
    assert store_product(shop, "OI-VASE")["id"] == bound(shop, "products", vase.pk)
