"""A first sync newest first, interleaved; a killed one resumes; a start date moved earlier reads the rest.

Real RQ worker processes on real Redis. The fake connector's store (a JSON file shared with the
workers) has customers and orders read by updated_at windows, as Magento's are; one Magento
end-to-end over the simulator checks the same for customers and orders.
"""

import datetime
import os
import signal

import pytest

from channels.models import Customer, Order
from integrations import services
from integrations.engine.cursors import UpdatedAtKeyset
from integrations.models import Checkpoint, SyncRun
from tests.conftest import wait_for
from tests.factories import magento_integration
from tests.fakeconnector.models import FakeOrder
from tests.fakeconnector.remote import FakeRemote
from tests.integrations.test_resilience import descendants, finished

UTC = datetime.UTC
NEWEST_WINDOW = datetime.timedelta(days=30)  # the first backfill window (engine.cursors)

# Days ago each record was last updated: four in the newest window, four in the next, four much older.
CUSTOMER_AGES = {1: 20, 2: 1, 3: 10, 4: 5, 5: 35, 6: 85, 7: 50, 8: 70, 9: 1500, 10: 200, 11: 800, 12: 400}
ORDER_AGES = {1: 300, 2: 6, 3: 2, 4: 25, 5: 55, 6: 12, 7: 40, 8: 2000, 9: 65, 10: 80, 11: 500, 12: 900}


def ago(days: float) -> str:
    return UpdatedAtKeyset.format(datetime.datetime.now(UTC) - datetime.timedelta(days=days))


def seed(remote: FakeRemote, customers=CUSTOMER_AGES, orders=ORDER_AGES) -> None:
    for i, days in customers.items():
        remote.put_record("customers", str(i), ago(days), email=f"c{i}@example.com", firstName="Ann", lastName=str(i))
    for i, days in orders.items():
        remote.put_record("orders", str(i), ago(days), number=f"10000{i:02d}")


def windowed_integration(remote: FakeRemote, start: datetime.date = datetime.date(2015, 1, 1), page_size: int = 3):
    return services.integration_create(
        name="Windowed shop",
        integration_type="fake",
        settings_values={"remote_path": str(remote.path), "page_size": page_size, "windows": True, "start_date": start},
    )


@pytest.fixture
def remote(tmp_path) -> FakeRemote:
    return FakeRemote(tmp_path / "remote.json")


def sync(integration, run_worker, **options) -> SyncRun:
    run = services.sync_schedule(integration=integration, **options)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    return run


def committed(integration) -> list[tuple[datetime.datetime, str, int]]:
    """(when written, entity, age in days) of every record, in the order they were committed."""
    rows = [
        (at, "customers", CUSTOMER_AGES[int(i)])
        for i, at in Customer.objects.filter(integration=integration).values_list("remote_id", "synced_at")
    ]
    rows += [
        (at, "orders", ORDER_AGES[int(i)])
        for i, at in FakeOrder.objects.filter(integration=integration).values_list("remote_id", "synced_at")
    ]
    return sorted(rows)


def test_a_first_sync_brings_the_newest_window_of_every_entity_before_an_older_one(remote, run_worker):
    seed(remote)
    integration = windowed_integration(remote)
    run = sync(integration, run_worker)

    order = committed(integration)
    assert len(order) == 24
    newest = [at for at, _, days in order if days < 30]
    next_window = [at for at, _, days in order if 30 <= days < 90]
    older = [at for at, _, days in order if days >= 90]
    assert max(newest) < min(next_window + older), "the newest 30 days of customers and orders came in first"
    assert max(next_window) < min(older), "then the 60 days before, of both"
    assert {entity for at, entity, days in order if days < 30} == {"customers", "orders"}
    stats = {e.entity: e for e in run.entities.all()}
    assert (stats["customers"].created, stats["orders"].created) == (12, 12)
    assert all(e.status == "succeeded" for e in stats.values()) and run.progress == 100.0 and not run.current_entity
    for name in ("customers", "orders"):
        state = Checkpoint.objects.get(integration=integration, entity=name).state
        assert "phase" not in state and state["floor"] == "2015-01-01 00:00:00", state

    again = sync(integration, run_worker)  # incremental now: a little overlap, nothing written
    totals = again.totals()
    assert (totals["created"], totals["updated"]) == (0, 0)
    assert totals["read"] <= 2


