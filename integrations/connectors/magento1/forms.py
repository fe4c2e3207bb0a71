"""The Magento 1 settings form, as OroCRM's Magento transport form has them."""

import re

from django import forms

from integrations.admin.forms import secrets_follow_destinations
from integrations.connectors.magento1.models import Magento1Settings

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Magento1SettingsForm(forms.ModelForm):
    api_key = forms.CharField(
        label="SOAP API key",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted. Never shown again; leave blank to keep the current key.",
    )
    website_id = forms.TypedChoiceField(label="Website", coerce=int, empty_value=Magento1Settings.ALL_WEBSITES)
    cart_lost_after_days = forms.IntegerField(
        label=Magento1Settings._meta.get_field("cart_lost_after_days").verbose_name,
        help_text=Magento1Settings._meta.get_field("cart_lost_after_days").help_text,
        min_value=0,
        max_value=3650,
        required=False,
    )

    class Meta:
        model = Magento1Settings
        fields = [
            "api_url",
            "api_host",
            "api_user",
            "api_key",
            "wsi_mode",
            "mode",
            "guest_customer_sync",
            "sync_start_date",
            "website_id",
            "admin_url",
            "import_order_notes",
            "shared_guest_emails",
            "cart_lost_after_days",
        ]
        widgets = {
            "sync_start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "shared_guest_emails": forms.Textarea(attrs={"rows": 2}),
            "api_url": forms.URLInput(
                attrs={"size": 80, "placeholder": "https://shop.example.com/api/v2_soap/?wsdl=1"}
            ),
            "api_host": forms.URLInput(attrs={"size": 40, "placeholder": "https://api.shop.example.com"}),
        }
        labels = {"api_url": "SOAP WSDL URL"}
        help_texts = {
            "api_url": "The store's SOAP v2 WSDL, usually https://HOST/api/v2_soap/?wsdl=1",
            "sync_start_date": "Records changed before this date are not synced. Once saved, it can only move earlier.",
            "website_id": "Run Check Connection to list the store's websites.",
            "wsi_mode": "Tick if the store has WS-I compliance on (System > Configuration > Services > Magento Core "
            "API): it then serves the document/literal API instead of RPC/encoded. oroint reads both; Check "
            "Connection says which one the store serves when this disagrees.",
            "import_order_notes": "Order comments are always imported as notes and shown on their order. Ticked: "
            "they are also shown on the customer's and the account's pages.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        # What a check found: the saved settings', or a check's of the values being typed (not saved yet).
        self.fields["website_id"].choices = instance.website_choices()
        if not instance.pk:
            self.fields["api_key"].required = True
            self.fields["api_key"].help_text = "Stored encrypted; never shown again."

    def clean_api_key(self) -> str:
        key = self.cleaned_data.get("api_key") or ""
        if not key and self.instance.pk:
            return self.instance.api_key  # blank keeps the stored key
        if not key.strip():
            raise forms.ValidationError("Enter the SOAP API key.")
        return key

    def clean(self):
        cleaned = super().clean()
        # The key goes where these point: moving either elsewhere asks for the key again.
        secrets_follow_destinations(self, secrets=["api_key"], destinations=["api_url", "api_host"])
        return cleaned

    def clean_sync_start_date(self):
        value = self.cleaned_data["sync_start_date"]
        if self.instance.pk and value:
            previous = (
                Magento1Settings.objects.filter(pk=self.instance.pk).values_list("sync_start_date", flat=True).first()
            )
            if previous and value > previous:
                raise forms.ValidationError(
                    f"New date should be less or equals than previously defined ({previous:%Y-%m-%d})."
                )
        return value

    def clean_shared_guest_emails(self) -> str:
        text = self.cleaned_data.get("shared_guest_emails") or ""
        emails = [e.strip() for e in text.replace(";", ",").split(",") if e.strip()]
        bad = [e for e in emails if not EMAIL.match(e)]
        if bad:
            raise forms.ValidationError(f"Not an email address: {', '.join(bad)}. Separate emails with ; or ,")
        return ", ".join(emails)

    def clean_cart_lost_after_days(self) -> int:
        return self.cleaned_data.get("cart_lost_after_days") or 0  # blank: never

    def clean_website_id(self) -> int:
        value = self.cleaned_data["website_id"]
        if value not in dict(self.fields["website_id"].choices):
            raise forms.ValidationError("Choose a website that Check Connection found.")
        return value
