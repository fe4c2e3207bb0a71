"""Force full re-sync: everything read again, nothing written twice, what the store no longer has marked.

Real RQ worker processes on real Redis, the fake connector's store (customers and orders by
updated_at windows) shared with them through a file; the CLI and the admin button too.
"""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from channels.models import Customer
from integrations import services
from integrations.models import Checkpoint, SyncRun
from tests.fakeconnector.models import FakeOrder
from tests.fakeconnector.remote import FakeRemote
from tests.integrations.test_newest_first import CUSTOMER_AGES, ORDER_AGES, ago, seed, sync, windowed_integration


@pytest.fixture
def remote(tmp_path) -> FakeRemote:
    return FakeRemote(tmp_path / "remote.json")


@pytest.fixture
def synced(remote, run_worker):
    """An integration whose first sync brought every customer and order of the store."""
    seed(remote)
    integration = windowed_integration(remote)
    sync(integration, run_worker)
    return integration


def removed(model, integration) -> set[str]:
    return set(
        model.objects.filter(integration=integration, removed_in_store_at__isnull=False).values_list(
            "remote_id", flat=True
        )
    )


def test_a_full_resync_reads_everything_again_writes_nothing_twice_and_marks_what_is_gone(synced, remote, run_worker):
    remote.delete_record("customers", "3")
    remote.delete_record("orders", "7")
    remote.delete_record("orders", "11")
    remote.put_record("customers", "5", ago(1), email="changed@example.com")
    incremental = sync(synced, run_worker)
    assert not removed(Customer, synced) and not removed(FakeOrder, synced), "only a full re-sync marks"
    assert incremental.totals()["updated"] == 1

    run = sync(synced, run_worker, full=True)
    customers, orders = run.entities.get(entity="customers"), run.entities.get(entity="orders")
    assert (customers.read, orders.read) == (11, 10), "every record the store has, read again"
    assert customers.created == orders.created == customers.updated == orders.updated == 0
    assert (customers.removed, orders.removed) == (1, 2)
    assert "Full re-sync: 3 removed in the store" in run.message
    assert removed(Customer, synced) == {"3"} and removed(FakeOrder, synced) == {"7", "11"}
    # Kept, never deleted; the others carry the run that last read them.
    assert Customer.objects.filter(integration=synced).count() == 12
    assert FakeOrder.objects.filter(integration=synced).count() == 12
    seen = Customer.objects.filter(integration=synced, removed_in_store_at__isnull=True)
    assert set(seen.values_list("last_seen_run_id", flat=True)) == {run.pk}
    # Its checkpoints are complete again: the next run is an ordinary incremental one.
    after = sync(synced, run_worker)
    assert not after.full_resync
    assert after.totals()["read"] <= 3, "the newest record of each (and customer 5, changed with it) again"
    assert Checkpoint.objects.filter(integration=synced, full_state__isnull=False).count() == 0


def test_a_record_that_came_back_is_no_longer_marked(synced, remote, run_worker):
    remote.delete_record("customers", "3")
    remote.delete_record("orders", "7")
    first = sync(synced, run_worker, full=True)
    marked_at = FakeOrder.objects.get(integration=synced, remote_id="7").removed_in_store_at
    assert removed(Customer, synced) == {"3"}

    remote.put_record("customers", "3", ago(CUSTOMER_AGES[3]), email="c3@example.com", firstName="Ann", lastName="3")
    second = sync(synced, run_worker, full=True)
    assert not removed(Customer, synced)
    assert second.entities.get(entity="customers").removed == 0
    assert second.entities.get(entity="orders").removed == 1
    assert FakeOrder.objects.get(integration=synced, remote_id="7").removed_in_store_at == marked_at, (
        "still gone: marked when it was first found gone"
    )
    assert Customer.objects.get(integration=synced, remote_id="3").last_seen_run_id == second.pk != first.pk


