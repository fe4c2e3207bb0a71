"""Which entities the channels a user can see sync (OroCRM's channel entities).

Menus, the admin index and record page sections show a model only when some channel the user can
see syncs its entity: a channel of a type that offers the entity, with the entity selected (an empty
selection is everything the type offers). A type that names no optional entities is taken to sync
them all, since it does not say. One query per request, whatever the number of models listed.
"""

from __future__ import annotations

from typing import ClassVar

from django.http import HttpRequest

from channels import selectors
from channels.models import Channel
from integrations.engine import registry

REQUEST_CACHE = "_oroint_synced_entities"


def channel_syncs(channel_type: str, selection: list[str] | None, entity: str) -> bool:
    """Whether a channel of `channel_type` with this entity selection syncs `entity`."""
    try:
        offered = [name for name, _label in registry.connector_class(channel_type).optional_entities]
    except LookupError:  # a type whose connector is no longer installed syncs nothing
        return False
    if not offered:
        return True
    return entity in offered and (not selection or entity in selection)


def synced_entities(request: HttpRequest) -> set[str] | None:
    """The optional entities some channel visible to the request's user syncs; None: every entity.

    Kept on the request: the app list asks once per model, and every admin page builds the app list.
    """
    if not hasattr(request, REQUEST_CACHE):
        channels = selectors.visible_records(request.user, Channel.objects.filter(deleting_since__isnull=True))
        found: set[str] = set()
        everything = False
        for channel_type, selection in channels.order_by().values_list("channel_type", "entities"):
            try:
                offered = [name for name, _label in registry.connector_class(channel_type).optional_entities]
            except LookupError:
                continue
            if not offered:
                everything = True
            found |= {name for name in offered if channel_syncs(channel_type, selection, name)}
        setattr(request, REQUEST_CACHE, None if everything else found)
    return getattr(request, REQUEST_CACHE)


def user_sees_entity(request: HttpRequest, entity: str) -> bool:
    entities = synced_entities(request)
    return entities is None or entity in entities


def record_syncs(record, entity: str) -> bool:
    """Whether the channel that brought `record` in syncs `entity` (for the sections of its page)."""
    channel = record.integration.channel
    return channel_syncs(channel.channel_type, channel.entities, entity)


class SyncedEntityAdminMixin:
    """A ModelAdmin listed in menus and on the index only when some visible channel syncs `entity`."""

    entity: ClassVar[str]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) and user_sees_entity(request, self.entity)
