"""Sinks triggered by other models, and records that need others bound first (pushed in the same job)."""

from __future__ import annotations

import pytest

from channels.models import InventoryLevel, Product, ProductTaxCode, Warehouse
from integrations.models import Binding, QuarantinedRecord, SyncRun

pytestmark = pytest.mark.django_db(transaction=True)


def last_export(integration) -> SyncRun:
    return SyncRun.objects.filter(integration=integration, direction=SyncRun.Direction.EXPORT).order_by("pk").last()


def bound(integration, entity: str, local_id: int) -> str:
    return Binding.objects.get(integration=integration, entity=entity, local_id=local_id).remote_id


def test_an_inventory_level_change_pushes_its_products_stock_and_nothing_else(fake, remote, rq, run_worker):
    lamp = Product.objects.create(sku="LAMP", name="Lamp")
    north, south = Warehouse.objects.create(code="N", name="North"), Warehouse.objects.create(code="S", name="South")
    run_worker()
    calls_before = len(remote.read()["calls"])
    level = InventoryLevel.objects.create(product=lamp, warehouse=north, quantity=5)
    InventoryLevel.objects.create(product=lamp, warehouse=south, quantity=2)
    run_worker()
    stock = remote.read()["out"]["stock"][bound(fake, "stock", lamp.pk)]
    assert stock == {"sku": "LAMP", "quantity": "7.0000"}
    assert remote.read()["calls"][calls_before:] == [["PATCH", "stock", bound(fake, "stock", lamp.pk)]]
    level.delete()  # a deleted level pushes the stock too
    run_worker()
    assert remote.read()["out"]["stock"][bound(fake, "stock", lamp.pk)]["quantity"] == "2.0000"
    assert set(last_export(fake).entities.values_list("entity", flat=True)) == {"stock"}


def test_a_product_pushes_its_tax_code_first_in_the_same_job(fake, remote, rq, run_worker):
    (books,) = ProductTaxCode.objects.bulk_create([ProductTaxCode(code="books")])  # no signal: not pushed
    book = Product.objects.create(sku="BOOK", name="A book", tax_code=books)
    run_worker()
    code_id = bound(fake, "taxcodes", books.pk)
    assert remote.read()["out"]["catalog"][bound(fake, "catalog", book.pk)]["tax_code"] == code_id
    calls = [call[:2] for call in remote.read()["calls"]]
    assert calls.index(["POST", "taxcodes"]) < calls.index(["POST", "catalog"])
    assert calls.count(["POST", "taxcodes"]) == 1
    catalog = last_export(fake).entities.get(entity="catalog")
    assert (catalog.created, last_export(fake).entities.get(entity="taxcodes").created) == (1, 1)


def test_changing_a_tax_code_pushes_the_code_and_not_the_products_that_use_it(fake, remote, rq, run_worker):
    books = ProductTaxCode.objects.create(code="books", description="Books")
    for n in range(3):
        Product.objects.create(sku=f"BOOK-{n}", name=f"Book {n}", tax_code=books)
    run_worker()
    calls_before = len(remote.read()["calls"])
    books.description = "Printed books"
    books.save()
    run_worker()
    assert remote.read()["calls"][calls_before:] == [["PATCH", "taxcodes", bound(fake, "taxcodes", books.pk)]]
    run = last_export(fake)
    assert run.totals() == {"pushed": 1, "created": 0, "updated": 1, "deleted": 0, "failed": 0}
    assert set(run.entities.values_list("entity", flat=True)) == {"taxcodes"}


def test_a_dependency_that_fails_quarantines_the_record_with_its_reason(fake, remote, rq, run_worker):
    remote.configure(refuse=["poison"])
    (poison,) = ProductTaxCode.objects.bulk_create([ProductTaxCode(code="poison")])
    vial = Product.objects.create(sku="VIAL", name="Vial", tax_code=poison)
    run_worker()
    record = QuarantinedRecord.objects.get(entity="catalog", local_id=vial.pk)
    assert "needs taxcodes poison" in record.reason and "refused code poison" in record.reason
    assert "catalog" not in remote.read()["out"]
    remote.configure(refuse=[])
    from integrations import services

    services.quarantine_retry(record_ids=[record.pk])
    run_worker()
    assert remote.read()["out"]["catalog"][bound(fake, "catalog", vial.pk)]["tax_code"] == bound(
        fake, "taxcodes", poison.pk
    )
