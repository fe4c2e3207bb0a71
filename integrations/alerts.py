"""Telling people that a sync failed: once per failure streak, not on every retry."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from integrations.models import SyncRun

logger = logging.getLogger(__name__)


def run_failed_alert(*, run: SyncRun) -> bool:
    """Email the integration's owner about a failed run, unless this failure streak was already told.

    A streak starts after the last successful run; only its first failure sends mail. Returns
    whether an email was sent.
    """
    integration = run.integration
    with transaction.atomic():
        last_success = (
            SyncRun.objects.filter(integration=integration, status=SyncRun.Status.SUCCEEDED)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        streak = SyncRun.objects.select_for_update().filter(integration=integration, status=SyncRun.Status.FAILED)
        if last_success:
            streak = streak.filter(finished_at__gt=last_success)
        if streak.exclude(pk=run.pk).filter(alerted_at__isnull=False).exists():
            return False
        claimed = SyncRun.objects.filter(pk=run.pk, alerted_at__isnull=True).update(alerted_at=timezone.now())
    if not claimed:
        return False
    owner = integration.default_owner or integration.channel.owner
    if owner is None or not owner.email:
        logger.warning("run %s failed; integration %s has no owner with an email to tell", run.pk, integration.pk)
        return False
    run_url = site_url(reverse("admin:integrations_syncrun_change", args=[run.pk]))
    integration_url = site_url(reverse("admin:integrations_integration_change", args=[integration.pk]))
    send_mail(
        subject=f"[oroint] Sync of {integration.name} failed",
        message=(
            f"The sync run #{run.pk} of {integration.name} failed:\n\n{run.message}\n\n"
            f"Details of the run: {run_url}\n"
            f"The integration (Check Connection, Schedule Sync): {integration_url}\n\n"
            "You will not be emailed again about this integration until a sync has succeeded."
        ),
        from_email=None,
        recipient_list=[owner.email],
        fail_silently=True,
    )
    return True


def site_url(path: str) -> str:
    """An absolute link to a page of this site (OROINT_SITE_URL), as a mail needs to be clickable."""
    return f"{settings.OROINT_SITE_URL.rstrip('/')}{path}"


def integration_is_failing(integration) -> bool:
    """Whether the integration's last finished run failed (the admin shows a badge)."""
    last = (
        SyncRun.objects.filter(integration=integration)
        .exclude(status__in=SyncRun.ACTIVE)
        .order_by("-created_at")
        .values_list("status", flat=True)
        .first()
    )
    return last == SyncRun.Status.FAILED
