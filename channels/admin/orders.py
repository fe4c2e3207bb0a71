from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join

from channels import selectors, vocabulary
from channels.admin.base import (
    FILTERS_DO_NOT_APPLY,
    SYNC_FIELDS,
    SYNC_READONLY,
    BigTableAdmin,
    ChannelScopedRelatedFilter,
    CsvExportMixin,
    PartOfParentInline,
    PaymentDetailsMixin,
    RemovedInStoreFilter,
    VisibleChannelFilter,
    date_range_filter,
    filtered_changelist,
    money,
    present_values_filter,
    rows_table,
)
from channels.admin.customers import addresses_html, customer_cell
from channels.admin.entities import SyncedEntityAdminMixin, record_syncs
from channels.admin.memos import OrderCreditMemoInline
from channels.admin.notes import note_html
from channels.models import Order, OrderNote
from channels.order_lines import order_lines
from integrations import permissions, services
from integrations.engine.errors import RemoteError
from integrations.models import Integration
from oroint import display
from oroint.changelist import BoundedDateHierarchyChangeList


class OrderNoteInline(PartOfParentInline):
    """The order's notes (status history comments), their HTML rendered as HTML."""

    model = OrderNote
    verbose_name_plural = "Notes"
    fields = ["remote_created_at", "note", "status", "is_customer_notified"]
    readonly_fields = fields

    @admin.display(description="Note")
    def note(self, note: OrderNote) -> str:
        return note_html(note.message)


# The list filters whose use still lets the list's totals come from OrderDay (channel, whole days).
DAY_TOTAL_PARAMS = {"integration__channel__id__exact", "remote_created_at__range__gte", "remote_created_at__range__lte"}


class OrderChangeList(BoundedDateHierarchyChangeList):
    """The order list, with the totals of the orders it holds as filtered ("Total of 1,234 orders: ...")."""

    def get_results(self, request: HttpRequest) -> None:
        self.request = request
        super().get_results(request)

    def day_range(self) -> tuple[object, object] | None:
        """The order date range filter's (first day, last day), None values where open; None if not used."""
        for spec in self.filter_specs:
            if getattr(spec, "field_path", None) == "remote_created_at" and hasattr(spec, "form"):
                data = spec.form.cleaned_data if spec.form.is_valid() else {}
                return data.get(spec.lookup_kwarg_gte), data.get(spec.lookup_kwarg_lte)
        return None

    @cached_property
    def totals_from_days(self) -> bool:
        """Whether the totals come from OrderDay (cheap: shown in the page), else from a SUM over the
        filtered orders (half a million rows for a status filter at a million orders: fetched by the page
        once it is shown, from `totals/`, so that the list itself stays fast)."""
        # A parameter sent empty filters nothing (the date range form sends its hidden "no date" field so).
        used = {name for name, value in self.get_filters_params().items() if value not in ("", [""], [])}
        return not self.query and used <= DAY_TOTAL_PARAMS

    def totals(self) -> selectors.OrderTotals:
        if not self.totals_from_days:
            return selectors.order_totals(self.queryset)
        user = self.request.user
        integrations = None
        if not selectors.sees_every_integration(user):
            integrations = permissions.integrations_for(user, "view")
        channel = self.params.get("integration__channel__id__exact")
        if channel:
            integrations = (integrations if integrations is not None else Integration.objects.all()).filter(
                channel_id=channel[-1] if isinstance(channel, list) else channel
            )
        ids = None if integrations is None else list(integrations.values_list("pk", flat=True))
        first_day, last_day = self.day_range() or (None, None)
        return selectors.order_totals_by_day(integration_ids=ids, first_day=first_day, last_day=last_day)

    @cached_property
    def list_totals(self) -> str:
        totals = self.totals()
        if not totals.orders:
            return ""
        sums = " · ".join(display.money_sums(totals.sums)) or display.money(0, "")
        canceled = f" ({display.count(totals.canceled)} canceled, not added)" if totals.canceled else ""
        noun = "order" if totals.orders == 1 else "orders"
        return f"Total of {display.count(totals.orders)} {noun}: {sums}{canceled}"


