"""The engine's contract, driven by a connector that is not Magento: both directions, in process."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from channels.models import Customer, CustomerAddress
from integrations import services
from integrations.engine import exporter, importer, registry
from integrations.engine.contracts import Refused
from integrations.models import Binding, Checkpoint, QuarantinedRecord, SyncRun
from tests.fakeconnector.models import FakeProduct
from tests.fakeconnector.remote import Crash, FakeRemote

pytestmark = pytest.mark.django_db(transaction=True)

FAST_RETRIES = override_settings(
    OROINT_SYNC={**__import__("django.conf").conf.settings.OROINT_SYNC, "RETRY_DELAYS": (0, 0, 0)}
)


def seed_customers(remote: FakeRemote, count: int = 10) -> None:
    for i in range(count):
        remote.put_customer(
            f"c-{i:03d}",
            f"2024-03-05T{10 + i // 3:02d}:00:0{i % 3}+02:00",
            email=f"c{i}@example.com",
            firstName="Ann",
            lastName=f"Lee {i}",
            addresses=[{"id": f"a-{i}", "street": f"{i} Main St", "city": "Berlin"}],
        )


def run_import(integration) -> SyncRun:
    run = SyncRun.objects.create(integration=integration)
    return importer.execute_import(run.pk)


def test_the_type_registers_itself_beside_magento():
    assert {"magento1", "fake"} <= set(registry.types())
    assert ("fake", "Fake (tests only)") in registry.type_choices()


def test_import_writes_string_ids_with_offsets_kept_and_a_rerun_changes_nothing(fake, remote):
    seed_customers(remote)
    first = run_import(fake)
    assert first.status == SyncRun.Status.SUCCEEDED, first.message
    assert first.totals() == {"read": 10, "created": 10, "updated": 0, "skipped": 0, "failed": 0}
    ann = Customer.objects.get(integration=fake, remote_id="c-000")
    assert ann.remote_updated_at.isoformat() == "2024-03-05T08:00:00+00:00"  # 10:00 at +02:00
    again = run_import(fake)
    totals = again.totals()
    assert (totals["created"], totals["updated"]) == (0, 0)
    assert Customer.objects.filter(integration=fake).count() == 10


@pytest.mark.parametrize("crash_after", range(5))  # 10 customers come in 5 pages: a crash before each
def test_a_crash_at_any_page_resumes_after_the_last_committed_page(fake, remote, crash_after):
    seed_customers(remote)
    remote.configure(crash_after_pages=crash_after)
    crashed = SyncRun.objects.create(integration=fake)
    with pytest.raises(Crash):
        importer.execute_import(crashed.pk)
    committed = Customer.objects.filter(integration=fake).count()
    # Pages of 3; every page after the first starts at the last updatedAt read, whose record is dropped.
    assert committed == (0 if crash_after == 0 else 3 + 2 * (crash_after - 1))
    # The worker is gone: its run goes stale, the next run resumes from the checkpoint.
    SyncRun.objects.filter(pk=crashed.pk).update(heartbeat_at="2000-01-01T00:00:00Z")
    services.sync_mark_stale(integration=fake)
    resumed = run_import(fake)
    assert resumed.status == SyncRun.Status.SUCCEEDED, resumed.message
    assert Customer.objects.filter(integration=fake).count() == 10
    assert resumed.totals()["created"] == 10 - committed  # nothing committed is created twice
    assert Checkpoint.objects.get(integration=fake, entity="customers").state["cursor"] == "updated_at_id"


def test_an_update_keeps_child_rows_and_their_keys(fake, remote):
    seed_customers(remote, 1)
    run_import(fake)
    address = CustomerAddress.objects.get(customer__remote_id="c-000")
    remote.put_customer(
        "c-000",
        "2024-03-06T10:00:00Z",
        email="c0@example.com",
        firstName="Ann",
        lastName="Ng",
        addresses=[{"id": "a-0", "street": "1 New St", "city": "Berlin"}, {"id": "a-9", "street": "2 Side St"}],
    )
    run_import(fake)
    kept = CustomerAddress.objects.get(remote_id="a-0")
    assert kept.pk == address.pk and kept.street == "1 New St"
    assert CustomerAddress.objects.filter(customer__remote_id="c-000").count() == 2


def test_a_bad_record_is_quarantined_the_rest_written_and_a_retry_resolves_it(fake, remote):
    seed_customers(remote, 4)
    remote.put_customer("c-bad", "2024-03-05T10:30:00Z", email="not an email")
    run = run_import(fake)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert Customer.objects.filter(integration=fake).count() == 4
    (bad,) = QuarantinedRecord.objects.filter(integration=fake)
    assert bad.remote_id == "c-bad" and "email" in bad.reason and bad.payload["email"] == "not an email"
    remote.put_customer("c-bad", "2024-03-05T10:30:00Z", email="fixed@example.com")
    outcome = services.quarantine_retry(record_ids=[bad.pk])
    assert outcome["resolved"] == 1
    assert Customer.objects.get(integration=fake, remote_id="c-bad").email == "fixed@example.com"


def test_a_record_refused_again_while_quarantined_keeps_one_row_brought_up_to_date(fake, remote):
    stream = registry.connector_for(fake).streams()[0]
    run = SyncRun.objects.create(integration=fake)
    for reason in ("first reason", "second reason"):
        importer.quarantine(fake, run, stream, [], [Refused({"id": "c-9"}, reason, "c-9"), Refused({"n": 1}, reason)])
    rows = QuarantinedRecord.objects.filter(integration=fake).order_by("remote_id")
    assert [(q.remote_id, q.reason) for q in rows] == [("", "second reason"), ("c-9", "second reason")]
    # Once resolved, meeting it again is a new quarantine.
    rows.update(resolved_at="2024-01-01T00:00:00Z")
    importer.quarantine(fake, run, stream, [({"id": "c-9"}, "third reason")])
    assert QuarantinedRecord.objects.filter(integration=fake, resolved_at__isnull=True).count() == 1


def sink_of(integration):
    connector = registry.connector_for(integration)
    return {s.name: s for s in connector.sinks()}["products"]


def product(sku="SKU-1", name="Mug", price="9.90") -> FakeProduct:
    # bulk_create sends no post_save, so no push is requested: these tests call the exporter themselves.
    (created,) = FakeProduct.objects.bulk_create([FakeProduct(sku=sku, name=name, price=price)])
    return created


def test_a_push_binds_the_remote_id_and_the_next_change_updates_it(fake, remote):
    mug = product()
    created = exporter.push_record(sink_of(fake), mug.pk)
    assert created.result == "created"
    binding = Binding.objects.get(integration=fake, entity="products", local_id=mug.pk)
    assert binding.remote_id == created.remote_id and binding.synced_values["name"] == "Mug"
    assert exporter.push_record(sink_of(fake), mug.pk).result == "skipped"  # nothing changed
    FakeProduct.objects.filter(pk=mug.pk).update(name="Big mug")
    updated = exporter.push_record(sink_of(fake), mug.pk)
    assert (updated.result, updated.remote_id) == ("updated", binding.remote_id)
    assert list(remote.read()["products"].values()) == [
        {"id": binding.remote_id, "sku": "SKU-1", "name": "Big mug", "price": "9.90"}
    ]


def test_already_exists_is_found_by_its_natural_key_bound_and_updated(fake, remote):
    existing = remote.seed_product("SKU-1", name="Old mug", price="1.00")
    mug = product()
    outcome = exporter.push_record(sink_of(fake), mug.pk)
    assert (outcome.result, outcome.remote_id) == ("updated", existing)
    assert Binding.objects.get(integration=fake, local_id=mug.pk).remote_id == existing
    assert [p["name"] for p in remote.read()["products"].values()] == ["Mug"]


def test_a_remote_id_bound_to_another_record_is_a_failure_not_a_second_binding(fake, remote):
    first = product("SKU-1")
    assert exporter.push_record(sink_of(fake), first.pk).result == "created"
    FakeProduct.objects.filter(pk=first.pk).update(sku="SKU-OLD")  # the remote still says SKU-1
    second = product("SKU-1")
    outcome = exporter.push_record(sink_of(fake), second.pk)
    assert outcome.result == "failed" and f"bound to local record {first.pk}" in outcome.reason
    assert Binding.objects.filter(integration=fake).count() == 1


@FAST_RETRIES
def test_transient_failures_are_retried(fake, remote):
    remote.configure(transient=2)
    outcome = exporter.push_record(sink_of(fake), product().pk)
    assert outcome.result == "created"
    assert len(remote.read()["pushes"]) == 1


@FAST_RETRIES
def test_failed_pushes_are_quarantined_and_retried_from_the_quarantine(fake, remote, rq):
    remote.configure(refuse=["SKU-1"])
    mug = product()
    services.push_request(integration=fake, entity="products", local_id=mug.pk)
    assert services.push_execute(integration_id=fake.pk, entity="products", local_id=mug.pk) == "failed"
    (held,) = QuarantinedRecord.objects.filter(integration=fake, direction=SyncRun.Direction.EXPORT)
    assert held.local_id == mug.pk and "refused SKU SKU-1" in held.reason and held.payload["sku"] == "SKU-1"
    run = SyncRun.objects.get(integration=fake, direction=SyncRun.Direction.EXPORT)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.totals() == {"pushed": 0, "created": 0, "updated": 0, "deleted": 0, "failed": 1}

    remote.configure(refuse=[])
    outcome = services.quarantine_retry(record_ids=[held.pk])
    assert outcome["pushes_queued"] == 1
    assert services.push_execute(integration_id=fake.pk, entity="products", local_id=mug.pk) == "created"
    assert Binding.objects.filter(integration=fake, local_id=mug.pk).exists()
    assert SyncRun.objects.filter(integration=fake, direction=SyncRun.Direction.EXPORT).count() == 2


def test_a_committed_change_requests_one_push_and_a_rolled_back_one_none(
    fake, remote, rq, django_capture_on_commit_callbacks
):
    import django_rq

    queue = django_rq.get_queue(services.PUSH_QUEUE)
    with django_capture_on_commit_callbacks(execute=True):
        mug = FakeProduct.objects.create(sku="SKU-1", name="Mug", price="9.90")
    for name in ("Mug 2", "Mug 3"):
        with django_capture_on_commit_callbacks(execute=True):
            mug.name = name
            mug.save()
    assert queue.count == 1  # one job per record, however many changes
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            FakeProduct.objects.create(sku="SKU-2", name="Rolled back", price="1")
            raise RuntimeError
    assert queue.count == 1


def test_one_run_per_integration_and_direction_an_import_beside_an_export(fake):
    from django.db import IntegrityError

    SyncRun.objects.create(integration=fake, direction=SyncRun.Direction.EXPORT, status=SyncRun.Status.RUNNING)
    importing = SyncRun.objects.create(integration=fake)  # queued import beside the running export
    assert importing.direction == SyncRun.Direction.IMPORT
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.create(integration=fake, direction=SyncRun.Direction.EXPORT)
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.create(integration=fake)


def test_a_change_saved_while_redis_is_down_is_kept_and_queued_later(fake, rq, monkeypatch):
    from django.conf import settings

    from integrations.models import PendingPush

    for queue in settings.RQ_QUEUES.values():  # django_rq keeps these very dicts
        monkeypatch.setitem(queue, "URL", "redis://127.0.0.1:9/0")  # nothing answers there
    mug = FakeProduct.objects.create(sku="SKU-1", name="Mug", price="9.90")  # the save does not fail
    assert PendingPush.objects.filter(integration=fake, local_id=mug.pk).exists()
    monkeypatch.undo()
    PendingPush.objects.update(requested_at="2000-01-01T00:00:00Z")
    assert services.push_requeue_lost() == 1
