"""Accounts and contacts: the people behind store customers, across channels.

They belong to no channel, so they are seen through their customers: a staff user sees the accounts
and contacts linked to a customer of a channel they may view, and on those pages only such customers
and their orders. Whoever sees every channel also sees the people a deleted channel left behind.
"""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from channels import selectors
from channels.admin.base import (
    LatestInlineFormSet,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    admin_change_link,
    money,
    rows_table,
)
from channels.models import Account, Contact, Customer, Order
from oroint.changelist import BoundedDateHierarchyChangeList

LATEST = 50


def people_visible(request: HttpRequest, queryset: models.QuerySet, link: str) -> models.QuerySet:
    """The accounts or contacts of `queryset` linked (by the customer field `link`) to a visible customer."""
    if selectors.sees_every_integration(request.user):
        return queryset
    customers = Customer.objects.filter(
        integration_id__in=selectors.visible_integration_ids(request.user), **{f"{link}__isnull": False}
    )
    return queryset.filter(pk__in=customers.values(link))


class LinkedCustomerInline(ReadOnlyInline):
    """The store customers linked to the account or contact, with their channel."""

    model = Customer
    formset = LatestInlineFormSet
    verbose_name_plural = "Customers in the channels"
    fields = ["customer_link", "channel", "website", "is_guest", "remote_created_at"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("integration__channel", "website")

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("channels.view_customer") or request.user.has_perm("channels.change_customer")

    @admin.display(description="Customer")
    def customer_link(self, customer: Customer) -> str:
        return admin_change_link(Customer, customer.pk, customer, site=self.admin_site)

    @admin.display(description="Channel")
    def channel(self, customer: Customer):
        return customer.integration.channel


class AccountCustomerInline(LinkedCustomerInline):
    fk_name = "account"


class ContactCustomerInline(LinkedCustomerInline):
    fk_name = "contact"


class AccountContactInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Contact
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["contact_link", "email", "phone"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return people_visible(request, super().get_queryset(request), "contact")

    @admin.display(description="Contact")
    def contact_link(self, contact: Contact) -> str:
        return admin_change_link(Contact, contact.pk, contact, site=self.admin_site)


class PeopleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only pages of accounts and contacts, scoped through their customers."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = None
    link: str  # the Customer field that points here

    def get_changelist(self, request: HttpRequest, **kwargs):
        return BoundedDateHierarchyChangeList

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return people_visible(request, super().get_queryset(request), self.link)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        person = self.get_object(request, object_id)
        sections = [] if person is None else [("Orders of its customers", self.orders_table(request, person))]
        extra_context = {**(extra_context or {}), "extra_sections": sections}
        return super().change_view(request, object_id, form_url, extra_context)

    def orders_table(self, request: HttpRequest, person: models.Model) -> str:
        """The latest orders of the person's customers in the channels the user may see."""
        orders = selectors.visible_records(
            request.user,
            Order.objects.filter(**{f"customer__{self.link}": person}).select_related("integration__channel"),
        ).order_by("-remote_created_at", "-id")
        rows = [
            [
                admin_change_link(Order, order.pk, order.increment_id, site=self.admin_site),
                order.remote_created_at or "-",
                order.status,
                money(order.grand_total, order.currency),
                order.integration.channel,
            ]
            for order in orders[:LATEST]
        ]
        note = f"The latest {LATEST}." if len(rows) == LATEST else ""
        return rows_table(["Order", "Created", "Status", "Grand total", "Channel"], rows, empty="No orders.", note=note)


@admin.register(Account)
class AccountAdmin(PeopleAdmin):
    link = "account"
    list_display = ["name", "owner", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["name"]
    fields = ["name", "owner", "created_at"]
    readonly_fields = ["created_at"]
    inlines = [AccountContactInline, AccountCustomerInline]


@admin.register(Contact)
class ContactAdmin(PeopleAdmin):
    link = "contact"
    list_display = ["__str__", "email", "phone", "account_link", "created_at"]
    list_select_related = ["account"]
    search_fields = ["email", "last_name", "first_name"]
    fields = ["first_name", "last_name", "email", "phone", "account", "created_at"]
    readonly_fields = ["created_at"]
    inlines = [ContactCustomerInline]

    @admin.display(description="Account")
    def account_link(self, contact: Contact) -> str:
        if contact.account_id is None:
            return "-"
        return admin_change_link(Account, contact.account_id, contact.account, site=self.admin_site)
