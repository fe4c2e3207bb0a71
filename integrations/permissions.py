"""Who may see and act on which integration: model permissions or django-guardian object permissions.

A user with the model permission (`integrations.change_integration`) may act on every integration;
a user with the object permission only on those they were granted. Everything an integration brings
in (runs, customers, orders...) is visible to whoever may view the integration.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user

from integrations.models import Integration

ACTIONS = ("view", "change", "delete")


def _perm(action: str) -> str:
    return f"integrations.{action}_integration"


def may(user: AbstractBaseUser, action: str, integration: Integration) -> bool:
    """Whether `user` may `action` ("view", "change", "delete") this integration."""
    if not user.is_active:
        return False
    if user.has_perm(_perm(action)) or user.has_perm(_perm(action), integration):
        return True
    # Who may change an integration may also look at it.
    return action == "view" and may(user, "change", integration)


def integrations_for(user: AbstractBaseUser, action: str = "view", queryset: QuerySet | None = None) -> QuerySet:
    """The integrations `user` may `action`."""
    queryset = queryset if queryset is not None else Integration.objects.all()
    perms = [_perm(action)] if action != "view" else [_perm("view"), _perm("change")]
    return get_objects_for_user(user, perms, klass=queryset, any_perm=True, accept_global_perms=True)


def may_any(user: AbstractBaseUser, action: str) -> bool:
    """Whether `user` may `action` at least one integration (for list pages and menus)."""
    return user.is_active and (user.has_perm(_perm(action)) or integrations_for(user, action).exists())


def grant(user: AbstractBaseUser, integration: Integration, actions: tuple[str, ...] = ACTIONS) -> None:
    """Give `user` object permissions on one integration."""
    for action in actions:
        assign_perm(_perm(action), user, integration)
