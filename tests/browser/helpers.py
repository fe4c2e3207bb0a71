"""What every browser test uses: waits that survive page reloads, clicks, log-in and screenshots."""

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# The viewport the pages are judged at (a common laptop screen).
WIDTH, HEIGHT = 1440, 900
T = TypeVar("T")

# A page can be replaced under the test at any moment: a click navigates, the connection check
# rewrites its block when it ends, the progress page swaps in its final content. So every wait finds
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


def log_in(driver: WebDriver, live_server, username: str = "admin", password: str = "password") -> None:
    """As the `admin_user` fixture's admin (or the user given), onto the start page."""
    driver.get(f"{live_server.url}/admin/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_until(driver, lambda d: "/admin/login/" not in d.current_url, 30, "the log-in never left the login page")


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


def screenshot(driver: WebDriver, name: str) -> Path:
    """The whole visible page as var/screenshots/NAME.png (docs/ holds the ones the README shows)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def fits_viewport(driver: WebDriver, selector: str) -> list[str]:
    """The texts of the elements matching `selector` whose right edge is beyond the viewport
    (empty when they all fit, so no horizontal scrolling is needed to read them)."""
    return driver.execute_script(
        """
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll(arguments[0])]
            .filter(e => e.getBoundingClientRect().right > width + 0.5)
            .map(e => e.textContent.trim());
        """,
        selector,
    )
