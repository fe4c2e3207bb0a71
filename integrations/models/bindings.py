"""Bindings of the records oroint owns and pushes, and the pushes waiting to be made."""

from django.contrib.contenttypes.models import ContentType
from django.db import models


class Binding(models.Model):
    """A local record bound to its copy in one integration's remote system.

    Unique both ways: a local record has at most one remote id per integration and entity, and a
    remote id at most one local record, so a re-run or a race binds rather than duplicates.
    `synced_values` are the values as last pushed (or read), the base of a three-way merge.
    """

    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="bindings")
    entity = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    local_id = models.BigIntegerField()
    remote_id = models.CharField(max_length=255)
    synced_values = models.JSONField(default=dict, blank=True)
    remote_updated_at = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "entity", "local_id"], name="binding_local_once"),
            models.UniqueConstraint(fields=["integration", "entity", "remote_id"], name="binding_remote_once"),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.local_id} = {self.remote_id} on {self.integration_id}"


class PendingPush(models.Model):
    """A local change not pushed yet: kept in the database so that a lost job loses no change.

    `requested_at` moves on every change; a push that read the record before the latest change
    leaves the row for the follow-up push that change queued.
    """

    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=64)
    local_id = models.BigIntegerField()
    requested_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "entity", "local_id"], name="one_pending_push_per_record")
        ]

    def __str__(self) -> str:
        return f"push {self.entity} {self.local_id} to {self.integration_id}"
