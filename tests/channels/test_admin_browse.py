"""The read-only admin for browsing synced channel records."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.models import Permission, User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels import selectors
from channels.admin.customers import CustomerAdmin
from channels.admin.orders import OrderAdmin
from channels.admin.pagination import EstimatedCountPaginator
from channels.models import (
    Customer,
    CustomerAddress,
    Order,
    OrderAddress,
    OrderItem,
    Website,
)
from tests.channels.shops import JAN_1, Shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann_shop() -> Shop:
    return Shop("Ann's shop")


@pytest.fixture
def bob_shop() -> Shop:
    return Shop("Bob's shop")


@pytest.fixture
def alice(ann_shop) -> Customer:
    alice = ann_shop.customer("alice@example.test", "Alice", "Liddell")
    CustomerAddress.objects.create(
        customer=alice, remote_id=1, street="1 Rabbit Hole", city="Oxford", country_code="GB"
    )
    return alice


@pytest.fixture
def alice_order(ann_shop, alice) -> Order:
    order = ann_shop.order(
        "100000042",
        alice,
        status="complete",
        payment_method="checkmo",
        payment_details={"method": "checkmo", "po_number": "PO-77"},
    )
    OrderItem.objects.create(
        order=order,
        remote_id=1,
        sku="TEA-SET",
        name="Mad Hatter tea set",
        qty=Decimal(2),
        price=Decimal("20.0000"),
        discount_amount=Decimal("1.5000"),
        tax_amount=Decimal("4.0000"),
        row_total=Decimal("40.0000"),
    )
    for address_type, street in (("billing", "1 Rabbit Hole"), ("shipping", "7 Looking-Glass Lane")):
        OrderAddress.objects.create(
            order=order, address_type=address_type, first_name="Alice", street=street, city="Oxford"
        )
    return order


@pytest.fixture
def viewer(client) -> User:
    """A staff user who may view the channels pages and every integration, and change nothing.

    No permission on addresses or order items: they are seen as part of their customer or order.
    """
    user = User.objects.create_user("viewer", password="x", is_staff=True)
    models = ["channel", "customer", "order", "website", "store", "customergroup"]
    view_perms = Permission.objects.filter(
        content_type__app_label="channels", codename__in=[f"view_{m}" for m in models]
    )
    user.user_permissions.set(
        [*view_perms, Permission.objects.get(content_type__app_label="integrations", codename="view_integration")]
    )
    client.force_login(user)
    return user


def url(name: str, *args) -> str:
    return reverse(f"admin:channels_{name}", args=args)


# Change lists


def test_customer_changelist_shows_filters_and_columns(admin_client, bob_shop, alice, alice_order):
    bob_shop.customer("carol@example.test")  # a filter by channel is offered once two channels have customers
    page = admin_client.get(url("customer_changelist")).content.decode()

    for filter_title in ("By channel", "By website", "By group", "By is guest", "By created", "By last order"):
        assert filter_title in page
    assert "alice@example.test" in page
    assert "Alice Liddell" in page
    assert "Ann&#x27;s shop / Main" in page  # website choices name their channel


def test_customer_search_by_email_finds_the_customer(admin_client, ann_shop, alice):
    ann_shop.customer("bob@example.test", "Bob", "Builder")

    page = admin_client.get(url("customer_changelist"), {"q": "alice@example"}).content.decode()

    assert "alice@example.test" in page
    assert "bob@example.test" not in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"is_guest__exact": "1"}, {"guest@example.test"}),
        ({"is_guest__exact": "0"}, {"alice@example.test", "carol@example.test"}),
        ({"remote_created_at__range__gte": "2024-06-01"}, {"carol@example.test"}),
        ({"remote_created_at__range__lte": "2024-01-01"}, {"alice@example.test", "guest@example.test"}),
    ],
)
def test_customer_filters_narrow_the_list(admin_client, ann_shop, bob_shop, alice, params, expected):
    ann_shop.customer("guest@example.test", is_guest=True)
    bob_shop.customer("carol@example.test", remote_created_at=JAN_1.replace(month=7))

    response = admin_client.get(url("customer_changelist"), params)

    listed = {c.email for c in response.context["cl"].result_list}
    assert listed == expected


def test_customer_filter_by_channel_and_website(admin_client, ann_shop, bob_shop, alice):
    bob_shop.customer("carol@example.test")

    by_channel = admin_client.get(url("customer_changelist"), {"integration__channel__id__exact": bob_shop.channel.pk})
    by_website = admin_client.get(url("customer_changelist"), {"website__id__exact": ann_shop.website.pk})

    assert [c.email for c in by_channel.context["cl"].result_list] == ["carol@example.test"]
    assert [c.email for c in by_website.context["cl"].result_list] == ["alice@example.test"]


def test_customer_changelist_shows_the_customers_figures(admin_client, ann_shop, alice):
    Customer.objects.filter(pk=alice.pk).update(
        order_count=1234, lifetime_value=Decimal("10500.5"), lifetime_currency="EUR", last_order_at=JAN_1
    )

    page = admin_client.get(url("customer_changelist")).content.decode()

    assert "1,234" in page and "10,500.50 EUR" in page and "2024-01-01 09:00 UTC" in page


def test_order_changelist_shows_filters_and_columns(admin_client, bob_shop, alice_order):
    bob_shop.order("200000001")  # a filter by channel is offered once two channels have orders
    page = admin_client.get(url("order_changelist")).content.decode()

    for filter_title in ("By channel", "By website", "By status", "By is guest", "By order date"):
        assert filter_title in page
    assert "100000042" in page
    assert "42.50 EUR" in page
    assert "2024-01-01 09:00 UTC" in page
    assert url("customer_change", alice_order.customer_id) in page


def test_order_search_by_increment_id_finds_the_order(admin_client, ann_shop, alice_order):
    ann_shop.order("100000099")

    response = admin_client.get(url("order_changelist"), {"q": "100000042"})

    assert [o.increment_id for o in response.context["cl"].result_list] == ["100000042"]


def test_order_search_by_customer_email_and_name(admin_client, ann_shop, alice_order):
    ann_shop.order("100000099")

    by_email = admin_client.get(url("order_changelist"), {"q": "alice@example"})
    by_name = admin_client.get(url("order_changelist"), {"q": "Liddell"})

    assert [o.increment_id for o in by_email.context["cl"].result_list] == ["100000042"]
    assert [o.increment_id for o in by_name.context["cl"].result_list] == ["100000042"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": "complete"}, {"100000042"}),
        ({"is_guest__exact": "1"}, {"200000001"}),
        ({"remote_created_at__gte": "2024-06-01 00:00:00+00:00"}, {"200000001"}),
    ],
)
def test_order_filters_narrow_the_list(admin_client, bob_shop, alice_order, params, expected):
    bob_shop.order("200000001", is_guest=True, status="pending", remote_created_at=JAN_1.replace(month=7))

    response = admin_client.get(url("order_changelist"), params)

    assert {o.increment_id for o in response.context["cl"].result_list} == expected


def test_order_filter_by_channel(admin_client, bob_shop, alice_order):
    bob_shop.order("200000001")

    response = admin_client.get(url("order_changelist"), {"integration__channel__id__exact": bob_shop.channel.pk})

    assert [o.increment_id for o in response.context["cl"].result_list] == ["200000001"]


# Record pages


def test_order_page_shows_items_addresses_totals_and_payment(admin_client, alice_order):
    response = admin_client.get(url("order_change", alice_order.pk))

    assert response.status_code == 200
    page = response.content.decode()
    for text in ("TEA-SET", "Mad Hatter tea set", "1 Rabbit Hole", "7 Looking-Glass Lane", "Billing", "Shipping"):
        assert text in page
    assert "PO-77" in page
    assert "checkmo" in page
    assert "Save" not in page  # read-only: no submit row


def test_customer_page_shows_addresses_and_orders(admin_client, alice, alice_order):
    response = admin_client.get(url("customer_change", alice.pk))

    page = response.content.decode()
    assert "1 Rabbit Hole" in page
    assert f'href="{url("order_change", alice_order.pk)}"' in page
    assert "100000042" in page
    assert f"{url('order_changelist')}?customer__id__exact={alice.pk}" in page


def test_customer_page_lists_only_the_latest_50_orders(admin_client, ann_shop, alice):
    for n in range(55):
        ann_shop.order(f"3000{n:05d}", alice, remote_created_at=JAN_1 + datetime.timedelta(days=n))

    response = admin_client.get(url("customer_change", alice.pk))

    page = response.content.decode()
    assert "Showing the latest 50 of 55 orders." in page
    assert "300000054" in page  # newest
    assert "300000004" not in page  # fifth oldest, beyond the latest 50


def test_all_orders_link_lists_the_customers_orders(admin_client, ann_shop, alice, alice_order):
    ann_shop.order("100000099")

    response = admin_client.get(url("order_changelist"), {"customer__id__exact": alice.pk})

    assert [o.increment_id for o in response.context["cl"].result_list] == ["100000042"]


def test_record_pages_show_every_model_field():
    # An order's amounts are on its page's Items section, with the currency, and a customer's figures in
    # its Figures section; every other field is in the fieldsets.
    in_sections = {
        Order: {"currency", "subtotal", "shipping_amount", "shipping_method", "discount_amount", "tax_amount"}
        | {"grand_total", "total_paid", "total_invoiced", "total_refunded", "total_canceled"},
        Customer: {"order_count", "lifetime_value", "lifetime_currency", "first_order_at", "last_order_at"},
    }
    for model_admin, model in ((CustomerAdmin, Customer), (OrderAdmin, Order)):
        fields = flatten_fieldsets(model_admin.fieldsets)
        shown = {name.removesuffix("_display").removesuffix("_words") for name in fields}
        assert {f.name for f in model._meta.concrete_fields} - {"id"} - in_sections[model] <= shown


def test_website_store_and_group_lists_name_their_channel(admin_client, ann_shop, bob_shop):
    for name, text in (("website", "base"), ("store", "default"), ("customergroup", "General")):
        page = admin_client.get(url(f"{name}_changelist")).content.decode()
        assert text in page
        assert "Ann&#x27;s shop" in page
        assert "Bob&#x27;s shop" in page


# Nothing synced can be added, changed or deleted


@pytest.mark.parametrize("name", ["customer", "order", "website", "store", "customergroup", "channel"])
def test_add_is_forbidden(admin_client, name):
    assert admin_client.get(url(f"{name}_add")).status_code == 403


def test_synced_records_cannot_be_changed_or_deleted(admin_client, alice, alice_order):
    records = [("customer", alice), ("order", alice_order), ("website", alice.website), ("store", alice.store)]
    for name, record in records:
        assert admin_client.post(url(f"{name}_change", record.pk), {"email": "x@example.test"}).status_code == 403
        assert admin_client.post(url(f"{name}_delete", record.pk), {"post": "yes"}).status_code == 403
    alice.refresh_from_db()
    assert alice.email == "alice@example.test"
    assert Order.objects.filter(pk=alice_order.pk).exists()


def test_changelists_offer_no_actions(admin_client, alice_order):
    response = admin_client.get(url("order_changelist"))

    assert response.context["action_form"] is None


# Channels


def test_channel_list_links_to_its_integration(admin_client, ann_shop):
    page = admin_client.get(url("channel_changelist")).content.decode()

    assert "Ann&#x27;s shop" in page
    assert reverse("admin:integrations_integration_change", args=[ann_shop.integration.pk]) in page


def test_channel_name_active_and_owner_are_editable(admin_client, admin_user, ann_shop):
    response = admin_client.post(
        url("channel_change", ann_shop.channel.pk),
        {"name": "Ann's renamed shop", "is_active": "", "owner": admin_user.pk, "entities": ["customers", "orders"]},
    )

    assert response.status_code == 302
    ann_shop.channel.refresh_from_db()
    assert (ann_shop.channel.name, ann_shop.channel.is_active, ann_shop.channel.owner) == (
        "Ann's renamed shop",
        False,
        admin_user,
    )
    assert ann_shop.channel.entities == ["customers", "orders"]


def test_deleting_a_channel_needs_the_delete_permission_on_its_integration(client, admin_client, ann_shop):
    staff = User.objects.create_user("staff", password="x", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="channels"))
    client.force_login(staff)

    assert client.get(url("channel_delete", ann_shop.channel.pk)).status_code == 403
    assert admin_client.get(url("channel_delete", ann_shop.channel.pk)).status_code == 200


# A staff user with view permissions only


def test_view_only_staff_browses_everything(client, viewer, alice, alice_order):
    pages = [
        url("customer_changelist"),
        url("order_changelist"),
        url("website_changelist"),
        url("store_changelist"),
        url("customergroup_changelist"),
        url("channel_changelist"),
        url("channel_change", alice.integration.channel_id),
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page

    order_page = client.get(url("order_change", alice_order.pk)).content.decode()
    customer_page = client.get(url("customer_change", alice.pk)).content.decode()
    assert "TEA-SET" in order_page
    assert "7 Looking-Glass Lane" in order_page
    assert "1 Rabbit Hole" in customer_page
    assert "100000042" in customer_page
    assert client.get(url("order_add")).status_code == 403


# Cost on big tables


def changelist_queries(client, name: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(f"{name}_changelist")).status_code == 200
    return len(queries)


def add_customers_with_orders(shop: Shop, count: int) -> None:
    for n in range(count):
        customer = shop.customer(f"customer{n}@example.test", "Customer", str(n))
        shop.order(f"4{n:08d}", customer)


@pytest.mark.parametrize("name", ["customer", "order"])
def test_changelist_query_count_does_not_grow_with_rows(admin_client, django_assert_max_num_queries, ann_shop, name):
    add_customers_with_orders(ann_shop, 5)
    admin_client.get(url(f"{name}_changelist"))  # the caches a first view fills (content types, present values)
    # A fixed handful: session, user, filters' choices, the row estimate (PostgreSQL), count, rows, totals.
    with django_assert_max_num_queries(12):
        admin_client.get(url(f"{name}_changelist"))
    queries_for_5 = changelist_queries(admin_client, name)

    add_customers_with_orders(Shop("Second shop"), 45)
    with django_assert_max_num_queries(12):
        admin_client.get(url(f"{name}_changelist"))

    assert changelist_queries(admin_client, name) == queries_for_5


def test_channel_changelist_query_count_does_not_grow_with_rows(admin_client, admin_user):
    for n in range(2):
        Shop(f"Shop {n}", owner=admin_user)
    queries_for_2 = changelist_queries(admin_client, "channel")
    for n in range(2, 12):
        Shop(f"Shop {n}", owner=admin_user)

    assert changelist_queries(admin_client, "channel") == queries_for_2


def test_paginator_uses_the_estimate_for_a_big_unfiltered_table(monkeypatch, ann_shop, alice_order):
    monkeypatch.setattr(selectors, "table_row_estimate", lambda model, using: 2_000_000)

    whole = EstimatedCountPaginator(Order.objects.all(), 50)
    filtered = EstimatedCountPaginator(Order.objects.filter(status="complete"), 50)

    assert (whole.count, whole.is_estimate) == (2_000_000, True)
    assert (filtered.count, filtered.is_estimate) == (1, False)


def test_paginator_counts_when_the_estimate_is_small_or_unknown(monkeypatch, alice_order):
    monkeypatch.setattr(selectors, "table_row_estimate", lambda model, using: 5_000)
    assert EstimatedCountPaginator(Order.objects.all(), 50).count == 1

    monkeypatch.setattr(selectors, "table_row_estimate", lambda model, using: None)
    assert EstimatedCountPaginator(Order.objects.all(), 50).count == 1


def test_changelist_says_about_when_the_count_is_an_estimate(monkeypatch, admin_client, alice_order):
    monkeypatch.setattr(selectors, "table_row_estimate", lambda model, using: 1_000_000)

    page = admin_client.get(url("order_changelist")).content.decode()

    assert "about 1000000 orders" in page


@pytest.mark.django_db(transaction=True)  # committed rows: an autovacuum ANALYZE then counts them too
def test_row_estimate_is_unknown_on_sqlite_and_the_planners_on_postgresql(ann_shop):
    for n in range(25):
        ann_shop.order(f"5{n:08d}")
    table = connection.ops.quote_name(Order._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")

    if connection.vendor != "postgresql":
        assert selectors.table_row_estimate(Order) is None
        return
    # ANALYZE reads every page of a table this small, so the estimate is the exact row count ...
    assert selectors.table_row_estimate(Order) == 25
    # ... and it is the planner's figure, not a count: rows added since do not change it.
    with transaction.atomic():
        for n in range(5):
            ann_shop.order(f"6{n:08d}")
        assert selectors.table_row_estimate(Order) == 25


def test_search_indexes_exist_where_the_database_has_them():
    """On PostgreSQL the admin's substring searches are served by trigram indexes (migration 0004)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%trgm'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%trgm'")
        names = {row[0] for row in cursor.fetchall()}
    expected = {
        "channels_order_increment_id_trgm",
        "channels_order_customer_email_trgm",
        "channels_customer_email_trgm",
    }
    assert expected <= names if connection.vendor == "postgresql" else not names


def test_remote_id_column_sorts_numbers_as_numbers(admin_client):
    shop = Shop("Sorted")
    for remote_id in ("10", "9", "100"):
        Website.objects.create(
            integration=shop.integration, remote_id=remote_id, code=f"w{remote_id}", name=f"W{remote_id}"
        )
    website_admin = admin.site._registry[Website]
    column = website_admin.list_display.index("remote")
    page = admin_client.get(f"/admin/channels/website/?o={column}").content.decode()
    assert page.index(">W9<") < page.index(">W10<") < page.index(">W100<")
