"""The start page and the dashboard in headless Chromium after a real sync: the channel and its run on the
start page, every chart drawn by Chart.js, and the top customer the figures say."""

import pytest
from selenium.webdriver.common.by import By

from channels.models import Customer
from integrations.models import SyncRun
from integrations.services import integration_check_connection, sync_schedule
from tests.browser.helpers import click, log_in, read, screenshot, wait_text, wait_until
from tests.conftest import wait_for
from tests.factories import magento_integration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("chart-orders", "chart-revenue", "chart-customers", "chart-carts", "chart-sync")


def drawn(driver) -> list[str]:
    """The ids of the canvases Chart.js has drawn a chart on."""
    return driver.execute_script(
        "return window.Chart ? [...document.querySelectorAll('canvas')]"
        ".filter(c => Chart.getChart(c)).map(c => c.id) : [];"
    )


def test_the_start_page_and_the_dashboard_after_a_sync(browser, live_server, live_worker, magento, admin_user):
    sim = magento(customers=40, orders=400)
    integration = magento_integration("Demo Magento store", url=sim.wsdl_url)
    assert integration_check_connection(integration=integration).ok
    run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).is_finished, 240, message="the sync to end")
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, run.message

    log_in(browser, live_server)
    wait_text(browser, "Recent runs")
    channel_row = read(browser, lambda d: d.find_element(By.ID, f"start-channel-{integration.pk}").text)
    assert "Demo Magento store" in channel_row and "Synced" in channel_row and "Succeeded" in channel_row
    runs = read(browser, lambda d: d.find_element(By.ID, "start-runs").text)
    assert f"#{run.pk}" in runs and "Succeeded" in runs
    assert "customers" in read(browser, lambda d: d.find_element(By.ID, "start-figures").text)
    screenshot(browser, "start-page")

    click(browser, By.ID, "open-dashboard")
    wait_text(browser, "Dashboard: all channels")
    click(browser, By.LINK_TEXT, "Last year")
    wait_until(browser, lambda d: "days=365" in d.current_url, 30, "the year's range never opened")
    assert sorted(wait_until(browser, lambda d: len(drawn(d)) == len(CHARTS) and drawn(d), 30)) == sorted(CHARTS)

    tables = browser.find_elements(By.CSS_SELECTOR, "table.oroint-top-customers")
    assert tables, "a table of top customers"
    currency = tables[0].find_element(By.TAG_NAME, "caption").text
    best = (
        Customer.objects.filter(integration=integration, lifetime_currency=currency)
        .order_by("-lifetime_value", "pk")
        .first()
    )
    first_row = tables[0].find_element(By.CSS_SELECTOR, "tbody tr")
    assert best.email in first_row.text
    assert first_row.find_element(By.TAG_NAME, "a").get_attribute("href").endswith(f"/customer/{best.pk}/change/")
    screenshot(browser, "dashboard")

    # One channel: the selector narrows it, the charts are drawn again.
    browser.find_element(By.CSS_SELECTOR, f"#dash-channel option[value='{integration.pk}']").click()
    click(browser, By.CSS_SELECTOR, "#dashboard-filter button[type=submit]")
    wait_text(browser, "Dashboard: Demo Magento store")
    wait_until(browser, lambda d: len(drawn(d)) == len(CHARTS), 30, "the channel's charts were never drawn")
