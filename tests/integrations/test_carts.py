"""Carts end to end: the simulator over HTTP, real Redis, real RQ workers; statuses, guests, housekeeping."""

import datetime
import json

from django.core.management import call_command
from django.utils import timezone
from lxml import etree

from channels.models import Cart, CartItem, Customer, Order
from integrations.connectors.magento1.housekeeping import EXPIRED_BY, LOST_BY
from integrations.connectors.magento1.transport import MagentoSoapClient
from integrations.models import SyncRun
from integrations.selectors import integration_records
from integrations.services import housekeeping_dispatch, integration_check_connection, sync_schedule
from tests.factories import magento_integration


def sync(integration, run_worker) -> SyncRun:
    run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    return run


def store_quotes(sim) -> dict[str, dict]:
    """Every quote of the store, read directly (one big page), by id."""
    client = MagentoSoapClient(wsdl_url=sim.wsdl_url, api_user=sim.api_user, api_key=sim.api_key)
    quotes = client.call("oroQuoteList", {}, {"page": "1", "pageSize": "100000"}) or []
    return {q["entity_id"]: q for q in quotes}


def store_order_quotes(sim) -> set[str]:
    client = MagentoSoapClient(wsdl_url=sim.wsdl_url, api_user=sim.api_user, api_key=sim.api_key)
    orders = client.call("oroOrderList", {}, {"page": "1", "pageSize": "100000"}) or []
    return {str(o["quote_id"]) for o in orders if o.get("quote_id")}


def anonymous(quote: dict) -> bool:
    return not quote.get("customer_email") and not (quote.get("billing_address") or {}).get("telephone")


def test_carts_come_in_with_oro_statuses_guests_linked_and_anonymous_ones_skipped(magento, run_worker):
    sim = magento(customers=40, orders=120)
    integration = magento_integration(url=sim.wsdl_url)
    run = sync(integration, run_worker)

    quotes = store_quotes(sim)
    kept = {i: q for i, q in quotes.items() if not anonymous(q)}
    carts = run.entities.get(entity="carts")
    assert carts.read == len(quotes)
    assert carts.skipped == len(quotes) - len(kept) > 0, "anonymous carts are counted skipped"
    assert carts.created == len(kept) and carts.failed == 0
    local = Cart.objects.filter(integration=integration)
    assert set(local.values_list("remote_id", flat=True)) == set(kept)

    converted = store_order_quotes(sim) & set(kept)
    expected = {
        "purchased": len(converted),
        "open": sum(1 for i, q in kept.items() if i not in converted and q["is_active"] == "1"),
        "expired": sum(1 for i, q in kept.items() if i not in converted and q["is_active"] == "0"),
        "lost": 0,
    }
    records = integration_records(integration=integration)
    assert records["cart_statuses"] == expected
    assert all(expected[s] for s in ("purchased", "open", "expired")), expected
    assert records["carts"] == len(kept)

    # Registered carts point at their customer; guest carts with an email at a (guest) customer.
    registered = local.filter(is_guest=False).exclude(customer_remote_id=None).select_related("customer")
    assert registered and all(c.customer and c.customer.remote_id == c.customer_remote_id for c in registered)
    guests = local.filter(is_guest=True).exclude(email="")
    assert guests.exists() and not guests.filter(customer__isnull=True).exists()
    for cart in guests.select_related("customer"):
        assert cart.customer.email.lower() == cart.email.lower()
    assert local.filter(items__isnull=False).exists()
    assert CartItem.objects.filter(cart__integration=integration).exclude(sku="").exists()

    again = sync(integration, run_worker).entities.get(entity="carts")
    assert (again.created, again.updated) == (0, 0)


def test_a_cart_read_after_its_order_is_purchased_too(magento, run_worker):
    sim = magento(customers=30, orders=60)
    integration = magento_integration(url=sim.wsdl_url)
    sync(integration, run_worker)  # carts are read before orders: the orders marked their carts
    purchased = list(
        Cart.objects.filter(integration=integration, status="purchased").values_list("remote_id", flat=True)[:3]
    )
    assert len(purchased) == 3
    # The carts come again after their orders (not read again): the cart's own import finds the order.
    Cart.objects.filter(integration=integration, remote_id__in=purchased).delete()
    sim.touch("quotes", ids=[int(i) for i in purchased])
    run = sync(integration, run_worker)
    assert run.entities.get(entity="orders").updated == 0
    statuses = set(
        Cart.objects.filter(integration=integration, remote_id__in=purchased).values_list("status", flat=True)
    )
    assert statuses == {"purchased"}


