"""Nothing lost to a broken or hostile store: the simulator behind the hostile proxy, real workers.

Each test makes the proxy lie the way real stores and networks do (a clock in the future, an id far
above the others, an id that is not one, a 10 MB value), then checks what reached the database
against what the store holds, read by a client of its own that the proxy does not touch.
"""

import email.utils
import time

import pytest

from channels.models import Customer, Order
from integrations.models import QuarantinedRecord, SyncRun
from integrations.services import quarantine_retry, sync_schedule
from tests.factories import magento_integration
from tests.integrations.test_resilience import local_fingerprint, store_fingerprint

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fast_retries(monkeypatch):
    """Workers started after this retry after milliseconds instead of seconds."""
    monkeypatch.setenv("OROINT_SYNC_RETRY_DELAYS", "0.05,0.1")


def behind_proxy(magento, hostile, **store):
    sim = magento(**store)
    proxy = hostile(sim.url)
    integration = magento_integration(url=proxy.url + "/api/v2_soap/?wsdl=1", mode=store.get("mode", "bridge"))
    return sim, proxy, integration


def sync(integration, run_worker) -> SyncRun:
    run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    return run


def open_quarantine(integration, entity: str):
    return QuarantinedRecord.objects.filter(integration=integration, entity=entity, resolved_at__isnull=True)


def order_id(value: str) -> str:
    return f'<order_id xsi:type="xsd:string">{value}</order_id>'


# -- a clock that lies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "store_date",
    [lambda: "Fri, 01 Jan 2100 00:00:00 GMT", lambda: email.utils.formatdate(time.time() + 86400, usegmt=True)],
    ids=["year-2100", "one-day-ahead"],
)
def test_a_store_clock_in_the_future_for_one_run_loses_no_later_change(store_date, magento, hostile, run_worker):
    sim, proxy, integration = behind_proxy(magento, hostile, customers=20, orders=60)
    proxy.control.rules({"headers": {"Date": store_date()}})
    lied_to = sync(integration, run_worker)

    proxy.control.rules()  # the clock is right again; records change after the lying run
    touched_orders = sim.touch("orders", 5)
    touched_customers = sim.touch("customers", 3)
    later = sync(integration, run_worker)

    assert local_fingerprint(integration) == store_fingerprint(sim), "every change is read by the later run"
    orders = later.entities.get(entity="orders")
    assert orders.updated == 5 and orders.read < 60, orders.as_stats()
    assert later.entities.get(entity="customers").updated == 3
    assert Order.objects.filter(integration=integration, remote_id__in=[str(i) for i in touched_orders]).count() == 5
    assert Customer.objects.filter(integration=integration, remote_id__in=[str(i) for i in touched_customers]).count()
    lied_to.refresh_from_db()
    assert "the store's clock says" in lied_to.log and "ahead" in lied_to.log, "the jump is logged on the run"


# -- ids that break the keyset ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("real_id", "outlier", "times"),
    [
        ("50", "100000", None),  # in the middle of the first page, in every answer
        ("100", "1180591620717411303424", None),  # the last of the first page, in every answer
        ("100", "100000", 1),  # the last of the first page, in one answer only
    ],
    ids=["mid-page", "last-of-page-2**70", "last-of-page-once"],
)
def test_an_id_far_above_the_others_hides_no_order(real_id, outlier, times, magento, hostile, run_worker):
    sim, proxy, integration = behind_proxy(magento, hostile, customers=30, orders=150)
    rule = {"body": "oroOrderList", "replace": [{"pattern": order_id(real_id), "with": order_id(outlier), "count": 1}]}
    proxy.control.rules({**rule, "times": times} if times else rule)
    run = sync(integration, run_worker)

    store_orders = {ident for ident, _ in store_fingerprint(sim)[1]}
    local_orders = set(Order.objects.filter(integration=integration).values_list("remote_id", flat=True))
    if times == 1:
        # One answer lied; the next ones did not: the outlier was never trusted, the real order is written.
        assert local_orders == store_orders
        assert not open_quarantine(integration, "orders").exists()
        assert run.entities.get(entity="orders").failed == 0
        return
    assert local_orders == store_orders - {real_id}, f"missing {sorted(store_orders - local_orders, key=int)[:10]}"
    (held,) = open_quarantine(integration, "orders")
    # Kept under the id the store's own filter gives it, with the answer as the store sent it.
    assert held.remote_id == real_id and held.payload["order_id"] == outlier
    assert f"puts this record at id {real_id}, but its id reads '{outlier}'" in held.reason
    assert run.entities.get(entity="orders").failed == 1

    again = sync(integration, run_worker)
    stats = again.entities.get(entity="orders")
    assert (stats.created, stats.updated) == (0, 0), stats.as_stats()
    assert open_quarantine(integration, "orders").count() == 1, "a re-run quarantines nothing twice"
    assert set(Order.objects.filter(integration=integration).values_list("remote_id", flat=True)) == local_orders


