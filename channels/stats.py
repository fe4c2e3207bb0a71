"""Keeping the figures the dashboards and lists read: orders and new customers per day, each customer's own.

A day is a day in settings.TIME_ZONE. OrderDay counts, per integration, day and currency, the orders
placed that day that are not canceled, their grand totals (revenue), and the canceled ones apart; an
order with no creation time in the store is on no day. CustomerDay counts the customers created that
day (remote_created_at), registered and guests apart: a guest made from orders carries the creation
time of the first order (or cart) that made it, so it is counted on that day. A customer's figures:
order_count (all its orders, canceled ones too: what its order list shows), lifetime_value (grand
totals of its orders not canceled, in lifetime_currency, the currency most of its orders are in, ties
to the first code; orders in another currency are not added), first_order_at and last_order_at.

What is canceled is each connector's word (`Connector.canceled_order_statuses`). Every statement is
set-based: after a page of orders, a few statements recompute the days and the customers it touched,
never one per order. The engine says what it wrote (integrations.engine.written.records_written);
deleted orders are counted out once their transaction commits; `stats_rebuild` (manage.py
stats_rebuild) rebuilds everything with INSERT ... SELECT ... GROUP BY, a span of days at a time.

Known gap: an order rewritten with another creation time or another customer leaves its old day or
customer as they were until their next change or a rebuild (the engine does not say what a row was).
"""

from __future__ import annotations

import datetime
import threading
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from channels.models import Cart, Customer, CustomerDay, Order, OrderDay
from integrations.engine import registry
from integrations.engine.contracts import Connector
from integrations.engine.written import records_written
from integrations.models import Integration

# A rebuild reads this many days of orders (or customers) per INSERT ... SELECT.
REBUILD_DAYS = 92
# And updates the figures of this many customers per UPDATE.
CUSTOMER_CHUNK = 5000


def canceled_statuses(integration_id: int) -> tuple[str, ...]:
    """The order statuses that mean canceled for this integration's type."""
    type_key = Integration.objects.filter(pk=integration_id).values_list("integration_type", flat=True).first()
    try:
        return registry.connector_class(type_key).canceled_order_statuses
    except LookupError:
        return Connector.canceled_order_statuses


def local_day(expression: str) -> TruncDate:
    return TruncDate(expression, tzinfo=timezone.get_default_timezone())


def midnight(day: datetime.date) -> datetime.datetime:
    """The aware time a local day (settings.TIME_ZONE) begins at."""
    return datetime.datetime.combine(day, datetime.time.min, timezone.get_default_timezone())


