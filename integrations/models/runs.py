"""Sync run history, per-entity statuses, checkpoints and quarantined records."""

from django.conf import settings
from django.db import models
from django.db.models import Q

STATS = ("read", "created", "updated", "skipped", "failed")


class SyncRun(models.Model):
    """One sync of one integration, from queued to finished. Never deleted: it is the history."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    class Direction(models.TextChoices):
        IMPORT = "import", "Import"
        EXPORT = "export", "Export"

    class Trigger(models.TextChoices):
        ADMIN = "admin", "Admin page"
        CLI = "cli", "Command line"
        SCHEDULE = "schedule", "Scheduler"
        API = "api", "API"
        CHANGE = "change", "Local change"

    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="runs")
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.IMPORT)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.ADMIN)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job_id = models.CharField(max_length=128, blank=True)
    message = models.TextField(blank=True)
    log = models.TextField(blank=True, help_text="Retries, re-logins and other events of the run")
    progress = models.FloatField(null=True, blank=True, help_text="Percent done, where it can be known")
    current_entity = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True)
    # A full re-sync reads every entity again from the start date, its checkpoints set aside, and marks
    # what it did not find as removed in the store. One interrupted is gone on with by the next run
    # (also full), which names the run that began it: records read are stamped with that run's id.
    full_resync = models.BooleanField("Full re-sync", default=False)
    resync_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The run that began the full re-sync this run goes on with",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        # An integration's newest runs (its history, its last run and last success on the lists) read from
        # the top of this index, however long the history grows.
        indexes = [models.Index(fields=["integration", "-created_at"], name="run_newest_per_integration")]
        constraints = [
            # One run at a time per integration and direction, enforced by the database rather than by care.
            models.UniqueConstraint(
                fields=["integration", "direction"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_run_per_integration_direction",
            )
        ]

    def __str__(self) -> str:
        return f"Run #{self.pk} of {self.integration}"

    @property
    def is_finished(self) -> bool:
        return self.status not in self.ACTIVE

    @property
    def errors(self) -> int:
        """Records the run could not write (quarantined or refused): the "N" of "Succeeded with N errors".

        Read from an annotation `error_count` where a list gave one (no query per row), else from the
        run's entities."""
        annotated = getattr(self, "error_count", None)
        if annotated is not None:
            return annotated
        return sum(entity.failed for entity in self.entities.all())

    @property
    def outcome(self) -> str:
        """The status as shown: a run that succeeded with records it could not write says so."""
        if self.status == self.Status.SUCCEEDED and self.errors:
            return f"Succeeded with {self.errors} error{'s' if self.errors != 1 else ''}"
        return self.get_status_display()

    @property
    def outcome_css(self) -> str:
        """The badge class of `outcome`: its own one for a success with errors."""
        if self.status == self.Status.SUCCEEDED and self.errors:
            return "errors"
        return self.status

    def totals(self) -> dict[str, int]:
        export = self.direction == self.Direction.EXPORT
        keys = ("pushed", "created", "updated", "deleted", "failed") if export else STATS
        sums = dict.fromkeys(keys, 0)
        for entity in self.entities.all():
            for key in keys:
                sums[key] += getattr(entity, key)
        return sums


class SyncRunEntity(models.Model):
    """What one run did for one entity (OroCRM's per-connector integration status)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"

    # What an entity still pending or running takes when its run ends (engine.run.finish_run).
    UNFINISHED = (Status.PENDING, Status.RUNNING)

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="entities")
    entity = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    read = models.PositiveIntegerField(default=0)
    pushed = models.PositiveIntegerField(default=0, help_text="Records sent (export runs)")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0, help_text="Remote records deleted or unbound (export runs)")
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(
        default=0, help_text="Records a full re-sync did not find in the remote system (marked, never deleted)"
    )
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Records expected, where known")
    # The worker's time on this entity: reading its pages and writing them (entities of one run interleave,
    # so finished_at - started_at overlaps; this does not).
    busy_seconds = models.FloatField(default=0.0)
    message = models.TextField(blank=True)
    checkpoint = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "entity"], name="one_status_per_run_entity")]

    def __str__(self) -> str:
        return f"{self.entity} of run #{self.run_id}: {self.status}"

    def as_stats(self) -> dict:
        return {
            "status": self.status,
            "read": self.read,
            "pushed": self.pushed,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "skipped": self.skipped,
            "failed": self.failed,
            "removed": self.removed,
            "total": self.total,
        }


class Checkpoint(models.Model):
    """How far an integration's entity has been read; moves only with the batch that reached it."""

    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="checkpoints")
    entity = models.CharField(max_length=64)
    state = models.JSONField(default=dict)
    # A full re-sync reads the entity again from its start with a state of its own, `state` set aside:
    # `full_run_id` is the run that began it, `full_state` where it has got (None once it read all,
    # and its state became `state`).
    full_run_id = models.BigIntegerField(null=True, blank=True)
    full_state = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration", "entity"], name="one_checkpoint_per_entity")]

    def __str__(self) -> str:
        return f"{self.integration} {self.entity}: {self.state}"


class QuarantinedRecord(models.Model):
    """A remote record that could not be mapped or written: kept with its payload and reason."""

    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="quarantine")
    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="quarantined")
    entity = models.CharField(max_length=64)
    direction = models.CharField(max_length=8, choices=SyncRun.Direction.choices, default=SyncRun.Direction.IMPORT)
    remote_id = models.CharField(max_length=255, blank=True)
    # The record's business key (an order number, an email, a SKU), by its stream's `describe`.
    label = models.CharField("Record", max_length=255, blank=True)
    local_id = models.BigIntegerField(null=True, blank=True, help_text="The local record of a failed push")
    reason = models.TextField()
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    last_retry_at = models.DateTimeField(null=True, blank=True)
    last_retry_outcome = models.CharField(
        max_length=500, blank=True, help_text='What the last retry did: "Queued", "Imported", "Failed again: reason"'
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["integration", "entity", "remote_id"])]

    def __str__(self) -> str:
        return f"{self.entity} {self.label or self.remote_id}: {self.reason[:60]}"
