from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from channels import selectors, services
from channels.admin.base import (
    SYNC_FIELDS,
    SYNC_READONLY,
    BigTableAdmin,
    CsvExportMixin,
    PartOfParentInline,
    PaymentDetailsMixin,
    RemovedInStoreFilter,
    VisibleChannelFilter,
    admin_change_link,
    date_range_filter,
    money,
    present_values_filter,
)
from channels.admin.customers import ADDRESS_COLUMNS, AddressNameMixin
from channels.admin.entities import SyncedEntityAdminMixin
from channels.models import Cart, CartAddress, CartItem, Customer
from integrations import permissions
from oroint import display


class CartItemInline(PartOfParentInline):
    model = CartItem
    fields = ["sku", "name", "qty", "price", "discount_amount", "tax_amount", "row_total", "removed"]
    readonly_fields = fields

    @admin.display(description="In the cart")
    def removed(self, item: CartItem) -> str:
        # OroCRM keeps the items a customer took out of an open cart; they stay listed, marked.
        return "Removed" if item.is_removed else "Yes"


class CartAddressInline(AddressNameMixin, PartOfParentInline):
    model = CartAddress
    fields = ["address_type", *ADDRESS_COLUMNS, "email"]
    readonly_fields = fields


@admin.register(Cart)
class CartAdmin(SyncedEntityAdminMixin, PaymentDetailsMixin, CsvExportMixin, BigTableAdmin):
    entity = "carts"
    list_display = [
        "cart_id",
        "remote_updated_at",
        "customer_or_email",
        "status",
        "quantity",
        "total",
        "channel",
    ]
    list_select_related = ["customer", "integration__channel"]
    list_filter = [
        present_values_filter("status"),
        ("integration__channel", VisibleChannelFilter),
        ("remote_updated_at", date_range_filter("updated")),
        RemovedInStoreFilter,
    ]
    # An exact id, or part of an email.
    search_fields = ["=remote_id", "email"]
    ordering = ["-remote_updated_at", "-id"]
    sortable_by = ["cart_id", "remote_updated_at", "status"]
    actions = ["mark_lost"]
    inlines = [CartItemInline, CartAddressInline]
    fieldsets = [
        (
            "Cart",
            {
                "fields": [
                    "remote_id",
                    ("status", "status_changed_at", "status_set_by"),
                    "is_active",
                    ("remote_created_at", "remote_updated_at"),
                    ("website", "store"),
                ]
            },
        ),
        (
            "Customer",
            {
                "fields": [
                    "customer",
                    "email",
                    ("first_name", "last_name"),
                    "is_guest",
                    "customer_remote_id",
                    "customer_group_remote_id",
                ]
            },
        ),
        (
            "Totals",
            {
                "fields": [
                    ("items_count", "items_qty"),
                    "subtotal",
                    "grand_total",
                    ("currency", "base_currency", "store_currency"),
                    ("store_to_base_rate", "store_to_quote_rate"),
                ]
            },
        ),
        ("Payment", {"fields": ["payment_method", "payment_details_display"]}),
        # The cart id is the page's first field.
        ("Sync", {"fields": [f for f in SYNC_FIELDS if f != "remote_id"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["payment_details_display", *SYNC_READONLY]
    csv_columns = [
        ("cart", lambda c: c.remote_id),
        ("updated", lambda c: c.remote_updated_at),
        ("created", lambda c: c.remote_created_at),
        ("email", lambda c: c.email),
        ("first name", lambda c: c.first_name),
        ("last name", lambda c: c.last_name),
        ("status", lambda c: c.get_status_display()),
        ("items", lambda c: c.items_qty),
        ("currency", lambda c: c.currency),
        ("grand total", lambda c: c.grand_total),
        ("channel", lambda c: c.integration.channel.name),
    ]

    def get_urls(self):
        mark_lost = self.admin_site.admin_view(self.mark_lost_view)
        return [path("<path:object_id>/mark-lost/", mark_lost, name="channels_cart_mark_lost"), *super().get_urls()]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        cart = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "can_mark_lost": cart is not None
            and cart.status == Cart.Status.OPEN
            and services.may_set_cart_status(request.user, cart),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def has_mark_lost_permission(self, request: HttpRequest) -> bool:
        """Offer the action to whoever may set the status of some cart (each cart is checked again)."""
        return permissions.may_any(request.user, "change") or (
            request.user.has_perm("channels.change_cart") and permissions.may_any(request.user, "view")
        )

    @admin.action(description="Mark the selected open carts as lost", permissions=["mark_lost"])
    def mark_lost(self, request: HttpRequest, queryset) -> None:
        carts = list(queryset.select_related("integration"))
        if not all(services.may_set_cart_status(request.user, cart) for cart in carts):
            raise PermissionDenied
        changed = services.cart_mark_lost(carts=queryset, user=request.user)
        left = len(carts) - changed
        note = f"; {left} not open, left as they were" if left else ""
        self.message_user(request, f"{changed} cart(s) marked as lost{note}.", level=messages.SUCCESS)

    def mark_lost_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse(status=405)
        # Only a cart the user may see: another channel's cart answers as one that does not exist.
        cart = get_object_or_404(
            selectors.visible_records(request.user, Cart.objects.select_related("integration")), pk=object_id
        )
        if not services.may_set_cart_status(request.user, cart):
            raise PermissionDenied
        if services.cart_mark_lost(carts=Cart.objects.filter(pk=cart.pk), user=request.user):
            messages.success(request, f"{cart} marked as lost.")
        else:
            messages.warning(request, f"{cart} is no longer open; its status was left as it was.")
        return HttpResponseRedirect(reverse("admin:channels_cart_change", args=[cart.pk]))

    @admin.display(description="Cart id", ordering="remote_id")
    def cart_id(self, cart: Cart) -> str:
        return cart.remote_id or "-"

    @admin.display(description="Customer / email")
    def customer_or_email(self, cart: Cart) -> str:
        if cart.customer_id is not None:
            return admin_change_link(Customer, cart.customer_id, cart.customer, site=self.admin_site)
        return cart.email or "-"

    @admin.display(description="Items")
    def quantity(self, cart: Cart) -> str:
        return display.quantity(cart.items_qty)

    @admin.display(description="Grand total")
    def total(self, cart: Cart) -> str:
        return money(cart.grand_total, cart.currency)
