from django.contrib import admin
from django.db.models import Value
from django.db.models.functions import LPad
from django.http import HttpRequest

from channels.admin.base import ReadOnlyModelAdmin, VisibleChannelFilter
from channels.models import CustomerGroup, Store, Website


class ChannelRecordAdmin(ReadOnlyModelAdmin):
    """A small synced table (websites, stores, customer groups), listed with its channel."""

    list_filter = [("integration__channel", VisibleChannelFilter)]
    search_fields = ["name"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [*super().get_readonly_fields(request, obj), "channel", "synced_at"]

    @admin.display(description="Channel", ordering="integration__channel__name")
    def channel(self, record):
        return record.integration.channel

    # Ids are strings; padded, numeric ones sort as numbers ("10" after "9") and others still sort.
    @admin.display(description="Remote id", ordering=LPad("remote_id", 20, Value("0")))
    def remote(self, record):
        return record.remote_id


@admin.register(Website)
class WebsiteAdmin(ChannelRecordAdmin):
    list_display = ["name", "code", "channel", "is_default", "remote"]
    search_fields = ["name", "code"]


@admin.register(Store)
class StoreAdmin(ChannelRecordAdmin):
    list_display = ["name", "code", "website", "channel", "is_active", "remote"]
    list_select_related = ["website", "integration__channel"]
    search_fields = ["name", "code"]


@admin.register(CustomerGroup)
class CustomerGroupAdmin(ChannelRecordAdmin):
    list_display = ["name", "remote", "channel"]