@admin.register(Order)
class OrderAdmin(SyncedEntityAdminMixin, PaymentDetailsMixin, CsvExportMixin, BigTableAdmin):
    entity = "orders"
    list_display = ["number", "placed", "customer_column", "status_words", "total", "channel"]
    list_select_related = ["customer", "integration__channel"]
    list_filter = [
        ("integration__channel", VisibleChannelFilter),
        ("remote_created_at", date_range_filter("order date")),
        present_values_filter("status"),
        ("website", ChannelScopedRelatedFilter),
        "is_guest",
        RemovedInStoreFilter,
    ]
    search_fields = ["increment_id", "customer_email", "customer_last_name", "customer_first_name"]
    # Sorting is offered on indexed columns only: any other ORDER BY sorts the whole table.
    ordering = ["-remote_created_at", "-id"]
    sortable_by = ["number", "placed", "customer_column", "status_words", "total"]
    inlines = [OrderNoteInline, OrderCreditMemoInline]
    fieldsets = [
        (
            "Order",
            {
                "fields": [
                    "increment_id",
                    ("status_words", "state_words"),
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
        ("Payment", {"fields": ["payment_method_words", "payment_status_words", "payment_details_display"]}),
        ("Sync", {"fields": SYNC_FIELDS, "classes": ["collapse"]}),
    ]
    readonly_fields = [
        "status_words",
        "state_words",
        "payment_method_words",
        "payment_status_words",
        "payment_details_display",
        *SYNC_READONLY,
    ]
    csv_columns = [
        ("order", lambda o: o.increment_id),
        ("date", lambda o: o.remote_created_at),
        ("customer email", lambda o: o.customer_email),
        ("customer first name", lambda o: o.customer_first_name),
        ("customer last name", lambda o: o.customer_last_name),
        ("guest", lambda o: "yes" if o.is_guest else "no"),
        ("status", lambda o: vocabulary.in_words(o.integration, "status", o.status)),
        ("currency", lambda o: o.currency),
        ("subtotal", lambda o: o.subtotal),
        ("shipping", lambda o: o.shipping_amount),
        ("tax", lambda o: o.tax_amount),
        ("discount", lambda o: o.discount_amount),
        ("grand total", lambda o: o.grand_total),
        ("payment", lambda o: vocabulary.in_words(o.integration, "payment_method", o.payment_method)),
        ("shipping method", lambda o: vocabulary.in_words(o.integration, "shipping_method", o.shipping_method)),
        ("channel", lambda o: o.integration.channel.name),
        ("remote id", lambda o: o.remote_id),
    ]

    def get_changelist(self, request: HttpRequest, **kwargs):
        return OrderChangeList

    # -- the list's columns ------------------------------------------------------------------------

    @admin.display(description="Order", ordering="increment_id")
    def number(self, order: Order) -> str:
        return order.increment_id

    @admin.display(description="Date", ordering="remote_created_at")
    def placed(self, order: Order) -> str:
        return display.when(order.remote_created_at)

    @admin.display(description="Customer", ordering="customer_email")
    def customer_column(self, order: Order) -> str:
        name = " ".join(p for p in (order.customer_first_name, order.customer_last_name) if p)
        return customer_cell(order.customer_id, name, order.customer_email, guest=order.is_guest, site=self.admin_site)

    @admin.display(description="Status", ordering="status")
    def status_words(self, order: Order) -> str:
        return vocabulary.in_words(order.integration, "status", order.status) or display.EMPTY

    @admin.display(description="State")
    def state_words(self, order: Order) -> str:
        return vocabulary.in_words(order.integration, "state", order.state) or display.EMPTY

    @admin.display(description="Total", ordering="grand_total")
    def total(self, order: Order) -> str:
        return money(order.grand_total, order.currency)

    @admin.display(description="Payment method")
    def payment_method_words(self, order: Order) -> str:
        return vocabulary.in_words(order.integration, "payment_method", order.payment_method) or display.EMPTY

    @admin.display(description="Payment status")
    def payment_status_words(self, order: Order) -> str:
        return vocabulary.in_words(order.integration, "payment_status", order.payment_status) or display.EMPTY

    # -- the order's page: items and totals first, then its addresses -----------------------------

    def leading_sections(self, order: Order) -> list[tuple[str, str]]:
        return [("Items", self.items_html(order)), ("Addresses", addresses_html(list(order.addresses.all())))]

    def items_html(self, order: Order) -> str:
        currency = order.currency
        rows = []
        for line in order_lines(list(order.items.all())):
            item = line.item
            name = format_html("{}<br><small>{}</small>", item.name, line.option) if line.option else item.name
            if item.unknown_sku:
                name = format_html('{} <span class="oroint-flag">unknown SKU</span>', name)
            rows.append(
                [
                    line.sku,
                    name,
                    display.quantity(item.qty),
                    money(item.price, currency),
                    money(item.discount_amount, currency),
                    money(item.tax_amount, currency),
                    money(item.row_total, currency),
                ]
            )
        table = rows_table(["SKU", "Product", "Qty", "Price", "Discount", "Tax", "Row total"], rows, empty="No items.")
        shipping = vocabulary.in_words(order.integration, "shipping_method", order.shipping_method)
        totals = [
            ("Subtotal", order.subtotal),
            (format_html("Shipping{}", f" ({shipping})" if shipping else ""), order.shipping_amount),
            ("Discount", order.discount_amount),
            ("Tax", order.tax_amount),
            ("Grand total", order.grand_total),
            ("Paid", order.total_paid),
            ("Invoiced", order.total_invoiced),
            ("Refunded", order.total_refunded),
            ("Canceled", order.total_canceled),
        ]
        figures = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td></tr>",
            ((label, money(value, currency)) for label, value in totals if value is not None or label == "Grand total"),
        )
        return format_html('{}<table class="oroint-totals" id="order-totals"><tbody>{}</tbody></table>', table, figures)

    # -- store actions: what the order's integration offers to do on it in the store ----------------

    def get_urls(self):
        action = self.admin_site.admin_view(self.store_action_view)
        totals = self.admin_site.admin_view(self.totals_view)
        return [
            path("totals/", totals, name="channels_order_totals"),
            path("<path:object_id>/store-action/<str:name>/", action, name="channels_order_store_action"),
            *super().get_urls(),
        ]

    def totals_view(self, request: HttpRequest) -> HttpResponse:
        """The totals line of the order list as filtered by the query string (the list fetches it)."""
        changelist = filtered_changelist(self, request)
        if changelist is None:
            return HttpResponseBadRequest(FILTERS_DO_NOT_APPLY)
        return HttpResponse(changelist.list_totals, content_type="text/plain; charset=utf-8")

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {**(extra_context or {}), "totals_url": reverse("admin:channels_order_totals")}
        return super().changelist_view(request, extra_context)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        order = self.get_object(request, object_id)
        may_act = order is not None and permissions.may(request.user, "change", order.integration)
        extra_context = {
            **(extra_context or {}),
            "store_actions": services.record_actions(record=order) if may_act else [],
            "store_admin_url": order.integration.connector_class.record_admin_url(order) if order else None,
            "leading_sections": self.leading_sections(order) if order else [],
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
