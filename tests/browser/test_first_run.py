"""The first run from the Add form, in headless Chromium: Check Connection on the values typed (not saved),
the Website select filled by it, Save, Schedule Sync, and the run's progress to its end."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from integrations.models import ConnectionCheck, Integration
from tests.browser.helpers import click, finished_check, finished_run, log_in, read, screenshot, wait_text, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_add_form(browser, live_server) -> None:
    log_in(browser, live_server)
    click(browser, By.LINK_TEXT, "Integrations")
    click(browser, By.CSS_SELECTOR, "a.addlink")
    click(browser, By.LINK_TEXT, "Magento 1 (SOAP v2)")
    wait_text(browser, "SOAP WSDL URL")


def type_connection(browser, name: str, url: str, user: str, key: str) -> None:
    for field, value in (("name", name), ("api_url", url), ("api_user", user), ("api_key", key)):
        element = browser.find_element(By.ID, f"id_{field}")
        element.clear()
        element.send_keys(value)


def check_text(browser) -> str:
    return read(browser, lambda d: d.find_element(By.ID, "connection-check").text)


def priority_shown(browser) -> bool:
    return read(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".field-sync_priority").is_displayed())


def test_first_run_from_the_add_form(browser, live_server, live_worker, magento, admin_user):
    sim = magento(customers=20, orders=40)
    open_add_form(browser, live_server)
    assert (
        read(browser, lambda d: d.find_element(By.ID, "connection-check").text)
        == "Never checked. Press Check Connection."
    )

    # The sync priority means something with two way sync only: its row shows with it.
    assert not priority_shown(browser)
    click(browser, By.ID, "id_two_way_sync")
    assert priority_shown(browser)
    click(browser, By.ID, "id_two_way_sync")
    assert not priority_shown(browser)

    type_connection(browser, "First store", sim.wsdl_url, sim.api_user, sim.api_key)
    click(browser, By.ID, "check-connection")
    status = wait_until(browser, finished_check, 120, "the connection check never ended")
    assert status == "succeeded", check_text(browser)
    assert "Connection successful" in check_text(browser) and "website(s) found" in check_text(browser)
    assert not Integration.objects.exists()  # checked, not saved

    # The page was not reloaded: what was typed is still there, and the websites came in.
    assert browser.find_element(By.ID, "id_name").get_attribute("value") == "First store"
    assert browser.find_element(By.ID, "id_api_key").get_attribute("value") == sim.api_key
    websites = Select(browser.find_element(By.ID, "id_website_id"))
    labels = [o.text for o in websites.options]
    assert labels[0] == "All Websites" and any(label.startswith("Website ID: 1,") for label in labels), labels
    websites.select_by_value("1")
    # The connection fields, the check's answer and the websites it found, in one view.
    browser.execute_script("document.getElementById('id_api_url').scrollIntoView({block: 'start'}); scrollBy(0, -90)")
    screenshot(browser, "first-run-add-form")

    click(browser, By.NAME, "_continue")
    wait_text(browser, "was added successfully")
    integration = Integration.objects.get(name="First store")
    assert integration.settings.website_id == 1 and integration.settings.websites
    assert "Connection successful" in check_text(browser)  # its check is the saved integration's
    selected = read(browser, lambda d: Select(d.find_element(By.ID, "id_website_id")).first_selected_option.text)
    assert selected.startswith("Website ID: 1,")

    click(browser, By.ID, "schedule-sync")
    wait_text(browser, "A sync job has been added to the queue. Check progress")
    click(browser, By.LINK_TEXT, "Check progress")
    wait_text(browser, "Sync run #")
    run = wait_until(browser, finished_run, 180, "the run never ended")
    assert run["status"].startswith("Succeeded"), run
    assert "orders" in run["entities"]


def test_a_wrong_key_fails_the_check_and_saves_nothing(browser, live_server, live_worker, magento, admin_user):
    sim = magento(customers=3, orders=3)
    open_add_form(browser, live_server)
    type_connection(browser, "Wrong key store", sim.wsdl_url, sim.api_user, "not-the-key-4711")
    click(browser, By.ID, "check-connection")
    status = wait_until(browser, finished_check, 120, "the connection check never ended")
    assert status == "failed"
    assert "Connection failed" in check_text(browser) and "Access denied" in check_text(browser)
    assert browser.find_element(By.ID, "id_name").get_attribute("value") == "Wrong key store"
    assert not Integration.objects.exists()
    check = ConnectionCheck.objects.get()
    assert check.integration is None and check.draft_secrets == {}
