"""The start page (the admin's index): the channels with their health and what to do next, the recent runs,
key figures, and the dashboard's link; Django's list of every section stays beside them.

Everything is read from a few queries whatever the number of orders: figures from the per-day tables
channels.stats keeps, open carts from an index on their status, runs from the newest ten.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, Subquery, Sum
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils import timezone

from channels import dashboards
from channels.models import Cart, CustomerDay, OrderDay
from integrations import health, permissions, services
from integrations.admin.integration import prefetch_type_settings
from integrations.models import ConnectionCheck, Integration, QuarantinedRecord, SyncRun, SyncRunEntity
from oroint import display

RECENT_RUNS = 10


def health_label(integration: Integration) -> str:
    """The integration's health badge, as the integrations list says it (integrations.health), from the
    facts `channels()` attached to every row at once."""
    return health.health_badge(integration, services.integration_secret_problem(integration=integration))


@dataclass
class NextStep:
    """What a new channel needs next: a button on the integration page (`action`), or a link."""

    label: str
    why: str
    action: str = ""  # the URL a POST goes to (Check Connection, Schedule Sync), if the user may change it
    url: str = ""


def next_step(integration: Integration, may_change: bool) -> NextStep | None:
    """Never checked (or the last check failed, before any sync succeeded): Check Connection; checked, no
    sync succeeded yet: Schedule Sync; synced once: nothing to do here (its health says the rest)."""
    page = reverse("admin:integrations_integration_change", args=[integration.pk])
    if integration.last_check_status != ConnectionCheck.Status.SUCCEEDED and not integration.has_synced:
        why = "Never checked" if integration.last_check_status is None else "The last connection check failed"
        action = reverse("admin:integrations_integration_check", args=[integration.pk]) if may_change else ""
        return NextStep("Check Connection", why, action, page)
    if not integration.has_synced:
        action = reverse("admin:integrations_integration_sync", args=[integration.pk]) if may_change else ""
        why = "No sync has succeeded yet" if integration.has_run else "Never synced"
        return NextStep("Schedule Sync", why, action, page)
    return None


def channels(request: HttpRequest, visible: list[int]) -> list[dict[str, Any]]:
    """Each visible integration with its channel, health, next step and last run: the same few queries
    however many channels there are."""
    # A check of values typed but not saved says nothing of the saved integration (tested_saved).
    checks = ConnectionCheck.objects.filter(integration=OuterRef("pk"), tested_saved=True).order_by(
        "-created_at", "-pk"
    )
    imports = SyncRun.objects.filter(integration=OuterRef("pk"), direction=SyncRun.Direction.IMPORT)
    last_run = SyncRun.objects.filter(integration=OuterRef("pk")).order_by("-created_at", "-pk")
    integrations = (
        Integration.objects.filter(pk__in=visible)
        .select_related("channel")
        .annotate(
            last_check_status=Subquery(checks.values("status")[:1]),
            has_run=Exists(imports),
            has_synced=Exists(imports.filter(status=SyncRun.Status.SUCCEEDED)),
            last_run_id=Subquery(last_run.values("pk")[:1]),
        )
        .order_by("channel__name", "pk")
    )
    prefetch_type_settings(integrations)
    health.attach_health(integrations)
    runs = SyncRun.objects.in_bulk([i.last_run_id for i in integrations if i.last_run_id])
    changeable = set(
        permissions.integrations_for(request.user, "change").filter(pk__in=visible).values_list("pk", flat=True)
    )
    rows = []
    for integration in integrations:
        may_change = integration.pk in changeable
        rows.append(
            {
                "integration": integration,
                "url": reverse("admin:integrations_integration_change", args=[integration.pk]),
                "dashboard": f"{reverse('admin:dashboard')}?channel={integration.pk}",
                "health": health_label(integration),
                "next": next_step(integration, may_change),
                "last_run": runs.get(integration.last_run_id),
            }
        )
    return rows


def recent_runs(visible: list[int]) -> list[dict[str, Any]]:
    """The newest runs with the records they read (imports) or pushed (exports), failed ones and duration."""
    runs = list(SyncRun.objects.filter(integration_id__in=visible).select_related("integration")[:RECENT_RUNS])
    sums = {
        row["run_id"]: row
        for row in SyncRunEntity.objects.filter(run_id__in=[r.pk for r in runs])
        .values("run_id")
        .annotate(read=Sum("read"), pushed=Sum("pushed"), failed=Sum("failed"))
        .order_by()
    }
    now = timezone.now()
    rows = []
    for run in runs:
        totals = sums.get(run.pk, {})
        records = totals.get("pushed" if run.direction == SyncRun.Direction.EXPORT else "read") or 0
        seconds = None
        if run.started_at:
            seconds = ((run.finished_at or now) - run.started_at).total_seconds()
        rows.append(
            {
                "run": run,
                "url": reverse("admin:integrations_syncrun_change", args=[run.pk]),
                "records": records,
                "failed": totals.get("failed") or 0,
                "duration": display.duration(seconds) if seconds is not None else display.EMPTY,
            }
        )
    return rows


def key_figures(visible: list[int], today: datetime.date | None = None) -> dict[str, Any]:
    """Orders today and in the last 7 days per currency, customers, open carts' value per currency,
    records in the quarantine."""
    today = today or timezone.localdate()
    week = today - datetime.timedelta(days=6)
    days = OrderDay.objects.filter(integration_id__in=visible, day__gte=week, day__lte=today)

    def per_currency(rows) -> list[dict[str, str]]:
        grouped = rows.values("currency").annotate(n=Sum("orders"), revenue=Sum("revenue")).order_by("-revenue")
        return [
            {
                "n": row["n"],
                "orders": display.count(row["n"]),
                "revenue": display.money(row["revenue"], row["currency"]),
            }
            for row in grouped
        ]

    customers = CustomerDay.objects.filter(integration_id__in=visible).aggregate(
        registered=Sum("registered"), guests=Sum("guests")
    )
    carts = (
        Cart.objects.filter(integration_id__in=visible, status=Cart.Status.OPEN)
        .values("currency")
        .annotate(value=Sum("grand_total"), n=Count("pk"))
        .order_by("-value")
    )
    quarantined = QuarantinedRecord.objects.filter(integration_id__in=visible, resolved_at__isnull=True).count()
    return {
        "today": per_currency(days.filter(day=today)),
        "week": per_currency(days),
        "customers": display.count((customers["registered"] or 0) + (customers["guests"] or 0)),
        "guests": display.count(customers["guests"] or 0),
        "open_carts": [
            {"value": display.money(row["value"], row["currency"]), "n": row["n"], "carts": display.count(row["n"])}
            for row in carts
        ],
        "quarantined": quarantined,
        "quarantined_url": reverse("admin:integrations_quarantinedrecord_changelist") + "?resolved_at__isempty=1",
    }


def start_context(request: HttpRequest) -> dict[str, Any]:
    """What templates/admin/index.html shows besides Django's app list."""
    visible = list(dashboards.visible_integrations(request.user).values_list("pk", flat=True))
    may_add = request.user.has_perm("integrations.add_integration")
    return {
        "start_channels": channels(request, visible),
        "start_runs": recent_runs(visible),
        "start_figures": key_figures(visible) if visible else None,
        "may_add_integration": may_add,
        "add_integration_url": reverse("admin:integrations_integration_add"),
        "dashboard_url": reverse("admin:dashboard"),
        "any_integration": bool(visible),
    }


def install(site: admin.AdminSite) -> None:
    """Make `site`'s index the start page and serve the dashboard at /admin/dashboard/."""
    index = site.index
    urls = site.get_urls

    def start_index(request: HttpRequest, extra_context: dict | None = None):
        return index(request, {**start_context(request), **(extra_context or {})})

    def get_urls():
        view = site.admin_view(lambda request: dashboards.dashboard_view(request, site))
        return [path("dashboard/", view, name="dashboard"), *urls()]

    site.index = start_index
    site.get_urls = get_urls
