from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from channels import selectors, vocabulary
from channels.admin.base import (
    BigTableAdmin,
    ChannelScopedRelatedFilter,
    CsvExportMixin,
    LatestInlineFormSet,
    PartOfParentInline,
    ReadOnlyInline,
    RemovedInStoreFilter,
    VisibleChannelFilter,
    admin_change_link,
    admin_change_url,
    date_range_filter,
    money,
    rows_table,
)
from channels.admin.entities import SyncedEntityAdminMixin, record_syncs
from channels.admin.notes import note_html
from channels.models import (
    Cart,
    CreditMemo,
    Customer,
    CustomerAddress,
    NewsletterSubscriber,
    Order,
    OrderAddress,
    OrderNote,
)
from channels.models.customers import AddressFields
from oroint import display

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


def customer_cell(
    customer_id: int | None, name: str, email: str, *, guest: bool = False, site: admin.AdminSite = admin.site
) -> str:
    """A list's customer column: the name linked to the customer's page, the email under it."""
    url = admin_change_url(Customer, customer_id, site=site) if customer_id is not None else None
    shown = name or email or display.EMPTY
    label = format_html('<a href="{}">{}</a>', url, shown) if url else shown
    guest_tag = mark_safe(' <span class="oroint-tag">guest</span>') if guest else ""
    below = format_html('<br><span class="oroint-quiet">{}</span>', email) if name and email else ""
    return format_html("{}{}{}", label, guest_tag, below)


def address_html(address: AddressFields, title: str = "") -> str:
    """One postal address as it is written on an envelope."""
    name = " ".join(p for p in (address.prefix, address.first_name, address.middle_name, address.last_name) if p)
    city = " ".join(p for p in (address.postal_code, address.city) if p)
    lines = [title, name, address.organization, address.street, address.street2, city, address.region_text]
    lines += [address.country_code, address.phone and f"Phone {address.phone}"]
    body = format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines[1:] if line))
    heading = format_html("<strong>{}</strong><br>", title) if title else ""
    return format_html('<div class="oroint-address">{}{}</div>', heading, body)


