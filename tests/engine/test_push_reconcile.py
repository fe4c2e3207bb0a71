"""Reconcile everything (service, command, admin button) and the store actions an integration offers on its orders."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from channels.models import Order, Product, ProductTaxCode
from integrations import services
from integrations.models import Binding, SyncRun
from tests.factories import magento_integration
from tests.fakeconnector.models import FakeProduct

pytestmark = pytest.mark.django_db(transaction=True)


def test_reconcile_resends_every_record_even_unchanged_and_deletes_what_went(fake, remote, rq, run_worker):
    mug = FakeProduct.objects.create(sku="SKU-1", name="Mug", price="9.90")
    gone = FakeProduct.objects.create(sku="SKU-2", name="Cup", price="4.00")
    books = ProductTaxCode.objects.create(code="books")
    run_worker()
    gone_id = Binding.objects.get(integration=fake, entity="products", local_id=gone.pk).remote_id
    FakeProduct.objects.filter(pk=gone.pk).delete()  # a queryset delete sends post_delete too; drop its push
    rq.flushdb()
    from integrations.models import PendingPush

    PendingPush.objects.all().delete()
    mug_id = Binding.objects.get(integration=fake, entity="products", local_id=mug.pk).remote_id
    with remote.state() as data:  # the store drifted: someone renamed the mug there
        data["products"][mug_id]["name"] = "Renamed in the store"
    pushes_before = len(remote.read()["pushes"])
    assert services.push_reconcile(integration=fake) == 3  # the mug, the tax code and the vanished cup
    run_worker()
    assert remote.read()["products"][mug_id]["name"] == "Mug"
    assert len(remote.read()["pushes"]) == pushes_before + 1
    assert gone_id not in remote.read()["products"]
    assert ["PATCH", "taxcodes", Binding.objects.get(entity="taxcodes", local_id=books.pk).remote_id] in remote.read()[
        "calls"
    ]
    run = SyncRun.objects.filter(integration=fake, direction=SyncRun.Direction.EXPORT).order_by("pk").last()
    assert run.totals() == {"pushed": 3, "created": 0, "updated": 2, "deleted": 1, "failed": 0}


def test_reconcile_skips_what_a_sink_does_not_want_and_the_command_says_how_many(fake, remote, rq, run_worker, capsys):
    Product.objects.bulk_create([Product(sku="A", name="A"), Product(sku="B", name="B")])  # catalog + stock each
    call_command("integration_reconcile", str(fake.pk))
    assert "Queued 4 pushes" in capsys.readouterr().out
    run_worker()
    assert len(remote.read()["out"]["catalog"]) == 2 and len(remote.read()["out"]["stock"]) == 2


def test_the_admin_button_reconciles(fake, remote, rq, run_worker, admin_client):
    FakeProduct.objects.bulk_create([FakeProduct(sku="SKU-1", name="Mug", price="1.00")])
    page = admin_client.get(reverse("admin:integrations_integration_change", args=[fake.pk]))
    assert b'id="reconcile"' in page.content
    response = admin_client.post(reverse("admin:integrations_integration_reconcile", args=[fake.pk]), follow=True)
    assert b"1 pushes queued" in response.content
    run_worker()
    assert [p["sku"] for p in remote.read()["pushes"]] == ["SKU-1"]


def test_an_order_page_offers_its_integrations_store_actions_and_runs_them(fake, remote, admin_client):
    order = Order.objects.create(integration=fake, remote_id="100", increment_id="100000100", status="pending")
    url = reverse("admin:channels_order_change", args=[order.pk])
    page = admin_client.get(url)
    assert b'id="store-action-hold"' in page.content
    response = admin_client.post(reverse("admin:channels_order_store_action", args=[order.pk, "hold"]), follow=True)
    assert b"is on hold in the fake store" in response.content
    assert list(remote.read()["out"]["order_holds"].values()) == [{"order": "100"}]
    order.refresh_from_db()
    assert order.status == "holded"
    unknown = admin_client.post(reverse("admin:channels_order_store_action", args=[order.pk, "explode"]))
    assert unknown.status_code == 404


def test_an_order_of_a_type_without_store_actions_shows_none(admin_client):
    integration = magento_integration()
    order = Order.objects.create(integration=integration, remote_id="1", increment_id="1")
    page = admin_client.get(reverse("admin:channels_order_change", args=[order.pk]))
    assert page.status_code == 200 and b"store-action-" not in page.content
