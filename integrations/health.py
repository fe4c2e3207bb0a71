"""What the integrations list and page say about each integration: its health, its connection, its
last run, its open quarantine and its next automatic sync.

Read for a whole page of integrations at once (`attach_health`: three queries however many rows),
then per integration from what was attached.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from integrations.models import ConnectionCheck, Integration, QuarantinedRecord, SyncRun
from integrations.progress import runs_with_figures
from oroint import display

FINISHED_CHECK = (ConnectionCheck.Status.SUCCEEDED, ConnectionCheck.Status.FAILED)
# The runs that say how a sync went: a canceled one says nothing about the store.
CONCLUSIVE = (SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED)


@dataclass(frozen=True)
class Badge:
    label: str
    css: str  # the oroint-CSS class of the badge: ok, failed, errors, never, running...
    title: str = ""


@dataclass
class HealthFacts:
    """What the health of one integration is judged from."""

    last_check: ConnectionCheck | None = None
    last_run: SyncRun | None = None  # the newest import run, whatever its status
    last_conclusive: SyncRun | None = None  # the newest import run that succeeded or failed
    last_success_at: datetime.datetime | None = None
    open_quarantined: int = 0


def _newest(model, integration_field: str, **filters) -> Subquery:
    rows = model.objects.filter(**{integration_field: OuterRef("pk")}, **filters).order_by("-created_at", "-id")
    return Subquery(rows.values("pk")[:1], output_field=IntegerField())


def attach_health(integrations: Iterable[Integration]) -> None:
    """Set `health_facts` on each integration, for the whole lot in three queries."""
    integrations = list(integrations)
    if not integrations:
        return
    imports = {"direction": SyncRun.Direction.IMPORT}
    open_quarantine = (
        QuarantinedRecord.objects.filter(integration=OuterRef("pk"), resolved_at__isnull=True)
        .order_by()
        .values("integration")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # The newest success's end (one import runs at a time, so the newest queued is the last to end).
    last_success = (
        SyncRun.objects.filter(integration=OuterRef("pk"), status=SyncRun.Status.SUCCEEDED, **imports)
        .order_by("-created_at", "-id")
        .values("finished_at")[:1]
    )
    rows = Integration.objects.filter(pk__in=[i.pk for i in integrations]).annotate(
        # A check of values typed but not saved says nothing of the saved integration (tested_saved).
        check_id=_newest(ConnectionCheck, "integration", status__in=FINISHED_CHECK, tested_saved=True),
        run_id=_newest(SyncRun, "integration", **imports),
        conclusive_id=_newest(SyncRun, "integration", status__in=CONCLUSIVE, **imports),
        success_at=Subquery(last_success),
        quarantined=Subquery(open_quarantine, output_field=IntegerField()),
    )
    found = {row.pk: row for row in rows}
    run_ids = {pk for row in found.values() for pk in (row.run_id, row.conclusive_id) if pk}
    runs = {run.pk: run for run in runs_with_figures(SyncRun.objects.filter(pk__in=run_ids))}
    check_ids = [row.check_id for row in found.values() if row.check_id]
    checks = {check.pk: check for check in ConnectionCheck.objects.filter(pk__in=check_ids)}
    for integration in integrations:
        row = found.get(integration.pk)
        if row is None:
            integration.health_facts = HealthFacts()
            continue
        integration.health_facts = HealthFacts(
            last_check=checks.get(row.check_id),
            last_run=runs.get(row.run_id),
            last_conclusive=runs.get(row.conclusive_id),
            last_success_at=row.success_at,
            open_quarantined=row.quarantined or 0,
        )


def badge_html(badge: Badge) -> SafeString:
    """The badge as the pages show it (static/integrations/admin.css styles every kind alike)."""
    return format_html('<span class="oroint-badge oroint-{}" title="{}">{}</span>', badge.css, badge.title, badge.label)


def health_badge(integration: Integration, secret_problem: str | None = None) -> SafeString:
    """The health badge of the integrations list, the integration page and the start page: a secret that
    cannot be decrypted first (`secret_problem`, from services.integration_secret_problem), else `health`."""
    if secret_problem is not None:
        return badge_html(Badge("Secret cannot be decrypted", "failed", secret_problem))
    return badge_html(health(integration))


def facts(integration: Integration) -> HealthFacts:
    """The integration's facts, read now if no list attached them (the integration's own page)."""
    if not hasattr(integration, "health_facts"):
        attach_health([integration])
    return integration.health_facts


def health(integration: Integration) -> Badge:
    """Not connected, Never synced, Last sync failed, Succeeded with N errors, or OK: the first that holds.

    "Not connected" is a failed Check Connection with no successful sync since; a run that could not
    write some records did sync, and says how many it could not."""
    f = facts(integration)
    check = f.last_check
    if (
        check is not None
        and check.status == ConnectionCheck.Status.FAILED
        and (f.last_success_at is None or (check.finished_at or check.created_at) > f.last_success_at)
    ):
        return Badge("Not connected", "failed", check.message)
    last = f.last_conclusive
    if last is None:
        return Badge("Never synced", "never")
    if last.status == SyncRun.Status.FAILED:
        return Badge("Last sync failed", "failed", last.message)
    if last.errors:
        return Badge(last.outcome, "errors", "Records it could not write are in the quarantine.")
    return Badge("OK", "ok")


def connection(integration: Integration) -> Badge:
    """What the last Check Connection found."""
    check = facts(integration).last_check
    if check is None:
        return Badge("Never checked", "never")
    when = display.when(check.finished_at or check.created_at)
    if check.status == ConnectionCheck.Status.SUCCEEDED:
        return Badge("Connected", "ok", f"Checked {when}")
    return Badge("Not connected", "failed", f"{when}: {check.message}")


def _scheduled(integration: Integration) -> bool:
    """Whether the scheduler syncs this integration at all (services.sync_dispatch_due's conditions)."""
    channel = integration.channel
    return bool(
        integration.enabled
        and integration.sync_interval_minutes
        and channel.is_active
        and channel.deleting_since is None
    )


def next_sync_at(integration: Integration, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the scheduler queues the next sync: the last import run's queueing plus the interval; None
    when it will not (off) or cannot say yet (a run is on)."""
    last = facts(integration).last_run
    if not _scheduled(integration) or (last is not None and not last.is_finished):
        return None
    if last is None:
        return now or timezone.now()
    return last.created_at + datetime.timedelta(minutes=integration.sync_interval_minutes)


def next_sync(integration: Integration, now: datetime.datetime | None = None) -> str:
    """The next automatic sync in words: "off", "after the current run", "due now" or "in 4 min 10 s"."""
    now = now or timezone.now()
    if not _scheduled(integration):
        return "off"
    due = next_sync_at(integration, now)
    if due is None:
        return "after the current run"
    if due <= now:
        return "due now"
    return f"in {display.duration((due - now).total_seconds())}"
