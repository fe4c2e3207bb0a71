"""In headless Chromium: import a products CSV with a bad row, see the error, skip it, fix it, see the products."""

import pytest
from selenium.webdriver.common.by import By

from channels.models import Product
from tests.browser.helpers import click, log_in, read, screenshot, wait_text, wait_until
from tests.channels.back_office import books

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD = """sku,name,status,unit,unit_precision,tax_code
BOOK-ALICE,Alice in Wonderland,enabled,item,0,books
BOOK-GLASS,Through the Looking-Glass,enabled,item,0,magazines
BOOK-SNARK,The Hunting of the Snark,enabled,item,0,
"""


def listed_skus(driver) -> set[str]:
    return {cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#result_list .field-sku")}


def upload(driver, live_server, path, *, skip_bad_rows: bool = False) -> None:
    """Open the products' Import page from the list and submit `path` there."""
    driver.get(f"{live_server.url}/admin/channels/product/")
    click(driver, By.CSS_SELECTOR, "a.import_link")
    wait_until(driver, lambda d: d.find_element(By.NAME, "import_file"), message="no file field")
    driver.find_element(By.NAME, "import_file").send_keys(str(path))
    if skip_bad_rows:
        driver.find_element(By.NAME, "skip_bad_rows").click()
    driver.find_element(By.CSS_SELECTOR, "form input[type=submit]").click()


def test_import_products_with_a_bad_row_skip_it_then_fix_it(browser, live_server, admin_user, tmp_path):
    books()
    bad = tmp_path / "products.csv"
    bad.write_text(BAD)
    log_in(browser, live_server)

    upload(browser, live_server, bad)
    wait_text(browser, "Some rows failed to validate")
    errors = read(browser, lambda d: d.find_element(By.CSS_SELECTOR, "table.import-preview").text)
    assert "tax_code" in errors and "No product tax code 'magazines'." in errors
    assert "Nothing of this file was written" in read(browser, lambda d: d.find_element(By.ID, "content").text)
    assert not browser.find_elements(By.NAME, "confirm")
    screenshot(browser, "import-errors")
    assert not Product.objects.exists()

    upload(browser, live_server, bad, skip_bad_rows=True)
    wait_text(browser, "1 row has errors and will be skipped")
    skipped = read(browser, lambda d: d.find_element(By.CSS_SELECTOR, "table.oroint-invalid-rows").text)
    assert "BOOK-GLASS" in skipped and "No product tax code 'magazines'." in skipped
    assert "2 new, 0 to update, 0 unchanged" in read(browser, lambda d: d.find_element(By.ID, "content").text)
    screenshot(browser, "import-skip-bad-rows")
    click(browser, By.NAME, "confirm")
    wait_text(browser, "Import finished: 2 new, 0 updated, 0 deleted and 0 skipped products.")
    wait_text(browser, "1 bad row skipped (row 2).")
    assert read(browser, listed_skus) == {"BOOK-ALICE", "BOOK-SNARK"}

    fixed = tmp_path / "products-fixed.csv"
    fixed.write_text(BAD.replace("magazines", "books"))
    upload(browser, live_server, fixed)
    wait_text(browser, "1 new, 0 to update, 2 unchanged (skipped).")
    click(browser, By.NAME, "confirm")
    wait_text(browser, "Import finished: 1 new, 0 updated, 0 deleted and 2 skipped products.")
    assert read(browser, listed_skus) == {"BOOK-ALICE", "BOOK-GLASS", "BOOK-SNARK"}
    assert Product.objects.get(sku="BOOK-GLASS").tax_code.code == "books"
