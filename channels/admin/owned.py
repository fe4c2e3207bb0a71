"""The base of the back-office pages: records oroint owns, edited here (not synced, not channel-scoped)."""

from django.contrib import admin
from django.http import HttpRequest

from oroint.changelist import BoundedDateHierarchyChangeList


class OwnedModelAdmin(admin.ModelAdmin):
    """An editable page whose rights are the model's own permissions (view, add, change, delete)."""

    show_facets = admin.ShowFacets.NEVER

    def get_changelist(self, request: HttpRequest, **kwargs):
        # As every change list of ours: a date drill-down to the last year answers instead of failing.
        return BoundedDateHierarchyChangeList
