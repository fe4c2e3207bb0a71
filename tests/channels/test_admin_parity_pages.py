"""Admin pages of carts, credit memos, newsletter subscribers, order notes, accounts, contacts and regions."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from channels.models import (
    Account,
    Cart,
    CartAddress,
    CartItem,
    Contact,
    CreditMemoComment,
    CreditMemoItem,
    OrderNote,
    Region,
)
from integrations import permissions
from tests.channels.shops import JAN_1, Shop

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"admin:channels_{name}", args=args)


def listed(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.fixture
def shop() -> Shop:
    return Shop("Ann's shop")


@pytest.fixture
def alice(shop):
    return shop.customer("alice@example.test", "Alice", "Liddell")


@pytest.fixture
def alice_cart(shop, alice) -> Cart:
    cart = shop.cart(
        "501",
        alice,
        items_qty=Decimal(3),
        payment_method="checkmo",
        payment_details={"method": "checkmo", "po_number": "PO-CART-9"},
        subtotal=Decimal("19.9000"),
    )
    CartItem.objects.create(cart=cart, remote_id="1", sku="TEA-SET", name="Tea set", qty=Decimal(2))
    CartItem.objects.create(cart=cart, remote_id="2", sku="OLD-CUP", name="Old cup", qty=Decimal(1), is_removed=True)
    CartAddress.objects.create(cart=cart, address_type="shipping", street="7 Looking-Glass Lane", city="Oxford")
    return cart


# Carts


def test_cart_list_shows_id_customer_status_quantity_total_and_channel(admin_client, alice_cart, shop):
    shop.cart("502", None, email="guest@example.test", status=Cart.Status.PURCHASED)
    Shop("Bob's shop").cart("601")  # a filter by channel is offered once two channels have carts

    page = admin_client.get(url("cart_changelist")).content.decode()

    for text in ("501", "502", "Alice Liddell", "guest@example.test", "Purchased", "19.90 EUR", "Ann&#x27;s shop"):
        assert text in page
    assert url("customer_change", alice_cart.customer_id) in page
    for filter_title in ("By status", "By channel", "By updated", "By removed in the store"):
        assert filter_title in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": "open"}, {"501"}),
        ({"status__exact": "lost"}, {"503"}),
        ({"q": "503"}, {"503"}),
        ({"q": "alice@exam"}, {"501"}),
        ({"remote_updated_at__gte": "2024-06-01 00:00:00+00:00"}, {"503"}),
    ],
)
def test_cart_filters_and_search(admin_client, shop, alice_cart, params, expected):
    shop.cart("503", email="bob@example.test", status=Cart.Status.LOST, remote_updated_at=JAN_1.replace(month=7))

    assert {c.remote_id for c in listed(admin_client.get(url("cart_changelist"), params))} == expected


def test_cart_page_shows_items_removed_ones_marked_addresses_payment_and_totals(admin_client, alice_cart):
    page = admin_client.get(url("cart_change", alice_cart.pk)).content.decode()

    for text in ("TEA-SET", "OLD-CUP", "Removed", "7 Looking-Glass Lane", "PO-CART-9", "19.9000", "Mark as lost"):
        assert text in page


def test_mark_as_lost_button_sets_status_who_and_when(admin_client, admin_user, alice_cart):
    response = admin_client.post(url("cart_mark_lost", alice_cart.pk))

    assert response.status_code == 302
    alice_cart.refresh_from_db()
    assert (alice_cart.status, alice_cart.status_set_by) == (Cart.Status.LOST, admin_user.username)
    assert alice_cart.status_changed_at is not None
    # A lost cart is no longer offered the button, and pressing it again changes nothing.
    assert "Mark as lost" not in admin_client.get(url("cart_change", alice_cart.pk)).content.decode()
    changed_at = alice_cart.status_changed_at
    admin_client.post(url("cart_mark_lost", alice_cart.pk))
    alice_cart.refresh_from_db()
    assert alice_cart.status_changed_at == changed_at


def test_mark_as_lost_action_changes_only_open_carts(admin_client, shop, alice_cart):
    purchased = shop.cart("502", status=Cart.Status.PURCHASED)

    response = admin_client.post(
        url("cart_changelist"), {"action": "mark_lost", "_selected_action": [alice_cart.pk, purchased.pk]}
    )

    assert response.status_code == 302
    alice_cart.refresh_from_db()
    purchased.refresh_from_db()
    assert (alice_cart.status, purchased.status) == (Cart.Status.LOST, Cart.Status.PURCHASED)
    assert purchased.status_set_by == ""


@pytest.fixture
def cart_viewer(client, shop) -> User:
    """A staff user who may view carts of the shop's integration, and change nothing."""
    user = User.objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_cart", "view_customer"]))
    permissions.grant(user, shop.integration, actions=("view",))
    client.force_login(user)
    return user


