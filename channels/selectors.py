"""Reads about synced channel records, shared by the admin and (later) the API."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connections, models
from django.db.models import Count, F, Q, Sum

from channels.models import Channel, Order, OrderDay
from integrations.engine import registry

QuerySetT = TypeVar("QuerySetT", bound=models.QuerySet)


def visible_records(user: AbstractBaseUser | AnonymousUser, queryset: QuerySetT) -> QuerySetT:
    """The rows of `queryset` that `user` may browse: those of the integrations they may view.

    A user with the model permission to view integrations sees every channel's records; others see
    those of the integrations their django-guardian object permissions grant. Every admin page of
    the channels app reads through this function.
    """
    if sees_every_integration(user):
        return queryset
    return queryset.filter(**{f"{_integration_path(queryset.model)}__in": visible_integration_ids(user)})


def sees_every_integration(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether `user` may view every integration's records (and so what outlives them: accounts, contacts)."""
    return (
        user.is_superuser
        or user.has_perm("integrations.view_integration")
        or user.has_perm("integrations.change_integration")
    )


def visible_integration_ids(user: AbstractBaseUser | AnonymousUser) -> list[int]:
    """The integrations whose records `user` may browse through object permissions."""
    from integrations.permissions import integrations_for

    return list(integrations_for(user, "view").values_list("pk", flat=True))


def _integration_path(model: type[models.Model]) -> str:
    """How a row of `model` leads to the integration that brought it in."""
    if model is Channel:
        return "integration__pk"
    names = {f.name for f in model._meta.get_fields()}
    if "integration" in names:
        return "integration_id"
    for parent in ("customer", "order", "cart", "memo"):  # addresses and items belong to their parent's integration
        if parent in names:
            return f"{parent}__integration_id"
    raise LookupError(f"{model.__name__} is not a record of an integration")


def table_row_estimate(model: type[models.Model], *, using: str = "default") -> int | None:
    """The planner's estimate of how many rows `model`'s table holds, or None if unknown.

    Only PostgreSQL keeps one (pg_class.reltuples, refreshed by VACUUM and ANALYZE); it is
    -1 for a table never analyzed. Reading it is instant, where COUNT(*) scans the table.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        row = cursor.fetchone()
    if row is None or row[0] is None or row[0] < 0:
        return None
    return int(row[0])


def customer_order_counts(*, customer_ids: list[int]) -> dict[int, int]:
    """How many orders each of the given customers placed, in one query (absent means none)."""
    if not customer_ids:
        return {}
    rows = (
        Order.objects.filter(customer_id__in=customer_ids)
        .order_by()
        .values("customer_id")
        .annotate(orders=Count("id"))
        .values_list("customer_id", "orders")
    )
    return dict(rows)


def canceled_statuses() -> tuple[str, ...]:
    """The statuses that mean canceled in any type's stores (a list may span types): counted, never summed
    into revenue, as channels.stats keeps OrderDay."""
    return tuple(sorted({s for c in registry.types().values() for s in c.canceled_order_statuses}))


@dataclass(frozen=True)
class OrderTotals:
    """How many orders a list holds and the sum of their grand totals per currency (canceled ones left out)."""

    orders: int
    canceled: int
    sums: list[tuple[str, Decimal]]


def _totals(rows: Iterable[dict]) -> OrderTotals:
    rows = list(rows)
    return OrderTotals(
        orders=sum(row["orders"] or 0 for row in rows),
        canceled=sum(row["canceled"] or 0 for row in rows),
        # A currency whose orders were all canceled has nothing to sum (the SUM of no row is NULL; OrderDay
        # keeps 0 for it): it is left out either way.
        sums=[
            (row["currency"], row["total"])
            for row in rows
            if row["total"] is not None and (row["orders"] or 0) > (row["canceled"] or 0)
        ],
    )


def order_totals(queryset: models.QuerySet) -> OrderTotals:
    """The totals of any filtered order list: one SUM per currency over what it holds."""
    canceled = Q(status__in=canceled_statuses())
    rows = (
        queryset.order_by()
        .values("currency")
        .annotate(
            orders=Count("pk"),
            canceled=Count("pk", filter=canceled),
            total=Sum("grand_total", filter=~canceled),
        )
    )
    return _totals(rows)


def order_totals_by_day(
    *, integration_ids: list[int] | None, first_day: datetime.date | None, last_day: datetime.date | None
) -> OrderTotals:
    """The same totals from the orders kept per day (OrderDay): a few thousand rows, not a million orders.

    Only for a list filtered by nothing but integrations (None: all) and whole days of the order date in
    settings.TIME_ZONE, which is what OrderDay is cut by.
    """
    days = OrderDay.objects.all()
    if integration_ids is not None:
        days = days.filter(integration_id__in=integration_ids)
    if first_day is not None:
        days = days.filter(day__gte=first_day)
    if last_day is not None:
        days = days.filter(day__lte=last_day)
    rows = (
        days.order_by()
        .values("currency")
        # OrderDay.orders counts the orders not canceled; a list counts them all.
        .annotate(orders=Sum(F("orders") + F("canceled")), canceled=Sum("canceled"), total=Sum("revenue"))
    )
    return _totals(rows)
