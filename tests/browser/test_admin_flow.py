"""The main admin flow in headless Chromium: log in, check, sync, watch progress, see orders."""

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from channels.models import Order
from tests.factories import magento_integration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
T = TypeVar("T")


@pytest.fixture
def browser(tmp_path):
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


# A page can be replaced under the test at any moment: a click navigates, the connection check
# reloads the page when it ends, the progress page swaps in its final content. So every wait finds
# its elements afresh on each poll, and an element that went away (or is not there yet) means "try
# again", never a failure. Nothing sleeps: each step waits for the condition it needs.
RETRY_ON = (NoSuchElementException, StaleElementReferenceException)


def wait_until(driver, predicate: Callable[[WebDriver], T], timeout: float = 60, message: str = "") -> T:
    """The first truthy value of `predicate(driver)`, polled until `timeout` seconds have passed."""
    wait = WebDriverWait(driver, timeout, poll_frequency=0.25, ignored_exceptions=RETRY_ON)
    return wait.until(predicate, message=message)


def read(driver, predicate: Callable[[WebDriver], T], timeout: float = 60) -> T:
    """What `predicate` reads from the current page, read again if the page changed meanwhile."""
    return wait_until(driver, lambda d: (predicate(d),), timeout, message="the page never settled")[0]


def wait_text(driver, text: str, timeout: float = 60) -> None:
    wait_until(
        driver, lambda d: text in d.find_element(By.TAG_NAME, "body").text, timeout, f"page never showed {text!r}"
    )


def click(driver, by: str, value: str, timeout: float = 60) -> None:
    """Click the element as soon as the page has it (found again if the page changed under us)."""

    def clicked(d: WebDriver) -> bool:
        d.find_element(by, value).click()
        return True

    wait_until(driver, clicked, timeout, f"never found {value!r} to click")


def log_in(driver: WebDriver, live_server) -> None:
    """As the `admin_user` fixture's admin, onto the start page."""
    driver.get(f"{live_server.url}/admin/login/")
    driver.find_element(By.NAME, "username").send_keys("admin")
    driver.find_element(By.NAME, "password").send_keys("password")
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_text(driver, "Channels, integrations and what they bring in")


def finished_check(driver: WebDriver) -> str | None:
    """The final status of the connection check, once the page shows one."""
    status = driver.find_element(By.ID, "connection-check").get_attribute("data-status")
    return status if status in ("succeeded", "failed") else None


def finished_run(driver: WebDriver) -> dict[str, str] | None:
    """The status and entity table of the sync run, once its page shows the final state."""
    if driver.find_element(By.CSS_SELECTOR, ".oroint-progress").get_attribute("data-finished") != "1":
        return None
    return {
        "status": driver.find_element(By.ID, "run-status").text,
        "entities": driver.find_element(By.ID, "run-entities").text,
    }


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
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "progress.png"))

    click(browser, By.LINK_TEXT, "Demo Magento store")
    wait_text(browser, "Runs, newest first")
    assert "Succeeded" in read(browser, lambda d: d.find_element(By.CLASS_NAME, "oroint-runs").text)
    browser.save_screenshot(str(SCREENSHOTS / "integration.png"))

    browser.get(f"{live_server.url}/admin/channels/order/")
    newest = Order.objects.filter(integration=integration).order_by("-remote_created_at").first()
    assert newest is not None
    wait_text(browser, newest.increment_id)
    click(browser, By.LINK_TEXT, newest.increment_id)
    wait_text(browser, newest.items.first().sku)
    browser.save_screenshot(str(SCREENSHOTS / "order.png"))
