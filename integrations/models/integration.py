"""An integration: how oroint reaches one remote system for one channel, and its settings."""

import datetime

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models

from integrations.fields import EncryptedTextField

http_url = URLValidator(schemes=["http", "https"], message="Enter an http:// or https:// URL.")


class Integration(models.Model):
    class Type(models.TextChoices):
        MAGENTO1 = "magento1", "Magento 1 (SOAP v2)"

    class Mode(models.TextChoices):
        AUTO = "auto", "Detect (bridge if the Oro Bridge extension answers)"
        BRIDGE = "bridge", "Oro Bridge extension (paged oro* operations)"
        NATIVE = "native", "Native Magento API only"

    class SyncPriority(models.TextChoices):
        REMOTE = "remote", "Remote wins"
        LOCAL = "local", "Local wins"

    ALL_WEBSITES = -1
    DEFAULT_SYNC_START = datetime.date(2007, 1, 1)

    channel = models.OneToOneField("channels.Channel", on_delete=models.CASCADE, related_name="integration")
    name = models.CharField(max_length=255)
    integration_type = models.CharField(max_length=32, choices=Type.choices, default=Type.MAGENTO1)
    enabled = models.BooleanField(default=True)
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    api_url = models.CharField("SOAP WSDL URL", max_length=1024, validators=[http_url])
    api_user = models.CharField("SOAP API user", max_length=255)
    api_key = EncryptedTextField("SOAP API key")
    wsi_mode = models.BooleanField("WS-I compliance", default=False)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.AUTO)
    guest_customer_sync = models.BooleanField(default=True)
    sync_start_date = models.DateField(default=DEFAULT_SYNC_START)
    website_id = models.IntegerField("Website", default=ALL_WEBSITES)
    admin_url = models.CharField("Admin URL", max_length=1024, blank=True, validators=[http_url])
    import_order_notes = models.BooleanField("Import order comments as order notes", default=True)
    shared_guest_emails = models.TextField(
        "Split by full name", blank=True, help_text="Guest emails shared by several people, separated by ; or ,"
    )
    sync_interval_minutes = models.PositiveIntegerField(
        "Sync automatically every (minutes)", default=0, help_text="0: only when Schedule Sync is pressed."
    )
    two_way_sync = models.BooleanField("Enable two way sync", default=False)
    sync_priority = models.CharField(max_length=16, choices=SyncPriority.choices, default=SyncPriority.REMOTE)

    # Filled by Check Connection.
    websites = models.JSONField(default=list, blank=True)
    detected_mode = models.CharField(max_length=16, blank=True)
    magento_version = models.CharField(max_length=64, blank=True)
    extension_version = models.CharField(max_length=64, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_mode(self) -> str:
        """The mode to sync in: forced by the admin, else what Check Connection found."""
        if self.mode != self.Mode.AUTO:
            return self.mode
        return self.detected_mode or ""

    def website_choices(self) -> list[tuple[int, str]]:
        found = [(int(w["id"]), w["label"]) for w in self.websites if int(w["id"]) != self.ALL_WEBSITES]
        return [(self.ALL_WEBSITES, "All Websites"), *found]


class ConnectionCheck(models.Model):
    """One press of Check Connection and what it found."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="checks")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"Check #{self.pk} of {self.integration}: {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