def test_an_item_the_store_no_longer_lists_in_an_open_cart_is_flagged_removed(magento, hostile, run_worker):
    sim = magento(customers=30, orders=60)
    proxy = hostile(sim.url)
    integration = magento_integration(url=proxy.url + "/api/v2_soap/?wsdl=1")
    sync(integration, run_worker)
    item = CartItem.objects.filter(cart__integration=integration, cart__status="open").select_related("cart").first()
    kept = set(item.cart.items.exclude(pk=item.pk).values_list("pk", flat=True))
    # The shopper swaps the item for another: the store lists a new item id in its place.
    proxy.control.rules(
        {
            "body": "oroQuoteList",
            "replace": [{"pattern": rf"(<item_id[^>]*>){item.remote_id}(</item_id>)", "with": r"\g<1>987654\2"}],
        }
    )
    sim.touch("quotes", ids=[int(item.cart.remote_id)])
    sync(integration, run_worker)
    rows = {i.remote_id: i for i in item.cart.items.all()}
    assert rows[item.remote_id].is_removed and rows[item.remote_id].pk == item.pk, "kept, flagged"
    assert not rows["987654"].is_removed
    assert {i.pk for i in rows.values() if not i.is_removed and i.remote_id != "987654"} == kept


def test_housekeeping_expires_deleted_carts_and_marks_abandoned_ones_lost(magento, run_worker):
    sim = magento(customers=30, orders=60)
    integration = magento_integration(url=sim.wsdl_url, cart_lost_after_days=30)
    sync(integration, run_worker)
    open_carts = list(
        Cart.objects.filter(integration=integration, status="open").order_by("pk").values_list("remote_id", flat=True)
    )
    assert len(open_carts) >= 5
    deleted, recent = open_carts[:2], open_carts[2:4]
    sim.delete("quotes", [int(i) for i in deleted])
    sim.touch("quotes", ids=[int(i) for i in recent])
    sync(integration, run_worker)  # the touched carts now say they were updated today

    assert housekeeping_dispatch() == 1
    run_worker()  # the daily job, in a real worker

    carts = {c.remote_id: c for c in Cart.objects.filter(integration=integration)}
    for remote_id in deleted:
        assert (carts[remote_id].status, carts[remote_id].status_set_by) == ("expired", EXPIRED_BY)
    for remote_id in recent:
        assert carts[remote_id].status == "open"
    month_ago = timezone.now() - datetime.timedelta(days=30)
    lost = [c for c in carts.values() if c.status == "lost"]
    assert lost and all(c.status_set_by == LOST_BY and c.remote_updated_at < month_ago for c in lost)
    assert not [c for c in carts.values() if c.status == "open" and c.remote_updated_at < month_ago]
    assert integration_records(integration=integration)["cart_statuses"]["lost"] == len(lost)

    # The command says what it did; done again, there is nothing left to do.
    sim.delete("quotes", [int(recent[0])])
    out = _command_output(integration)
    assert out == "1 cart expired, 0 marked lost"
    assert Cart.objects.get(integration=integration, remote_id=recent[0]).status == "expired"


def _command_output(integration) -> str:
    from io import StringIO

    buffer = StringIO()
    call_command("integration_housekeeping", str(integration.pk), stdout=buffer)
    return buffer.getvalue().strip()


