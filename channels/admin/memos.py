from django.contrib import admin

from channels.admin.base import (
    SYNC_FIELDS,
    SYNC_READONLY,
    BigTableAdmin,
    CsvExportMixin,
    LatestInlineFormSet,
    PartOfParentInline,
    ReadOnlyInline,
    RemovedInStoreFilter,
    VisibleChannelFilter,
    admin_change_link,
    date_range_filter,
    money,
    present_values_filter,
)
from channels.admin.entities import SyncedEntityAdminMixin
from channels.models import CreditMemo, CreditMemoComment, CreditMemoItem, Order


class CreditMemoItemInline(PartOfParentInline):
    model = CreditMemoItem
    fields = ["sku", "name", "qty", "price", "discount_amount", "tax_amount", "row_total"]
    readonly_fields = fields


class CreditMemoCommentInline(PartOfParentInline):
    model = CreditMemoComment
    fields = ["remote_created_at", "comment", "is_customer_notified", "is_visible_on_front"]
    readonly_fields = fields


class OrderCreditMemoInline(ReadOnlyInline):
    """The credit memos of an order, on the order's page."""

    model = CreditMemo
    formset = LatestInlineFormSet
    verbose_name_plural = "Credit memos"
    fields = ["memo_link", "remote_created_at", "state", "total"]
    readonly_fields = fields

    @admin.display(description="Credit memo")
    def memo_link(self, memo: CreditMemo) -> str:
        return admin_change_link(CreditMemo, memo.pk, memo.increment_id, site=self.admin_site)

    @admin.display(description="Grand total")
    def total(self, memo: CreditMemo) -> str:
        return money(memo.grand_total, memo.currency)


@admin.register(CreditMemo)
class CreditMemoAdmin(SyncedEntityAdminMixin, CsvExportMixin, BigTableAdmin):
    entity = "credit_memos"
    list_display = ["increment_id", "remote_created_at", "order_link", "state", "total", "channel"]
    list_select_related = ["order", "integration__channel"]
    list_filter = [
        present_values_filter("state"),
        ("integration__channel", VisibleChannelFilter),
        ("remote_created_at", date_range_filter("memo date")),
        RemovedInStoreFilter,
    ]
    search_fields = ["increment_id", "=order_remote_id"]
    ordering = ["-remote_created_at", "-id"]
    sortable_by = ["increment_id", "remote_created_at", "state"]
    inlines = [CreditMemoItemInline, CreditMemoCommentInline]
    fieldsets = [
        (
            "Credit memo",
            {
                "fields": [
                    "increment_id",
                    "state",
                    ("remote_created_at", "remote_updated_at"),
                    ("order", "order_remote_id"),
                    "store",
                    ("invoice_remote_id", "transaction_id"),
                    "email_sent",
                ]
            },
        ),
        (
            "Totals",
            {
                "fields": [
                    "currency",
                    "subtotal",
                    ("adjustment_positive", "adjustment_negative"),
                    "shipping_amount",
                    "tax_amount",
                    "discount_amount",
                    "grand_total",
                    ("customer_balance_refunded", "reward_points_refunded"),
                ]
            },
        ),
        ("Sync", {"fields": SYNC_FIELDS, "classes": ["collapse"]}),
    ]
    readonly_fields = SYNC_READONLY
    csv_columns = [
        ("credit memo", lambda m: m.increment_id),
        ("date", lambda m: m.remote_created_at),
        ("order", lambda m: m.order.increment_id if m.order_id else m.order_remote_id),
        ("state", lambda m: m.get_state_display()),
        ("currency", lambda m: m.currency),
        ("grand total", lambda m: m.grand_total),
        ("channel", lambda m: m.integration.channel.name),
    ]

    @admin.display(description="Order")
    def order_link(self, memo: CreditMemo) -> str:
        if memo.order_id is None:
            return memo.order_remote_id or "-"
        return admin_change_link(Order, memo.order_id, memo.order.increment_id, site=self.admin_site)

    @admin.display(description="Grand total")
    def total(self, memo: CreditMemo) -> str:
        return money(memo.grand_total, memo.currency)
