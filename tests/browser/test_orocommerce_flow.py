"""The OroCommerce channel in headless Chromium, as an admin works it: check (the store's choices fill the
form), sync, watch the run end, open an order, cancel it in the store."""

import pytest
from selenium.webdriver.common.by import By

from channels.models import Order
from integrations.services import integration_create
from integrations.transports.jsonapi import related_id
from tests.browser.helpers import click, finished_check, finished_run, log_in, read, wait_text, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def price_list_choices(driver) -> list[str] | None:
    """The price lists the form offers, once Check Connection has filled them."""
    options = driver.find_elements(By.CSS_SELECTOR, "#id_price_list option")
    return [o.text for o in options if o.get_attribute("value")] or None


def test_check_sync_and_cancel_an_order_in_the_store(browser, live_server, live_worker, orocommerce, admin_user):
    sim = orocommerce(orders=130, customers=10)
    integration = integration_create(
        name="Demo OroCommerce store",
        integration_type="orocommerce",
        settings_values={"admin_url": sim.admin_url, "api_user": sim.api_user, "api_key": sim.api_key},
    )

    log_in(browser, live_server)
    click(browser, By.LINK_TEXT, "Integrations")
    click(browser, By.LINK_TEXT, "Demo OroCommerce store")
    wait_text(browser, "Run Check Connection to fill these")

    click(browser, By.ID, "check-connection")
    status = wait_until(browser, finished_check, 120, "the connection check never ended")
    assert status == "succeeded", read(browser, lambda d: d.find_element(By.ID, "connection-check").text)
    assert "Connection is valid" in read(browser, lambda d: d.find_element(By.ID, "connection-check").text)
    price_lists = sim.control.records("pricelists")
    # The check fills the store's choices in place once it has ended (the page is not reloaded).
    offered = read(browser, price_list_choices)
    assert {p["attributes"]["name"] for p in price_lists} <= {text.split(" (")[0] for text in offered}

    click(browser, By.ID, "schedule-sync")
    wait_text(browser, "A sync job has been added to the queue. Check progress")
    click(browser, By.LINK_TEXT, "Check progress")
    run = wait_until(browser, finished_run, 180, "the run never ended")
    assert run["status"] == "Succeeded", run
    assert "orders" in run["entities"]
    assert Order.objects.filter(integration=integration).count() == 130

    order = Order.objects.filter(integration=integration, status="open").order_by("-remote_created_at").first()
    assert order is not None
    browser.get(f"{live_server.url}/admin/channels/order/{order.pk}/change/")
    wait_text(browser, order.increment_id)
    click(browser, By.ID, "store-action-cancel")
    wait_text(browser, "is cancelled in the store")
    stored = {r["id"]: r for r in sim.control.records("orders")}[order.remote_id]
    assert related_id(stored, "internalStatus") == "cancelled"
    order.refresh_from_db()
    assert order.status == "cancelled"