def test_the_website_setting_filters_carts_by_its_stores_in_sync_and_housekeeping(magento, hostile, run_worker):
    sim = magento(customers=30, orders=60)
    proxy = hostile(sim.url)
    integration = magento_integration(url=proxy.url + "/api/v2_soap/?wsdl=1")
    assert integration_check_connection(integration=integration).ok
    website = integration.settings.websites[0]["id"]
    integration.settings.website_id = website
    integration.settings.save()
    sync(integration, run_worker)
    call_command("integration_housekeeping", str(integration.pk), stdout=open("/dev/null", "w"))

    quote_calls = [r["body"] for r in proxy.control.seen() if "oroQuoteList" in r["body"]]
    assert quote_calls
    stores = sorted({str(s["store_id"]) for s in sim_store_list(sim) if int(s["website_id"]) == int(website)}, key=int)
    for body in quote_calls:
        assert ("store_id", "in", ",".join(stores)) in filters_of(body)
    expiration = [b for b in quote_calls if any(f[:2] == ("entity_id", "in") for f in filters_of(b))]
    assert expiration and all(pager_of(b) == ("1", "200") for b in expiration)
    local = Cart.objects.filter(integration=integration)
    assert local.exists() and set(local.values_list("store__remote_id", flat=True)) <= set(stores)


def filters_of(body: str) -> list[tuple[str, str, str]]:
    """The complex_filter conditions of a SOAP request body, as (field, operator, value)."""
    root = etree.fromstring(body.encode())
    found = []
    for item in root.iter("{*}complex_filter"):
        for entry in item:
            key, value = entry.find("key"), entry.find("value")
            found.append((key.text, value.find("key").text, value.find("value").text))
    return found


def pager_of(body: str) -> tuple[str, str]:
    root = etree.fromstring(body.encode())
    pager = next(root.iter("pager"))
    return pager.find("page").text, pager.find("pageSize").text


def sim_store_list(sim) -> list[dict]:
    client = MagentoSoapClient(wsdl_url=sim.wsdl_url, api_user=sim.api_user, api_key=sim.api_key)
    return client.call("storeList") or []


def test_an_order_or_cart_whose_customer_is_not_known_yet_fetches_it_first(magento, run_worker):
    sim = magento(customers=30, orders=60)
    integration = magento_integration(url=sim.wsdl_url)
    sync(integration, run_worker)
    order = Order.objects.filter(integration=integration, is_guest=False).exclude(customer=None).first()
    cart = Cart.objects.filter(integration=integration, is_guest=False).exclude(customer=None)
    cart = cart.exclude(customer__remote_id=order.customer_remote_id).first()
    gone = [order.customer_remote_id, cart.customer_remote_id]
    # As if these customers had registered after the customers of this run were read.
    Customer.objects.filter(integration=integration, remote_id__in=gone).delete()
    sim.touch("orders", ids=[int(order.remote_id)])
    sim.touch("quotes", ids=[int(cart.remote_id)])
    run = sync(integration, run_worker)
    # Its window did not hold them: the order and the cart read them, and the run counts them as customers.
    assert "customer(s) not known yet read first" in run.log
    assert run.entities.get(entity="customers").created == 2
    order.refresh_from_db()
    cart.refresh_from_db()
    assert order.customer and order.customer.remote_id == gone[0]
    assert cart.customer and cart.customer.remote_id == gone[1]
    assert "customer(s) not known yet read first" in run.log


def test_native_mode_has_no_carts_and_says_so(magento, run_worker):
    sim = magento(customers=10, orders=20, mode="native")
    integration = magento_integration(url=sim.wsdl_url)
    check = integration_check_connection(integration=integration)
    assert check.ok and "only customers, orders and credit memos will be synced" in check.message, check.message
    run = sync(integration, run_worker)
    names = set(run.entities.values_list("entity", flat=True))
    assert {"customers", "orders", "regions"} <= names
    assert not names & {"carts", "newsletter_subscribers"}
    calls = sim.stats()["calls"]
    assert "oroQuoteList" not in calls and "newsletterSubscriberList" not in calls
    integration.refresh_from_db()
    assert "syncs customers, orders and credit memos" in integration.connector_class.describe_detected(integration)
    out = _command_output(integration)
    assert "No carts" in out
    status = json.loads(_status_json(integration))
    assert status["records"]["carts"] == 0 and status["records"]["cart_statuses"]["open"] == 0


def _status_json(integration) -> str:
    from io import StringIO

    buffer = StringIO()
    call_command("integration_status", str(integration.pk), "--json", stdout=buffer)
    return buffer.getvalue()
