"""Newsletter subscribers end to end: first sync down the ids, then changes by change_status_at; linked customers."""

from channels.models import Customer, NewsletterSubscriber
from integrations.connectors.magento1.transport import MagentoSoapClient
from integrations.models import Checkpoint, SyncRun
from integrations.selectors import integration_records
from integrations.services import sync_schedule
from tests.factories import magento_integration


def sync(integration, run_worker) -> SyncRun:
    run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    return run


def store_subscribers(sim) -> dict[str, dict]:
    client = MagentoSoapClient(wsdl_url=sim.wsdl_url, api_user=sim.api_user, api_key=sim.api_key)
    rows = client.call("newsletterSubscriberList", {}, {"page": "1", "pageSize": "100000"}) or []
    return {str(r["subscriber_id"]): r for r in rows}


def test_subscribers_first_by_id_then_by_change_status_at(magento, run_worker):
    sim = magento(customers=300, orders=40)
    integration = magento_integration(url=sim.wsdl_url)
    before = sim.stats()["calls"].get("newsletterSubscriberList", 0)
    run = sync(integration, run_worker)
    calls = sim.stats()["calls"]["newsletterSubscriberList"] - before
    store = store_subscribers(sim)
    assert len(store) > 100, "more than one page of 100"
    stats = run.entities.get(entity="newsletter_subscribers")
    assert stats.created == len(store) and stats.failed == 0
    # The newest id (1 x 1), the pages of 100 down the ids, then one read of the changes since the start.
    assert calls == 1 + -(-len(store) // 100) + 1

    local = {s.remote_id: s for s in NewsletterSubscriber.objects.filter(integration=integration)}
    assert set(local) == set(store)
    statuses = {"1": "subscribed", "2": "not_active", "3": "unsubscribed", "4": "unconfirmed"}
    for remote_id, raw in store.items():
        assert local[remote_id].status == statuses[str(raw["subscriber_status"])]
        assert local[remote_id].email == (raw.get("subscriber_email") or "").strip()
    assert {s.status for s in local.values()} == set(statuses.values()), "every status is in the store"
    with_customer = [s for s in local.values() if s.customer_remote_id]
    assert with_customer and all(s.customer and s.customer.remote_id == s.customer_remote_id for s in with_customer)
    assert any(s.customer is None for s in local.values()), "guests subscribe from the footer form"
    assert integration_records(integration=integration)["newsletter_subscribers"] == len(store)
    state = Checkpoint.objects.get(integration=integration, entity="newsletter_subscribers").state
    assert state["phase"] == "changes"

    touched = sim.touch("subscribers", 3)
    again = sync(integration, run_worker).entities.get(entity="newsletter_subscribers")
    assert (again.created, again.updated) == (0, 3)
    assert again.read < 20, "a later run reads the changes only"
    for remote_id in map(str, touched):
        local = NewsletterSubscriber.objects.get(integration=integration, remote_id=remote_id)
        assert (
            local.change_status_at.strftime("%Y-%m-%d %H:%M:%S")
            == store_subscribers(sim)[remote_id]["change_status_at"]
        )


def test_a_subscriber_is_linked_when_its_customer_arrives_later(magento, run_worker):
    sim = magento(customers=60, orders=20)
    integration = magento_integration(url=sim.wsdl_url)
    sync(integration, run_worker)
    subscriber = NewsletterSubscriber.objects.filter(integration=integration).exclude(customer=None).first()
    customer_id = subscriber.customer_remote_id
    Customer.objects.filter(integration=integration, remote_id=customer_id).delete()
    subscriber.refresh_from_db()
    assert subscriber.customer is None
    sim.touch("customers", ids=[int(customer_id)])
    sync(integration, run_worker)
    subscriber.refresh_from_db()
    assert subscriber.customer and subscriber.customer.remote_id == customer_id
