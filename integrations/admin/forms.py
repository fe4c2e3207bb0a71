"""The integration form: what every type has, plus the fields of the type's own settings form.

The type's settings form (`Connector.settings_form`) validates and saves its own model; its fields
are shown in this one form, under their own names, so that the page reads as one set of settings.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.forms.models import model_to_dict

from integrations.fields import EncryptedTextField
from integrations.models import ConnectionCheck, Integration
from integrations.selectors import store_address
from integrations.transports.http import origin_of


class IntegrationForm(forms.ModelForm):
    channel_active = forms.BooleanField(label="Channel active", required=False, initial=True)
    channel_owner = forms.ModelChoiceField(
        label="Channel owner", queryset=get_user_model().objects.filter(is_active=True), required=False
    )

    # The Check Connection of these values whose findings (the website choices...) saving keeps; the
    # page's script sets it when a check of the form's values has succeeded.
    connection_check = forms.IntegerField(required=False, widget=forms.HiddenInput)

    connector = None  # the type's connector class (see for_type)
    settings_form_class: type[forms.ModelForm] | None = None  # set per type (see for_type)
    # The users the page's user may pick as owners (permissions.owner_choices); set per request.
    owner_choices: QuerySet | None = None
    # The page's user: only their own checks fill the form (see checked_by).
    check_user = None

    class Meta:
        model = Integration
        fields = [
            "name",
            "default_owner",
            "sync_interval_minutes",
            "two_way_sync",
            "sync_priority",
            "enabled",
        ]
        help_texts = {"default_owner": "Owner of the records this integration brings in."}

    @classmethod
    def for_type(cls, connector) -> type[IntegrationForm]:
        """This form with the fields of `connector`'s settings form declared on it."""
        settings_form = connector.settings_form
        if settings_form is None:
            return type(cls.__name__, (cls,), {"connector": connector})
        return type(
            f"{connector.__name__}IntegrationForm",
            (cls,),
            {**settings_form.base_fields, "settings_form_class": settings_form, "connector": connector},
        )

    @classmethod
    def with_owner_choices(cls, owners: QuerySet) -> type[IntegrationForm]:
        """This form offering only `owners` as channel owner and default owner."""
        return type(cls.__name__, (cls,), {"owner_choices": owners})

    @classmethod
    def checked_by(cls, user) -> type[IntegrationForm]:
        """This form taking what a Check Connection of `user`'s found (see found_check)."""
        return type(cls.__name__, (cls,), {"check_user": user})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        fields = self.fields  # a view-only admin page builds this form without its fields
        if self.owner_choices is not None:
            for name in ("default_owner", "channel_owner"):
                if name in fields:
                    fields[name].queryset = self.owner_choices
        if instance.pk and "channel_active" in fields:
            fields["channel_active"].initial = instance.channel.is_active
            fields["channel_owner"].initial = instance.channel.owner_id
        self.settings_form = None
        self.check = self.found_check()
        if self.settings_form_class is not None:
            settings = instance.settings if instance.pk else self.connector.settings_model()
            if self.check is not None:
                apply_found(settings, self.check.found)  # the choices the check found, for the fields below
            self.settings_form = self.settings_form_class(
                data=self.data if self.is_bound else None,
                files=self.files if self.is_bound else None,
                instance=settings,
                prefix=self.prefix,
            )
            if instance.pk:
                self.initial = {**model_to_dict(settings, fields=list(self.settings_form.fields)), **self.initial}
            # The settings form's own field objects: their choices and requirements depend on its instance.
            for name in list(fields):
                if name in self.settings_form.fields:
                    fields[name] = self.settings_form.fields[name]

    def found_check(self) -> ConnectionCheck | None:
        """The succeeded check of these values named by the form (`connection_check`), or None.

        Only the page's user's own check of this type and of this integration (or of a new one), and
        only when it checked the store these values name: a check of another URL found another store.
        """
        check_id = self.data.get(self.add_prefix("connection_check")) if self.is_bound else None
        if not check_id or not str(check_id).isdigit() or self.check_user is None or self.connector is None:
            return None
        check = ConnectionCheck.objects.filter(
            pk=int(check_id),
            requested_by=self.check_user,
            integration_type=self.connector.type_key,
            integration_id=self.instance.pk,
            status=ConnectionCheck.Status.SUCCEEDED,
        ).first()
        url_field = self.connector.store_url_field
        if check is None or url_field is None:
            return check
        typed = self.data.get(self.add_prefix(url_field))
        return check if store_address(check.draft.get(url_field)) == store_address(typed) else None

    def clean(self):
        cleaned = super().clean()
        # The priority has no effect without two way sync (its row is hidden then): it is not applied.
        if not cleaned.get("two_way_sync") and "sync_priority" in cleaned:
            cleaned["sync_priority"] = self.instance.sync_priority or Integration.SyncPriority.REMOTE
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.settings_form is None:
            return
        shown = set(self.fields)
        self.settings_form.fields = {n: f for n, f in self.settings_form.fields.items() if n in shown}
        if self.settings_form.is_valid():
            return
        for name, errors in self.settings_form.errors.items():
            target = name if name in self.fields else None
            if target is not None and target in self._errors:
                continue  # this form's own cleaning of the field already said why
            for error in errors:
                self.add_error(target, error)

    def save_settings(self, integration: Integration) -> None:
        """Save the type's settings of a saved integration (the admin calls it after save_model)."""
        if self.settings_form is None:
            return
        settings = self.settings_form.save(commit=False)
        if self.check is not None:
            # What the check found fills what the form left empty (a detected admin URL).
            apply_found(settings, self.check.found, typed=self.settings_form.fields)
        settings.integration = integration
        settings.save()
        if self.check is not None:  # the values it tested are the saved ones now
            ConnectionCheck.objects.filter(pk=self.check.pk).update(integration=integration, tested_saved=True)