def test_a_failed_full_resync_marks_nothing_and_the_next_run_goes_on_with_it(synced, remote, run_worker):
    remote.delete_record("orders", "7")
    pages_so_far = remote.read()["pages_read"]
    remote.configure(fail_after_pages=pages_so_far + 6)  # part way through the re-read
    failed = services.sync_schedule(integration=synced, full=True)
    run_worker()
    failed.refresh_from_db()
    assert failed.status == SyncRun.Status.FAILED and "maintenance" in failed.message
    assert not removed(FakeOrder, synced) and not removed(Customer, synced)
    assert sum(e.removed for e in failed.entities.all()) == 0
    assert "removed in the store" not in failed.message
    assert Checkpoint.objects.filter(integration=synced, full_run_id=failed.pk).exists()

    going_on = sync(synced, run_worker)  # an ordinary Schedule Sync goes on with the full re-sync
    assert going_on.full_resync and going_on.resync_of_id == failed.pk
    assert removed(FakeOrder, synced) == {"7"} and not removed(Customer, synced)
    assert going_on.entities.get(entity="orders").removed == 1
    assert going_on.totals()["created"] == 0
    read_by_both = sum(e.read for e in failed.entities.all()) + going_on.totals()["read"]
    assert going_on.totals()["read"] < 23 <= read_by_both + 1, "it went on from where the failed run got to"
    assert set(Customer.objects.filter(integration=synced).values_list("last_seen_run_id", flat=True)) == {failed.pk}
    assert not sync(synced, run_worker).full_resync, "once one succeeded, runs are incremental again"


def test_a_canceled_full_resync_marks_nothing(synced, remote):
    remote.delete_record("orders", "7")
    run = services.sync_schedule(integration=synced, full=True)
    assert services.sync_cancel(run=run)
    assert not removed(FakeOrder, synced)
    assert services._unfinished_full_resync(synced) == run  # the next run re-reads everything still


def test_the_command_runs_a_full_resync_and_says_how_many_were_removed(synced, remote, live_worker):
    remote.delete_record("customers", "9")
    out = io.StringIO()
    call_command("integration_sync", str(synced.pk), "--full", "--wait", "--timeout", "120", stdout=out)
    text = out.getvalue()
    assert "Queued full re-sync run" in text
    assert "removed 1" in text and "Full re-sync: 1 removed in the store" in text
    assert removed(Customer, synced) == {"9"}


def test_the_command_refuses_a_full_resync_while_a_run_is_active(synced):
    services.sync_schedule(integration=synced)
    with pytest.raises(CommandError, match="already queued"):
        call_command("integration_sync", str(synced.pk), "--full", "--wait", stdout=io.StringIO())


def test_the_admin_button_asks_first_then_queues_a_full_resync(synced, admin_client, django_user_model, client):
    page = admin_client.get(reverse("admin:integrations_integration_change", args=[synced.pk])).content.decode()
    url = reverse("admin:integrations_integration_fullresync", args=[synced.pk])
    assert f'href="{url}"' in page and "Force full re-sync" in page
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert "removed in the store" in confirm.content.decode() and "Yes, re-sync everything" in confirm.content.decode()
    assert not SyncRun.objects.filter(integration=synced, full_resync=True).exists(), "asking queues nothing"

    done = admin_client.post(url, follow=True).content.decode()
    run = SyncRun.objects.get(integration=synced, status=SyncRun.Status.QUEUED)
    assert run.full_resync and "A full re-sync job has been added to the queue." in done
    progress = admin_client.get(reverse("admin:integrations_syncrun_change", args=[run.pk])).content.decode()
    assert "Full re-sync of" in progress and "Removed in the store" in progress

    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(viewer)
    assert client.get(url).status_code == 403 and client.post(url).status_code == 403
    assert SyncRun.objects.filter(integration=synced).count() == 2


def test_a_full_resync_of_a_forwards_keyset_stream_marks_too(remote, run_worker):
    from tests.engine.test_fake_connector import seed_customers

    seed_customers(remote)
    integration = services.integration_create(
        name="Keyset shop", integration_type="fake", settings_values={"remote_path": str(remote.path), "page_size": 3}
    )
    sync(integration, run_worker)
    with remote.state() as data:
        del data["customers"]["c-004"]
    run = sync(integration, run_worker, full=True)
    assert run.entities.get(entity="customers").removed == 1
    assert removed(Customer, integration) == {"c-004"}
    assert run.entities.get(entity="customers").read == 9 and run.totals()["created"] == 0


assert len(ORDER_AGES) == len(CUSTOMER_AGES) == 12
