"""Faults a sync survives: flaky HTTP, expiring sessions, garbage answers, a killed worker, races."""

import os
import signal
import threading
import time

import pytest

from channels.models import Customer, Order
from integrations.connectors.magento1.transport import MagentoSoapClient
from integrations.engine.cursors import UpdatedAtKeyset
from integrations.models import SyncRun
from integrations.services import SyncAlreadyActive, sync_schedule
from tests.conftest import wait_for
from tests.factories import magento_integration


@pytest.fixture
def fast_retries(monkeypatch):
    """Workers started after this retry after 0.05 s instead of seconds, and beat every half second."""
    monkeypatch.setenv("OROINT_SYNC_RETRY_DELAYS", "0.05,0.1,0.2,0.4,0.8")
    monkeypatch.setenv("OROINT_SYNC_STALE_AFTER_SECONDS", "3")


def finished(run: SyncRun, timeout: float = 180) -> SyncRun:
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).is_finished, timeout=timeout, message=f"run {run.pk} to end")
    run.refresh_from_db()
    return run


def descendants(pid: int) -> list[int]:
    """Child processes, recursively (RQ's work-horse runs in a process group of its own)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def store_fingerprint(sim) -> tuple[set, set]:
    """What the store holds, read by a client of its own: (id, updated_at) of customers and orders."""
    client = MagentoSoapClient(wsdl_url=sim.wsdl_url, api_user=sim.api_user, api_key=sim.api_key)
    customers = {(str(c["customer_id"]), c["updated_at"]) for c in client.call("customerCustomerList", {})}
    orders = {(str(o["order_id"]), o["updated_at"]) for o in client.call("salesOrderList", {})}
    client.end_session()
    return customers, orders


def local_fingerprint(integration) -> tuple[set, set]:
    customers = Customer.objects.filter(integration=integration, is_guest=False)
    orders = Order.objects.filter(integration=integration)
    return (
        {(c, UpdatedAtKeyset.format(u)) for c, u in customers.values_list("remote_id", "remote_updated_at")},
        {(o, UpdatedAtKeyset.format(u)) for o, u in orders.values_list("remote_id", "remote_updated_at")},
    )


@pytest.mark.parametrize(
    ("extra", "logged"),
    [
        (("--fault-rate", "0.15"), "retrying in"),
        (("--not-xml-rate", "0.15"), "not SOAP"),
        (("--expire-sessions", "7"), "session expired"),
    ],
    ids=["http-faults", "not-xml", "expiring-sessions"],
)
def test_a_flaky_store_still_syncs_everything(fast_retries, magento, live_worker, extra, logged):
    sim = magento(customers=40, orders=120, extra=extra)
    integration = magento_integration(url=sim.wsdl_url)
    run = finished(sync_schedule(integration=integration))
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    assert logged in run.log
    assert local_fingerprint(integration) == store_fingerprint(sim)


def test_a_killed_worker_loses_nothing_and_the_next_run_resumes(fast_retries, magento, start_worker, settings):
    settings.OROINT_SYNC = {**settings.OROINT_SYNC, "STALE_AFTER_SECONDS": 3}
    sim = magento(customers=150, orders=600, extra=("--latency", "15"))
    integration = magento_integration(url=sim.wsdl_url)
    doomed = start_worker(own_session=True)
    killed = sync_schedule(integration=integration)
    wait_for(
        lambda: 0 < Order.objects.filter(integration=integration).count() < 500,
        interval=0.05,
        message="the sync to be part way through the orders",
    )
    for pid in [doomed.pid, *descendants(doomed.pid)]:  # the worker and its work-horse, mid-page
        os.kill(pid, signal.SIGKILL)
    start_worker()

    def schedule():
        try:
            return sync_schedule(integration=integration)
        except SyncAlreadyActive:
            return None

    resumed = finished(wait_for(schedule, timeout=60, interval=0.5, message="the dead run to be detected"))
    killed.refresh_from_db()
    assert killed.status == SyncRun.Status.FAILED and "stopped answering" in killed.message
    assert resumed.status == SyncRun.Status.SUCCEEDED, resumed.message
    assert resumed.entities.get(entity="orders").read < 600, "the new run resumed; it did not start over"
    assert local_fingerprint(integration) == store_fingerprint(sim)


def test_racing_admins_the_scheduler_and_two_workers_make_one_run_at_a_time(magento, start_worker):
    from integrations.services import sync_dispatch_due

    sim = magento(customers=30, orders=90, extra=("--latency", "5"))
    integration = magento_integration(url=sim.wsdl_url, sync_interval_minutes=1)  # due: never synced
    start_worker()
    start_worker()
    outcomes: list[str] = []

    def race(n: int):
        from django.db import connection

        try:
            if n % 2:  # half the racers are the scheduler's tick
                outcomes.extend("queued" for _ in sync_dispatch_due())
            else:
                sync_schedule(integration=integration)
                outcomes.append("queued")
        except SyncAlreadyActive:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("queued") == 1, outcomes
    assert SyncRun.objects.filter(integration=integration).count() == 1
    run = finished(SyncRun.objects.get(integration=integration))
    assert run.status == SyncRun.Status.SUCCEEDED
    again = finished(sync_schedule(integration=integration))
    assert again.status == SyncRun.Status.SUCCEEDED
    assert local_fingerprint(integration) == store_fingerprint(sim)


def test_answers_cut_mid_way_are_retried_and_the_sync_succeeds(fast_retries, magento, hostile, live_worker):
    sim = magento(customers=30, orders=60)
    proxy = hostile(sim.url)
    # The first two requests (the WSDL, then the WSDL again) and two pages of customers are cut short.
    proxy.control.rules({"cut_after": 100, "times": 2}, {"body": "oroCustomerList", "cut_after": 100, "times": 2})
    integration = magento_integration(url=f"{proxy.url}/api/v2_soap/?wsdl=1")
    run = finished(sync_schedule(integration=integration))
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    assert run.log.count("cut the connection") == 4, run.log
    assert "loading the WSDL" in run.log and "oroCustomerList" in run.log
    assert local_fingerprint(integration) == store_fingerprint(sim)


def test_a_dripping_store_holds_a_sync_no_longer_than_its_deadlines(
    fast_retries, magento, hostile, start_worker, monkeypatch
):
    monkeypatch.setenv("OROINT_CALL_DEADLINE", "1")  # for the worker started below
    sim = magento(customers=10, orders=10)
    proxy = hostile(sim.url)
    proxy.control.rules({"body": "oroCustomerList", "drip": 0.3})  # a byte every 0.3 s: no read timeout fires
    integration = magento_integration(url=f"{proxy.url}/api/v2_soap/?wsdl=1")
    start_worker()
    began = time.monotonic()
    run = finished(sync_schedule(integration=integration), timeout=60)
    assert run.status == SyncRun.Status.FAILED
    assert "did not finish answering oroCustomerList within 1 s" in run.message
    assert run.log.count("retrying") == 5, run.log  # every attempt ended at its deadline
    assert time.monotonic() - began < 30
