"""Who may see and act on which integration: model permissions or django-guardian object permissions.

A user with the model permission (`integrations.change_integration`) may act on every integration;
a user with the object permission only on those they were granted. Everything an integration brings
in (runs, customers, orders...) is visible to whoever may view the integration.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from guardian.conf import settings as guardian_settings
from guardian.shortcuts import assign_perm, get_objects_for_user, get_users_with_perms

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


def owner_choices(
    user: AbstractBaseUser, integration: Integration | None = None, *, current: tuple[int | None, ...] = ()
) -> QuerySet:
    """The users `user` may choose as an owner (of a channel, of an integration's records).

    A superuser chooses among every active user. Anyone else sees no more users than they work with:
    themselves and the users granted object permissions on this integration (directly or through a
    group); never the full user list. `current` (the owners already set) stays choosable, so that an
    unchanged form still saves.
    """
    # django-guardian's stand-in for anonymous visitors is a user row, but nobody to own anything.
    users = get_user_model().objects.exclude(username=guardian_settings.ANONYMOUS_USER_NAME).order_by("username")
    kept = Q(pk__in=[pk for pk in current if pk is not None])
    if user.is_superuser:
        return users.filter(Q(is_active=True) | kept)
    sharing = {user.pk}
    if integration is not None and integration.pk is not None:
        sharing |= {u.pk for u in get_users_with_perms(integration, with_group_users=True)}
    return users.filter(Q(is_active=True, pk__in=sharing) | kept)
