"""What every record brought in from a remote system carries."""

from django.db import models
from django.db.models.functions import Length


def id_order(field: str = "remote_id") -> list:
    """Order by an id column so that numeric ids sort as numbers ("10" after "9"), without a cast
    that would fail on ids that are not numbers."""
    return [Length(field), field]


class RemoteRecord(models.Model):
    """A record bound to one integration by the remote system's id.

    (integration, remote_id) is unique: it is the binding that makes every upsert idempotent.
    `sync_hash` fingerprints the mapped fields, so an unchanged record is skipped, not rewritten.
    """

    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="+")
    # The remote system's id as it spells it: JSON:API ids, SKUs and file keys are no numbers.
    remote_id = models.CharField(max_length=255, null=True, blank=True)
    sync_hash = models.CharField(max_length=40, blank=True, editable=False)
    synced_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when a full re-sync no longer finds the record in the remote system: kept, never deleted
    # silently, and cleared if it comes back. `last_seen_run_id` is the full re-sync that last read it.
    removed_in_store_at = models.DateTimeField("Removed in the store", null=True, blank=True, editable=False)
    last_seen_run_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
