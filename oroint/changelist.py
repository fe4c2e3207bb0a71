"""The change list every admin page of oroint uses (each ModelAdmin's `get_changelist`)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.admin.views.main import ChangeList
from django.utils.timezone import make_aware


class BoundedDateHierarchyChangeList(ChangeList):
    """Django's change list, whose date drill-down also reaches the last year a datetime can hold.

    Django bounds a drill-down by the start of the next year, month or day; after 9999-12-31 there
    is none, so `?created_at__year=9999` answered 500. Where the next one does not exist, the
    drill-down is bounded from below only (nothing lies beyond it). Values that are not dates are
    left to Django, which answers them as an invalid filter.
    """

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        field = self.date_hierarchy
        if not field:
            return lookup_params
        keys = [f"{field}__{part}" for part in ("year", "month", "day")]
        year, month, day = (lookup_params.get(key) for key in keys)
        if year is None:
            return lookup_params
        try:
            start = datetime.datetime(int(year[-1]), int(month[-1]) if month else 1, int(day[-1]) if day else 1)
        except (TypeError, ValueError):
            return lookup_params
        try:
            if day:
                start + datetime.timedelta(days=1)
            elif month:
                start + datetime.timedelta(days=32)
            else:
                start.replace(year=start.year + 1)
        except (ValueError, OverflowError):
            for key in keys:
                lookup_params.pop(key, None)
            lookup_params[f"{field}__gte"] = [make_aware(start) if settings.USE_TZ else start]
        return lookup_params
