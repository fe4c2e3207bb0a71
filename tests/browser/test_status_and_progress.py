"""Status that tells the truth, in headless Chromium: each health on the integrations list and page,
a running sync's progress in records, the run history turning final without a reload, and a
quarantined record opened from its run's errors and retried from its page."""

import pytest
from selenium.webdriver.common.by import By

from integrations.models import QuarantinedRecord, SyncRun, SyncRunEntity
from integrations.services import sync_execute
from tests.browser.helpers import (
    click,
    finished_check,
    finished_run,
    fits_viewport,
    log_in,
    read,
    screenshot,
    wait_text,
    wait_until,
)
from tests.conftest import free_port
from tests.factories import magento_integration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIST = "/admin/integrations/integration/"


def row_text(driver, name: str) -> str:
    """The integrations list's row of one integration, as text."""
    for row in driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr"):
        if row.find_element(By.CSS_SELECTOR, ".field-name").text == name:
            return row.text
    return ""


def health_on_page(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, ".field-health .oroint-badge").text


def badge_style(driver, text: str) -> tuple[str, str] | None:
    """(border radius, padding) of the badge with this text on the page: every badge has the same."""
    for badge in driver.find_elements(By.CSS_SELECTOR, ".oroint-badge"):
        if badge.text == text:
            return badge.value_of_css_property("border-radius"), badge.value_of_css_property("padding-left")
    return None


def test_each_status_on_the_list_and_the_integration_page(browser, live_server, live_worker, magento, admin_user):
    sim = magento(customers=30, orders=40, extra=("--malformed", "3"))
    closed = magento_integration("Closed port store", url=f"http://127.0.0.1:{free_port()}/api/v2_soap/?wsdl=1")
    never = magento_integration("New store", url=sim.wsdl_url)
    broken = magento_integration("Wrong key store", url=sim.wsdl_url, api_key="not-the-key")
    errors = magento_integration("Malformed store", url=sim.wsdl_url)

    log_in(browser, live_server)
    # Not connected: Check Connection against a port where nothing listens.
    browser.get(f"{live_server.url}/admin/integrations/integration/{closed.pk}/change/")
    click(browser, By.ID, "check-connection")
    assert wait_until(browser, finished_check, 120, "the check never ended") == "failed"
    # Drawn again: the page that saw the check end may have drawn its health a moment before.
    browser.get(f"{live_server.url}/admin/integrations/integration/{closed.pk}/change/")
    assert read(browser, health_on_page) == "Not connected"

    # Last sync failed: the store refuses the key.
    browser.get(f"{live_server.url}/admin/integrations/integration/{broken.pk}/change/")
    click(browser, By.ID, "schedule-sync")
    click(browser, By.LINK_TEXT, "Check progress")
    assert wait_until(browser, finished_run, 180, "the failing run never ended")["status"] == "Failed"

    # Succeeded with N errors: the store holds malformed records.
    browser.get(f"{live_server.url}/admin/integrations/integration/{errors.pk}/change/")
    click(browser, By.ID, "schedule-sync")
    click(browser, By.LINK_TEXT, "Check progress")
    done = wait_until(browser, finished_run, 180, "the run never ended")
    run = SyncRun.objects.get(integration=errors)
    assert run.errors > 0 and done["status"] == f"Succeeded with {run.errors} errors", done
    browser.get(f"{live_server.url}/admin/integrations/integration/{errors.pk}/change/")
    assert read(browser, health_on_page) == f"Succeeded with {run.errors} errors"
    history = read(browser, lambda d: d.find_element(By.ID, "run-history").text)
    assert f"Succeeded with {run.errors} errors" in history

    browser.get(f"{live_server.url}/admin/integrations/integration/{never.pk}/change/")
    assert read(browser, health_on_page) == "Never synced"

    browser.get(f"{live_server.url}{LIST}")
    wait_until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "th.column-next_sync"), 30, "no next sync column")
    rows = {i.name: read(browser, lambda d, name=i.name: row_text(d, name)) for i in (closed, never, broken, errors)}
    assert "Not connected" in rows[closed.name] and "Never synced" in rows[never.name]
    assert "Last sync failed" in rows[broken.name] and "Failed" in rows[broken.name]
    assert f"Succeeded with {run.errors} errors" in rows[errors.name]
    open_count = QuarantinedRecord.objects.filter(integration=errors, resolved_at__isnull=True).count()
    assert f" {open_count} " in f" {rows[errors.name]} "
    assert "Never checked" in rows[never.name]
    # One style for every badge: "Last sync failed" is shaped as "Never synced" and the others are.
    styles = {badge_style(browser, text) for text in ("Last sync failed", "Never synced", "Not connected")}
    assert len(styles) == 1 and None not in styles, styles
    assert fits_viewport(browser, "#result_list th, #result_list td") == [], "the list scrolls sideways"
    assert browser.execute_script(
        "const r = document.querySelector('#changelist .results'); return r.scrollWidth <= r.clientWidth;"
    ), "the list's own box scrolls sideways"
    screenshot(browser, "integrations-list")