def day_spans(days: Iterable[datetime.date]) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Consecutive days merged into [start, end) spans of aware times in settings.TIME_ZONE."""
    spans: list[list[datetime.date]] = []
    for day in sorted(set(days)):
        if spans and day == spans[-1][1]:
            spans[-1][1] = day + datetime.timedelta(days=1)
        else:
            spans.append([day, day + datetime.timedelta(days=1)])
    return [(midnight(a), midnight(b)) for a, b in spans]


def _within(field: str, spans: list[tuple[datetime.datetime, datetime.datetime]]) -> Q:
    where = Q(pk__in=[])
    for start, end in spans:
        where |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
    return where


def _insert_select(table: type[models.Model], columns: dict[str, str], key: list[str], rows: models.QuerySet) -> None:
    """INSERT INTO table (columns) SELECT ... FROM (the grouped queryset): one statement, nothing read back.

    `columns` maps each column of `table` to the name it has in `rows`. ON CONFLICT updates, in case a
    concurrent writer (a quarantine retry beside a run) inserted the same day between our DELETE and here.
    """
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    targets = ", ".join(quote(c) for c in columns)
    sources = ", ".join(f"agg.{quote(name)}" for name in columns.values())
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns if c not in key)
    conflict = ", ".join(quote(c) for c in key)
    statement = (
        f"INSERT INTO {quote(table._meta.db_table)} ({targets}) SELECT {sources} FROM ({sql}) agg WHERE 1 = 1 "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


# -- orders per day ---------------------------------------------------------------------------------


def _order_days(integration_id: int, where: Q) -> models.QuerySet:
    canceled = Q(status__in=canceled_statuses(integration_id))
    return (
        Order.objects.filter(where, integration_id=integration_id, remote_created_at__isnull=False)
        .annotate(day=local_day("remote_created_at"))
        .values("integration_id", "day", "currency")
        .annotate(
            n_orders=Count("pk", filter=~canceled),
            n_revenue=Coalesce(Sum("grand_total", filter=~canceled), Value(Decimal(0))),
            n_canceled=Count("pk", filter=canceled),
        )
        .order_by()
    )


ORDER_DAY_KEY = ["integration_id", "day", "currency"]
ORDER_DAY_COLUMNS = {
    "integration_id": "integration_id",
    "day": "day",
    "currency": "currency",
    "orders": "n_orders",
    "revenue": "n_revenue",
    "canceled": "n_canceled",
}


def order_days_refresh(*, integration_id: int, days: Iterable[datetime.date]) -> None:
    """Recompute the OrderDay rows of these days: one DELETE, one INSERT ... SELECT."""
    days = sorted(set(days))
    if not days:
        return
    spans = day_spans(days)
    with transaction.atomic():
        OrderDay.objects.filter(integration_id=integration_id, day__in=days).delete()
        rows = _order_days(integration_id, _within("remote_created_at", spans))
        _insert_select(OrderDay, ORDER_DAY_COLUMNS, ORDER_DAY_KEY, rows)


# -- customers per day ------------------------------------------------------------------------------


def _customer_days(integration_id: int, where: Q) -> models.QuerySet:
    return (
        Customer.objects.filter(where, integration_id=integration_id, remote_created_at__isnull=False)
        .annotate(day=local_day("remote_created_at"))
        .values("integration_id", "day")
        .annotate(
            n_registered=Count("pk", filter=Q(is_guest=False)),
            n_guests=Count("pk", filter=Q(is_guest=True)),
        )
        .order_by()
    )


CUSTOMER_DAY_KEY = ["integration_id", "day"]
CUSTOMER_DAY_COLUMNS = {
    "integration_id": "integration_id",
    "day": "day",
    "registered": "n_registered",
    "guests": "n_guests",
}


def customer_days_refresh(*, integration_id: int, days: Iterable[datetime.date]) -> None:
    """Recompute the CustomerDay rows of these days: one DELETE, one INSERT ... SELECT."""
    days = sorted(set(days))
    if not days:
        return
    with transaction.atomic():
        CustomerDay.objects.filter(integration_id=integration_id, day__in=days).delete()
        rows = _customer_days(integration_id, _within("remote_created_at", day_spans(days)))
        _insert_select(CustomerDay, CUSTOMER_DAY_COLUMNS, CUSTOMER_DAY_KEY, rows)


# -- each customer's figures ------------------------------------------------------------------------


def customer_figures_refresh(*, integration_id: int, customers: models.QuerySet | Iterable[int]) -> int:
    """Recompute order_count, first/last order, lifetime currency and value of these customers of one
    integration: two UPDATEs (the value needs the currency the first one set). Returns how many."""
    targets = Customer.objects.filter(integration_id=integration_id)
    targets = targets.filter(pk__in=customers) if not isinstance(customers, models.QuerySet) else customers
    orders = Order.objects.filter(customer_id=OuterRef("pk")).order_by().values("customer_id")
    most_used = (
        Order.objects.filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("currency")
        .annotate(n=Count("pk"))
        .order_by("-n", "currency")
        .values("currency")[:1]
    )
    with transaction.atomic():
        updated = targets.update(
            order_count=Coalesce(Subquery(orders.annotate(n=Count("pk")).values("n")), Value(0)),
            first_order_at=Subquery(orders.annotate(at=Min("remote_created_at")).values("at")),
            last_order_at=Subquery(orders.annotate(at=Max("remote_created_at")).values("at")),
            lifetime_currency=Coalesce(Subquery(most_used), Value("")),
        )
        kept = orders.filter(currency=OuterRef("lifetime_currency")).exclude(
            status__in=canceled_statuses(integration_id)
        )
        targets.update(
            lifetime_value=Coalesce(
                Subquery(kept.annotate(total=Sum("grand_total")).values("total")),
                Value(Decimal(0)),
                output_field=models.DecimalField(max_digits=16, decimal_places=4),
            )
        )
    return updated


def customer_days_of(*, integration_id: int, customers: models.QuerySet) -> None:
    """Recompute the days these customers count on."""
    days = (
        customers.filter(remote_created_at__isnull=False)
        .annotate(day=local_day("remote_created_at"))
        .values_list("day", flat=True)
        .distinct()
    )
    customer_days_refresh(integration_id=integration_id, days=list(days))


def customers_refresh(*, integration_id: int, customer_ids: Iterable[int]) -> None:
    """Written customers: their figures (orders read before them are linked by now) and their days."""
    ids = sorted(set(customer_ids))
    if ids:
        customer_figures_refresh(integration_id=integration_id, customers=ids)
        customer_days_of(integration_id=integration_id, customers=Customer.objects.filter(pk__in=ids))


def orders_changed(*, integration_id: int, pks: Iterable[int]) -> None:
    """Orders were written or changed (a status set from the order's page): their days, their customers'
    figures, and the days of the guests among those (a guest is made from the page's orders; the other
    customers' days move only when they are written themselves)."""
    rows = list(
        Order.objects.filter(pk__in=list(pks))
        .annotate(day=local_day("remote_created_at"))
        .values_list("day", "customer_id")
    )
    order_days_refresh(integration_id=integration_id, days={day for day, _ in rows if day})
    ids = sorted({c for _, c in rows if c})
    if ids:
        customer_figures_refresh(integration_id=integration_id, customers=ids)
        guests = Customer.objects.filter(pk__in=ids, is_guest=True)
        customer_days_of(integration_id=integration_id, customers=guests)


@receiver(records_written, dispatch_uid="channels.stats.written")
def _written(sender: type[models.Model], integration_id: int, pks: list[int], **kwargs: Any) -> None:
    if sender is Order:
        orders_changed(integration_id=integration_id, pks=pks)
    elif sender is Customer:
        customers_refresh(integration_id=integration_id, customer_ids=pks)
    elif sender is Cart:
        # A cart can make a guest customer (Magento's Guest Customer Sync): the day it counts on.
        carts = Cart.objects.filter(pk__in=pks, customer__is_guest=True).values("customer_id")
        guests = Customer.objects.filter(pk__in=Subquery(carts))
        customer_days_of(integration_id=integration_id, customers=guests)


# -- deleted orders -----------------------------------------------------------------------------------

# Orders deleted, per integration: (days, customers), counted out once the deleting transaction commits,
# all in one go by the first callback (a channel's deletion job deletes 2,000 orders a statement; the
# callbacks after the first find nothing left). What a rolled-back deletion left here is counted again
# at the next commit: a recount from the rows as they are, so harmless.
_deleted = threading.local()


@receiver(post_delete, sender=Order, dispatch_uid="channels.stats.order_deleted")
def _order_deleted(sender: type[Order], instance: Order, **kwargs: Any) -> None:
    pending = getattr(_deleted, "pending", None)
    if pending is None:
        pending = _deleted.pending = defaultdict(lambda: (set(), set()))
    days, customers = pending[instance.integration_id]
    if instance.remote_created_at is not None:
        days.add(timezone.localtime(instance.remote_created_at).date())
    if instance.customer_id is not None:
        customers.add(instance.customer_id)
    transaction.on_commit(_count_out_deleted)


def _count_out_deleted() -> None:
    pending = getattr(_deleted, "pending", None)
    if not pending:
        return
    _deleted.pending = None
    # An integration going away (deleted, or its channel being deleted) takes its figures with it.
    alive = set(
        Integration.objects.filter(pk__in=list(pending), channel__deleting_since__isnull=True).values_list(
            "pk", flat=True
        )
    )
    for integration_id, (days, customers) in pending.items():
        if integration_id in alive:
            order_days_refresh(integration_id=integration_id, days=days)
            if customers:
                customer_figures_refresh(integration_id=integration_id, customers=sorted(customers))


# -- rebuild ------------------------------------------------------------------------------------------


def _chunks(model: type[models.Model], integration_id: int) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """[start, end) spans of REBUILD_DAYS local days covering the integration's creation times."""
    found = model.objects.filter(integration_id=integration_id).aggregate(
        first=Min("remote_created_at"), last=Max("remote_created_at")
    )
    if found["first"] is None:
        return []
    first = timezone.localtime(found["first"]).date()
    last = timezone.localtime(found["last"]).date()
    spans = []
    day = first
    while day <= last:
        end = min(day + datetime.timedelta(days=REBUILD_DAYS), last + datetime.timedelta(days=1))
        spans.append((midnight(day), midnight(end)))
        day = end
    return spans


def stats_rebuild(*, integration_id: int | None = None, log=None) -> dict[str, int]:
    """Rebuild every figure of one integration (or all): OrderDay and CustomerDay from scratch, a span of
    days per INSERT ... SELECT, and every customer's figures, CUSTOMER_CHUNK customers per UPDATE.
    Returns the rows written per kind."""
    log = log or (lambda message: None)
    ids = [integration_id] if integration_id is not None else list(Integration.objects.values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            OrderDay.objects.filter(integration_id=pk).delete()
            for start, end in _chunks(Order, pk):
                span = Q(remote_created_at__gte=start, remote_created_at__lt=end)
                _insert_select(OrderDay, ORDER_DAY_COLUMNS, ORDER_DAY_KEY, _order_days(pk, span))
        with transaction.atomic():
            CustomerDay.objects.filter(integration_id=pk).delete()
            for start, end in _chunks(Customer, pk):
                span = Q(remote_created_at__gte=start, remote_created_at__lt=end)
                _insert_select(CustomerDay, CUSTOMER_DAY_COLUMNS, CUSTOMER_DAY_KEY, _customer_days(pk, span))
        log(f"integration {pk}: orders and customers per day rebuilt")
        bounds = Customer.objects.filter(integration_id=pk).aggregate(low=Min("pk"), high=Max("pk"))
        if bounds["low"] is not None:
            for low in range(bounds["low"], bounds["high"] + 1, CUSTOMER_CHUNK):
                chunk = Customer.objects.filter(integration_id=pk, pk__gte=low, pk__lt=low + CUSTOMER_CHUNK)
                customer_figures_refresh(integration_id=pk, customers=chunk)
        log(f"integration {pk}: customer figures rebuilt")
    scope = {"integration_id__in": ids}
    return {
        "order_days": OrderDay.objects.filter(**scope).count(),
        "customer_days": CustomerDay.objects.filter(**scope).count(),
        "customers": Customer.objects.filter(**scope).count(),
    }
