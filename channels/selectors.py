"""Reads about synced channel records, shared by the admin and (later) the API."""

from typing import TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connections, models
from django.db.models import Count

from channels.models import Order

QuerySetT = TypeVar("QuerySetT", bound=models.QuerySet)


def visible_records(user: AbstractBaseUser | AnonymousUser, queryset: QuerySetT) -> QuerySetT:
    """The rows of `queryset` that `user` may browse.

    Today every staff user with the model's view permission sees every channel's records.
    Object-level access by integration (django-guardian) will narrow `queryset` here, and every
    admin page of the channels app reads through this function, so that is the one place to change.
    """
    return queryset


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
