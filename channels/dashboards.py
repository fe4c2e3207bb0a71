"""Dashboards: what the channels bring in, per channel or across them, over a date range (OroCRM's reports).

Every figure is read from a table that stays small whatever the number of orders: orders and revenue
per day and new customers from the per-day tables channels.stats keeps, top customers from each
customer's kept figures (an index on lifetime value), cart value by status from the carts of the range
(grouped in the database), sync health from the runs and the quarantine. Money is never added across
currencies: each currency is a series of its own. Only the channels the user may view are counted.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from channels.models import Cart, Customer, CustomerDay, OrderDay
from channels.stats import midnight
from integrations.models import Integration, QuarantinedRecord, SyncRun
from integrations.permissions import integrations_for
from oroint import display

DEFAULT_DAYS = 30
# A range longer than this is cut to it: daily series of ten years are no longer read as days.
MAX_DAYS = 3660
TOP_CUSTOMERS = 10
RANGES = [(7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days"), (365, "Last year")]
RUN_STATUSES = [SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED, SyncRun.Status.CANCELED]


def visible_integrations(user: AbstractBaseUser) -> QuerySet[Integration]:
    """The integrations `user` may view whose channel is not being deleted, by channel name."""
    visible = integrations_for(user, "view").filter(channel__deleting_since__isnull=True)
    return visible.select_related("channel").order_by("channel__name", "pk")


@dataclass(frozen=True)
class Scope:
    """What a dashboard counts: these integrations, these days (both included)."""

    integration_ids: list[int]
    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> list[datetime.date]:
        return [self.start + datetime.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as aware times: the range's days in settings.TIME_ZONE."""
        return midnight(self.start), midnight(self.end + datetime.timedelta(days=1))