def test_a_worker_killed_mid_backfill_resumes_every_entity_with_nothing_duplicated_or_skipped(
    remote, start_worker, run_worker, monkeypatch, settings
):
    monkeypatch.setenv("OROINT_SYNC_STALE_AFTER_SECONDS", "3")
    settings.OROINT_SYNC = {**settings.OROINT_SYNC, "STALE_AFTER_SECONDS": 3}
    seed(remote)
    remote.configure(page_delay=0.25)
    integration = windowed_integration(remote, page_size=2)
    doomed = start_worker(own_session=True)
    killed = services.sync_schedule(integration=integration)

    def part_way():
        count = Customer.objects.filter(integration=integration).count()
        count += FakeOrder.objects.filter(integration=integration).count()
        return 6 <= count < 18

    wait_for(part_way, interval=0.02, message="the backfill to be part way through")
    for pid in [doomed.pid, *descendants(doomed.pid)]:  # the worker and its work-horse, mid-window
        os.kill(pid, signal.SIGKILL)
    before = {
        "customers": set(Customer.objects.filter(integration=integration).values_list("remote_id", flat=True)),
        "orders": set(FakeOrder.objects.filter(integration=integration).values_list("remote_id", flat=True)),
    }
    states = {c.entity: c.state for c in Checkpoint.objects.filter(integration=integration)}
    assert any(s.get("phase") == "backfill" for s in states.values()), states
    remote.configure(page_delay=0)

    def schedule():
        try:
            return services.sync_schedule(integration=integration)
        except services.SyncAlreadyActive:
            return None

    resumed = wait_for(schedule, timeout=60, interval=0.5, message="the dead run to be detected")
    run_worker()
    resumed = finished(resumed)
    killed.refresh_from_db()
    assert killed.status == SyncRun.Status.FAILED and "stopped answering" in killed.message
    assert resumed.status == SyncRun.Status.SUCCEEDED, f"{resumed.message}\n{resumed.log}"
    for name, model, ages in (("customers", Customer, CUSTOMER_AGES), ("orders", FakeOrder, ORDER_AGES)):
        ids = list(model.objects.filter(integration=integration).values_list("remote_id", flat=True))
        assert sorted(ids, key=int) == [str(i) for i in sorted(ages)], f"{name}: every record once"
        stats = resumed.entities.get(entity=name)
        # Nothing written before the kill is created again; the new run resumed rather than starting over.
        assert stats.created == len(ages) - len(before[name]), (name, stats.as_stats(), before[name])
        assert stats.read < len(ages) or not before[name]
    assert resumed.entities.get(entity="customers").read + resumed.entities.get(entity="orders").read < 24