def test_a_viewer_cannot_mark_a_cart_lost(client, cart_viewer, alice_cart):
    assert "Mark as lost" not in client.get(url("cart_change", alice_cart.pk)).content.decode()
    assert client.post(url("cart_mark_lost", alice_cart.pk)).status_code == 403
    response = client.post(url("cart_changelist"), {"action": "mark_lost", "_selected_action": [alice_cart.pk]})
    assert response.status_code in (200, 302)  # the action is not offered: Django answers "no action"
    alice_cart.refresh_from_db()
    assert alice_cart.status == Cart.Status.OPEN


def test_whoever_may_change_the_integration_may_mark_its_carts_lost(client, cart_viewer, shop, alice_cart):
    permissions.grant(cart_viewer, shop.integration, actions=("change",))

    assert "Mark as lost" in client.get(url("cart_change", alice_cart.pk)).content.decode()
    assert client.post(url("cart_mark_lost", alice_cart.pk)).status_code == 302
    alice_cart.refresh_from_db()
    assert (alice_cart.status, alice_cart.status_set_by) == (Cart.Status.LOST, "viewer")


# Credit memos


@pytest.fixture
def alice_memo(shop, alice):
    order = shop.order("100000042", alice)
    memo = shop.memo("200000007", order)
    CreditMemoItem.objects.create(memo=memo, remote_id="1", sku="TEA-SET", name="Tea set", qty=Decimal(1))
    CreditMemoComment.objects.create(
        memo=memo, remote_id="1", comment="Refunded the chipped cup", remote_created_at=JAN_1
    )
    return memo


def test_memo_list_and_page(admin_client, alice_memo):
    page = admin_client.get(url("creditmemo_changelist")).content.decode()
    for text in ("200000007", "100000042", "Refunded", "12.00 EUR", "Ann&#x27;s shop", "By state"):
        assert text in page
    assert url("order_change", alice_memo.order_id) in page

    memo_page = admin_client.get(url("creditmemo_change", alice_memo.pk)).content.decode()
    assert "TEA-SET" in memo_page and "Refunded the chipped cup" in memo_page


def test_order_page_shows_its_credit_memos_and_notes_as_sanitised_html(admin_client, alice_memo):
    order = alice_memo.order
    OrderNote.objects.create(
        order=order, remote_id="1", message='<b>Shipped</b> <script>alert("x")</script>', remote_created_at=JAN_1
    )

    page = admin_client.get(url("order_change", order.pk)).content.decode()

    assert url("creditmemo_change", alice_memo.pk) in page
    assert "<b>Shipped</b>" in page  # rendered as HTML ...
    assert 'alert("x")' not in page and "<script>alert" not in page  # ... and never a script


def test_customer_page_shows_carts_memos_subscription_and_order_notes(admin_client, shop, alice, alice_memo):
    cart = shop.cart("777", alice)
    shop.subscriber("alice@example.test", alice, status="unsubscribed")
    OrderNote.objects.create(order=alice_memo.order, remote_id="1", message="<i>Gift wrapped</i>")

    page = admin_client.get(url("customer_change", alice.pk)).content.decode()

    assert url("cart_change", cart.pk) in page
    assert url("creditmemo_change", alice_memo.pk) in page
    assert "Unsubscribed" in page
    assert "<i>Gift wrapped</i>" in page


