"""The daily cart upkeep: OroCRM's cart expiration job, and the abandoned-cart rule.

Expiration: the store deletes old quotes, and a deleted quote never shows up in an `updated_at`
window again, so the open carts known here are asked for by id, 200 at a time, with the website's
store filter; those the store does not send back are Expired. The abandoned-cart rule marks Lost
the open carts not updated in the store for the integration's `cart_lost_after_days` (0: never).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from channels.models import Cart
from integrations.connectors.magento1.models import Magento1Settings

EXPIRATION_BATCH = 200
EXPIRED_BY = "cart expiration job"
LOST_BY = "abandoned-cart rule"

# fetch(cart remote ids) -> the quotes the store still has among them (oroQuoteList, entity_id in).
QuoteFetch = Callable[[list[str]], list[dict[str, Any]]]


def expire_vanished_carts(integration, fetch: QuoteFetch) -> int:
    """Expire the open carts the store no longer sends; how many were expired."""
    expired = 0
    after = 0
    while True:
        batch = list(
            Cart.objects.filter(integration=integration, status=Cart.Status.OPEN, pk__gt=after)
            .order_by("pk")
            .values_list("pk", "remote_id")[:EXPIRATION_BATCH]
        )
        if not batch:
            return expired
        after = batch[-1][0]
        returned = {str(raw.get("entity_id") or "").strip() for raw in fetch([remote_id for _, remote_id in batch])}
        gone = [pk for pk, remote_id in batch if remote_id not in returned]
        if gone:
            expired += Cart.objects.filter(pk__in=gone, status=Cart.Status.OPEN).update(
                status=Cart.Status.EXPIRED, status_changed_at=timezone.now(), status_set_by=EXPIRED_BY
            )


def mark_abandoned_carts(integration, settings: Magento1Settings, now: datetime.datetime | None = None) -> int:
    """Mark Lost the open carts not updated in the store for `cart_lost_after_days`; how many."""
    days = settings.cart_lost_after_days
    if not days:
        return 0
    now = now or timezone.now()
    return Cart.objects.filter(
        integration=integration,
        status=Cart.Status.OPEN,
        remote_updated_at__lt=now - datetime.timedelta(days=days),
    ).update(status=Cart.Status.LOST, status_changed_at=now, status_set_by=LOST_BY)


def describe(expired: int, lost: int) -> str:
    return f"{expired} cart{'s' if expired != 1 else ''} expired, {lost} marked lost"