def _date(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def scope_from(
    params: dict[str, str], visible: list[Integration], today: datetime.date | None = None
) -> tuple[Scope, Integration | None]:
    """The scope a request asks for: `channel` (an integration id; none: all visible), `start` and `end`
    (ISO dates; default the last DEFAULT_DAYS days), or `days`. A channel the user may not view is a 404."""
    today = today or timezone.localdate()
    chosen = None
    if params.get("channel"):
        chosen = next((i for i in visible if str(i.pk) == params["channel"]), None)
        if chosen is None:
            raise Http404("No such channel")
    days = params.get("days", "")
    end = _date(params.get("end")) or today
    start = _date(params.get("start"))
    if days.isdigit() and int(days) > 0:
        end, start = today, today - datetime.timedelta(days=int(days) - 1)
    if start is None:
        start = end - datetime.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        start, end = end, start
    start = max(start, end - datetime.timedelta(days=MAX_DAYS - 1))
    ids = [chosen.pk] if chosen else [i.pk for i in visible]
    return Scope(ids, start, end), chosen


def _number(value: Decimal | int | None) -> float:
    return float(round(Decimal(value or 0), 2))


# -- the figures --------------------------------------------------------------------------------------


def orders_per_day(scope: Scope) -> dict[str, Any]:
    """Orders (not canceled), revenue and canceled orders per day, one series per currency."""
    rows = (
        OrderDay.objects.filter(integration_id__in=scope.integration_ids, day__gte=scope.start, day__lte=scope.end)
        .values("day", "currency")
        .annotate(orders=Sum("orders"), revenue=Sum("revenue"), canceled=Sum("canceled"))
        .order_by()
    )
    index = {day: n for n, day in enumerate(scope.days)}
    series: dict[str, dict[str, list]] = {}
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        currency = row["currency"] or ""
        if currency not in series:
            series[currency] = {key: [0] * len(index) for key in ("orders", "revenue", "canceled")}
            totals[currency] = {"orders": 0, "revenue": Decimal(0), "canceled": 0}
        at = index[row["day"]]
        series[currency]["orders"][at] = row["orders"]
        series[currency]["revenue"][at] = _number(row["revenue"])
        series[currency]["canceled"][at] = row["canceled"]
        for key in ("orders", "revenue", "canceled"):
            totals[currency][key] += row[key] or 0
    # The currency that brings in most first: its series are drawn first and its top customers shown first.
    order = sorted(series, key=lambda c: (-totals[c]["revenue"], c))
    return {
        "days": [day.isoformat() for day in scope.days],
        "currencies": order,
        "series": {c: series[c] for c in order},
        "totals": {
            c: {
                "orders": totals[c]["orders"],
                "canceled": totals[c]["canceled"],
                "revenue": _number(totals[c]["revenue"]),
                "revenue_text": display.money(totals[c]["revenue"], c),
                "average_text": display.money(totals[c]["revenue"] / totals[c]["orders"], c)
                if totals[c]["orders"]
                else display.EMPTY,
            }
            for c in order
        },
    }


def week_of(day: datetime.date) -> datetime.date:
    """The Monday the ISO week of `day` begins on."""
    return day - datetime.timedelta(days=day.weekday())


def customers_per_week(scope: Scope) -> dict[str, Any]:
    """New customers per ISO week (Monday first), registered and guests apart; weeks cut by the range
    count only its days."""
    rows = (
        CustomerDay.objects.filter(integration_id__in=scope.integration_ids, day__gte=scope.start, day__lte=scope.end)
        .values("day")
        .annotate(registered=Sum("registered"), guests=Sum("guests"))
        .order_by()
    )
    weeks = sorted({week_of(day) for day in scope.days})
    registered: dict[datetime.date, int] = defaultdict(int)
    guests: dict[datetime.date, int] = defaultdict(int)
    for row in rows:
        registered[week_of(row["day"])] += row["registered"] or 0
        guests[week_of(row["day"])] += row["guests"] or 0
    return {
        "weeks": [week.isoformat() for week in weeks],
        "registered": [registered[w] for w in weeks],
        "guests": [guests[w] for w in weeks],
        "total": sum(registered.values()) + sum(guests.values()),
    }


def carts_by_status(scope: Scope) -> dict[str, Any]:
    """Value and number of the carts created in the range per status (open, expired, purchased, lost),
    one series per currency."""
    start, end = scope.times
    rows = (
        Cart.objects.filter(
            integration_id__in=scope.integration_ids, remote_created_at__gte=start, remote_created_at__lt=end
        )
        .values("status", "currency")
        .annotate(value=Sum("grand_total"), carts=Count("pk"))
        .order_by()
    )
    statuses = [value for value, _label in Cart.Status.choices]
    series: dict[str, dict[str, list]] = {}
    for row in rows:
        currency = row["currency"] or ""
        found = series.setdefault(currency, {"value": [0.0] * len(statuses), "carts": [0] * len(statuses)})
        at = statuses.index(row["status"]) if row["status"] in statuses else None
        if at is not None:
            found["value"][at] = _number(row["value"])
            found["carts"][at] = row["carts"]
    order = sorted(series, key=lambda c: (-sum(series[c]["value"]), c))
    return {
        "statuses": [label for _value, label in Cart.Status.choices],
        "currencies": order,
        "series": {c: series[c] for c in order},
    }


def top_customers(scope: Scope, currencies: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The TOP_CUSTOMERS customers of the highest lifetime value in each currency (their whole history,
    not only the range), with a link to their page. One query per currency, along the value's index."""
    found: dict[str, list[dict[str, Any]]] = {}
    for currency in currencies:
        customers = (
            Customer.objects.filter(
                integration_id__in=scope.integration_ids, lifetime_currency=currency, lifetime_value__gt=0
            )
            .select_related("integration__channel")
            .order_by("-lifetime_value", "pk")[:TOP_CUSTOMERS]
        )
        found[currency] = [
            {
                "name": customer.full_name or customer.email or f"Customer #{customer.pk}",
                "email": customer.email,
                "guest": customer.is_guest,
                "channel": customer.integration.channel.name,
                "orders": customer.order_count,
                "value": _number(customer.lifetime_value),
                "value_text": display.money(customer.lifetime_value, currency),
                "last_order": display.when(customer.last_order_at),
                "url": reverse("admin:channels_customer_change", args=[customer.pk]),
            }
            for customer in customers
        ]
    return {currency: rows for currency, rows in found.items() if rows}


def sync_health(scope: Scope) -> dict[str, Any]:
    """Import and export runs per day by their final status, and records quarantined per day."""
    start, end = scope.times
    zone = timezone.get_default_timezone()
    runs = (
        SyncRun.objects.filter(
            integration_id__in=scope.integration_ids,
            created_at__gte=start,
            created_at__lt=end,
            status__in=RUN_STATUSES,
        )
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    quarantined = (
        QuarantinedRecord.objects.filter(
            integration_id__in=scope.integration_ids, created_at__gte=start, created_at__lt=end
        )
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    index = {day: n for n, day in enumerate(scope.days)}
    series = {status.value: [0] * len(index) for status in RUN_STATUSES}
    for row in runs:
        series[row["status"]][index[row["day"]]] = row["n"]
    held = [0] * len(index)
    for row in quarantined:
        held[index[row["day"]]] = row["n"]
    return {
        "days": [day.isoformat() for day in scope.days],
        "statuses": [{"key": s.value, "label": s.label} for s in RUN_STATUSES],
        "runs": series,
        "quarantined": held,
        "totals": {**{key: sum(values) for key, values in series.items()}, "quarantined": sum(held)},
    }


def dashboard_data(scope: Scope) -> dict[str, Any]:
    """Everything the dashboard draws, as JSON-ready values."""
    orders = orders_per_day(scope)
    return {
        "range": {"start": scope.start.isoformat(), "end": scope.end.isoformat()},
        "orders": orders,
        "customers": customers_per_week(scope),
        "carts": carts_by_status(scope),
        "top_customers": top_customers(scope, _currencies(scope, orders["currencies"])),
        "sync": sync_health(scope),
    }


def _currencies(scope: Scope, in_range: list[str]) -> list[str]:
    """The range's currencies, then any other the channels ever sold in (top customers are all-time)."""
    ever = (
        OrderDay.objects.filter(integration_id__in=scope.integration_ids)
        .values("currency")
        .annotate(revenue=Sum("revenue"))
        .order_by("-revenue", "currency")
        .values_list("currency", flat=True)
    )
    return list(dict.fromkeys([*in_range, *ever]))


# -- the tables under the charts ---------------------------------------------------------------------


def _rows(labels: list[str], columns: list[tuple[list, Any]]) -> list[list[str]]:
    """Table rows: a label, then each column's value formatted; rows whose figures are all zero are left
    out (a year of days reads faster without the empty ones)."""
    rows = []
    for n, label in enumerate(labels):
        values = [values[n] for values, _shown in columns]
        if any(values):
            rows.append([label, *[shown(value) for value, (_values, shown) in zip(values, columns, strict=True)]])
    return rows


def _money_of(currency: str):
    return lambda value: display.money(value, currency)


def chart_panels(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each chart's title, one-line summary (also its accessible name) and the table of its figures."""
    orders, customers, carts, sync = data["orders"], data["customers"], data["carts"], data["sync"]
    currencies, series, totals = orders["currencies"], orders["series"], orders["totals"]
    in_words = "; ".join(
        f"{display.count(totals[c]['orders'])} orders, {totals[c]['revenue_text']}" for c in currencies
    )
    first_cart_currency = carts["currencies"][0] if carts["currencies"] else None
    cart_words = (
        ", ".join(
            f"{status} {display.money(carts['series'][first_cart_currency]['value'][n], first_cart_currency)}"
            for n, status in enumerate(carts["statuses"])
        )
        if first_cart_currency is not None
        else "none"
    )
    return [
        {
            "id": "chart-orders",
            "title": "Orders per day",
            "summary": (in_words or "No orders") + ". Canceled orders are counted apart.",
            "head": ["Day", *[f"Orders {c}" for c in currencies], *[f"Canceled {c}" for c in currencies]],
            "rows": _rows(
                orders["days"],
                [(series[c]["orders"], display.count) for c in currencies]
                + [(series[c]["canceled"], display.count) for c in currencies],
            ),
        },
        {
            "id": "chart-revenue",
            "title": "Revenue per day",
            "summary": "Grand totals of the orders not canceled, one line per currency.",
            "head": ["Day", *[f"Revenue {c}" for c in currencies]],
            "rows": _rows(orders["days"], [(series[c]["revenue"], _money_of(c)) for c in currencies]),
        },
        {
            "id": "chart-customers",
            "title": "New customers per week",
            "summary": f"{display.count(sum(customers['registered']))} registered and "
            f"{display.count(sum(customers['guests']))} guests; weeks begin on Monday.",
            "head": ["Week of", "Registered", "Guests"],
            "rows": _rows(
                customers["weeks"], [(customers["registered"], display.count), (customers["guests"], display.count)]
            ),
        },
        {
            "id": "chart-carts",
            "title": "Cart value by status",
            "summary": f"Carts created in the range: {cart_words}.",
            "head": [
                "Status",
                *[f"Value {c}" for c in carts["currencies"]],
                *[f"Carts {c}" for c in carts["currencies"]],
            ],
            "rows": _rows(
                carts["statuses"],
                [(carts["series"][c]["value"], _money_of(c)) for c in carts["currencies"]]
                + [(carts["series"][c]["carts"], display.count) for c in carts["currencies"]],
            ),
        },
        {
            "id": "chart-sync",
            "title": "Sync health",
            "summary": ", ".join(f"{sync['totals'][s['key']]} {s['label'].lower()}" for s in sync["statuses"])
            + f" runs; {sync['totals']['quarantined']} records quarantined.",
            "head": ["Day", *[s["label"] for s in sync["statuses"]], "Quarantined"],
            "rows": _rows(
                sync["days"],
                [(sync["runs"][s["key"]], display.count) for s in sync["statuses"]]
                + [(sync["quarantined"], display.count)],
            ),
            "wide": True,
        },
    ]


# -- the page -----------------------------------------------------------------------------------------


def dashboard_view(request: HttpRequest, site) -> HttpResponse:
    """GET /admin/dashboard/?channel=ID&start=YYYY-MM-DD&end=YYYY-MM-DD (or days=N); `format=json` answers
    the figures alone."""
    visible = list(visible_integrations(request.user))
    scope, chosen = scope_from(request.GET, visible)
    data = dashboard_data(scope)
    if request.GET.get("format") == "json":
        return JsonResponse(data)
    context = {
        **site.each_context(request),
        "title": f"Dashboard: {chosen.channel.name}" if chosen else "Dashboard: all channels",
        "visible": visible,
        "chosen": chosen,
        "scope": scope,
        "ranges": RANGES,
        "dashboard": data,
        "top_currencies": list(data["top_customers"].items()),
        "charts": chart_panels(data),
    }
    return TemplateResponse(request, "admin/dashboard/index.html", context)