def test_customer_page_leaves_out_notes_when_the_connector_says_so(admin_client, monkeypatch, alice, alice_memo):
    OrderNote.objects.create(order=alice_memo.order, remote_id="1", message="Gift wrapped")
    connector = alice.integration.connector_class
    monkeypatch.setattr(connector, "notes_on_customer_pages", classmethod(lambda cls, integration: False))

    page = admin_client.get(url("customer_change", alice.pk)).content.decode()

    assert "Gift wrapped" not in page and "Notes of its orders" not in page


# Newsletter subscribers


def test_subscriber_list_filters_by_status_and_channel(admin_client, shop, alice):
    other = Shop("Bob's shop")
    shop.subscriber("alice@example.test", alice, change_status_at=JAN_1)
    shop.subscriber("gone@example.test", status="unsubscribed")
    other.subscriber("bob@example.test")

    page = admin_client.get(url("newslettersubscriber_changelist")).content.decode()
    assert "alice@example.test" in page and "Default Store View" in page and url("customer_change", alice.pk) in page
    by_status = admin_client.get(url("newslettersubscriber_changelist"), {"status__exact": "unsubscribed"})
    by_channel = admin_client.get(
        url("newslettersubscriber_changelist"), {"integration__channel__id__exact": other.channel.pk}
    )
    assert [s.email for s in listed(by_status)] == ["gone@example.test"]
    assert [s.email for s in listed(by_channel)] == ["bob@example.test"]


# Removed in the store


def test_a_record_removed_in_the_store_says_so_and_can_be_filtered(admin_client, shop, alice_cart):
    shop.cart("502")
    when = datetime.datetime(2024, 3, 4, 5, 6, tzinfo=datetime.UTC)
    Cart.objects.filter(pk=alice_cart.pk).update(removed_in_store_at=when)

    page = admin_client.get(url("cart_change", alice_cart.pk)).content.decode()
    removed = admin_client.get(url("cart_changelist"), {"removed_in_store": "yes"})
    kept = admin_client.get(url("cart_changelist"), {"removed_in_store": "no"})

    assert "Removed in the store on" in page and "2024" in page
    assert [c.remote_id for c in listed(removed)] == ["501"]
    assert [c.remote_id for c in listed(kept)] == ["502"]
    assert (
        "Removed in the store on"
        not in admin_client.get(url("customer_change", alice_cart.customer_id)).content.decode()
    )


# Accounts, contacts, regions


def test_account_page_shows_contacts_customers_across_channels_and_their_orders(admin_client, shop, alice):
    other = Shop("Bob's shop")
    account = Account.objects.create(name="Liddell family")
    contact = Contact.objects.create(account=account, first_name="Alice", email="alice@example.test", match_key="a")
    twin = other.customer("alice@example.test", "Alice", "Liddell")
    for customer in (alice, twin):
        customer.account, customer.contact = account, contact
        customer.save()
    order = other.order("900000001", twin)

    account_page = admin_client.get(url("account_change", account.pk)).content.decode()
    contact_page = admin_client.get(url("contact_change", contact.pk)).content.decode()

    for page in (account_page, contact_page):
        assert url("customer_change", alice.pk) in page and url("customer_change", twin.pk) in page
        assert "Ann&#x27;s shop" in page and "Bob&#x27;s shop" in page
        assert url("order_change", order.pk) in page and "900000001" in page
    assert url("contact_change", contact.pk) in account_page
    assert "Liddell family" in admin_client.get(url("account_changelist")).content.decode()
    assert "alice@example.test" in admin_client.get(url("contact_changelist")).content.decode()


def test_region_list_filters_by_country(admin_client, shop):
    Region.objects.create(integration=shop.integration, remote_id="12", country_code="US", code="CA", name="California")
    Region.objects.create(integration=shop.integration, remote_id="80", country_code="DE", code="BY", name="Bayern")

    page = admin_client.get(url("region_changelist")).content.decode()
    german = admin_client.get(url("region_changelist"), {"country_code": "DE"})

    assert "California" in page and "Bayern" in page and "Ann&#x27;s shop" in page
    assert [r.name for r in listed(german)] == ["Bayern"]


@pytest.mark.parametrize("name", ["cart", "creditmemo", "newslettersubscriber", "region", "account", "contact"])
def test_new_pages_are_read_only(admin_client, name):
    assert admin_client.get(url(f"{name}_add")).status_code == 403
