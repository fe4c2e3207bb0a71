"""The pages a daily user works in: list columns, totals per currency, sorting, filters, CSV export,
the customer and order pages, codes in words and quantities."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels import vocabulary
from channels.models import Cart, Customer, Order, OrderAddress, OrderItem
from channels.order_lines import order_lines
from integrations.services import integration_create
from tests.channels.shops import JAN_1, Shop, fill_order_days

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"admin:channels_{name}", args=args)


@pytest.fixture
def ann() -> Shop:
    return Shop("Ann's shop")


@pytest.fixture
def bob() -> Shop:
    return Shop("Bob's shop")


@pytest.fixture
def mixed_orders(ann, bob) -> dict[str, Order]:
    """Orders in two currencies over three days in two channels, one canceled."""
    alice = ann.customer("alice@example.test", "Alice", "Liddell")
    day = datetime.timedelta(days=1)
    orders = {
        "eur1": ann.order("A-1", alice, grand_total=Decimal("1000.00"), currency="EUR"),
        "eur2": ann.order("A-2", alice, grand_total=Decimal("250.50"), currency="EUR", remote_created_at=JAN_1 + day),
        "usd1": ann.order("A-3", None, grand_total=Decimal("99.99"), currency="USD", remote_created_at=JAN_1 + day),
        "gone": ann.order("A-4", None, grand_total=Decimal("5000"), currency="USD", status="canceled"),
        "gbp1": bob.order("B-1", None, grand_total=Decimal("70"), currency="GBP", remote_created_at=JAN_1 + 2 * day),
    }
    fill_order_days()
    return orders


# Lists: columns, totals, sorting, filters


def test_order_list_shows_number_date_customer_status_in_words_total_and_channel(admin_client, ann):
    alice = ann.customer("alice@example.test", "Alice", "Liddell")
    ann.order("100000042", alice, status="holded", grand_total=Decimal("1234.5"), currency="USD")

    page = admin_client.get(url("order_changelist")).content.decode()

    for text in ("100000042", "2024-01-01 09:00 UTC", "Alice Liddell", "alice@example.test", "On hold"):
        assert text in page
    assert "1,234.50 USD" in page and "Ann&#x27;s shop" in page
    table = page[page.index('id="result_list"') :]
    assert "holded" not in table[: table.index("</table>")]


def test_the_order_total_sums_each_currency_apart(admin_client, mixed_orders):
    response = admin_client.get(url("order_changelist"), {"status__exact": "processing"})

    assert response.context["cl"].list_totals == "Total of 4 orders: 1,250.50 EUR · 99.99 USD · 70.00 GBP"
    # A SUM over the filtered orders is not waited for: the page fetches it once shown.
    page = response.content.decode()
    assert f'data-src="{url("order_totals")}?status__exact=processing"' in page and "Total of" not in page
    fetched = admin_client.get(url("order_totals"), {"status__exact": "processing"})
    assert fetched.content.decode() == "Total of 4 orders: 1,250.50 EUR · 99.99 USD · 70.00 GBP"


def test_totals_from_order_days_are_in_the_page(admin_client, mixed_orders):
    page = admin_client.get(url("order_changelist")).content.decode()

    assert "Total of 5 orders: " in page and "data-src=" not in page


def test_canceled_orders_are_counted_not_added(admin_client, mixed_orders):
    totals = admin_client.get(url("order_changelist")).context["cl"].list_totals

    assert totals == "Total of 5 orders: 1,250.50 EUR · 99.99 USD · 70.00 GBP (1 canceled, not added)"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"integration__channel__id__exact": "ANN"},
        {"remote_created_at__range__gte": "2024-01-02"},
        {"remote_created_at__range__lte": "2024-01-02", "integration__channel__id__exact": "ANN"},
        {"remote_created_at__range__gte": "2024-01-02", "remote_created_at__range__lte": "2024-01-02"},
        # As the date range form sends it: its hidden "no date" field empty.
        {"remote_created_at__range__gte": "2024-01-02", "remote_created_at__isnull": ""},
    ],
)
def test_totals_from_order_days_equal_the_sum_over_the_orders(admin_client, ann, mixed_orders, params):
    params = {k: str(ann.channel.pk) if v == "ANN" else v for k, v in params.items()}
    # The same list through the queryset path: a filter that keeps every order (none was removed).
    summed = admin_client.get(url("order_changelist"), {**params, "removed_in_store": "no"})

    with CaptureQueriesContext(connection) as queries:
        from_days = admin_client.get(url("order_changelist"), params)

    assert from_days.context["cl"].list_totals == summed.context["cl"].list_totals
    assert from_days.context["cl"].list_totals.startswith("Total of ")
    sums = [q["sql"] for q in queries.captured_queries if "SUM(" in q["sql"].upper()]
    assert sums and all("channels_orderday" in sql for sql in sums)  # no SUM over the orders table


def test_a_search_sums_over_the_orders_found(admin_client, mixed_orders):
    totals = admin_client.get(url("order_changelist"), {"q": "A-2"}).context["cl"].list_totals

    assert totals == "Total of 1 order: 250.50 EUR"


def test_the_date_range_filter_narrows_the_order_list(admin_client, mixed_orders):
    response = admin_client.get(
        url("order_changelist"),
        {"remote_created_at__range__gte": "2024-01-02", "remote_created_at__range__lte": "2024-01-02"},
    )

    assert {o.increment_id for o in response.context["cl"].result_list} == {"A-2", "A-3"}
    assert "By order date" in response.content.decode()


def test_orders_sort_by_total_date_customer_and_status(admin_client, mixed_orders):
    def listed(order: str) -> list[str]:
        return [
            o.increment_id for o in admin_client.get(url("order_changelist"), {"o": order}).context["cl"].result_list
        ]

    assert listed("-4") == ["A-4", "A-1", "A-2", "A-3", "B-1"]  # total, biggest first
    assert listed("1")[-1] == "B-1"  # date, oldest first
    assert listed("2")[-1] in ("A-3", "A-4", "B-1")  # customer email: alice@ before guest@
    assert listed("3")[0] == "A-4" and listed("-3")[-1] == "A-4"  # status: canceled before processing


def test_sortable_order_columns_are_indexed():
    indexed = {"increment_id", "remote_created_at", "customer_email", "status"}
    order_indexes = {tuple(i.fields) for i in Order._meta.indexes}
    assert ("grand_total",) in order_indexes
    assert all(Order._meta.get_field(f).db_index for f in indexed)
    customer_indexes = {tuple(i.fields) for i in Customer._meta.indexes}
    assert ("last_name", "first_name") in customer_indexes
    assert all(
        Customer._meta.get_field(f).db_index for f in ("email", "order_count", "lifetime_value", "last_order_at")
    )


def test_customer_list_sorts_by_lifetime_value_orders_and_last_order(admin_client, ann):
    for email, value, count, last in (("a@x.test", "10", 1, 3), ("b@x.test", "900", 9, 1), ("c@x.test", "55", 3, 2)):
        customer = ann.customer(email, last_name=email[0].upper())
        Customer.objects.filter(pk=customer.pk).update(
            lifetime_value=Decimal(value),
            lifetime_currency="EUR",
            order_count=count,
            last_order_at=JAN_1 + datetime.timedelta(days=last),
        )

    def listed(order: str) -> list[str]:
        response = admin_client.get(url("customer_changelist"), {"o": order})
        return [c.email for c in response.context["cl"].result_list]

    assert listed("-4") == ["b@x.test", "c@x.test", "a@x.test"]  # lifetime value
    assert listed("-3") == ["b@x.test", "c@x.test", "a@x.test"]  # orders
    assert listed("-5") == ["a@x.test", "c@x.test", "b@x.test"]  # last order
    assert listed("0") == ["a@x.test", "b@x.test", "c@x.test"]  # name (last name)
    page = admin_client.get(url("customer_changelist")).content.decode()
    assert "900.00 EUR" in page and "2024-01-02 09:00 UTC" in page


def test_filters_offer_only_the_channels_and_statuses_that_exist(admin_client, ann, bob):
    Shop("Carl's shop")  # no orders at all
    ann.order("A-1", status="holded")
    bob.order("B-1", status="complete")

    response = admin_client.get(url("order_changelist"))
    specs = {spec.title: spec for spec in response.context["cl"].filter_specs}

    channels = {label for _pk, label in specs["channel"].lookup_choices}
    assert channels == {"Ann's shop", "Bob's shop"}
    assert specs["status"].lookup_choices == [("complete", "Complete"), ("holded", "On hold")]
    websites = {label for _pk, label in specs["website"].lookup_choices}
    assert websites == {"Ann's shop / Main", "Bob's shop / Main"}


def test_cart_states_and_quantities_read_as_words_and_numbers(admin_client, ann):
    ann.cart("501", status=Cart.Status.EXPIRED, items_qty=Decimal("2.0000"))

    response = admin_client.get(url("cart_changelist"))
    page = response.content.decode()

    assert "Expired" in page and ">2<" in page and "2.0000" not in page
    specs = {spec.title: spec for spec in response.context["cl"].filter_specs}
    assert specs["status"].lookup_choices == [("expired", "Expired")]


# CSV export


def read_csv(response) -> list[list[str]]:
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_export_streams_the_filtered_list(admin_client, ann, mixed_orders):
    response = admin_client.get(url("order_export_csv"), {"integration__channel__id__exact": ann.channel.pk, "o": "-4"})

    rows = read_csv(response)
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["order", "date", "customer email"]
    assert [row[0] for row in rows[1:]] == ["A-4", "A-1", "A-2", "A-3"]
    assert rows[2][rows[0].index("grand total")] == "1000.0000" and rows[2][rows[0].index("currency")] == "EUR"
    assert rows[1][rows[0].index("status")] == "Canceled"


def test_csv_export_keeps_formulas_from_running(admin_client, ann):
    ann.customer("evil@example.test", '=HYPERLINK("http://x")', "Smith")

    rows = read_csv(admin_client.get(url("customer_export_csv")))

    assert rows[1][rows[0].index("first name")].startswith("'=")


def test_every_list_links_its_csv_export(admin_client, ann, mixed_orders):
    for name in ("order", "customer", "cart", "creditmemo", "newslettersubscriber"):
        page = admin_client.get(url(f"{name}_changelist"), {"q": "x"}).content.decode()
        assert f'href="{url(f"{name}_export_csv")}?q=x"' in page
        assert admin_client.get(url(f"{name}_export_csv")).status_code == 200


def test_csv_export_needs_the_right_to_view(client, ann, mixed_orders):
    assert client.get(url("order_export_csv")).status_code == 302  # to the log-in page


# The customer's page


def test_customer_page_tells_the_whole_story(admin_client, ann):
    alice = ann.customer("alice@example.test", "Alice", "Liddell")
    Customer.objects.filter(pk=alice.pk).update(
        order_count=4,
        lifetime_value=Decimal("1000"),
        lifetime_currency="EUR",
        first_order_at=JAN_1,
        last_order_at=JAN_1 + datetime.timedelta(days=30),
    )
    ann.order("A-1", alice, status="holded")

    page = admin_client.get(url("customer_change", alice.pk)).content.decode()

    for text in ("1,000.00 EUR", "250.00 EUR", "2024-01-01 09:00 UTC", "2024-01-31 09:00 UTC", "On hold", "A-1"):
        assert text in page
    assert page.index("Figures") < page.index("Latest 50 orders") < page.index("fieldset-0-2-heading")
    assert "<details>" in page[page.index("fieldset-0-2-heading") - 300 :]  # sync details last, folded


def test_a_guest_page_shows_the_addresses_of_its_orders(admin_client, ann):
    guest = ann.customer("guest@example.test", "Gil", "Guest", is_guest=True)
    for n in range(3):
        order = ann.order(f"G-{n}", guest)
        OrderAddress.objects.create(order=order, address_type="billing", street="9 Guest Lane", city="Leeds")
    other = ann.order("G-9", guest)
    OrderAddress.objects.create(order=other, address_type="shipping", street="1 Other Road", city="York")

    page = admin_client.get(url("customer_change", guest.pk)).content.decode()

    section = page[page.index("Addresses (from its orders)") :]
    assert section.count("9 Guest Lane") == 1 and "1 Other Road" in section


# The order's page


@pytest.fixture
def sized_order(ann) -> Order:
    order = ann.order(
        "100000077", None, payment_method="checkmo", shipping_method="flatrate_flatrate", shipping_amount=Decimal("5")
    )
    parent = dict(product_type="configurable", qty=Decimal("2.0000"), price=Decimal("45.0000"), row_total=Decimal("90"))
    OrderItem.objects.create(order=order, remote_id=1, sku="msj006-M", name="Plaid Cotton Shirt", **parent)
    OrderItem.objects.create(
        order=order,
        remote_id=2,
        sku="msj006-M",
        name="Plaid Cotton Shirt-M",
        product_type="simple",
        qty=Decimal("2.0000"),
        price=Decimal("0.0000"),
        row_total=Decimal("0.0000"),
    )
    OrderItem.objects.create(
        order=order,
        remote_id=3,
        sku="acj003",
        name="Strap",
        product_type="simple",
        qty=Decimal("1.0000"),
        price=Decimal("9.0000"),
        row_total=Decimal("9.0000"),
    )
    return order


def test_a_configurable_product_is_one_line(sized_order):
    lines = order_lines(list(sized_order.items.all()))

    assert [(line.sku, line.item.name, line.option) for line in lines] == [
        ("msj006-M", "Plaid Cotton Shirt", "Plaid Cotton Shirt-M"),
        ("acj003", "Strap", ""),
    ]


def test_order_page_shows_items_first_then_totals_and_payment_in_words(admin_client, sized_order):
    page = admin_client.get(url("order_change", sized_order.pk)).content.decode()

    items = page[page.index('id="section-items"') : page.index('id="section-addresses"')]
    assert items.count("msj006-M") == 1 and "<td>0.00 EUR" not in items.split('id="order-totals"')[0]
    assert "90.00 EUR" in items and ">2<" in items and "2.0000" not in page
    assert "Shipping (Flat rate)" in items and "42.50 EUR" in items
    assert "Check / Money order" in page and ">checkmo<" not in page
    assert page.index('id="section-items"') < page.index("fieldset-0-0-heading")


def test_order_page_links_the_order_in_the_store_admin(admin_client, ann, sized_order):
    page = admin_client.get(url("order_change", sized_order.pk)).content.decode()
    assert "In the store&#x27;s admin" not in page  # no Admin URL set

    settings = ann.integration.settings
    settings.admin_url = "https://shop.example/index.php/admin"
    settings.save()

    page = admin_client.get(url("order_change", sized_order.pk)).content.decode()
    link = f"https://shop.example/index.php/admin/sales_order/view/order_id/{sized_order.remote_id}/"
    assert f'href="{link}"' in page


def test_an_orocommerce_order_links_its_back_office_page():
    oro = integration_create(
        name="Oro",
        integration_type="orocommerce",
        settings_values={
            "admin_url": "https://oro.example/admin/",
            "auth_method": "wsse",
            "api_user": "u",
            "api_key": "k",
        },
    )
    order = Order(integration=oro, remote_id="17")

    assert oro.connector_class.record_admin_url(order) == "https://oro.example/admin/order/view/17"
    assert oro.connector_class.record_admin_url(Customer(integration=oro, remote_id="3")) is None


# Codes in words


@pytest.mark.parametrize(
    ("field", "code", "words"),
    [
        ("payment_method", "checkmo", "Check / Money order"),
        ("payment_method", "cashondelivery", "Cash on delivery"),
        ("payment_method", "ccsave", "Credit card (saved)"),
        ("payment_method", "paypal_express", "PayPal Express Checkout"),
        ("shipping_method", "flatrate_flatrate", "Flat rate"),
        ("shipping_method", "freeshipping_freeshipping", "Free shipping"),
        ("shipping_method", "tablerate_bestway", "Table rate"),
        ("status", "holded", "On hold"),
        ("status", "pending_payment", "Pending payment"),
        ("status", "payment_review", "Payment review"),
        ("status", "my_custom_status", "My Custom Status"),
        ("payment_method", "", ""),
    ],
)
def test_magento_codes_in_words(field, code, words):
    assert vocabulary.in_words("magento1", field, code) == words


def test_orocommerce_codes_in_words_and_unknown_types():
    assert vocabulary.in_words("orocommerce", "status", "cancelled") == "Cancelled"
    assert vocabulary.in_words("orocommerce", "payment_status", "full") == "Paid in full"
    assert vocabulary.in_words("no-such-type", "status", "ups_GND") == "Ups GND"
