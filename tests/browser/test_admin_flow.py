"""The main admin flow in headless Chromium: log in, check, sync, watch progress, see orders."""

import pytest
from selenium.webdriver.common.by import By

from channels.models import Order
from tests.browser.helpers import click, finished_check, finished_run, log_in, read, screenshot, wait_text, wait_until
from tests.factories import magento_integration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_connection_sync_and_browse_orders(browser, live_server, live_worker, magento, admin_user):
    sim = magento(customers=30, orders=90)
    integration = magento_integration("Demo Magento store", url=sim.wsdl_url)

    log_in(browser, live_server)

    click(browser, By.LINK_TEXT, "Integrations")
    click(browser, By.LINK_TEXT, "Demo Magento store")
    wait_text(browser, "Never checked")

    click(browser, By.ID, "check-connection")
    status = wait_until(browser, finished_check, 120, "the connection check never ended")
    assert status == "succeeded", read(browser, lambda d: d.find_element(By.ID, "connection-check").text)
    assert "Connection successful" in read(browser, lambda d: d.find_element(By.ID, "connection-check").text)
    options = read(browser, lambda d: [o.text for o in d.find_elements(By.CSS_SELECTOR, "#id_website_id option")])
    assert options[0] == "All Websites" and any(o.startswith("Website ID: 1") for o in options)

    click(browser, By.ID, "schedule-sync")
    wait_text(browser, "A sync job has been added to the queue. Check progress")
    click(browser, By.LINK_TEXT, "Check progress")
    wait_text(browser, "Sync run #")
    run = wait_until(browser, finished_run, 180, "the run never ended")
    assert run["status"] == "Succeeded", run
    assert "orders" in run["entities"]
    screenshot(browser, "progress")

    click(browser, By.LINK_TEXT, "Demo Magento store")
    wait_text(browser, "Runs, newest first")
    assert "Succeeded" in read(browser, lambda d: d.find_element(By.CLASS_NAME, "oroint-runs").text)
    screenshot(browser, "integration")

    browser.get(f"{live_server.url}/admin/channels/order/")
    newest = Order.objects.filter(integration=integration).order_by("-remote_created_at").first()
    assert newest is not None
    wait_text(browser, newest.increment_id)
    click(browser, By.LINK_TEXT, newest.increment_id)
    wait_text(browser, newest.items.first().sku)
    screenshot(browser, "order")
