"""Engine pieces the Magento parity work builds on: records skipped on purpose, flagged vanished
children, the daily housekeeping job."""

from __future__ import annotations

import django_rq
import pytest
from django.db import transaction
from django.utils import timezone
from rq.job import Job

from channels.models import Cart, CartItem, Customer
from integrations import services
from integrations.engine import importer
from integrations.engine.contracts import ChildSpec, Mapped, Skip
from integrations.engine.upsert import sync_children
from integrations.models import QuarantinedRecord
from tests.fakeconnector.connector import CustomerStream, FakeConnector

pytestmark = pytest.mark.django_db(transaction=True)


class PickyCustomers(CustomerStream):
    def map(self, raw: dict) -> Mapped:
        if not raw.get("email"):
            raise Skip("no email")
        return super().map(raw)


def test_a_record_the_stream_skips_is_counted_and_neither_written_nor_quarantined(fake):
    stream = PickyCustomers(FakeConnector(fake))
    raws = [
        {"id": "c-1", "updatedAt": "2024-03-05T10:00:00+00:00", "email": "ann@example.com", "addresses": []},
        {"id": "c-2", "updatedAt": "2024-03-05T10:00:00+00:00", "email": "", "addresses": []},
    ]
    with transaction.atomic():
        result, rejected = importer.import_raw(stream, fake, raws)
    assert (result.created, result.skipped, rejected) == (1, 1, [])
    assert list(Customer.objects.filter(integration=fake).values_list("remote_id", flat=True)) == ["c-1"]
    assert not QuarantinedRecord.objects.exists()


def test_vanished_children_are_flagged_not_deleted_and_unflagged_when_they_come_back(fake):
    cart = Cart.objects.create(integration=fake, remote_id="7")
    spec = ChildSpec(CartItem, "cart", flag_vanished="is_removed")
    sync_children(spec, {cart.pk: [{"remote_id": "1", "sku": "A"}, {"remote_id": "2", "sku": "B"}]})
    first = dict(CartItem.objects.values_list("remote_id", "pk"))
    sync_children(spec, {cart.pk: [{"remote_id": "1", "sku": "A"}]})
    assert dict(CartItem.objects.values_list("remote_id", "is_removed")) == {"1": False, "2": True}
    sync_children(spec, {cart.pk: [{"remote_id": "1", "sku": "A"}, {"remote_id": "2", "sku": "B2"}]})
    assert dict(CartItem.objects.values_list("remote_id", "is_removed")) == {"1": False, "2": False}
    assert dict(CartItem.objects.values_list("remote_id", "pk")) == first
    assert CartItem.objects.get(remote_id="2").sku == "B2"


def test_housekeeping_is_queued_once_a_day_for_each_live_integration_and_run_by_a_worker(fake, remote, rq, run_worker):
    paused = services.integration_create(
        name="Paused shop", integration_type="fake", settings_values={"remote_path": str(remote.path)}
    )
    paused.enabled = False
    paused.save(update_fields=["enabled"])
    going = services.integration_create(
        name="Going shop", integration_type="fake", settings_values={"remote_path": str(remote.path)}
    )
    going.channel.deleting_since = timezone.now()
    going.channel.save(update_fields=["deleting_since"])

    assert services.housekeeping_dispatch() == 1
    assert services.housekeeping_dispatch() == 0  # still waiting for a worker: not queued twice
    queue = django_rq.get_queue("default")
    assert queue.job_ids == [f"housekeeping-{fake.pk}"]
    run_worker()
    job = Job.fetch(f"housekeeping-{fake.pk}", connection=queue.connection)
    assert job.is_finished, job.latest_result()
    assert services.housekeeping_dispatch() == 1  # the next day's


def test_each_entity_counts_the_time_the_worker_spent_on_it_within_the_run(fake, remote):
    from integrations.models import SyncRun

    for i in range(7):
        remote.put_customer(f"c-{i}", f"2024-03-05T10:00:0{i}+00:00", email=f"c{i}@example.com", addresses=[])
    run = importer.execute_import(SyncRun.objects.create(integration=fake).pk)
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    rows = list(run.entities.all())
    assert rows and all(row.busy_seconds > 0 for row in rows if row.read)
    assert sum(row.busy_seconds for row in rows) <= (run.finished_at - run.started_at).total_seconds()
