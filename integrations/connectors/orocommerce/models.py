"""The settings of an OroCommerce integration: where its back-office API is, how to sign in, what to read,
and the store's own records that pushes name (chosen from what Check Connection found)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models

from channels.models.base import RemoteRecord, id_order
from integrations.fields import EncryptedTextField
from integrations.transports.http import has_userinfo

http_url = URLValidator(schemes=["http", "https"], message="Enter an http:// or https:// URL.")


def no_userinfo(value: str) -> None:
    # A user:password@ in the URL would be shown wherever the URL is named; credentials have their fields.
    if has_userinfo(value):
        raise ValidationError("Enter the URL without a user name or password (user:password@).", code="userinfo")


currency_code = RegexValidator(r"^[A-Z]{3}$", "Enter a three-letter currency code such as USD, or leave it blank.")

# The choice fields Check Connection fills: setting field -> key of `found_choices`.
STORE_CHOICES = {
    "warehouse": "warehouses",
    "business_unit": "business_units",
    "product_unit": "product_units",
    "customer_tax_code": "customer_tax_codes",
    "price_list": "price_lists",
    "product_family": "product_families",
}


class OroCommerceSettings(models.Model):
    class AuthMethod(models.TextChoices):
        OAUTH2 = "oauth2", "OAuth2 client credentials"
        WSSE = "wsse", "WSSE API key (deprecated by Oro)"

    integration = models.OneToOneField(
        "integrations.Integration", on_delete=models.CASCADE, primary_key=True, related_name="orocommerce_settings"
    )
    admin_url = models.CharField(
        "Back-office URL",
        max_length=1024,
        validators=[http_url, no_userinfo],
        help_text="The store's back office with its prefix, such as https://shop.example.com/admin: the API is "
        "under it (/admin/api), the OAuth2 token endpoint at the site's root (/oauth2-token).",
    )
    auth_method = models.CharField(max_length=16, choices=AuthMethod.choices, default=AuthMethod.WSSE)
    api_user = models.CharField("API user", max_length=255, blank=True)
    api_key = EncryptedTextField("API key", blank=True)
    client_id = models.CharField("OAuth2 client id", max_length=255, blank=True)
    client_secret = EncryptedTextField("OAuth2 client secret", blank=True)
    currency = models.CharField(
        max_length=3,
        blank=True,
        validators=[currency_code],
        help_text="Only orders in this currency are read. Blank: every order, each in its own currency.",
    )
    sync_start_date = models.DateField(
        null=True,
        blank=True,
        help_text="Orders and customers changed before this date are not read. Blank: the whole history. A later "
        "change applies to what is read from then on; Force full re-sync reads again from the new date.",
    )
    sales_channel_group = models.CharField(
        max_length=255, blank=True, help_text="The group of sales channels this store's orders belong to."
    )

    # The store's records that pushes name: remote id and its label, chosen from `found_choices`.
    warehouse = models.CharField(max_length=64, blank=True)
    warehouse_label = models.CharField(max_length=255, blank=True)
    business_unit = models.CharField("Owner (business unit)", max_length=64, blank=True)
    business_unit_label = models.CharField(max_length=255, blank=True)
    product_unit = models.CharField(max_length=64, blank=True)
    product_unit_label = models.CharField(max_length=255, blank=True)
    customer_tax_code = models.CharField(max_length=64, blank=True)
    customer_tax_code_label = models.CharField(max_length=255, blank=True)
    price_list = models.CharField(max_length=64, blank=True)
    price_list_label = models.CharField(max_length=255, blank=True)
    product_family = models.CharField("Product family", max_length=64, blank=True)
    product_family_label = models.CharField(max_length=255, blank=True)

    # oroint's own records that pushes take from.
    local_price_list = models.ForeignKey(
        "channels.PriceList",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The prices pushed to the store's price list. Empty: prices are not pushed.",
    )
    local_warehouse = models.ForeignKey(
        "channels.Warehouse",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The stock pushed to the store. Empty: the sum over all warehouses.",
    )

    # Filled by Check Connection: {"warehouses": [{"id", "label"}], ...}, and whether the store has
    # warehouses at all (a community edition has none).
    found_choices = models.JSONField(default=dict, blank=True)
    has_warehouses = models.BooleanField(null=True, blank=True, editable=False)
    checked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "OroCommerce settings"
        verbose_name_plural = "OroCommerce settings"

    def __str__(self) -> str:
        return f"OroCommerce settings of {self.integration_id}"

    @property
    def api_url(self) -> str:
        """The JSON:API root: resources are api_url/<type>."""
        return f"{self.admin_url.rstrip('/')}/api"

    def choices_for(self, field: str) -> list[tuple[str, str]]:
        """What Check Connection found for one of the STORE_CHOICES fields, as (remote id, label)."""
        found = (self.found_choices or {}).get(STORE_CHOICES[field], [])
        return [(str(c["id"]), str(c.get("label") or c["id"])) for c in found]

    def clean(self) -> None:
        errors = {}
        if self.auth_method == self.AuthMethod.WSSE:
            if not self.api_user:
                errors["api_user"] = "Enter the API user (WSSE)."
            if not self.api_key:
                errors["api_key"] = "Enter the user's API key (WSSE)."
        elif self.auth_method == self.AuthMethod.OAUTH2:
            if not self.client_id:
                errors["client_id"] = "Enter the OAuth2 client id."
            if not self.client_secret:
                errors["client_secret"] = "Enter the OAuth2 client secret."
        if '"' in self.api_user:
            errors["api_user"] = 'The API user cannot contain a double quote (") in a WSSE header.'
        if errors:
            raise ValidationError(errors)


class PaymentTerm(RemoteRecord):
    """A payment term of the store ("Net 30"): customers and orders name it."""

    label = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["integration", *id_order()]
        constraints = [models.UniqueConstraint(fields=["integration", "remote_id"], name="orocommerce_payment_term")]

    def __str__(self) -> str:
        return self.label or f"Payment term {self.remote_id}"
