"""In headless Chromium at 1440x900: the order and customer lists with their key columns in view, a date
range applied, the totals shown, the CSV export read, and the customer and order pages."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import requests
from selenium.webdriver.common.by import By

from channels.models import Customer, OrderAddress, OrderItem
from tests.browser.helpers import click, fits_viewport, log_in, read, screenshot, wait_text, wait_until
from tests.channels.shops import JAN_1, Shop, fill_order_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CELLS = "#result_list thead th, #result_list tbody td"
DAY = datetime.timedelta(days=1)


def listed(driver, column: str) -> list[str]:
    return [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, f"#result_list tbody .field-{column}")]


def shops() -> dict:
    """Two channels with long names and emails, orders over a week in EUR and USD, one configurable product."""
    ann, bob = Shop("Ann's very well known tea and coffee shop"), Shop("Bob's shop")
    alice = ann.customer("alice.pleasance.liddell@wonderland-tea-merchants.example", "Alice Pleasance", "Liddell")
    guest = ann.customer("mad.hatter@tea-party.example", "Mad", "Hatter", is_guest=True)
    orders = []
    for n in range(12):
        shop, customer = (ann, alice) if n % 3 else (bob, None)
        orders.append(
            shop.order(
                f"1000001{n:02d}",
                customer if n % 2 else guest if shop is ann else None,
                remote_created_at=JAN_1 + n * DAY,
                grand_total=Decimal("1234.5") + n,
                currency="EUR" if n % 2 else "USD",
                status=("pending", "processing", "holded", "complete")[n % 4],
                payment_method="checkmo",
                shipping_method="flatrate_flatrate",
                shipping_amount=Decimal("5"),
            )
        )
    Customer.objects.filter(pk=alice.pk).update(
        order_count=8,
        lifetime_value=Decimal("9876543.21"),
        lifetime_currency="EUR",
        first_order_at=JAN_1,
        last_order_at=JAN_1 + 11 * DAY,
    )
    order = orders[1]
    OrderItem.objects.create(
        order=order, remote_id=1, sku="msj006-M", name="Plaid Cotton Shirt", product_type="configurable",
        qty=Decimal("2.0000"), price=Decimal("45.0000"), row_total=Decimal("90.0000"),
    )  # fmt: skip
    OrderItem.objects.create(
        order=order, remote_id=2, sku="msj006-M", name="Plaid Cotton Shirt-M", product_type="simple",
        qty=Decimal("2.0000"), price=Decimal("0.0000"), row_total=Decimal("0.0000"),
    )  # fmt: skip
    for kind in ("billing", "shipping"):
        OrderAddress.objects.create(
            order=order, address_type=kind, first_name="Alice", last_name="Liddell", street="1 Rabbit Hole",
            city="Oxford", postal_code="OX1 1AA", country_code="GB",
        )  # fmt: skip
    OrderAddress.objects.create(order=orders[2], address_type="billing", street="7 Teapot Lane", city="Leeds")
    fill_order_days()
    return {"ann": ann, "alice": alice, "guest": guest, "order": order}


def test_daily_pages_at_1440(browser, live_server, admin_user):
    data = shops()
    log_in(browser, live_server)

    # The order list: every key column in view, the totals per currency above it.
    browser.get(f"{live_server.url}/admin/channels/order/")
    wait_until(browser, lambda d: len(listed(d, "number")) == 12, message="the orders were never listed")
    assert fits_viewport(browser, CELLS) == []
    totals = read(browser, lambda d: d.find_element(By.ID, "list-totals").text)
    assert totals.startswith("Total of 12 orders: ") and " EUR" in totals and " USD" in totals
    assert "On hold" in listed(browser, "status_words")
    screenshot(browser, "orders-list")

    # A custom date range: the 3rd to the 6th of January.
    browser.find_element(By.NAME, "remote_created_at__range__gte").send_keys("2024-01-03")
    browser.find_element(By.NAME, "remote_created_at__range__lte").send_keys("2024-01-06")
    click(browser, By.CSS_SELECTOR, "#order-date-form input[type=submit]")
    wait_until(
        browser,
        lambda d: sorted(listed(d, "number")) == ["100000102", "100000103", "100000104", "100000105"],
        message="the date range never applied",
    )
    totals = read(browser, lambda d: d.find_element(By.ID, "list-totals").text)
    assert totals == "Total of 4 orders: 2,477.00 EUR · 2,475.00 USD"  # from OrderDay, in the page

    # A status too: the totals are then a SUM over the orders, fetched by the page once it is shown.
    click(browser, By.LINK_TEXT, "On hold")
    wait_until(
        browser,
        lambda d: d.find_element(By.ID, "list-totals").text == "Total of 1 order: 1,236.50 USD",
        message="the fetched totals never came",
    )
    browser.back()
    wait_until(browser, lambda d: len(listed(d, "number")) == 4, message="the date range was lost")

    # The CSV export of that filtered list, read with the browser's session.
    href = read(browser, lambda d: d.find_element(By.ID, "export-csv").get_attribute("href"))
    session = {"sessionid": browser.get_cookie("sessionid")["value"]}
    response = requests.get(href, cookies=session, timeout=30)
    rows = list(csv.reader(io.StringIO(response.text)))
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert sorted(row[0] for row in rows[1:]) == ["100000102", "100000103", "100000104", "100000105"]

    # The customer list, sorted by lifetime value.
    browser.get(f"{live_server.url}/admin/channels/customer/")
    wait_until(browser, lambda d: len(listed(d, "email")) == 2, message="the customers were never listed")
    click(browser, By.CSS_SELECTOR, "th.column-lifetime .text a")
    wait_until(browser, lambda d: "o=" in d.current_url, message="the sort never applied")
    click(browser, By.CSS_SELECTOR, "th.column-lifetime .text a")  # again: biggest first
    wait_until(
        browser, lambda d: listed(d, "lifetime")[:1] == ["9,876,543.21 EUR"], message="never sorted by lifetime value"
    )
    assert fits_viewport(browser, CELLS) == []
    screenshot(browser, "customers-list")

    # The customer's page: figures first, its orders, sync details folded at the end.
    browser.get(f"{live_server.url}/admin/channels/customer/{data['alice'].pk}/change/")
    wait_text(browser, "Average order")
    figures = read(browser, lambda d: d.find_element(By.ID, "customer-figures").text)
    assert "9,876,543.21 EUR" in figures and "1,234,567.90 EUR" in figures and "2024-01-12 09:00 UTC" in figures
    assert "addresss" not in browser.page_source.lower()
    screenshot(browser, "customer-page")

    # A guest's page has the addresses of its orders.
    browser.get(f"{live_server.url}/admin/channels/customer/{data['guest'].pk}/change/")
    wait_text(browser, "7 Teapot Lane")

    # The order's page: the configurable shirt once, totals, addresses, payment in words.
    settings = data["ann"].integration.settings
    settings.admin_url = "https://shop.example/index.php/admin"
    settings.save()
    browser.get(f"{live_server.url}/admin/channels/order/{data['order'].pk}/change/")
    wait_text(browser, "Check / Money order")
    items = read(browser, lambda d: d.find_element(By.ID, "section-items").text)
    assert items.count("msj006-M") == 1 and "Plaid Cotton Shirt-M" in items and "Shipping (Flat rate)" in items
    assert "1 Rabbit Hole" in read(browser, lambda d: d.find_element(By.ID, "section-addresses").text)
    link = read(browser, lambda d: d.find_element(By.ID, "store-admin-link").get_attribute("href"))
    assert link.endswith(f"/sales_order/view/order_id/{data['order'].remote_id}/")
    assert fits_viewport(browser, "#section-items th, #section-items td") == []
    screenshot(browser, "order-page")
