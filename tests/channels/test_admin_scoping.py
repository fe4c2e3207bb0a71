"""A staff user sees only the records of channels they may view, on every new page; menus show only what
some channel they can see syncs."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels.models import Account, CartItem, Contact, CreditMemoItem, OrderNote, Region
from integrations import permissions
from tests.channels.shops import Shop

pytestmark = pytest.mark.django_db

MODELS = ["cart", "creditmemo", "newslettersubscriber", "region", "account", "contact", "customer", "order"]


def url(name: str, *args) -> str:
    return reverse(f"admin:channels_{name}", args=args)


class Records:
    """One of everything in a shop, linked to an account and contact of its own."""

    def __init__(self, shop: Shop, tag: str) -> None:
        self.account = Account.objects.create(name=f"{tag} account")
        self.contact = Contact.objects.create(
            account=self.account, first_name=tag, email=f"{tag}@example.test", match_key=tag
        )
        self.customer = shop.customer(f"{tag}@example.test", tag, "Customer")
        self.customer.account, self.customer.contact = self.account, self.contact
        self.customer.save()
        self.order = shop.order(f"{tag}-order", self.customer)
        OrderNote.objects.create(order=self.order, remote_id="1", message=f"{tag} note")
        self.cart = shop.cart(f"{tag}-cart", self.customer)
        CartItem.objects.create(cart=self.cart, remote_id="1", sku=f"{tag}-SKU", qty=Decimal(1))
        self.memo = shop.memo(f"{tag}-memo", self.order)
        CreditMemoItem.objects.create(memo=self.memo, remote_id="1", sku=f"{tag}-MEMO-SKU")
        self.subscriber = shop.subscriber(f"{tag}-news@example.test", self.customer)
        self.region = Region.objects.create(
            integration=shop.integration, remote_id="1", country_code="US", name=f"{tag} region"
        )

    def pages(self) -> dict[str, object]:
        return {
            "cart": self.cart,
            "creditmemo": self.memo,
            "newslettersubscriber": self.subscriber,
            "region": self.region,
            "account": self.account,
            "contact": self.contact,
        }


@pytest.fixture
def shops():
    ann, bob = Shop("Ann's shop"), Shop("Bob's shop")
    return ann, bob, Records(ann, "ann"), Records(bob, "bob")


@pytest.fixture
def ann(client, shops) -> User:
    """A staff user with every model's view permission, and the object permission on Ann's shop only."""
    user = User.objects.create_user("ann", password="x", is_staff=True)
    codenames = [f"view_{m}" for m in MODELS]
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="channels", codename__in=codenames))
    permissions.grant(user, shops[0].integration, actions=("view",))
    client.force_login(user)
    return user


@pytest.mark.parametrize("name", ["cart", "creditmemo", "newslettersubscriber", "region", "account", "contact"])
def test_lists_hold_only_the_records_of_visible_channels(client, ann, shops, name):
    _, _, mine, theirs = shops

    response = client.get(url(f"{name}_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [mine.pages()[name]]
    assert str(theirs.pages()[name]) not in response.content.decode()


@pytest.mark.parametrize("name", ["cart", "creditmemo", "newslettersubscriber", "region", "account", "contact"])
def test_pages_of_another_channels_records_answer_as_missing(client, ann, shops, name):
    _, _, mine, theirs = shops

    assert client.get(url(f"{name}_change", mine.pages()[name].pk)).status_code == 200
    response = client.get(url(f"{name}_change", theirs.pages()[name].pk))
    assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))


def test_an_account_page_shows_only_the_customers_and_orders_of_visible_channels(client, ann, shops):
    _, _, mine, theirs = shops
    theirs.customer.account, theirs.customer.contact = mine.account, mine.contact  # the same person in both shops
    theirs.customer.save()

    for page in (url("account_change", mine.account.pk), url("contact_change", mine.contact.pk)):
        text = client.get(page).content.decode()
        assert "ann-order" in text and url("customer_change", mine.customer.pk) in text
        assert "bob-order" not in text and url("customer_change", theirs.customer.pk) not in text


def test_a_customer_page_shows_only_its_own_channels_sections(client, ann, shops):
    _, _, mine, _ = shops
    text = client.get(url("customer_change", mine.customer.pk)).content.decode()
    assert "ann-memo" in text and "ann note" in text and "ann-cart" in text
    assert "bob" not in text


def test_whoever_sees_every_channel_sees_every_account_even_one_left_by_a_deleted_channel(admin_client, shops):
    orphan = Account.objects.create(name="Left behind")

    listed = admin_client.get(url("account_changelist")).context["cl"].result_list
    assert {a.name for a in listed} == {"ann account", "bob account", orphan.name}


# Entity selection: menus and sections


def index_models(client) -> set[str]:
    response = client.get(reverse("admin:index"))
    return {m["object_name"].lower() for app in response.context["app_list"] for m in app["models"]}


def test_menus_show_only_the_entities_some_visible_channel_syncs(client, ann, shops):
    ann_shop, bob_shop, _, _ = shops
    bob_shop.channel.entities = ["customers", "carts", "orders", "credit_memos", "newsletter_subscribers"]
    bob_shop.channel.save()
    ann_shop.channel.entities = ["customers", "orders"]
    ann_shop.channel.save()

    shown = index_models(client)

    assert {"customer", "order"} <= shown
    assert not {"cart", "creditmemo", "newslettersubscriber"} & shown  # Bob's shop syncs them, Ann cannot see it
    # The app page and the side menu are built the same way.
    app_page = client.get(reverse("admin:app_list", args=["channels"])).content.decode()
    assert url("order_changelist") in app_page and url("cart_changelist") not in app_page


def test_an_empty_selection_is_every_entity_the_type_offers(client, ann, shops):
    assert {"customer", "order", "cart", "creditmemo", "newslettersubscriber"} <= index_models(client)


def test_a_channel_that_leaves_carts_out_loses_the_cart_section_on_its_customers(client, ann, shops):
    ann_shop, _, mine, _ = shops
    ann_shop.channel.entities = ["customers", "orders", "newsletter_subscribers"]
    ann_shop.channel.save()

    text = client.get(url("customer_change", mine.customer.pk)).content.decode()

    assert "ann-cart" not in text and "ann-memo" not in text
    assert "ann-order" in text and "ann-news@example.test" in text
    assert "ann-memo" not in client.get(url("order_change", mine.order.pk)).content.decode()


def test_the_menu_costs_the_same_however_many_channels(client, ann, admin_client, admin_user):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse("admin:index")).status_code == 200
        return len(captured)

    few = queries()
    for n in range(8):
        Shop(f"Shop {n}")
    assert queries() == few


@pytest.mark.parametrize("name", ["cart", "creditmemo", "newslettersubscriber", "account", "contact"])
def test_list_query_count_does_not_grow_with_rows(admin_client, shops, name):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url(f"{name}_changelist")).status_code == 200
        return len(captured)

    queries()  # the status filter's choices are read once, then kept a few minutes
    few = queries()
    for n in range(10):
        Records(Shop(f"Shop {n}"), f"more{n}")
    assert queries() == few
