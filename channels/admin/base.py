"""What the channels admin pages share: read-only browsing of synced records, cheap on big tables."""

import json

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_permission_codename
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join

from channels import selectors
from channels.admin.pagination import EstimatedCountPaginator
from oroint.changelist import BoundedDateHierarchyChangeList


def admin_change_url(model: type[models.Model], pk: object, *, site: admin.AdminSite = admin.site) -> str | None:
    """The admin change page of one record, or None when that model has no admin."""
    opts = model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(pk)], current_app=site.name)
    except NoReverseMatch:
        return None


def admin_change_link(
    model: type[models.Model], pk: object, text: object, *, site: admin.AdminSite = admin.site
) -> str:
    """`text` linked to the record's admin page, or plain `text` when there is no such page."""
    url = admin_change_url(model, pk, site=site)
    return format_html('<a href="{}">{}</a>', url, text) if url else str(text)


class VisibleChannelFilter(admin.RelatedFieldListFilter):
    """Filter by channel, offering only the channels the user may see."""

    def field_choices(self, field, request, model_admin):
        channels = selectors.visible_records(request.user, field.related_model._default_manager.order_by("name"))
        return [(channel.pk, str(channel)) for channel in channels]


class ChannelScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A filter on a website, store or customer group that names the channel of each choice.

    Every store has a "Main Website"; without the channel the choices are indistinguishable.
    """

    def field_choices(self, field, request, model_admin):
        related = field.related_model._default_manager.select_related("integration__channel")
        related = selectors.visible_records(request.user, related).order_by("integration__channel__name", "name")
        return [(record.pk, f"{record.integration.channel} / {record}") for record in related]


class ReadOnlyAdminMixin:
    """Synced records are written by the sync engine only: the admin may look, never touch.

    View permission stays the model's own, so a staff user with only `view_*` permissions can
    browse. Every queryset goes through `selectors.visible_records`, the extension point for
    object-level access.
    """

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class ReadOnlyModelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The admin of a synced model (one with an `integration`), listed with its channel."""

    # A full COUNT(*) per page view is what makes big change lists slow; see EstimatedCountPaginator.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = None

    list_select_related = ["integration__channel"]

    def get_changelist(self, request: HttpRequest, **kwargs):
        return BoundedDateHierarchyChangeList

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        # The change list applies list_select_related only to a queryset without select_related,
        # so it is applied here, where the integration's encrypted API key is also left unread:
        # browsing records must not depend on being able to decrypt it.
        queryset = super().get_queryset(request).select_related(*self.list_select_related)
        return selectors.visible_records(request.user, queryset)


class BigTableAdmin(ReadOnlyModelAdmin):
    """Change lists of the tables that grow to millions of rows (orders, customers)."""

    paginator = EstimatedCountPaginator
    list_per_page = 50
    list_max_show_all = 500

    @admin.display(description="Channel")
    def channel(self, record: models.Model):
        return record.integration.channel


class PaymentDetailsMixin:
    """The payment as the store sent it (orders, carts), shown as it came."""

    @admin.display(description="Payment details")
    def payment_details_display(self, record: models.Model) -> str:
        if not record.payment_details:
            return "-"
        return format_html("<pre>{}</pre>", json.dumps(record.payment_details, indent=2, sort_keys=True))


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Related rows shown in a table on the record's page, with no form to edit or add them."""

    extra = 0
    max_num = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return selectors.visible_records(request.user, super().get_queryset(request))


class PartOfParentInline(ReadOnlyInline):
    """Rows that belong to the record on the page (addresses, items): seen with it or not at all.

    These models have no admin of their own, so the permission to view them is the permission to
    view the parent record.
    """

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        opts = self.parent_model._meta
        return any(
            request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
            for action in ("view", "change")
        )


class LatestInlineFormSet(BaseInlineFormSet):
    """An inline formset of only the first `limit` related rows, in the model's ordering."""

    limit = 50

    def get_queryset(self) -> models.QuerySet:
        if not hasattr(self, "_limited_queryset"):
            self._limited_queryset = super().get_queryset()[: self.limit]
        return self._limited_queryset

    @cached_property
    def total_count(self) -> int:
        return self.queryset.count()


class RemovedInStoreFilter(admin.SimpleListFilter):
    """Records a full re-sync no longer found in the store (kept, and marked, never deleted silently)."""

    title = "removed in the store"
    parameter_name = "removed_in_store"

    def lookups(self, request, model_admin):
        return [("yes", "Removed in the store"), ("no", "Still in the store")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(removed_in_store_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(removed_in_store_at__isnull=True)
        return queryset


def money(amount, currency: str = "") -> str:
    """An amount with its currency, as the lists show totals ("42.50 EUR"); "-" when there is none."""
    if amount is None:
        return "-"
    return f"{number_format(amount, 2)} {currency}".strip()


def rows_table(headers: list[str], rows: list[list[object]], *, empty: str = "None.", note: str = "") -> str:
    """A small read-only table for a section of a record's page whose rows are not its own children
    (the credit memos of a customer's orders), every cell escaped unless it is already safe HTML."""
    if not rows:
        return format_html("<p>{}</p>", empty)
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    body = format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows)
    )
    footer = format_html('<p class="help">{}</p>', note) if note else ""
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>{}", head, body, footer)


# Where a synced record came from and how it was last synced: the last section of a record's page.
SYNC_FIELDS = [
    "channel",
    "integration",
    "remote_id",
    "synced_at",
    "sync_hash",
    "removed_in_store_at",
    "last_seen_run_id",
]
SYNC_READONLY = ["channel", "synced_at", "sync_hash", "removed_in_store_at", "last_seen_run_id"]
