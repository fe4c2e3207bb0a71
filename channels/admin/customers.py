from django.contrib import admin
from django.http import HttpRequest

from channels import selectors
from channels.admin.base import (
    BigTableAdmin,
    ChannelScopedRelatedFilter,
    LatestInlineFormSet,
    PartOfParentInline,
    ReadOnlyInline,
    RemovedInStoreFilter,
    VisibleChannelFilter,
    admin_change_link,
    money,
    rows_table,
)
from channels.admin.entities import SyncedEntityAdminMixin, record_syncs
from channels.admin.notes import note_html
from channels.models import Cart, CreditMemo, Customer, CustomerAddress, NewsletterSubscriber, Order, OrderNote
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


class CustomerCartInline(ReadOnlyInline):
    """The customer's latest carts; the full list is the cart change list searched by email."""

    model = Cart
    formset = LatestInlineFormSet
    verbose_name_plural = f"Latest {LatestInlineFormSet.limit} carts"
    fields = ["cart_link", "status", "items_qty", "total", "remote_updated_at"]
    readonly_fields = fields

    @admin.display(description="Cart")
    def cart_link(self, cart: Cart) -> str:
        return admin_change_link(Cart, cart.pk, cart.remote_id, site=self.admin_site)

    @admin.display(description="Grand total")
    def total(self, cart: Cart) -> str:
        return money(cart.grand_total, cart.currency)


class CustomerSubscriptionInline(ReadOnlyInline):
    model = NewsletterSubscriber
    verbose_name_plural = "Newsletter subscription"
    fields = ["email", "status", "store", "change_status_at"]
    readonly_fields = fields


# Which sections of a customer's page belong to which of the channel's entities.
SECTION_ENTITIES = {
    CustomerOrderInline: "orders",
    CustomerCartInline: "carts",
    CustomerSubscriptionInline: "newsletter_subscribers",
}


class CustomerChangeList(BoundedDateHierarchyChangeList):
    """Adds each listed customer's order count, in one query for the whole page."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        customers = list(self.result_list)
        counts = selectors.customer_order_counts(customer_ids=[c.pk for c in customers])
        for customer in customers:
            customer.listed_order_count = counts.get(customer.pk, 0)


@admin.register(Customer)
class CustomerAdmin(SyncedEntityAdminMixin, BigTableAdmin):
    entity = "customers"
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
        RemovedInStoreFilter,
    ]
    search_fields = ["email", "first_name", "last_name"]
    # Sorting is offered on indexed columns only: any other ORDER BY sorts the whole table.
    ordering = ["-remote_updated_at", "-id"]
    sortable_by = ["email", "remote_updated_at"]
    inlines = [CustomerAddressInline, CustomerOrderInline, CustomerCartInline, CustomerSubscriptionInline]
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
                    ("company_name", "payment_term"),
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

    def get_inlines(self, request: HttpRequest, obj: Customer | None):
        inlines = super().get_inlines(request, obj)
        if obj is None:
            return inlines
        return [i for i in inlines if i not in SECTION_ENTITIES or record_syncs(obj, SECTION_ENTITIES[i])]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        customer = self.get_object(request, object_id)
        sections = [] if customer is None else self.extra_sections(request, customer)
        extra_context = {**(extra_context or {}), "extra_sections": sections}
        return super().change_view(request, object_id, form_url, extra_context)

    def extra_sections(self, request: HttpRequest, customer: Customer) -> list[tuple[str, str]]:
        """The credit memos and the notes of the customer's orders: rows of its orders, not its own."""
        sections = []
        limit = LatestInlineFormSet.limit
        if record_syncs(customer, "credit_memos") and request.user.has_perm("channels.view_creditmemo"):
            memos = selectors.visible_records(
                request.user, CreditMemo.objects.filter(order__customer=customer).select_related("order")
            ).order_by("-remote_created_at", "-id")[:limit]
            rows = [
                [
                    admin_change_link(CreditMemo, memo.pk, memo.increment_id, site=self.admin_site),
                    memo.remote_created_at or "-",
                    admin_change_link(Order, memo.order_id, memo.order.increment_id, site=self.admin_site),
                    memo.get_state_display(),
                    money(memo.grand_total, memo.currency),
                ]
                for memo in memos
            ]
            note = f"The latest {limit}." if len(rows) == limit else ""
            headers = ["Credit memo", "Created", "Order", "State", "Grand total"]
            sections.append(("Credit memos", rows_table(headers, rows, empty="No credit memos.", note=note)))
        integration = customer.integration
        if request.user.has_perm("channels.view_order") and integration.connector_class.notes_on_customer_pages(
            integration
        ):
            notes = selectors.visible_records(
                request.user, OrderNote.objects.filter(order__customer=customer).select_related("order")
            ).order_by("-remote_created_at", "-pk")[:limit]
            rows = [
                [
                    admin_change_link(Order, note.order_id, note.order.increment_id, site=self.admin_site),
                    note.remote_created_at or "-",
                    note_html(note.message),
                ]
                for note in notes
            ]
            note = f"The latest {limit}." if len(rows) == limit else ""
            sections.append(
                ("Notes of its orders", rows_table(["Order", "Added", "Note"], rows, empty="No notes.", note=note))
            )
        return sections

    @admin.display(description="Orders")
    def order_count(self, customer: Customer) -> int | None:
        return getattr(customer, "listed_order_count", None)
