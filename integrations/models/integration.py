"""An integration: how oroint reaches one remote system for one channel.

What every type has lives here; each type keeps its own settings in its own model (see
`Connector.settings_model`), one-to-one with the integration.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from integrations.engine import registry


class Integration(models.Model):
    class SyncPriority(models.TextChoices):
        REMOTE = "remote", "Remote wins"
        LOCAL = "local", "Local wins"

    channel = models.OneToOneField("channels.Channel", on_delete=models.CASCADE, related_name="integration")
    name = models.CharField(max_length=255)
    integration_type = models.CharField(max_length=32, choices=registry.type_choices)
    enabled = models.BooleanField(default=True)
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sync_interval_minutes = models.PositiveIntegerField(
        "Sync automatically every (minutes)", default=5, help_text="0: only when Schedule Sync is pressed."
    )
    two_way_sync = models.BooleanField(
        "Enable two way sync",
        default=False,
        help_text="Not built yet: local edits are not sent back to the remote system whichever way this is set.",
    )
    sync_priority = models.CharField(
        max_length=16,
        choices=SyncPriority.choices,
        default=SyncPriority.REMOTE,
        help_text="Which side wins a conflict once two way sync is built; stored only until then.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def connector_class(self):
        return registry.connector_class(self.integration_type)

    @property
    def settings(self) -> models.Model | None:
        """This type's own settings row (None for a type without settings).

        Read through the reverse one-to-one accessor, which Django caches on the instance and
        clears on refresh_from_db."""
        model = self.connector_class.settings_model
        if model is None:
            return None
        accessor = model._meta.get_field("integration").remote_field.get_accessor_name()
        if self.pk is None:
            # An integration not saved yet has only the settings given to it (a check of the Add form's
            # values: see services.connection_check_execute).
            return self._state.fields_cache.get(accessor)
        return getattr(self, accessor)


class ConnectionCheck(models.Model):
    """One press of Check Connection and what it found.

    A check of the settings form's values (saved or not) carries them as its `draft`, secrets
    encrypted as the saved settings hold them (`draft_secrets`); the worker tests the draft, and the
    secrets are removed as soon as the check has ended. What the check found (`found`: the settings
    fields it fills, such as the website choices) is kept, so that saving the form keeps it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    # None for a check of the Add form, whose integration does not exist yet.
    integration = models.ForeignKey(Integration, null=True, blank=True, on_delete=models.CASCADE, related_name="checks")
    integration_type = models.CharField(max_length=32, blank=True)
    # The settings values checked (type settings fields, without the secrets), and the secrets as
    # Fernet tokens of integrations.crypto (emptied once the check has ended).
    draft = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    draft_secrets = models.JSONField(default=dict, blank=True)
    # Whether it tested the integration's saved settings (a draft equal to them, or saved after the
    # check): what the integration's connection state may rely on; a check of values typed and not
    # saved (a typo in a URL) says nothing about the saved integration.
    tested_saved = models.BooleanField(default=True)
    found = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
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
        return f"Check #{self.pk} of {self.integration or 'a new integration'}: {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
