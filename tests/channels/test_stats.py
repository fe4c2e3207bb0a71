"""The figures kept beside the records (channels.stats): equal to a GROUP BY over the orders, after a sync,
a re-sync, a status changed to canceled, a deletion, and a rebuild; days are days of settings.TIME_ZONE."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from channels import stats
from channels.deletion import channel_delete_execute
from channels.models import Customer, CustomerDay, Order, OrderDay
from integrations.models import SyncRun
from integrations.services import sync_schedule
from tests.factories import magento_integration
from tests.integrations.test_orocommerce_push import oro_integration

pytestmark = pytest.mark.django_db(transaction=True)

MAGENTO_CANCELED = ("canceled",)


def sync(integration, run_worker) -> SyncRun:
    run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    return run


def expected_order_days(integration, canceled) -> dict:
    """OrderDay as a direct GROUP BY (local day, currency) over the integration's orders would say."""
    rows: dict = defaultdict(lambda: [0, Decimal(0), 0])
    for order in Order.objects.filter(integration=integration, remote_created_at__isnull=False):
        row = rows[(timezone.localtime(order.remote_created_at).date(), order.currency)]
        if order.status in canceled:
            row[2] += 1
        else:
            row[0] += 1
            row[1] += order.grand_total or 0
    return {key: (n, round(total, 2), c) for key, (n, total, c) in rows.items()}


def kept_order_days(integration) -> dict:
    return {
        (row.day, row.currency): (row.orders, round(row.revenue, 2), row.canceled)
        for row in OrderDay.objects.filter(integration=integration)
    }


def expected_customer_days(integration) -> dict:
    rows: dict = defaultdict(lambda: [0, 0])
    for customer in Customer.objects.filter(integration=integration, remote_created_at__isnull=False):
        rows[timezone.localtime(customer.remote_created_at).date()][1 if customer.is_guest else 0] += 1
    return {day: tuple(counts) for day, counts in rows.items()}


def kept_customer_days(integration) -> dict:
    return {row.day: (row.registered, row.guests) for row in CustomerDay.objects.filter(integration=integration)}


def expected_figures(integration, canceled) -> dict:
    """Each customer's figures from its orders: count, first, last, currency of most, value in it."""
    figures = {}
    for customer in Customer.objects.filter(integration=integration):
        orders = list(customer.orders.all())
        if not orders:
            figures[customer.pk] = (0, None, None, "", Decimal(0))
            continue
        counts = Counter(o.currency for o in orders)
        currency = min(counts, key=lambda c: (-counts[c], c))
        value = sum(
            (o.grand_total or 0 for o in orders if o.currency == currency and o.status not in canceled), Decimal(0)
        )
        times = [o.remote_created_at for o in orders if o.remote_created_at]
        figures[customer.pk] = (len(orders), min(times), max(times), currency, round(value, 2))
    return figures


def kept_figures(integration) -> dict:
    return {
        c.pk: (c.order_count, c.first_order_at, c.last_order_at, c.lifetime_currency, round(c.lifetime_value, 2))
        for c in Customer.objects.filter(integration=integration)
    }


def assert_figures_match(integration, canceled=MAGENTO_CANCELED) -> None:
    assert kept_order_days(integration) == expected_order_days(integration, canceled)
    assert kept_customer_days(integration) == expected_customer_days(integration)
    assert kept_figures(integration) == expected_figures(integration, canceled)


def test_a_sync_keeps_the_figures_a_resync_changes_nothing_and_a_rebuild_agrees(magento, run_worker):
    sim = magento(customers=30, orders=120)
    integration = magento_integration(url=sim.wsdl_url)
    sync(integration, run_worker)

    orders = Order.objects.filter(integration=integration)
    assert orders.filter(status="canceled").exists(), "the simulator's store has canceled orders"
    assert OrderDay.objects.filter(integration=integration).count() > 10
    assert_figures_match(integration)
    assert sum(r.orders + r.canceled for r in OrderDay.objects.filter(integration=integration)) == orders.count()
    guests = Customer.objects.filter(integration=integration, is_guest=True)
    assert guests.exists() and sum(CustomerDay.objects.filter(integration=integration).values_list("guests", flat=True))
    assert guests.filter(order_count__gte=1, lifetime_value__gt=0).exists(), "a guest made from orders counts them"
    before = (kept_order_days(integration), kept_customer_days(integration), kept_figures(integration))

    sim.touch("orders", count=25)  # read again, unchanged: written again or skipped, the figures stay
    sync(integration, run_worker)
    assert (kept_order_days(integration), kept_customer_days(integration), kept_figures(integration)) == before

    OrderDay.objects.filter(integration=integration).update(orders=999)
    Customer.objects.filter(integration=integration).update(order_count=0, lifetime_value=0)
    CustomerDay.objects.filter(integration=integration).delete()
    call_command("stats_rebuild", "--integration", str(integration.pk))
    assert (kept_order_days(integration), kept_customer_days(integration), kept_figures(integration)) == before


