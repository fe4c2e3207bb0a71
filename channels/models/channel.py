from django.conf import settings
from django.db import models

from integrations.engine import registry


class Channel(models.Model):
    """A sales channel (a web store, a storefront, a file exchange...) and who owns it."""

    name = models.CharField(max_length=255, unique=True)
    channel_type = models.CharField(max_length=32, choices=registry.type_choices)
    is_active = models.BooleanField("Active", default=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # The entities this channel syncs, by stream name (OroCRM's channel entities); empty: all its type offers.
    entities = models.JSONField(default=list, blank=True)
    # Set while a background job deletes the channel and its records (a channel with hundreds of
    # thousands of orders cannot go inside one admin request).
    deleting_since = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
