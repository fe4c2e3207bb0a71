"""Order comments become sanitised order notes, synced from the simulator over HTTP by a real RQ worker."""

import pytest

from channels.models import OrderNote
from integrations.connectors.magento1.connector import Magento1Connector
from integrations.models import SyncRun
from integrations.selectors import integration_records
from integrations.services import sync_schedule
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db(transaction=True)

PLAIN = "Address corrected after phone call."


def sync(integration, run_worker) -> SyncRun:
    run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    return run


def note_rows(integration):
    return dict(OrderNote.objects.filter(order__integration=integration).values_list("pk", "message").order_by("pk"))


@pytest.mark.parametrize("mode", ["bridge", "native"])
def test_comments_become_sanitised_notes_once(mode, magento, run_worker):
    sim = magento(customers=30, orders=150, mode=mode)
    integration = magento_integration(url=sim.wsdl_url, mode=mode)
    sync(integration, run_worker)
    notes = OrderNote.objects.filter(order__integration=integration)
    messages = list(notes.values_list("message", flat=True))
    assert len(messages) > 20
    assert all(m.strip() for m in messages), "no empty note"
    assert PLAIN in messages
    # The store's comment '<p onclick="alert(1)">Shipped with <b>DHL</b> today.<script>alert("admin")</script></p>'
    assert "<p>Shipped with <b>DHL</b> today.</p>" in messages
    for message in messages:
        assert "<script" not in message and "onclick" not in message and "alert" not in message, message
    assert notes.filter(message__contains="<b>Gift wrap</b>").exists()
    if mode == "bridge":
        assert not notes.filter(remote_id__contains="|").exists(), "keyed by the bridge's row ids"
    else:
        assert not notes.exclude(remote_id__contains="|").exists(), "keyed by time, status and place"
    assert all(n.remote_created_at is not None and n.status for n in notes)
    assert integration_records(integration=integration)["order_notes"] == len(messages)

    before = note_rows(integration)
    again = sync(integration, run_worker)
    orders = again.entities.get(entity="orders")
    assert (orders.created, orders.updated) == (0, 0)
    assert note_rows(integration) == before, "no duplicates, same rows"


@pytest.mark.parametrize("mode", ["bridge", "native"])
def test_a_changed_comment_updates_its_note_in_place(mode, magento, hostile, run_worker):
    sim = magento(customers=30, orders=150, mode=mode)
    proxy = hostile(sim.url)
    integration = magento_integration(url=proxy.url + "/api/v2_soap/?wsdl=1", mode=mode)
    sync(integration, run_worker)
    note = OrderNote.objects.filter(order__integration=integration, message=PLAIN).select_related("order").first()
    count = OrderNote.objects.filter(order__integration=integration).count()
    sim.touch("orders", ids=[int(note.order.remote_id)])
    proxy.control.rules({"replace": [{"pattern": PLAIN.replace(".", r"\."), "with": "Address corrected twice."}]})
    sync(integration, run_worker)
    changed = OrderNote.objects.get(pk=note.pk)
    assert (changed.message, changed.remote_id) == ("Address corrected twice.", note.remote_id)
    assert OrderNote.objects.filter(order__integration=integration).count() == count


@pytest.mark.django_db
def test_the_setting_says_whether_customer_pages_show_the_notes():
    shown = magento_integration(name="Shown")
    hidden = magento_integration(name="Hidden", import_order_notes=False)
    assert Magento1Connector.notes_on_customer_pages(shown) is True
    assert Magento1Connector.notes_on_customer_pages(hidden) is False
