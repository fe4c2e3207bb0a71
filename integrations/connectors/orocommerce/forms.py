"""The OroCommerce settings form: the back office, one of two ways to sign in, and the store's records
that Check Connection found (warehouse, owner, unit, customer tax code, price list, product family)."""

from __future__ import annotations

from django import forms

from integrations.admin.forms import secrets_follow_destinations
from integrations.connectors.orocommerce.models import STORE_CHOICES, OroCommerceSettings

NOT_CHECKED = "Run Check Connection to fill these."
SECRETS = {"api_key": "API key", "client_secret": "OAuth2 client secret"}
# Which fields each way of signing in needs; the others are cleared when the method changes.
METHOD_FIELDS = {
    OroCommerceSettings.AuthMethod.WSSE: ("api_user", "api_key"),
    OroCommerceSettings.AuthMethod.OAUTH2: ("client_id", "client_secret"),
}


def _secret_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted. Never shown again; leave blank to keep the current one.",
    )


class OroCommerceSettingsForm(forms.ModelForm):
    api_key = _secret_field("API key")
    client_secret = _secret_field("OAuth2 client secret")

    class Meta:
        model = OroCommerceSettings
        fields = [
            "admin_url",
            "auth_method",
            "api_user",
            "api_key",
            "client_id",
            "client_secret",
            "currency",
            "sync_start_date",
            "sales_channel_group",
            *STORE_CHOICES,
            "local_price_list",
            "local_warehouse",
        ]
        widgets = {
            "admin_url": forms.URLInput(attrs={"size": 60, "placeholder": "https://shop.example.com/admin"}),
            "auth_method": forms.RadioSelect,
            "currency": forms.TextInput(attrs={"size": 4, "placeholder": "USD"}),
            "sync_start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        for name in STORE_CHOICES:
            found = instance.choices_for(name)  # the saved settings' check, or a check of the values typed
            field = forms.ChoiceField(
                label=OroCommerceSettings._meta.get_field(name).verbose_name.capitalize(),
                required=False,
                choices=[("", "---------" if found else "(not checked yet)"), *found],
                help_text="" if found else NOT_CHECKED,
            )
            self.fields[name] = field
        self.fields["local_price_list"].empty_label = "(none: prices are not pushed)"
        self.fields["local_warehouse"].empty_label = "(none: the sum over all warehouses)"
        if not instance.pk:
            for name in SECRETS:
                self.fields[name].help_text = "Stored encrypted; never shown again."

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("auth_method")
        for name in SECRETS:
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)  # blank keeps the stored secret
        # The secrets go where the back-office URL points: moving it elsewhere asks for them again.
        secrets_follow_destinations(self, secrets=list(METHOD_FIELDS.get(method, ())), destinations=["admin_url"])
        for other, names in METHOD_FIELDS.items():
            if other != method:
                for name in names:
                    cleaned[name] = ""  # a secret of the method not used is not kept
        return cleaned  # the fields the method needs are checked by the model (OroCommerceSettings.clean)

    def _post_clean(self) -> None:
        super()._post_clean()
        for name in STORE_CHOICES:
            value = getattr(self.instance, name)
            label = dict(self.instance.choices_for(name)).get(value, "") if value else ""
            setattr(self.instance, f"{name}_label", label)
