from django.contrib import admin

from channels.admin.base import (
    SYNC_FIELDS,
    SYNC_READONLY,
    BigTableAdmin,
    ChannelScopedRelatedFilter,
    CsvExportMixin,
    RemovedInStoreFilter,
    VisibleChannelFilter,
    admin_change_link,
    present_values_filter,
)
from channels.admin.entities import SyncedEntityAdminMixin
from channels.models import Customer, NewsletterSubscriber


@admin.register(NewsletterSubscriber)
class NewsletterSubscriberAdmin(SyncedEntityAdminMixin, CsvExportMixin, BigTableAdmin):
    entity = "newsletter_subscribers"
    list_display = ["email", "status", "customer_link", "store", "change_status_at", "channel"]
    list_select_related = ["customer", "store", "integration__channel"]
    list_filter = [
        present_values_filter("status"),
        ("integration__channel", VisibleChannelFilter),
        ("store", ChannelScopedRelatedFilter),
        RemovedInStoreFilter,
    ]
    search_fields = ["email"]
    ordering = ["-change_status_at", "-id"]
    sortable_by = ["email", "status", "change_status_at"]
    fields = [
        "email",
        "status",
        "change_status_at",
        "customer",
        "customer_remote_id",
        "store",
        "confirm_code",
        *SYNC_FIELDS,
    ]
    readonly_fields = SYNC_READONLY
    csv_columns = [
        ("email", lambda s: s.email),
        ("status", lambda s: s.get_status_display()),
        ("changed", lambda s: s.change_status_at),
        ("store", lambda s: s.store.name if s.store_id else ""),
        ("channel", lambda s: s.integration.channel.name),
    ]

    @admin.display(description="Customer")
    def customer_link(self, subscriber: NewsletterSubscriber) -> str:
        if subscriber.customer_id is None:
            return "-"
        return admin_change_link(Customer, subscriber.customer_id, subscriber.customer, site=self.admin_site)
