"""Writes on synced channel records that a back-office user makes (the sync engine writes the rest)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils import timezone

from channels.models import Cart
from integrations import permissions


def may_set_cart_status(user: AbstractBaseUser, cart: Cart) -> bool:
    """Whoever may change the cart's integration, or holds the model permission to change carts and may
    view the integration, may set a cart's status."""
    integration = cart.integration
    if permissions.may(user, "change", integration):
        return True
    return user.has_perm("channels.change_cart") and permissions.may(user, "view", integration)


def cart_mark_lost(*, carts: models.QuerySet[Cart], user: AbstractBaseUser) -> int:
    """Mark the open carts among `carts` lost, as set by `user`; how many changed.

    Only open carts change: a cart purchased, expired or already lost meanwhile keeps its status, and
    who set it (the update is conditional, so two admins pressing at once change a cart once).
    """
    return (
        Cart.objects.filter(pk__in=carts.values("pk"), status=Cart.Status.OPEN)
        .order_by()
        .update(status=Cart.Status.LOST, status_set_by=user.get_username(), status_changed_at=timezone.now())
    )