def test_a_start_date_moved_earlier_reads_exactly_the_older_records(remote, run_worker):
    seed(remote)
    start = (datetime.datetime.now(UTC) - datetime.timedelta(days=100)).date()
    integration = windowed_integration(remote, start=start)
    first = sync(integration, run_worker)
    recent_customers = {i for i, days in CUSTOMER_AGES.items() if days < 99}
    recent_orders = {i for i, days in ORDER_AGES.items() if days < 99}
    assert first.entities.get(entity="customers").created == len(recent_customers)
    assert first.entities.get(entity="orders").created == len(recent_orders)

    settings = integration.settings
    settings.start_date = datetime.date(2015, 1, 1)
    settings.save()
    remote.put_record("customers", "13", ago(0.01), email="new@example.com")
    extended = sync(integration, run_worker)
    customers, orders = extended.entities.get(entity="customers"), extended.entities.get(entity="orders")
    assert customers.created == 12 - len(recent_customers) + 1, customers.as_stats()
    assert orders.created == 12 - len(recent_orders), orders.as_stats()
    assert customers.updated == orders.updated == 0
    # Only the older records, the new one and what lies within the overlap of the newest read: nothing else.
    assert customers.read <= customers.created + 1 and orders.read <= orders.created + 1
    assert Customer.objects.filter(integration=integration).count() == 13
    assert FakeOrder.objects.filter(integration=integration).count() == 12
    floor = Checkpoint.objects.get(integration=integration, entity="orders").state["floor"]
    assert floor == "2015-01-01 00:00:00"

    settings.start_date = datetime.date(2024, 1, 1)  # later: nothing already read changes
    settings.save()
    later = sync(integration, run_worker)
    assert later.totals()["created"] == later.totals()["updated"] == 0
    assert FakeOrder.objects.filter(integration=integration).count() == 12


def test_magento_customers_and_orders_come_in_newest_first(magento, run_worker):
    sim = magento(customers=120, orders=400)
    integration = magento_integration(url=sim.wsdl_url)
    run = services.sync_schedule(integration=integration)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    for model, extra in ((Customer, {"is_guest": False}), (Order, {})):
        rows = list(
            model.objects.filter(integration=integration, **extra).values_list("synced_at", "remote_updated_at")
        )
        pages: dict[datetime.datetime, list[datetime.datetime]] = {}
        for synced_at, updated_at in rows:
            pages.setdefault(synced_at, []).append(updated_at)
        written = [pages[at] for at in sorted(pages)]
        assert len(written) > 2, f"{model.__name__}: read in several pages"
        newest = max(updated for page in written for updated in page)
        assert newest in written[0], f"{model.__name__}: the newest record is in the first page written"
        assert min(written[0]) > max(written[-1]), f"{model.__name__}: the first page is newer than the last"
        oldest = min(updated for page in written for updated in page)
        assert oldest not in written[0]
    assert all(e.status == "succeeded" for e in run.entities.all())


def test_the_progress_page_shows_both_entities_running_and_a_truthful_percentage(remote, live_worker, admin_client):
    from django.urls import reverse

    seed(remote)
    remote.configure(page_delay=0.15)
    integration = windowed_integration(remote)
    run = services.sync_schedule(integration=integration)
    url = reverse("admin:integrations_syncrun_status", args=[run.pk])
    seen = []

    def ended():
        status = admin_client.get(url).json()
        seen.append(status)
        return status["finished"]

    wait_for(ended, timeout=120, interval=0.05, message="the run to end")
    assert seen[-1]["status"] == "succeeded" and seen[-1]["progress"] == 100.0
    running = [s for s in seen if s["status"] == "running"]
    both = [s for s in running if [e["status"] for e in s["entities"]] == ["Running", "Running"]]
    assert both, "customers and orders are read together"
    assert {s["current_entity"] for s in both} == {"customers", "orders"}, "the entity being read now is named"
    progress = [s["progress"] or 0 for s in running]
    assert progress == sorted(progress) and 0 < max(progress) < 100
    assert any("newest first" in e["checkpoint"] for s in both for e in s["entities"])


def test_a_failure_mid_backfill_fails_every_entity_it_had_begun(remote, run_worker):
    seed(remote)
    remote.configure(fail_after_pages=5)
    integration = windowed_integration(remote)
    run = services.sync_schedule(integration=integration)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED and "maintenance" in run.message
    messages = {e.entity: (e.status, e.message) for e in run.entities.all()}
    assert {status for status, _ in messages.values()} == {"failed"}, messages
    failing = [m for _, m in messages.values() if "maintenance" in m]
    stopped = [m for _, m in messages.values() if m.startswith("Not finished: the run stopped at")]
    assert len(failing) == len(stopped) == 1, messages
    resumed = sync(integration, run_worker)
    assert resumed.totals()["created"] + run.totals()["created"] == 24