@pytest.mark.parametrize("mode", ["bridge", "native"])
def test_an_id_that_is_not_a_whole_number_or_missing_is_quarantined_and_the_rest_written(
    mode, magento, hostile, run_worker
):
    sim, proxy, integration = behind_proxy(magento, hostile, customers=20, orders=40, mode=mode)
    # Native mode lists a window with salesOrderList (its ids are sorted locally), then reads each order.
    listing = "oroOrderList" if mode == "bridge" else "salesOrderList"
    proxy.control.rules(
        {
            "body": listing,
            "replace": [
                {"pattern": order_id("10"), "with": order_id("abc"), "count": 1},
                {"pattern": order_id("20"), "with": order_id("7.5"), "count": 1},
                {"pattern": order_id("30"), "with": "", "count": 1},
            ],
        }
    )
    run = sync(integration, run_worker)

    store_orders = {ident for ident, _ in store_fingerprint(sim)[1]}
    local_orders = set(Order.objects.filter(integration=integration).values_list("remote_id", flat=True))
    assert local_orders == store_orders - {"10", "20", "30"}
    held = {q.payload.get("order_id"): q for q in open_quarantine(integration, "orders")}
    assert set(held) == {"abc", "7.5", None}
    assert all(q.payload["increment_id"] for q in held.values()), "kept with the record as the store sent it"
    if mode == "bridge":
        # Paged in id order: the store's own id filter says where each one is.
        assert [held[shown].remote_id for shown in ("abc", "7.5", None)] == ["10", "20", "30"]
        assert "its id reads 'abc'" in held["abc"].reason and "the record has no id" in held[None].reason
    else:
        # One whole-window list, sorted here: a record is kept as listed, unless the store's id filter
        # located it (the first record of its window after the last one written, as when read newest first).
        for shown, listed, real in (("abc", "abc", "10"), ("7.5", "7.5", "20"), (None, "", "30")):
            assert held[shown].remote_id in (listed, real), (shown, held[shown].remote_id)
        if held["abc"].remote_id == "abc":
            assert "'abc' cannot be placed in id order" in held["abc"].reason
        else:
            assert "its id reads 'abc'" in held["abc"].reason
        assert "has no id" in held[None].reason
    assert run.entities.get(entity="orders").failed == 3

    again = sync(integration, run_worker)
    assert again.entities.get(entity="orders").created == 0
    assert open_quarantine(integration, "orders").count() == 3


# -- a value too big to read ------------------------------------------------------------------------


def test_a_10_mb_value_is_isolated_quarantined_by_id_and_the_rest_of_the_run_goes_on(
    fast_retries, magento, hostile, run_worker
):
    sim, proxy, integration = behind_proxy(magento, hostile, customers=30, orders=60)
    huge_lastname = {
        # One customer's lastname, 10 MiB long: past the 10,000,000 characters lxml reads in one text.
        "pattern": r'(<customer_id xsi:type="xsd:int">7</customer_id>.*?<lastname xsi:type="xsd:string">)[^<]*',
        "with": r"\1{big:10485760}",
        "count": 1,
    }
    proxy.control.rules({"body": "oroCustomerList", "replace": [huge_lastname]})
    run = sync(integration, run_worker)

    store_customers, store_orders = (set(ids) for ids in store_fingerprint(sim))
    local_customers, local_orders = local_fingerprint(integration)
    assert local_customers == {c for c in store_customers if c[0] != "7"}
    assert local_orders == store_orders, "the entities after the bad one are read too"
    (held,) = open_quarantine(integration, "customers")
    assert held.remote_id == "7"
    assert "cannot be read" in held.reason and "larger than oroint reads" in held.reason
    customers = run.entities.get(entity="customers")
    assert (customers.status, customers.failed) == ("succeeded", 1)
    assert run.entities.get(entity="orders").status == "succeeded"
    assert len(run.log) < 100_000 and "xxxxxxxxxx" not in run.log + held.reason

    # A retry from the quarantine reads it again by id: still unreadable, so it stays, and nothing fails.
    assert quarantine_retry(record_ids=[held.pk])["still_failing"] == 1
    held.refresh_from_db()
    assert held.resolved_at is None and "Retried" in held.reason

    sim.touch("customers", ids=[7])  # the next run meets the bad record again
    again = sync(integration, run_worker)
    assert again.entities.get(entity="customers").failed == 1
    assert open_quarantine(integration, "customers").count() == 1
    assert local_fingerprint(integration) == (local_customers, local_orders)
