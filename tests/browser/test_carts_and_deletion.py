"""In headless Chromium: filter carts, mark one lost; delete a channel and watch it go."""

from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By

from channels.models import Cart, CartItem, Channel, Order
from tests.browser.helpers import click, log_in, read, wait_text, wait_until
from tests.channels.shops import Shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def listed_carts(driver) -> set[str]:
    return {cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#result_list .field-cart_id")}


def test_filter_carts_open_one_and_mark_it_lost(browser, live_server, admin_user):
    shop = Shop("Ann's shop")
    alice = shop.customer("alice@example.test", "Alice", "Liddell")
    open_cart = shop.cart("501", alice, items_qty=Decimal(2))
    CartItem.objects.create(cart=open_cart, remote_id="1", sku="TEA-SET", name="Tea set", qty=Decimal(2))
    shop.cart("502", status=Cart.Status.PURCHASED)
    log_in(browser, live_server)

    browser.get(f"{live_server.url}/admin/channels/cart/")
    wait_until(browser, lambda d: listed_carts(d) == {"501", "502"}, message="both carts never listed")
    click(browser, By.LINK_TEXT, "Open")
    wait_until(browser, lambda d: listed_carts(d) == {"501"}, message="the status filter never applied")

    click(browser, By.LINK_TEXT, "501")
    wait_text(browser, "TEA-SET")
    click(browser, By.ID, "mark-lost")
    wait_text(browser, "Cart 501 marked as lost.")
    status = read(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".field-status").text)
    assert "Lost" in status and "admin" in status
    assert not browser.find_elements(By.ID, "mark-lost")
    open_cart.refresh_from_db()
    assert (open_cart.status, open_cart.status_set_by) == (Cart.Status.LOST, "admin")


def test_delete_a_channel_and_see_it_go(browser, live_server, live_worker, admin_user):
    doomed = Shop("Doomed shop")
    Shop("Kept shop")
    for n in range(300):
        doomed.order(f"7{n:08d}")
    log_in(browser, live_server)

    browser.get(f"{live_server.url}/admin/channels/channel/{doomed.channel.pk}/delete/")
    wait_text(browser, "Orders: 300")
    click(browser, By.CSS_SELECTOR, "form input[type=submit]")
    wait_text(browser, "is being deleted in the background")

    def gone(driver) -> bool:
        driver.get(f"{live_server.url}/admin/channels/channel/")
        wait_text(driver, "Kept shop")
        return "Doomed shop" not in driver.find_element(By.ID, "result_list").text

    wait_until(browser, gone, 120, "the channel never went")
    assert not Channel.objects.filter(name="Doomed shop").exists() and not Order.objects.exists()
