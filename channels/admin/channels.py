from django.contrib import admin
from django.http import HttpRequest

from channels import selectors
from channels.admin.base import admin_change_link
from channels.models import Channel
from integrations import permissions, services
from integrations.admin.deletion import CountedDeletionMixin
from oroint.changelist import BoundedDateHierarchyChangeList


@admin.register(Channel)
class ChannelAdmin(CountedDeletionMixin, admin.ModelAdmin):
    list_display = ["name", "channel_type", "is_active", "owner", "created_at", "integration_link"]
    list_select_related = ["owner", "integration"]
    list_filter = ["channel_type", "is_active"]
    search_fields = ["name"]
    fields = ["name", "channel_type", "is_active", "owner", "created_at", "integration_link"]
    readonly_fields = ["channel_type", "created_at", "integration_link"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest):
        # Applied here because the change list skips list_select_related once a queryset has any.
        queryset = super().get_queryset(request).select_related(*self.list_select_related)
        return selectors.visible_records(request.user, queryset)

    def get_form(self, request: HttpRequest, obj: Channel | None = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
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

    def delete_model(self, request: HttpRequest, obj: Channel) -> None:
        services.channel_delete(channel=obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for channel in queryset:
            services.channel_delete(channel=channel)

    @admin.display(description="Integration")
    def integration_link(self, obj: Channel) -> str:
        integration = getattr(obj, "integration", None)
        if integration is None:
            return "-"
        return admin_change_link(type(integration), integration.pk, integration, site=self.admin_site)