def addresses_html(addresses: list, *, empty: str = "No address.") -> str:
    """Addresses side by side, each headed by its kind (billing, shipping) where it has one."""
    if not addresses:
        return format_html("<p>{}</p>", empty)
    blocks = format_html_join(
        "",
        "{}",
        (
            (address_html(a, a.get_address_type_display() if hasattr(a, "get_address_type_display") else ""),)
            for a in addresses
        ),
    )
    return format_html('<div class="oroint-addresses">{}</div>', blocks)


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
    fields = ["order_link", "placed", "status_words", "total"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        # The status is shown in its store's words: the integration's type, read with the rows.
        return super().get_queryset(request).select_related("integration")

    @admin.display(description="Order")
    def order_link(self, order: Order) -> str:
        return admin_change_link(Order, order.pk, order.increment_id, site=self.admin_site)

    @admin.display(description="Date")
    def placed(self, order: Order) -> str:
        return display.when(order.remote_created_at)

    @admin.display(description="Status")
    def status_words(self, order: Order) -> str:
        return vocabulary.in_words(order.integration, "status", order.status) or display.EMPTY

    @admin.display(description="Total")
    def total(self, order: Order) -> str:
        return money(order.grand_total, order.currency)


class CustomerCartInline(ReadOnlyInline):
    """The customer's latest carts; the full list is the cart change list searched by email."""

    model = Cart
    formset = LatestInlineFormSet
    verbose_name_plural = f"Latest {LatestInlineFormSet.limit} carts"
    fields = ["cart_link", "status", "quantity", "total", "remote_updated_at"]
    readonly_fields = fields

    @admin.display(description="Items")
    def quantity(self, cart: Cart) -> str:
        return display.quantity(cart.items_qty)

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


@admin.register(Customer)
class CustomerAdmin(SyncedEntityAdminMixin, CsvExportMixin, BigTableAdmin):
    entity = "customers"
    list_display = ["name", "email", "website", "order_figure", "lifetime", "last_order", "channel"]
    list_display_links = ["name", "email"]
    list_select_related = ["website", "integration__channel"]
    list_filter = [
        ("integration__channel", VisibleChannelFilter),
        ("website", ChannelScopedRelatedFilter),
        ("group", ChannelScopedRelatedFilter),
        "is_guest",
        ("remote_created_at", date_range_filter("created")),
        ("last_order_at", date_range_filter("last order")),
        RemovedInStoreFilter,
    ]
    search_fields = ["email", "first_name", "last_name"]
    # Sorting is offered on indexed columns only: any other ORDER BY sorts the whole table. The figures
    # (orders, lifetime value, last order) are kept on the customer by channels.stats, indexed.
    ordering = ["-remote_updated_at", "-id"]
    sortable_by = ["name", "email", "order_figure", "lifetime", "last_order"]
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
                "classes": ["collapse"],
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
                ],
            },
        ),
    ]
    readonly_fields = ["channel", "guest_key", "synced_at", "sync_hash", "removed_in_store_at", "last_seen_run_id"]
    csv_columns = [
        ("email", lambda c: c.email),
        ("first name", lambda c: c.first_name),
        ("last name", lambda c: c.last_name),
        ("guest", lambda c: "yes" if c.is_guest else "no"),
        ("website", lambda c: c.website.name if c.website else ""),
        ("orders", lambda c: c.order_count),
        ("lifetime value", lambda c: c.lifetime_value),
        ("currency", lambda c: c.lifetime_currency),
        ("first order", lambda c: c.first_order_at),
        ("last order", lambda c: c.last_order_at),
        ("created", lambda c: c.remote_created_at),
        ("channel", lambda c: c.integration.channel.name),
        ("remote id", lambda c: c.remote_id),
    ]

    # -- the list's columns ------------------------------------------------------------------------

    @admin.display(description="Name", ordering="last_name")
    def name(self, customer: Customer) -> str:
        shown = customer.full_name or display.EMPTY
        return format_html('{} <span class="oroint-tag">guest</span>', shown) if customer.is_guest else shown

    @admin.display(description="Orders", ordering="order_count")
    def order_figure(self, customer: Customer) -> str:
        return display.count(customer.order_count)

    @admin.display(description="Lifetime value", ordering="lifetime_value")
    def lifetime(self, customer: Customer) -> str:
        if not customer.order_count:
            return display.EMPTY
        return money(customer.lifetime_value, customer.lifetime_currency)

    @admin.display(description="Last order", ordering="last_order_at")
    def last_order(self, customer: Customer) -> str:
        return display.when(customer.last_order_at)

    # -- the customer's page -----------------------------------------------------------------------

    def figures_html(self, customer: Customer) -> str:
        """Lifetime value, order count, average order, first and last order: the customer at a glance."""
        currency = customer.lifetime_currency
        average = customer.lifetime_value / customer.order_count if customer.order_count else None
        figures = [
            ("Lifetime value", money(customer.lifetime_value, currency)),
            ("Orders", display.count(customer.order_count)),
            ("Average order", money(average, currency)),
            ("First order", display.when(customer.first_order_at)),
            ("Last order", display.when(customer.last_order_at)),
        ]
        cells = format_html_join("", '<div class="oroint-figure"><span>{}</span><strong>{}</strong></div>', figures)
        return format_html('<div class="oroint-figures" id="customer-figures">{}</div>', cells)

    def order_addresses_html(self, request: HttpRequest, customer: Customer) -> str:
        """A guest has no address book: the addresses of its latest orders, each written once."""
        addresses = selectors.visible_records(
            request.user,
            OrderAddress.objects.filter(order__customer=customer).order_by("-order__remote_created_at", "pk"),
        )[: LatestInlineFormSet.limit]
        seen, unique = set(), []
        for address in addresses:
            key = (address.first_name, address.last_name, address.one_line())
            if key not in seen:
                seen.add(key)
                unique.append(address)
        return addresses_html(unique, empty="No address on its orders.")

    def get_inlines(self, request: HttpRequest, obj: Customer | None):
        inlines = super().get_inlines(request, obj)
        if obj is None:
            return inlines
        return [i for i in inlines if i not in SECTION_ENTITIES or record_syncs(obj, SECTION_ENTITIES[i])]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        customer = self.get_object(request, object_id)
        sections = [] if customer is None else self.extra_sections(request, customer)
        leading = [] if customer is None else [("Figures", self.figures_html(customer))]
        middle = []
        if customer is not None and customer.is_guest:
            middle.append(("Addresses (from its orders)", self.order_addresses_html(request, customer)))
        extra_context = {
            **(extra_context or {}),
            "extra_sections": sections,
            "leading_sections": leading,
            "middle_sections": middle,
        }
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
                    display.when(memo.remote_created_at),
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
                    display.when(note.remote_created_at),
                    note_html(note.message),
                ]
                for note in notes
            ]
            note = f"The latest {limit}." if len(rows) == limit else ""
            sections.append(
                ("Notes of its orders", rows_table(["Order", "Added", "Note"], rows, empty="No notes.", note=note))
            )
        return sections
