"""The settings of a Magento 1 integration (OroCRM's Magento transport)."""

import datetime
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from integrations.fields import EncryptedTextField
from integrations.transports.http import has_userinfo

http_url = URLValidator(schemes=["http", "https"], message="Enter an http:// or https:// URL.")


def no_userinfo(value: str) -> None:
    """A URL without a user name or password: one there would show wherever the URL is named."""
    if has_userinfo(value):
        raise ValidationError(
            "Enter the URL without a user name or password (user:password@): they would be shown "
            "wherever oroint names the URL.",
            code="userinfo",
        )


def bare_origin(value: str) -> None:
    """scheme://host[:port] and nothing more: a host that calls may go to, not a page."""
    parts = urlsplit(value)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValidationError("Enter only the scheme and host, such as https://api.shop.example.com.", code="origin")


class Magento1Settings(models.Model):
    class Mode(models.TextChoices):
        AUTO = "auto", "Detect (bridge if the Oro Bridge extension answers)"
        BRIDGE = "bridge", "Oro Bridge extension (paged oro* operations)"
        NATIVE = "native", "Native Magento API only"

    ALL_WEBSITES = -1
    DEFAULT_SYNC_START = datetime.date(2007, 1, 1)

    integration = models.OneToOneField(
        "integrations.Integration", on_delete=models.CASCADE, primary_key=True, related_name="magento1_settings"
    )
    api_url = models.CharField("SOAP WSDL URL", max_length=1024, validators=[http_url, no_userinfo])
    api_host = models.CharField(
        "SOAP API host",
        max_length=255,
        blank=True,
        validators=[http_url, no_userinfo, bare_origin],
        help_text="Only if the store's WSDL sends its SOAP calls to another host than the WSDL URL's (a "
        "separate API server): that host, as https://HOST[:PORT]. Blank: calls go only to the WSDL URL's "
        "host. The API key is sent nowhere else.",
    )
    api_user = models.CharField("SOAP API user", max_length=255)
    api_key = EncryptedTextField("SOAP API key")
    wsi_mode = models.BooleanField("WS-I compliance", default=False)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.AUTO)
    guest_customer_sync = models.BooleanField(default=True)
    sync_start_date = models.DateField(default=DEFAULT_SYNC_START)
    website_id = models.IntegerField("Website", default=ALL_WEBSITES)
    admin_url = models.CharField("Admin URL", max_length=1024, blank=True, validators=[http_url, no_userinfo])
    import_order_notes = models.BooleanField("Import order comments as order notes", default=True)
    cart_lost_after_days = models.PositiveIntegerField(
        "Abandoned cart: lost after (days)",
        default=0,
        help_text="An open cart not updated in the store for this many days is marked Lost by the daily "
        "cart job. 0: never (carts become Lost only when a back-office user marks them).",
    )
    shared_guest_emails = models.TextField(
        "Split by full name", blank=True, help_text="Guest emails shared by several people, separated by ; or ,"
    )

    # Filled by Check Connection.
    websites = models.JSONField(default=list, blank=True)
    detected_mode = models.CharField(max_length=16, blank=True)
    magento_version = models.CharField(max_length=64, blank=True)
    extension_version = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "Magento 1 settings"
        verbose_name_plural = "Magento 1 settings"

    def __str__(self) -> str:
        return f"Magento 1 settings of {self.integration_id}"

    @property
    def effective_mode(self) -> str:
        """The mode to sync in: forced by the admin, else what Check Connection found."""
        if self.mode != self.Mode.AUTO:
            return self.mode
        return self.detected_mode or ""

    def website_choices(self) -> list[tuple[int, str]]:
        found = [(int(w["id"]), w["label"]) for w in self.websites if int(w["id"]) != self.ALL_WEBSITES]
        return [(self.ALL_WEBSITES, "All Websites"), *found]
