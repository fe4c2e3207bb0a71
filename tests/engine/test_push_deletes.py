"""A deleted local record that was pushed: its remote copy is deleted (or only unbound), counted as deleted."""

from __future__ import annotations

import pytest

from integrations.models import Binding, PendingPush, SyncRun
from tests.fakeconnector.models import FakeProduct

pytestmark = pytest.mark.django_db(transaction=True)


def export_runs(integration):
    return SyncRun.objects.filter(integration=integration, direction=SyncRun.Direction.EXPORT).order_by("pk")


def test_a_deleted_product_is_deleted_in_the_remote_system_and_unbound(fake, remote, rq, run_worker):
    mug = FakeProduct.objects.create(sku="SKU-1", name="Mug", price="9.90")
    run_worker()
    remote_id = Binding.objects.get(integration=fake, entity="products", local_id=mug.pk).remote_id
    assert remote_id in remote.read()["products"]
    mug.delete()
    run_worker()
    assert remote_id not in remote.read()["products"]
    assert ["DELETE", "products", remote_id] in remote.read()["calls"]
    assert not Binding.objects.filter(integration=fake, entity="products").exists()
    assert not PendingPush.objects.exists()
    assert export_runs(fake).last().totals() == {"pushed": 1, "created": 0, "updated": 0, "deleted": 1, "failed": 0}


def test_a_record_already_gone_from_the_remote_system_is_a_successful_delete(fake, remote, rq, run_worker):
    mug = FakeProduct.objects.create(sku="SKU-1", name="Mug", price="9.90")
    run_worker()
    remote_id = Binding.objects.get(integration=fake, entity="products").remote_id
    assert remote.delete_product(remote_id)  # someone deleted it in the store
    mug.delete()
    run_worker()
    assert not Binding.objects.filter(integration=fake, entity="products").exists()
    last = export_runs(fake).last()
    assert last.status == SyncRun.Status.SUCCEEDED
    assert last.totals()["deleted"] == 1 and last.totals()["failed"] == 0
    assert "already gone" in last.log


def test_a_sink_that_cannot_delete_only_drops_the_binding_and_says_so(fake, remote, rq, run_worker):
    from channels.models import Product

    lamp = Product.objects.create(sku="LAMP", name="Lamp")
    run_worker()
    stock_id = Binding.objects.get(integration=fake, entity="stock", local_id=lamp.pk).remote_id
    lamp.delete()
    run_worker()
    assert not Binding.objects.filter(integration=fake, local_id=lamp.pk).exists()
    assert stock_id in remote.read()["out"]["stock"], "the stock sink does not delete: the record stays"
    last = export_runs(fake).last()
    assert last.entities.get(entity="stock").deleted == 1
    assert "does not delete" in last.log


def test_a_deleted_record_never_pushed_does_nothing(fake, remote, rq, run_worker):
    mug = FakeProduct.objects.create(sku="SKU-1", name="Mug", price="9.90")
    mug.delete()  # before any worker ran: the create and the delete make one push, of nothing
    run_worker()
    assert remote.read()["products"] == {} and remote.read()["calls"] == []
    assert export_runs(fake).last().totals()["pushed"] == 0
