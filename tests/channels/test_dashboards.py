"""The dashboard's figures: per channel and across channels, from the kept figures, only channels the user
may view, a currency never added to another."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from channels import stats
from channels.models import Cart, Customer
from integrations import permissions
from integrations.models import QuarantinedRecord, SyncRun
from tests.channels.shops import Shop

pytestmark = pytest.mark.django_db

URL = reverse("admin:dashboard")


def at(days_ago: int, hour: int = 12) -> datetime.datetime:
    today = timezone.localdate()
    return stats.midnight(today - datetime.timedelta(days=days_ago)) + datetime.timedelta(hours=hour)


@pytest.fixture
def shops():
    """Ann's shop sells in EUR and USD, Bob's in EUR; each has customers, carts, runs."""
    ann, bob = Shop("Ann's shop"), Shop("Bob's shop")
    big = ann.customer("big@example.test", "Big", "Spender", remote_created_at=at(2))
    small = ann.customer("small@example.test", "Small", "Buyer", remote_created_at=at(9))
    guest = ann.customer("guest@example.test", "Gus", "Guest", is_guest=True, remote_created_at=at(2))
    bobs = bob.customer("bob@example.test", "Bob", "Only", remote_created_at=at(1))
    orders = {
        ann: [
            ann.order("A1", big, remote_created_at=at(2), grand_total=Decimal("300.00")),
            ann.order("A2", big, remote_created_at=at(2), grand_total=Decimal("200.00")),
            ann.order("A3", small, remote_created_at=at(9), grand_total=Decimal("50.00")),
            ann.order("A4", small, remote_created_at=at(9), grand_total=Decimal("80.00"), status="canceled"),
            ann.order("A5", guest, remote_created_at=at(2), grand_total=Decimal("70.00"), currency="USD"),
            ann.order("A6", big, remote_created_at=at(400), grand_total=Decimal("1.00")),
        ],
        bob: [bob.order("B1", bobs, remote_created_at=at(1), grand_total=Decimal("9999.00"))],
    }
    for shop, made in orders.items():
        # As a sync says what it wrote: the customers, then their orders.
        customers = Customer.objects.filter(integration=shop.integration).values_list("pk", flat=True)
        stats.customers_refresh(integration_id=shop.integration.pk, customer_ids=list(customers))
        stats.orders_changed(integration_id=shop.integration.pk, pks=[o.pk for o in made])
    ann.cart("open", big, status=Cart.Status.OPEN, grand_total=Decimal("10.00"), remote_created_at=at(3))
    ann.cart("lost", big, status=Cart.Status.LOST, grand_total=Decimal("25.00"), remote_created_at=at(3))
    ann.cart("bought", small, status=Cart.Status.PURCHASED, grand_total=Decimal("50.00"), remote_created_at=at(9))
    ann.cart("old", small, status=Cart.Status.OPEN, grand_total=Decimal("5.00"), remote_created_at=at(100))
    for status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED):
        SyncRun.objects.create(integration=ann.integration, status=status)
    SyncRun.objects.create(integration=bob.integration, status=SyncRun.Status.CANCELED)
    QuarantinedRecord.objects.create(integration=ann.integration, entity="orders", remote_id="1", reason="bad")
    return ann, bob


def figures(client, **params) -> dict:
    response = client.get(URL, {**params, "format": "json"})
    assert response.status_code == 200
    return response.json()


def total(series: list) -> float:
    return sum(series)


def test_one_channel_over_the_last_30_days(admin_client, shops):
    ann, _bob = shops
    data = figures(admin_client, channel=ann.integration.pk)
    orders = data["orders"]
    assert len(orders["days"]) == 30 and orders["days"][-1] == timezone.localdate().isoformat()
    assert orders["currencies"] == ["EUR", "USD"]  # the one that brings in most first
    eur = orders["series"]["EUR"]
    assert (total(eur["orders"]), total(eur["revenue"]), total(eur["canceled"])) == (3, 550.0, 1)
    assert orders["totals"]["USD"]["revenue_text"] == "70.00 USD"
    assert orders["totals"]["EUR"]["average_text"] == "183.33 EUR"
    assert orders["series"]["EUR"]["revenue"][orders["days"].index(at(2).date().isoformat())] == 500.0

    customers = data["customers"]
    assert (total(customers["registered"]), total(customers["guests"])) == (2, 1)
    assert all(datetime.date.fromisoformat(w).weekday() == 0 for w in customers["weeks"])

    carts = data["carts"]
    assert carts["statuses"] == ["Open", "Expired", "Purchased", "Lost"]
    assert carts["series"]["EUR"]["value"] == [10.0, 0.0, 50.0, 25.0]  # the 100-day-old cart is out of range

    top = data["top_customers"]
    assert [c["email"] for c in top["EUR"]] == ["big@example.test", "small@example.test"]
    assert top["EUR"][0]["value_text"] == "501.00 EUR"  # lifetime: the order of 400 days ago too
    big = Customer.objects.get(email="big@example.test")
    assert top["EUR"][0]["url"] == reverse("admin:channels_customer_change", args=[big.pk])
    assert [c["email"] for c in top["USD"]] == ["guest@example.test"]

    sync = data["sync"]
    assert sync["totals"] == {"succeeded": 2, "failed": 1, "canceled": 0, "quarantined": 1}


def test_across_channels_each_currency_stays_apart(admin_client, shops):
    data = figures(admin_client)
    eur = data["orders"]["series"]["EUR"]
    assert (total(eur["orders"]), total(eur["revenue"])) == (4, 10549.0)
    assert total(data["orders"]["series"]["USD"]["revenue"]) == 70.0
    assert data["top_customers"]["EUR"][0]["email"] == "bob@example.test"
    assert data["sync"]["totals"]["canceled"] == 1


def test_a_date_range_and_a_year(admin_client, shops):
    ann, _ = shops
    start = at(10).date().isoformat()
    end = at(5).date().isoformat()
    data = figures(admin_client, channel=ann.integration.pk, start=start, end=end)
    assert data["range"] == {"start": start, "end": end}
    assert total(data["orders"]["series"]["EUR"]["orders"]) == 1 and "USD" not in data["orders"]["series"]

    year = figures(admin_client, channel=ann.integration.pk, days=365)
    assert len(year["orders"]["days"]) == 365
    assert total(year["orders"]["series"]["EUR"]["orders"]) == 3  # the order of 400 days ago is out


def test_a_user_who_may_see_one_channel_sees_only_its_figures(client, shops):
    ann, bob = shops
    user = User.objects.create_user("ann", password="x", is_staff=True)
    permissions.grant(user, ann.integration, actions=("view",))
    client.force_login(user)

    data = figures(client)
    assert total(data["orders"]["series"]["EUR"]["revenue"]) == 550.0
    assert "bob@example.test" not in str(data["top_customers"])
    assert data["sync"]["totals"]["canceled"] == 0
    assert client.get(URL, {"channel": bob.integration.pk}).status_code == 404

    page = client.get(URL)
    html = page.content.decode()
    assert "Bob&#x27;s shop" not in html and "Ann&#x27;s shop" in html


def test_the_page_embeds_its_figures_and_a_table_under_each_chart(admin_client, shops):
    ann, _ = shops
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(URL, {"channel": ann.integration.pk})
    assert page.status_code == 200
    assert len(queries) < 25, [q["sql"] for q in queries]
    html = page.content.decode()
    assert '<script id="dashboard-data" type="application/json">' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "dashboard/dashboard.js" in html
    for chart in ("orders", "revenue", "customers", "carts", "sync"):
        assert f'<canvas id="chart-{chart}" role="img"' in html
        assert f'id="chart-{chart}-table"' in html
    assert "500.00 EUR" in html  # the revenue table's day of two orders
    assert page.context["dashboard"]["orders"]["currencies"] == ["EUR", "USD"]
    assert "Dashboard: Ann&#x27;s shop" in html
