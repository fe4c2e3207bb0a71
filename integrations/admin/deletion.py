"""Deleting an integration or a channel: who may, and a confirmation page that counts what goes.

Django's confirmation page lists every object a deletion cascades to, and asks each related model's
admin for its delete permission. Synced records are read-only in the admin (no delete permission),
so even a superuser was refused; and with 100,000 orders the list alone would be a huge, slow page.
Here whoever may delete the integration (or channel) may delete what hangs on it, and the page
shows one count per model.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.admin.utils import quote
from django.db import models
from django.db.models import Q
from django.db.models.deletion import get_candidate_relations_to_delete
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst

MAX_DEPTH = 8  # cascades in this project are two or three levels deep; this only stops a cycle


def cascade_counts(queryset: models.QuerySet) -> tuple[dict[type[models.Model], int], dict[type[models.Model], int]]:
    """(rows deleted by cascade per model, rows that protect the deletion per model) for `queryset`.

    One COUNT per model reached, whatever the number of rows; a row reached by two cascade paths is
    counted once. The objects of `queryset` themselves are counted too.
    """
    reached: dict[type[models.Model], list[models.QuerySet]] = defaultdict(list)
    protecting: dict[type[models.Model], list[models.QuerySet]] = defaultdict(list)

    def walk(model: type[models.Model], rows: models.QuerySet, depth: int) -> None:
        reached[model].append(rows.values("pk"))
        if depth >= MAX_DEPTH:
            return
        # The relations Django's own deletion follows, hidden ones (related_name="+") included.
        for relation in get_candidate_relations_to_delete(model._meta):
            target = relation.field.target_field.attname  # what the foreign key holds: the pk, or its to_field
            children = relation.related_model._base_manager.filter(
                **{f"{relation.field.attname}__in": rows.values(target)}
            )
            if relation.on_delete is models.CASCADE:
                walk(relation.related_model, children, depth + 1)
            elif relation.on_delete in (models.PROTECT, models.RESTRICT):
                protecting[relation.related_model].append(children.values("pk"))

    walk(queryset.model, queryset, 0)

    def count(found: dict[type[models.Model], list[models.QuerySet]]) -> dict[type[models.Model], int]:
        totals = {}
        for model, subqueries in found.items():
            where = Q()
            for subquery in subqueries:
                where |= Q(pk__in=subquery)
            total = model._base_manager.filter(where).count()
            if total:
                totals[model] = total
        return totals

    return count(reached), count(protecting)


class CountedDeletionMixin:
    """A ModelAdmin whose delete confirmation counts per model; permission is its own has_delete_permission."""

    def get_deleted_objects(self, objs, request):
        objs = list(objs)
        queryset = self.model._base_manager.filter(pk__in=[obj.pk for obj in objs])
        deleted, protected = cascade_counts(queryset)
        names = {model: capfirst(model._meta.verbose_name_plural) for model in (*deleted, *protected)}
        model_count = {names[model]: total for model, total in sorted(deleted.items(), key=lambda m: names[m[0]])}
        perms_needed = {self.model._meta.verbose_name for obj in objs if not self.has_delete_permission(request, obj)}
        blocking = [f"{total} {names[model].lower()}" for model, total in protected.items()]
        return [self._deleted_link(obj) for obj in objs], model_count, perms_needed, blocking

    def _deleted_link(self, obj: models.Model) -> str:
        opts = obj._meta
        try:
            url = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[quote(obj.pk)],
            )
        except NoReverseMatch:
            return f"{capfirst(opts.verbose_name)}: {obj}"
        return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)
