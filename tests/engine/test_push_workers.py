"""The way out with real RQ workers on real Redis: one job per record, one follow-up per edit burst."""

from __future__ import annotations

import django_rq
import pytest

from integrations import services
from integrations.models import Binding, PendingPush, SyncRun
from tests.conftest import wait_for
from tests.fakeconnector.models import FakeProduct

pytestmark = pytest.mark.django_db(transaction=True)


def rename(product: FakeProduct, name: str) -> None:
    product.name = name
    product.save()  # autocommit: the push is requested as the change commits


def test_edits_before_the_worker_runs_make_one_job_and_one_push(fake, remote, rq, run_worker):
    mug = FakeProduct.objects.create(sku="SKU-1", name="Mug 1", price="9.90")
    for n in range(2, 6):
        rename(mug, f"Mug {n}")
    assert django_rq.get_queue(services.PUSH_QUEUE).count == 1
    run_worker()
    pushes = remote.read()["pushes"]
    assert [p["name"] for p in pushes] == ["Mug 5"]  # the latest state, once
    binding = Binding.objects.get(integration=fake, entity="products", local_id=mug.pk)
    assert binding.remote_id == pushes[0]["id"]
    assert not PendingPush.objects.exists()
    run = SyncRun.objects.get(integration=fake, direction=SyncRun.Direction.EXPORT)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.totals() == {"pushed": 1, "created": 1, "updated": 0, "deleted": 0, "failed": 0}


def test_an_edit_during_a_push_gives_one_follow_up_push_of_the_latest_state(fake, remote, rq, start_worker):
    remote.configure(hold=True)  # the remote holds each push until the test lets it go
    start_worker()
    mug = FakeProduct.objects.create(sku="SKU-1", name="Mug 1", price="9.90")
    wait_for(lambda: remote.read()["pushing"] == "Mug 1", timeout=60, message="the first push to start")
    rename(mug, "Mug 2")
    rename(mug, "Mug 3")  # a burst while the push runs: one follow-up, not two
    assert django_rq.get_queue(services.PUSH_QUEUE).count == 1
    remote.configure(hold=False)
    wait_for(lambda: not PendingPush.objects.exists(), timeout=60, message="every push to be made")
    wait_for(
        lambda: SyncRun.objects.filter(integration=fake, status=SyncRun.Status.SUCCEEDED).exists(),
        timeout=30,
        message="the export run to end",
    )
    pushes = remote.read()["pushes"]
    assert [p["name"] for p in pushes] == ["Mug 1", "Mug 3"]
    assert remote.read()["products"][pushes[0]["id"]]["name"] == "Mug 3"
    (run,) = SyncRun.objects.filter(integration=fake, direction=SyncRun.Direction.EXPORT)
    assert run.totals() == {"pushed": 2, "created": 1, "updated": 1, "deleted": 0, "failed": 0}
