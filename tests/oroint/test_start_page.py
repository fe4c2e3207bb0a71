"""The start page (the admin's index): what to do next for a new channel, its health, recent runs and
key figures, read from the kept figures in a few queries."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from channels import stats
from channels.models import Cart
from integrations import permissions
from integrations.models import ConnectionCheck, QuarantinedRecord, SyncRun, SyncRunEntity
from tests.channels.shops import Shop

pytestmark = pytest.mark.django_db

INDEX = "/admin/"


def test_with_no_integration_it_says_add_one(admin_client):
    page = admin_client.get(INDEX)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="start-add-integration"' in html and reverse("admin:integrations_integration_add") in html
    assert "Channels, integrations and what they bring in" in html
    assert 'id="start-channels"' not in html
    # Django's list of every section stays on the page.
    assert reverse("admin:auth_user_changelist") in html


def test_a_new_integration_never_checked_asks_for_check_connection(admin_client):
    shop = Shop("Ann's shop")
    html = admin_client.get(INDEX).content.decode()
    row = html[html.index(f'id="start-channel-{shop.integration.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Never checked" in row
    assert reverse("admin:integrations_integration_check", args=[shop.integration.pk]) in row
    assert "Check Connection" in row and "never" in row
    assert 'id="start-add-integration"' not in html


def test_a_checked_integration_never_synced_asks_for_schedule_sync(admin_client):
    shop = Shop("Ann's shop")
    ConnectionCheck.objects.create(integration=shop.integration, status=ConnectionCheck.Status.FAILED)
    html = admin_client.get(INDEX).content.decode()
    assert "The last connection check failed" in html and "Check Connection</button>" in html

    ConnectionCheck.objects.create(integration=shop.integration, status=ConnectionCheck.Status.SUCCEEDED)
    html = admin_client.get(INDEX).content.decode()
    assert "Never synced" in html
    assert reverse("admin:integrations_integration_sync", args=[shop.integration.pk]) in html
    assert "Check Connection</button>" not in html


def test_a_synced_integration_shows_its_runs_and_key_figures(admin_client):
    shop = Shop("Ann's shop")
    ConnectionCheck.objects.create(integration=shop.integration, status=ConnectionCheck.Status.SUCCEEDED)
    now = timezone.now()
    run = SyncRun.objects.create(
        integration=shop.integration,
        status=SyncRun.Status.SUCCEEDED,
        started_at=now - datetime.timedelta(seconds=75),
        finished_at=now,
    )
    SyncRunEntity.objects.create(run=run, entity="orders", read=40, created=40, failed=2)
    customer = shop.customer("ann@example.test", "Ann", "Lee", remote_created_at=now)
    today = [shop.order(f"T{n}", customer, remote_created_at=now, grand_total=Decimal("1000.00")) for n in range(3)]
    old = shop.order("OLD", customer, remote_created_at=now - datetime.timedelta(days=3), currency="USD")
    stats.orders_changed(integration_id=shop.integration.pk, pks=[o.pk for o in [*today, old]])
    shop.cart("c1", customer, status=Cart.Status.OPEN, grand_total=Decimal("19.90"))
    shop.cart("c2", customer, status=Cart.Status.LOST, grand_total=Decimal("500.00"))
    QuarantinedRecord.objects.create(integration=shop.integration, entity="orders", remote_id="9", reason="bad")

    page = admin_client.get(INDEX)
    html = page.content.decode()
    row = html[html.index(f'id="start-channel-{shop.integration.pk}"') :]
    assert "Synced" in row[: row.index("</tr>")]
    runs = html[html.index('id="start-runs"') :]
    assert f"#{run.pk}" in runs and "Succeeded" in runs and "1 min 15 s" in runs and ">40<" in runs
    figures = html[html.index('id="start-figures"') : html.index('id="start-channels"')]
    assert "3,000.00 EUR" in figures and "3 orders today" in figures
    assert "42.50 USD" in figures and "1 order in 7 days" in figures
    assert "19.90 EUR" in figures and "500.00" not in figures  # open carts only
    assert ">1</a>" in figures  # the quarantined record, linked

    with CaptureQueriesContext(connection) as queries:
        admin_client.get(INDEX)
    assert len(queries) < 30, [q["sql"] for q in queries]


def test_a_staff_user_sees_only_the_channels_they_may_view(client):
    ann, bob = Shop("Ann's shop"), Shop("Bob's shop")
    now = timezone.now()
    for shop, total in ((ann, "10.00"), (bob, "777.00")):
        order = shop.order(f"{shop.channel.name}-1", remote_created_at=now, grand_total=Decimal(total))
        stats.orders_changed(integration_id=shop.integration.pk, pks=[order.pk])
        SyncRun.objects.create(integration=shop.integration, status=SyncRun.Status.FAILED, message="boom")
    user = User.objects.create_user("ann", password="x", is_staff=True)
    permissions.grant(user, ann.integration, actions=("view",))
    client.force_login(user)

    html = client.get(INDEX).content.decode()
    assert "Ann&#x27;s shop" in html and "Bob&#x27;s shop" not in html
    assert "10.00 EUR" in html and "777.00" not in html
    # May view, not change: the next step is a link to the integration's page, not a button.
    assert "</button>" not in html[html.index('id="start-channels"') :]


def test_the_start_page_costs_the_same_however_many_channels_a_staff_user_sees(client):
    user = User.objects.create_user("ann", password="x", is_staff=True)
    client.force_login(user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(INDEX).status_code == 200
        return len(captured)

    def shop(n: int) -> None:
        made = Shop(f"Shop {n}")
        permissions.grant(user, made.integration, actions=("view", "change") if n % 2 else ("view",))
        SyncRun.objects.create(integration=made.integration, status=SyncRun.Status.FAILED)

    shop(0)
    queries()  # the first view fills caches (content types, the menu's entities)
    few = queries()
    for n in range(1, 6):
        shop(n)
    assert queries() == few
    html = client.get(INDEX).content.decode()
    assert html.count("Last sync failed") == 6 and html.count("Check Connection</button>") == 3
