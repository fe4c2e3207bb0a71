"""What every record brought in from a remote system carries."""

from django.db import models


class RemoteRecord(models.Model):
    """A record bound to one integration by the remote system's id.

    (integration, remote_id) is unique: it is the binding that makes every upsert idempotent.
    `sync_hash` fingerprints the mapped fields, so an unchanged record is skipped, not rewritten.
    """

    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="+")
    remote_id = models.BigIntegerField(null=True, blank=True)
    sync_hash = models.CharField(max_length=40, blank=True, editable=False)
    synced_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