def test_an_order_cancelled_in_the_store_leaves_revenue_and_lifetime_value(orocommerce, run_worker, admin_client):
    oro = orocommerce(orders=40, customers=6)
    shop = oro_integration(oro)
    sync(shop, run_worker)
    cancelled = ("cancelled",)
    assert_figures_match(shop, cancelled)

    order = (
        Order.objects.filter(integration=shop, customer__isnull=False, grand_total__gt=0)
        .exclude(status="cancelled")
        .order_by("pk")
        .first()
    )
    day = timezone.localtime(order.remote_created_at).date()
    row = OrderDay.objects.get(integration=shop, day=day, currency=order.currency)
    response = admin_client.post(reverse("admin:channels_order_store_action", args=[order.pk, "cancel"]), follow=True)
    assert b"is cancelled in the store" in response.content
    after = OrderDay.objects.get(integration=shop, day=day, currency=order.currency)
    assert (after.orders, after.canceled) == (row.orders - 1, row.canceled + 1)
    assert after.revenue == row.revenue - order.grand_total
    assert_figures_match(shop, cancelled)

    sync(shop, run_worker)  # the store's change comes back with the next sync: the same figures
    assert_figures_match(shop, cancelled)
    assert OrderDay.objects.get(integration=shop, day=day, currency=order.currency).canceled == row.canceled + 1


def test_deleting_a_channel_takes_its_figures_and_leaves_the_others(magento, run_worker):
    sim = magento(customers=12, orders=40)
    kept = magento_integration("Kept store", url=sim.wsdl_url)
    gone = magento_integration("Gone store", url=sim.wsdl_url)
    sync(kept, run_worker)
    sync(gone, run_worker)
    before = kept_order_days(kept)
    assert OrderDay.objects.filter(integration=gone).exists()

    channel_delete_execute(channel_id=gone.channel_id, batch_size=15)
    assert not OrderDay.objects.filter(integration_id=gone.pk).exists()
    assert not CustomerDay.objects.filter(integration_id=gone.pk).exists()
    assert kept_order_days(kept) == before
    assert_figures_match(kept)


def test_deleted_orders_are_counted_out(magento, run_worker):
    sim = magento(customers=12, orders=40)
    integration = magento_integration(url=sim.wsdl_url)
    sync(integration, run_worker)
    victims = Order.objects.filter(integration=integration, customer__isnull=False).order_by("pk")[:5]
    Order.objects.filter(pk__in=[o.pk for o in victims]).delete()
    assert_figures_match(integration)


def order(integration, number: str, at: datetime.datetime, *, total="10.00", status="complete", currency="EUR"):
    return Order.objects.create(
        integration=integration,
        remote_id=number,
        increment_id=number,
        remote_created_at=at,
        grand_total=Decimal(total),
        status=status,
        currency=currency,
    )


@override_settings(TIME_ZONE="America/New_York")
def test_days_are_days_of_the_configured_time_zone():
    integration = magento_integration()
    utc = datetime.UTC
    # 03:30 UTC on the 2nd is still the 1st in New York (UTC-5 in January); 05:30 UTC is the 2nd.
    first = order(integration, "1", datetime.datetime(2026, 1, 2, 3, 30, tzinfo=utc), total="10.00")
    second = order(integration, "2", datetime.datetime(2026, 1, 2, 5, 30, tzinfo=utc), total="20.00")
    third = order(integration, "3", datetime.datetime(2026, 1, 2, 6, 0, tzinfo=utc), total="5.00", status="canceled")
    usd = order(integration, "4", datetime.datetime(2026, 1, 2, 6, 0, tzinfo=utc), total="7.00", currency="USD")
    stats.orders_changed(integration_id=integration.pk, pks=[first.pk, second.pk, third.pk, usd.pk])
    days = kept_order_days(integration)
    assert days == {
        (datetime.date(2026, 1, 1), "EUR"): (1, Decimal("10.00"), 0),
        (datetime.date(2026, 1, 2), "EUR"): (1, Decimal("20.00"), 1),
        (datetime.date(2026, 1, 2), "USD"): (1, Decimal("7.00"), 0),
    }
    stats.stats_rebuild(integration_id=integration.pk)
    assert kept_order_days(integration) == days

    with override_settings(TIME_ZONE="UTC"):  # another zone: a rebuild moves the first order to the 2nd
        stats.stats_rebuild(integration_id=integration.pk)
        assert kept_order_days(integration)[(datetime.date(2026, 1, 2), "EUR")] == (2, Decimal("30.00"), 1)


def test_a_customers_lifetime_is_in_the_currency_of_most_of_its_orders():
    integration = magento_integration()
    customer = Customer.objects.create(integration=integration, remote_id="7", email="ann@example.com")
    at = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)
    made = [
        order(integration, "1", at, total="100.00", currency="USD"),
        order(integration, "2", at + datetime.timedelta(days=1), total="10.00"),
        order(integration, "3", at + datetime.timedelta(days=2), total="20.00"),
        order(integration, "4", at + datetime.timedelta(days=3), total="40.00", status="canceled"),
    ]
    Order.objects.filter(pk__in=[o.pk for o in made]).update(customer=customer)
    stats.orders_changed(integration_id=integration.pk, pks=[o.pk for o in made])
    customer.refresh_from_db()
    assert (customer.order_count, customer.lifetime_currency, customer.lifetime_value) == (4, "EUR", Decimal("30"))
    assert (customer.first_order_at, customer.last_order_at) == (at, at + datetime.timedelta(days=3))
