from django import forms
from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from channels import deletion, selectors
from channels.admin.base import admin_change_link
from channels.models import Channel
from integrations import permissions, services
from integrations.admin.deletion import CountedDeletionMixin
from integrations.engine import registry
from oroint.changelist import BoundedDateHierarchyChangeList


def optional_entities(channel_type: str) -> list[tuple[str, str]]:
    try:
        return list(registry.connector_class(channel_type).optional_entities)
    except LookupError:
        return []


class EntitiesField(forms.MultipleChoiceField):
    """The type's optional entities as checkboxes; all of them ticked is stored as [] ("all it offers")."""

    widget = forms.CheckboxSelectMultiple

    def clean(self, value):
        chosen = super().clean(value)
        if not chosen:
            raise forms.ValidationError("Choose at least one entity to sync.")
        offered = [name for name, _label in self.choices]
        return [] if set(chosen) >= set(offered) else [name for name in offered if name in chosen]


@admin.register(Channel)
class ChannelAdmin(CountedDeletionMixin, admin.ModelAdmin):
    list_display = ["name", "channel_type", "is_active", "state", "owner", "created_at", "integration_link"]
    list_select_related = ["owner", "integration"]
    list_filter = ["channel_type", "is_active"]
    search_fields = ["name"]
    fields = ["name", "channel_type", "is_active", "state", "entities", "owner", "created_at", "integration_link"]
    readonly_fields = ["channel_type", "state", "created_at", "integration_link"]
    show_full_result_count = False
    actions = ["delete_selected"]

    def get_queryset(self, request: HttpRequest):
        # Applied here because the change list skips list_select_related once a queryset has any.
        queryset = super().get_queryset(request).select_related(*self.list_select_related)
        return selectors.visible_records(request.user, queryset)

    def get_fields(self, request: HttpRequest, obj: Channel | None = None):
        fields = super().get_fields(request, obj)
        if obj is None or not optional_entities(obj.channel_type):
            return [f for f in fields if f != "entities"]
        return fields

    def get_form(self, request: HttpRequest, obj: Channel | None = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "entities" in form.base_fields and obj is not None:
            offered = optional_entities(obj.channel_type)
            form.base_fields["entities"] = EntitiesField(
                required=False,  # none ticked gets its own message (EntitiesField.clean)
                choices=offered,
                label="Entities",
                help_text="What this channel syncs; websites, stores and customer groups always are.",
                initial=obj.entities or [name for name, _label in offered],
            )
        if "owner" in form.base_fields:  # a field of this call's own: the admin builds them per form class
            integration = getattr(obj, "integration", None) if obj is not None else None
            current = (obj.owner_id,) if obj is not None else ()
            form.base_fields["owner"].queryset = permissions.owner_choices(request.user, integration, current=current)
        return form

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A channel is created together with its integration, never on its own.
        return False

    def get_changelist(self, request: HttpRequest, **kwargs):
        return BoundedDateHierarchyChangeList

    def has_delete_permission(self, request: HttpRequest, obj: Channel | None = None) -> bool:
        # Deleting a channel deletes its integration and every record synced through it: whoever may
        # delete that integration may (see integrations/admin/deletion.py).
        user = request.user
        if user.is_superuser:
            return True
        if obj is None:
            return permissions.may_any(user, "delete")
        integration = getattr(obj, "integration", None)
        if integration is None:
            return user.has_perm("channels.delete_channel")
        return permissions.may(user, "delete", integration)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        channel = super().get_object(request, object_id, from_field)
        if channel is not None and not channel.entities:
            # An empty selection is everything the type offers: the checkboxes show it so.
            channel.entities = [name for name, _label in optional_entities(channel.channel_type)]
        return channel

    # Deleting goes to a background job (channels/deletion.py): the page and the action only ask for it.

    def delete_model(self, request: HttpRequest, obj: Channel) -> None:
        deletion.channel_delete_request(channel=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for channel in queryset:
            deletion.channel_delete_request(channel=channel, user=request.user)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except services.QueueUnavailable as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("admin:channels_channel_changelist"))

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id: int):
        messages.success(request, f"The channel “{obj_display}” is being deleted in the background.")
        return HttpResponseRedirect(reverse("admin:channels_channel_changelist"))

    @admin.action(permissions=["delete"], description="Delete selected channels (in the background)")
    def delete_selected(self, request: HttpRequest, queryset):
        if not request.POST.get("post"):
            return admin_actions.delete_selected(self, request, queryset)  # Django's page, with our counts
        channels = list(queryset.select_related("integration"))
        if not all(self.has_delete_permission(request, channel) for channel in channels):
            raise PermissionDenied
        try:
            self.delete_queryset(request, queryset)
        except services.QueueUnavailable as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return None
        self.message_user(request, f"{len(channels)} channel(s) are being deleted in the background.")
        return None

    @admin.display(description="State")
    def state(self, obj: Channel) -> str:
        if obj.deleting_since is not None:
            return "Deleting..."
        return "Active" if obj.is_active else "Inactive"

    @admin.display(description="Integration")
    def integration_link(self, obj: Channel) -> str:
        integration = getattr(obj, "integration", None)
        if integration is None:
            return "-"
        return admin_change_link(type(integration), integration.pk, integration, site=self.admin_site)
