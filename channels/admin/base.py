"""What the channels admin pages share: read-only browsing of synced records, cheap on big tables."""

import csv
import datetime
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import quote
from django.contrib.auth import get_permission_codename
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseBadRequest, StreamingHttpResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from rangefilter.filters import DateRangeQuickSelectListFilterBuilder

from channels import selectors, vocabulary
from channels.admin.pagination import EstimatedCountPaginator
from integrations import permissions
from oroint import display
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
    """Filter by channel, offering only the channels the user may see that have records of the list's kind.

    One EXISTS per channel, each answered by the first entry of the (integration, ...) index: a few
    channels, whatever the size of the table.
    """

    def field_choices(self, field, request, model_admin):
        channels = selectors.visible_records(request.user, field.related_model._default_manager.order_by("name"))
        if self.field_path == "integration__channel":
            records = model_admin.model._default_manager.filter(integration__channel=OuterRef("pk"))
            channels = channels.filter(Exists(records.order_by()))
        return [(channel.pk, str(channel)) for channel in channels]


class PresentValuesFilter(admin.SimpleListFilter):
    """A filter on a code column (status, state) offering only the values present in the user's channels,
    in words.

    Django's own filters offer every choice (AllValuesFieldListFilter asks `SELECT DISTINCT` on each page
    view: a full scan of a million orders, 50 to 150 ms). The distinct values are read at most once every
    few minutes, per integration, so a staff user is offered only the values of the records they may see,
    whoever filled the cache. Subclasses name the `field`.
    """

    field: ClassVar[str]
    CACHE_SECONDS = 300

    def __init__(self, request, params, model, model_admin):
        self.parameter_name = f"{self.field}__exact"
        self.title = model._meta.get_field(self.field).verbose_name
        self.model = model
        super().__init__(request, params, model, model_admin)

    @classmethod
    def cache_key(cls, model: type[models.Model]) -> str:
        return f"channels:present-values:{model._meta.label_lower}:{cls.field}"

    def values_by_integration(self) -> dict[int, set[str]]:
        key = self.cache_key(self.model)
        found = cache.get(key)
        if found is None:
            found = {}
            rows = self.model._default_manager.order_by().values_list("integration_id", self.field).distinct()
            for integration_id, value in rows:
                if value:
                    found.setdefault(integration_id, set()).add(value)
            cache.set(key, found, self.CACHE_SECONDS)
        return found

    def lookups(self, request, model_admin):
        found = self.values_by_integration()
        types = dict(permissions.integrations_for(request.user, "view").values_list("pk", "integration_type"))
        choices = dict(self.model._meta.get_field(self.field).flatchoices)
        labels: dict[str, str] = {}
        for pk, integration_type in types.items():
            for value in found.get(pk, ()):
                labels.setdefault(value, choices.get(value) or vocabulary.in_words(integration_type, self.field, value))
        return sorted(labels.items(), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.field: self.value()})
        return queryset


FILTERS_DO_NOT_APPLY = "These filters do not apply to this list."


def filtered_changelist(model_admin: admin.ModelAdmin, request: HttpRequest):
    """The change list as the request's query string filters it, for the views that serve a list's rows
    outside its page (CSV export, totals): PermissionDenied for a user who may not view the list, None
    when the filters do not apply to it."""
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    try:
        return model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        return None


def present_values_filter(field: str) -> type[PresentValuesFilter]:
    """The PresentValuesFilter of one code column, for a list_filter."""
    return type(f"Present{field.title().replace('_', '')}Filter", (PresentValuesFilter,), {"field": field})


def date_range_filter(title: str):
    """A date filter with quick choices (today, past 7 days, this month, this year) and a custom from-to
    range (django-admin-rangefilter), the days taken in settings.TIME_ZONE."""
    return DateRangeQuickSelectListFilterBuilder(title=title)


class ChannelScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A filter on a website, store or customer group that names the channel of each choice, offering those
    that the list's records name.

    Every store has a "Main Website"; without the channel the choices are indistinguishable.
    """

    def field_choices(self, field, request, model_admin):
        related = field.related_model._default_manager.select_related("integration__channel")
        # Only those that some record of the list's kind names (one EXISTS on the foreign key's index each).
        records = model_admin.model._default_manager.filter(**{self.field_path: OuterRef("pk")})
        related = related.filter(Exists(records.order_by()))
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
    """An amount with its currency ("1,042.50 EUR"), as every channels page writes money."""
    return display.money(amount, currency)


def csv_cell(value: object) -> object:
    """A value as a CSV cell: times in the configured zone, text that a spreadsheet would run as a formula
    (=, +, -, @ first: a store's customer can type those into a name) quoted with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat(sep=" ")
    if isinstance(value, (int, Decimal, datetime.date)):
        return value
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    """A file whose write() hands back the line, for csv.writer feeding a streaming response."""

    def write(self, value: str) -> str:
        return value


class CsvExportMixin:
    """ "Export CSV" on a change list: the list's current filters, search and order, every row.

    The rows are streamed (StreamingHttpResponse over queryset.iterator()), so a million orders never sit
    in memory, where django-import-export's export builds the whole file first. `csv_columns` are
    (header, value of a record) pairs.
    """

    csv_columns: ClassVar[list[tuple[str, Callable[[Any], object]]]] = []
    change_list_template = "admin/channels/change_list.html"
    CSV_CHUNK = 2000

    def get_urls(self):
        opts = self.model._meta
        view = self.admin_site.admin_view(self.csv_export_view)
        return [path("export.csv", view, name=f"{opts.app_label}_{opts.model_name}_export_csv"), *super().get_urls()]

    def csv_export_view(self, request: HttpRequest):
        changelist = filtered_changelist(self, request)
        if changelist is None:
            return HttpResponseBadRequest(FILTERS_DO_NOT_APPLY)
        queryset = changelist.queryset
        columns = self.csv_columns
        writer = csv.writer(_Echo())

        def rows() -> Iterator[str]:
            yield writer.writerow([header for header, _value in columns])
            for record in queryset.iterator(chunk_size=self.CSV_CHUNK):
                yield writer.writerow([csv_cell(value(record)) for _header, value in columns])

        name = f"{self.model._meta.verbose_name_plural.replace(' ', '-')}-{timezone.localdate():%Y-%m-%d}.csv"
        return StreamingHttpResponse(
            rows(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    def changelist_view(self, request: HttpRequest, extra_context=None):
        opts = self.model._meta
        extra_context = {
            **(extra_context or {}),
            "csv_export_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_export_csv", current_app=self.admin_site.name
            ),
        }
        return super().changelist_view(request, extra_context)


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
