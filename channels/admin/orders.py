from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.formats import number_format

from channels.admin.base import (
    SYNC_FIELDS,
    SYNC_READONLY,
    BigTableAdmin,
    ChannelScopedRelatedFilter,
    PartOfParentInline,
    PaymentDetailsMixin,
    RemovedInStoreFilter,
    VisibleChannelFilter,
    admin_change_link,
)
from channels.admin.customers import ADDRESS_COLUMNS, AddressNameMixin
from channels.admin.entities import SyncedEntityAdminMixin, record_syncs
from channels.admin.memos import OrderCreditMemoInline
from channels.admin.notes import note_html
from channels.models import Customer, Order, OrderAddress, OrderItem, OrderNote
from integrations import permissions, services
from integrations.engine.errors import RemoteError


class OrderItemInline(PartOfParentInline):
    model = OrderItem
    fields = ["sku", "unknown_sku", "name", "qty", "price", "discount_amount", "tax_amount", "row_total"]
    readonly_fields = fields


class OrderAddressInline(AddressNameMixin, PartOfParentInline):
    model = OrderAddress
    fields = ["address_type", *ADDRESS_COLUMNS]
    readonly_fields = fields


class OrderNoteInline(PartOfParentInline):
    """The order's notes (status history comments), their HTML rendered as HTML."""

    model = OrderNote
    verbose_name_plural = "Notes"
    fields = ["remote_created_at", "note", "status", "is_customer_notified"]
    readonly_fields = fields

    @admin.display(description="Note")
    def note(self, note: OrderNote) -> str:
        return note_html(note.message)


class OrderStatusFilter(admin.SimpleListFilter):
    """Order status, its choices read at most once a few minutes, and only those of the user's integrations.

    Django's default filter asks `SELECT DISTINCT status` on every page view: a full scan of the
    orders table (50 to 150 ms at a million orders) for a list that hardly ever changes. The cache
    keeps the statuses per integration, so a staff user is offered only the statuses of orders they
    may see, whoever filled the cache.
    """

    title = "status"
    parameter_name = "status__exact"
    CACHE_KEY = "channels:order-statuses-by-integration"
    CACHE_SECONDS = 300

    def lookups(self, request, model_admin):
        by_integration = cache.get(self.CACHE_KEY)
        if by_integration is None:
            by_integration = {}
            rows = Order.objects.order_by().values_list("integration_id", "status").distinct()
            for integration_id, status in rows:
                if status:
                    by_integration.setdefault(integration_id, set()).add(status)
            cache.set(self.CACHE_KEY, by_integration, self.CACHE_SECONDS)
        visible = permissions.integrations_for(request.user, "view").values_list("pk", flat=True)
        statuses = sorted(set().union(*(by_integration.get(pk, ()) for pk in visible)))
        return [(status, status) for status in statuses]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Order)
class OrderAdmin(SyncedEntityAdminMixin, PaymentDetailsMixin, BigTableAdmin):
    entity = "orders"
    list_display = [
        "increment_id",
        "remote_created_at",
        "customer_email",
        "customer_link",
        "status",
        "total",
        "website_store",
        "channel",
    ]
    list_select_related = ["customer", "website", "store", "integration__channel"]
    list_filter = [
        ("integration__channel", VisibleChannelFilter),
        ("website", ChannelScopedRelatedFilter),
        OrderStatusFilter,
        "is_guest",
        "remote_created_at",
        RemovedInStoreFilter,
    ]
    search_fields = ["increment_id", "customer_email", "customer_last_name", "customer_first_name"]
    # Sorting is offered on indexed columns only: any other ORDER BY sorts the whole table.
    ordering = ["-remote_created_at", "-id"]
    sortable_by = ["increment_id", "remote_created_at", "customer_email", "status"]
    inlines = [OrderItemInline, OrderAddressInline, OrderNoteInline, OrderCreditMemoInline]
    fieldsets = [
        (
            "Order",
            {
                "fields": [
                    "increment_id",
                    ("status", "state", "payment_status"),
                    ("remote_created_at", "remote_updated_at"),
                    ("website", "store", "store_name"),
                    "is_virtual",
                    "coupon_code",
                    "gift_message",
                    "remote_ip",
                    "quote_remote_id",
                ]
            },
        ),
        (
            "Customer",
            {
                "fields": [
                    "customer",
                    "customer_email",
                    ("customer_first_name", "customer_last_name"),
                    "is_guest",
                    ("customer_remote_id", "customer_user_remote_id"),
                ]
            },
        ),
        (
            "Totals",
            {
                "fields": [
                    "currency",
                    "subtotal",
                    ("shipping_amount", "shipping_method"),
                    "discount_amount",
                    "tax_amount",
                    "grand_total",
                    "total_paid",
                    "total_invoiced",
                    "total_refunded",
                    "total_canceled",
                ]
            },
        ),
        ("Payment", {"fields": ["payment_method", "payment_details_display"]}),
        ("Sync", {"fields": SYNC_FIELDS}),
    ]
    readonly_fields = ["payment_details_display", *SYNC_READONLY]

    # -- store actions: what the order's integration offers to do on it in the store ----------------

    def get_urls(self):
        action = self.admin_site.admin_view(self.store_action_view)
        return [
            path("<path:object_id>/store-action/<str:name>/", action, name="channels_order_store_action"),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        order = self.get_object(request, object_id)
        may_act = order is not None and permissions.may(request.user, "change", order.integration)
        extra_context = {
            **(extra_context or {}),
            "store_actions": services.record_actions(record=order) if may_act else [],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def store_action_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse(status=405)
        order = self.get_object(request, object_id)  # another channel's order answers as one that does not exist
        if order is None:
            return HttpResponse(status=404)
        if not permissions.may(request.user, "change", order.integration):
            raise PermissionDenied
        try:
            messages.success(request, services.record_action_run(record=order, name=name))
        except LookupError:
            return HttpResponse(status=404)
        except RemoteError as exc:
            messages.error(request, f"The store refused: {exc}")
        return HttpResponseRedirect(reverse("admin:channels_order_change", args=[order.pk]))

    def get_inlines(self, request, obj: Order | None):
        inlines = super().get_inlines(request, obj)
        if obj is None or record_syncs(obj, "credit_memos"):
            return inlines
        return [inline for inline in inlines if inline is not OrderCreditMemoInline]

    @admin.display(description="Customer")
    def customer_link(self, order: Order) -> str:
        if order.customer_id is None:
            return "-"
        return admin_change_link(Customer, order.customer_id, order.customer, site=self.admin_site)

    @admin.display(description="Grand total")
    def total(self, order: Order) -> str:
        if order.grand_total is None:
            return "-"
        return f"{number_format(order.grand_total, 2)} {order.currency}".strip()

    @admin.display(description="Website / store")
    def website_store(self, order: Order) -> str:
        return " / ".join(str(x) for x in (order.website, order.store) if x is not None) or "-"
