from django.contrib import admin
from django.http import HttpRequest

from channels import selectors
from channels.admin.base import (
    BigTableAdmin,
    ChannelScopedRelatedFilter,
    LatestInlineFormSet,
    PartOfParentInline,
    ReadOnlyInline,
    VisibleChannelFilter,
    admin_change_link,
)
from channels.models import Customer, CustomerAddress, Order
from oroint.changelist import BoundedDateHierarchyChangeList

ADDRESS_COLUMNS = [
    "name",
    "organization",
    "street",
    "street2",
    "city",
    "postal_code",
    "region_text",
    "country_code",
    "phone",
]


class AddressNameMixin:
    @admin.display(description="Name")
    def name(self, address) -> str:
        parts = (address.prefix, address.first_name, address.middle_name, address.last_name, address.suffix)
        return " ".join(p for p in parts if p)


class CustomerAddressInline(AddressNameMixin, PartOfParentInline):
    model = CustomerAddress
    fields = [*ADDRESS_COLUMNS, "is_default_billing", "is_default_shipping"]
    readonly_fields = fields


class CustomerOrderInline(ReadOnlyInline):
    """The customer's latest orders; the full list is the order change list filtered by customer."""

    model = Order
    formset = LatestInlineFormSet
    verbose_name_plural = f"Latest {LatestInlineFormSet.limit} orders"
    template = "admin/channels/customer/orders_inline.html"
    fields = ["order_link", "status", "grand_total", "currency", "remote_created_at"]
    readonly_fields = fields

    @admin.display(description="Order")
    def order_link(self, order: Order) -> str:
        return admin_change_link(Order, order.pk, order.increment_id, site=self.admin_site)


class CustomerChangeList(BoundedDateHierarchyChangeList):
    """Adds each listed customer's order count, in one query for the whole page."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        customers = list(self.result_list)
        counts = selectors.customer_order_counts(customer_ids=[c.pk for c in customers])
        for customer in customers:
            customer.listed_order_count = counts.get(customer.pk, 0)


@admin.register(Customer)
class CustomerAdmin(BigTableAdmin):
    list_display = [
        "email",
        "full_name",
        "website",
        "group",
        "is_guest",
        "remote_created_at",
        "remote_updated_at",
        "order_count",
        "channel",
    ]
    list_display_links = ["email", "full_name"]
    list_select_related = ["website", "group", "integration__channel"]
    list_filter = [
        ("integration__channel", VisibleChannelFilter),
        ("website", ChannelScopedRelatedFilter),
        ("group", ChannelScopedRelatedFilter),
        "is_guest",
        "remote_created_at",
    ]
    search_fields = ["email", "first_name", "last_name"]
    # Sorting is offered on indexed columns only: any other ORDER BY sorts the whole table.
    ordering = ["-remote_updated_at", "-id"]
    sortable_by = ["email", "remote_updated_at"]
    inlines = [CustomerAddressInline, CustomerOrderInline]
    fieldsets = [
        (
            "Customer",
            {
                "fields": [
                    "email",
                    ("prefix", "first_name", "middle_name", "last_name", "suffix"),
                    "birthday",
                    "gender",
                    "vat",
                    ("account", "contact"),
                ]
            },
        ),
        (
            "Store",
            {"fields": ["website", "store", "group", "created_in", "is_guest", "confirmed"]},
        ),
        (
            "Sync",
            {
                "fields": [
                    "channel",
                    "integration",
                    "remote_id",
                    "guest_key",
                    "remote_created_at",
                    "remote_updated_at",
                    "synced_at",
                    "sync_hash",
                    "removed_in_store_at",
                    "last_seen_run_id",
                ]
            },
        ),
    ]
    readonly_fields = ["channel", "guest_key", "synced_at", "sync_hash", "removed_in_store_at", "last_seen_run_id"]

    def get_changelist(self, request: HttpRequest, **kwargs):
        return CustomerChangeList

    @admin.display(description="Orders")
    def order_count(self, customer: Customer) -> int | None:
        return getattr(customer, "listed_order_count", None)

    @admin.display(description="Channel")
    def channel(self, customer: Customer):
        return customer.integration.channel