def apply_found(settings: models.Model, found: dict, *, typed: Iterable[str] = ()) -> None:
    """Set on `settings` what a Check Connection found (Connector.found_fields); a field in `typed`
    keeps a value the admin gave it."""
    kept = set(typed)
    for name, value in found.items():
        field = settings._meta.get_field(name)
        if name in kept and getattr(settings, name):
            continue
        setattr(settings, field.attname, field.to_python(value))


def check_settings_form(connector, data, integration: Integration | None) -> forms.ModelForm | None:
    """The type's settings form bound to a page's values, as Check Connection validates them (nothing
    saved): on the saved settings (a blank secret keeps the stored one, unless its host moved), or
    on new ones. The choices a check fills are left out: the check is what fills them."""
    if connector.settings_form is None:
        return None
    instance = integration.settings if integration is not None else connector.settings_model()
    form = connector.settings_form(data=data, instance=instance)
    form.fields = {n: f for n, f in form.fields.items() if n not in connector.checked_choice_fields}
    return form


def checked_choices(connector, found: dict) -> dict[str, list[tuple[str, str]]]:
    """The choices of the form fields a check fills (Connector.checked_choice_fields), from what it found."""
    if connector.settings_form is None or not found:
        return {}
    settings = connector.settings_model()
    apply_found(settings, found)
    form = connector.settings_form(instance=settings)
    return {
        name: [(str(value), str(label)) for value, label in form.fields[name].choices]
        for name in connector.checked_choice_fields
        if name in form.fields
    }


def secret_fields(connector) -> set[str]:
    """Settings fields that hold secrets: never on a read-only page."""
    model = connector.settings_model
    if model is None:
        return set()
    return {f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)}


def secrets_follow_destinations(form: forms.ModelForm, *, secrets: Iterable[str], destinations: Iterable[str]) -> None:
    """In a settings form's clean(): ask for `secrets` again when a `destinations` URL moves origin.

    A secret left blank keeps the stored one, so without this rule whoever may change the settings,
    though never told the secret, could point a URL at a host of theirs (another host, scheme or
    port) and have the stored secret sent there by Check Connection. A destination that is cleared
    or keeps its origin asks for nothing.
    """
    if form.instance.pk is None:
        return
    moved = []
    for name in destinations:
        if name not in form.fields or name not in form.cleaned_data:
            continue
        before, after = origin_of(form.initial.get(name)), origin_of(form.cleaned_data[name])
        if after is not None and after != before:
            moved.append((form.fields[name].label or name, before, after))
    if not moved:
        return
    where = "; ".join(
        f"{label} now points at {after}" + (f", not {before}" if before else "") for label, before, after in moved
    )
    for name in secrets:
        if name in form.fields and not form[name].data:
            label = form.fields[name].label or name
            form.add_error(name, f"{where}: enter the {label} again, so that it goes there only if you send it.")
