"""The main admin flow in headless Chromium: log in, check, sync, watch progress, see orders."""

import shutil
from pathlib import Path

import pytest

from channels.models import Order
from tests.factories import magento_integration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("Chromium and chromedriver are needed (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--window-size=1400,1000",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def wait_text(driver, text: str, timeout: float = 60):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, poll_frequency=0.25).until(
        lambda d: text in d.find_element("tag name", "body").text,
        message=f"page never showed {text!r}",
    )


def test_check_connection_sync_and_browse_orders(browser, live_server, live_worker, magento, admin_user):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    sim = magento(customers=30, orders=90)
    integration = magento_integration("Demo Magento store", url=sim.wsdl_url)

    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys("admin")
    browser.find_element(By.NAME, "password").send_keys("password")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_text(browser, "Channels, integrations and what they bring in")

    browser.find_element(By.LINK_TEXT, "Integrations").click()
    browser.find_element(By.LINK_TEXT, "Demo Magento store").click()
    wait_text(browser, "Never checked")

    browser.find_element(By.ID, "check-connection").click()
    wait_text(browser, "Connection successful")
    options = [o.text for o in browser.find_elements(By.CSS_SELECTOR, "#id_website_id option")]
    assert options[0] == "All Websites" and any(o.startswith("Website ID: 1") for o in options)

    browser.find_element(By.ID, "schedule-sync").click()
    wait_text(browser, "A sync job has been added to the queue. Check progress")
    browser.find_element(By.LINK_TEXT, "Check progress").click()
    wait_text(browser, "Sync run #")
    WebDriverWait(browser, 180, poll_frequency=0.25).until(
        lambda d: d.find_element(By.ID, "run-status").text in ("Succeeded", "Failed"),
        message="the run never ended",
    )
    assert browser.find_element(By.ID, "run-status").text == "Succeeded"
    assert "orders" in browser.find_element(By.ID, "run-entities").text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "progress.png"))

    browser.find_element(By.LINK_TEXT, "Demo Magento store").click()
    wait_text(browser, "Runs, newest first")
    assert "Succeeded" in browser.find_element(By.CLASS_NAME, "oroint-runs").text
    browser.save_screenshot(str(SCREENSHOTS / "integration.png"))

    browser.get(f"{live_server.url}/admin/channels/order/")
    newest = Order.objects.filter(integration=integration).order_by("-remote_created_at").first()
    assert newest is not None
    wait_text(browser, newest.increment_id)
    browser.find_element(By.LINK_TEXT, newest.increment_id).click()
    wait_text(browser, newest.items.first().sku)
    browser.save_screenshot(str(SCREENSHOTS / "order.png"))