def test_progress_of_a_running_sync_in_records_to_its_end(browser, live_server, live_worker, magento, admin_user):
    # Native mode reads each order on its own, and each answer waits: the run lasts long enough to watch.
    sim = magento(customers=40, orders=160, mode="native", extra=("--latency", "40"))
    integration = magento_integration("Slow store", url=sim.wsdl_url)

    log_in(browser, live_server)
    browser.get(f"{live_server.url}/admin/integrations/integration/{integration.pk}/change/")
    click(browser, By.ID, "schedule-sync")
    click(browser, By.LINK_TEXT, "Check progress")

    def running(d) -> dict | None:
        status = d.find_element(By.ID, "run-status").text
        records = d.find_element(By.ID, "run-records").text
        if status != "Running" or records.startswith("0 ") or "total unknown" not in records:
            return None
        return {
            "phase": d.find_element(By.ID, "run-phase").text,
            "records": records,
            "elapsed": d.find_element(By.ID, "run-elapsed").text,
            "rate": d.find_element(By.ID, "run-rate").text,
            "eta": d.find_element(By.ID, "run-eta").text,
            "entities": d.find_element(By.ID, "run-entities").text,
            "bar": d.find_element(By.CSS_SELECTOR, "[role=progressbar]").get_attribute("aria-valuenow"),
            "live": d.find_element(By.CSS_SELECTOR, "[aria-live=polite]").get_attribute("id"),
        }

    seen = wait_until(browser, running, 120, "the page never showed the run reading records")
    assert seen["phase"].startswith("Reading ") and "Waiting for a worker" not in seen["phase"]
    assert seen["rate"].endswith("records/s") and seen["elapsed"] != "—" and seen["eta"] == "unknown"
    assert "unknown" in seen["entities"] and seen["bar"] is not None and seen["live"] == "run-announce"
    screenshot(browser, "progress-running")

    done = wait_until(browser, finished_run, 240, "the run never ended")
    assert done["status"] == "Succeeded", done
    run = SyncRun.objects.get(integration=integration)
    read_total = sum(e.read for e in run.entities.all())
    records = read(browser, lambda d: d.find_element(By.ID, "run-records").text)
    assert (
        records.startswith(f"{read_total:,} ")
        and read(browser, lambda d: d.find_element(By.ID, "run-phase").text) == ""
    )
    table = read(browser, lambda d: d.find_element(By.ID, "run-entities").text)
    assert "Running" not in table and "Pending" not in table
    assert not run.entities.filter(status__in=SyncRunEntity.UNFINISHED).exists()
    assert read(browser, lambda d: d.find_element(By.ID, "run-progressbar").get_attribute("aria-valuenow")) == "100"
    screenshot(browser, "progress-done")


def test_the_run_history_turns_final_without_a_reload(browser, live_server, live_worker, magento, admin_user):
    sim = magento(customers=30, orders=100, mode="native", extra=("--latency", "30"))
    integration = magento_integration("Watched store", url=sim.wsdl_url)

    log_in(browser, live_server)
    browser.get(f"{live_server.url}/admin/integrations/integration/{integration.pk}/change/")
    click(browser, By.ID, "schedule-sync")
    wait_text(browser, "A sync job has been added to the queue")
    browser.execute_script("window.stillTheSamePage = true;")

    def history_status(d) -> str:
        return d.find_element(By.CSS_SELECTOR, "#run-history tbody tr .oroint-badge").text

    wait_until(browser, lambda d: history_status(d) == "Running", 120, "the history never showed the run running")
    final = wait_until(
        browser, lambda d: (s := history_status(d)) not in ("Queued", "Running") and s, 240, "it never ended"
    )
    assert final == "Succeeded"
    assert browser.execute_script("return window.stillTheSamePage === true;"), "the page was reloaded"
    assert read(browser, lambda d: d.find_element(By.ID, "run-history").get_attribute("data-active")) == "0"


def test_a_quarantined_record_retried_from_its_page(browser, live_server, live_worker, magento, admin_user):
    sim = magento(customers=30, orders=40, extra=("--malformed", "3"))
    integration = magento_integration("Malformed store", url=sim.wsdl_url)
    run = sync_execute(run_id=SyncRun.objects.create(integration=integration).pk)
    named = [r for r in QuarantinedRecord.objects.filter(run=run) if r.remote_id and r.label not in ("", r.remote_id)]
    assert named, "a quarantined record is named by its business key, not its remote id"
    record = named[0]

    log_in(browser, live_server)
    browser.get(f"{live_server.url}/admin/integrations/syncrun/{run.pk}/change/")
    errors = read(browser, lambda d: d.find_element(By.ID, "run-errors").text)
    assert record.label in errors and "RETRY" in errors.upper()
    click(browser, By.CSS_SELECTOR, f"#quarantined-{record.pk} a")
    wait_text(browser, "The record as the store sent it")
    assert read(browser, lambda d: d.find_element(By.ID, "payload").get_attribute("open")) is None  # folded
    assert "Never retried." in read(browser, lambda d: d.find_element(By.ID, "last-retry").text)

    click(browser, By.ID, "retry-record")
    wait_text(browser, "queued; its outcome shows here")

    def outcome(d) -> str | None:
        text = d.find_element(By.ID, "last-retry").text
        if text.startswith("Queued"):
            d.refresh()  # the worker's outcome is written after this page was drawn
            return None
        return text

    text = wait_until(browser, outcome, 120, "the retry's outcome never showed")
    assert text.startswith(("Imported", "Failed again: ")), text
    click(browser, By.CSS_SELECTOR, "#payload summary")
    assert read(browser, lambda d: d.find_element(By.ID, "payload").get_attribute("open")) == "true"
    screenshot(browser, "quarantine")
