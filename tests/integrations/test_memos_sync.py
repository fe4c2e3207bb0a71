"""Credit memos synced from the simulator over HTTP by a real RQ worker, in bridge and native mode."""

import pytest

from channels.models import CreditMemo, CreditMemoComment, CreditMemoItem, Order
from integrations.models import QuarantinedRecord, SyncRun
from integrations.selectors import integration_records
from integrations.services import quarantine_retry, sync_schedule
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db(transaction=True)

# The fault a store answers salesOrderCreditmemoInfo with for a memo it no longer has.
MEMO_GONE = (
    "<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>100</faultcode>"
    "<faultstring>Requested credit memo does not exist.</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body>"
)


def sync(integration, run_worker) -> SyncRun:
    run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    return run


def memo_stats(run: SyncRun):
    return run.entities.get(entity="credit_memos")


@pytest.mark.parametrize("mode", ["bridge", "native"])
def test_memos_with_their_items_and_comments_linked_to_their_orders(mode, magento, run_worker):
    sim = magento(customers=40, orders=150, mode=mode)
    integration = magento_integration(url=sim.wsdl_url, mode=mode)
    first = sync(integration, run_worker)
    store = sim.stats()
    assert store["creditmemos"] > 5, "the seeded store has memos to read"
    memos = CreditMemo.objects.filter(integration=integration)
    assert memos.count() == store["creditmemos"] == memo_stats(first).created
    # One Info per memo, and again for the last memo of a window's answer (the cursor places the next
    # one from it); a first sync reads newest first in several windows.
    assert store["creditmemos"] <= store["calls"]["salesOrderCreditmemoInfo"] <= 2 * store["creditmemos"]
    assert "oroCreditmemoList" not in store["calls"]
    assert set(memos.values_list("state", flat=True)) <= {"pending", "refunded", "canceled"}
    assert memos.filter(state="refunded").exists()
    assert not CreditMemo.objects.filter(integration=integration, items__isnull=True).exists(), "every memo has items"
    assert CreditMemoItem.objects.filter(memo__integration=integration).exclude(sku="").exists()
    assert CreditMemoComment.objects.filter(memo__integration=integration).exists()
    for memo in memos.select_related("order", "store"):
        assert memo.order is not None and memo.order.remote_id == memo.order_remote_id, memo
        assert memo.store is not None and memo.increment_id and memo.grand_total is not None
    assert integration_records(integration=integration)["credit_memos"] == store["creditmemos"]

    second = sync(integration, run_worker)
    stats = memo_stats(second)
    assert (stats.created, stats.updated) == (0, 0), stats.as_stats()


def test_a_changed_memo_is_read_again(magento, run_worker):
    sim = magento(customers=20, orders=120)
    integration = magento_integration(url=sim.wsdl_url)
    sync(integration, run_worker)
    touched = sim.touch("creditmemos", 2)
    run = sync(integration, run_worker)
    assert (memo_stats(run).created, memo_stats(run).updated) == (0, 2)
    assert CreditMemo.objects.filter(integration=integration, remote_id__in=[str(i) for i in touched]).count() == 2


def test_one_website_reads_memos_of_its_stores_only(magento, hostile, run_worker):
    sim = magento(customers=40, orders=200)
    proxy = hostile(sim.url)
    integration = magento_integration(url=proxy.url + "/api/v2_soap/?wsdl=1", website_id=2)
    sync(integration, run_worker)
    lists = [r["body"] for r in proxy.control.seen() if "salesOrderCreditmemoList" in r["body"]]
    assert lists and all(">store_id<" in body and ">3,4,5<" in body for body in lists), lists[:1]
    memos = CreditMemo.objects.filter(integration=integration)
    assert memos.exists()
    assert set(memos.values_list("store__remote_id", flat=True)) <= {"3", "4", "5"}


def test_all_websites_sends_no_store_filter(magento, hostile, run_worker):
    sim = magento(customers=10, orders=60)
    proxy = hostile(sim.url)
    integration = magento_integration(url=proxy.url + "/api/v2_soap/?wsdl=1")
    sync(integration, run_worker)
    lists = [r["body"] for r in proxy.control.seen() if "salesOrderCreditmemoList" in r["body"]]
    assert lists and not any(">store_id<" in body for body in lists)


def test_a_memo_read_before_its_order_is_linked_when_the_order_arrives(magento, run_worker):
    sim = magento(customers=20, orders=120)
    integration = magento_integration(url=sim.wsdl_url)
    sync(integration, run_worker)
    memos = CreditMemo.objects.filter(integration=integration)
    order_ids = sorted({int(r) for r in memos.values_list("order_remote_id", flat=True)})
    # The orders go (as if they had been quarantined, or not read yet); their memos stay, unlinked.
    Order.objects.filter(integration=integration, remote_id__in=[str(i) for i in order_ids]).delete()
    assert not memos.filter(order__isnull=False).exists()
    sim.touch("orders", ids=order_ids)
    run = sync(integration, run_worker)
    assert (memo_stats(run).created, memo_stats(run).updated) == (0, 0), "the memos themselves did not change"
    for memo in memos.select_related("order"):
        assert memo.order is not None and memo.order.remote_id == memo.order_remote_id


def test_a_memo_whose_info_faults_is_quarantined_and_the_rest_syncs(magento, hostile, run_worker):
    sim = magento(customers=20, orders=120)
    proxy = hostile(sim.url)
    integration = magento_integration(url=proxy.url + "/api/v2_soap/?wsdl=1")
    proxy.control.rules(
        {
            "body": r"(?s)salesOrderCreditmemoInfo.*>600000003<",
            "replace": [{"pattern": r"(?s)<SOAP-ENV:Body>.*</SOAP-ENV:Body>", "with": MEMO_GONE}],
        }
    )
    run = sync(integration, run_worker)
    total = sim.stats()["creditmemos"]
    stats = memo_stats(run)
    assert (stats.created, stats.failed) == (total - 1, 1)
    held = QuarantinedRecord.objects.get(integration=integration, entity="credit_memos")
    assert held.payload["increment_id"] == "600000003" and held.remote_id == held.payload["creditmemo_id"]
    assert held.resolved_at is None
    assert "600000003" in held.reason and "Requested credit memo does not exist." in held.reason
    assert not CreditMemo.objects.filter(integration=integration, increment_id="600000003").exists()

    again = sync(integration, run_worker)
    assert QuarantinedRecord.objects.filter(integration=integration).count() == 1, "kept once, not once per run"
    assert memo_stats(again).created == 0

    proxy.control.rules()  # the store answers for it again
    assert quarantine_retry(record_ids=[held.pk])["resolved"] == 1
    memo = CreditMemo.objects.get(integration=integration, increment_id="600000003")
    assert memo.items.exists() and memo.order is not None
