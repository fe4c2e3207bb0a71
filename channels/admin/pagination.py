"""A change-list paginator that does not COUNT(*) a whole big table on every page view."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from channels import selectors


class EstimatedCountPaginator(Paginator):
    """Use the database's row estimate for an unfiltered list of a big table.

    On PostgreSQL COUNT(*) reads every row, which on a million orders takes longer than the page
    itself. When the list is not filtered, not searched and the planner's estimate is at least
    `estimate_threshold`, the estimate stands in for the count; the last page may then be a
    little short or empty, which is the price of the page being instant. Filtered lists, small
    tables and databases without an estimate (SQLite) get the exact count.
    """

    estimate_threshold = 100_000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_estimate = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if isinstance(queryset, QuerySet) and self._is_whole_table(queryset):
            estimate = selectors.table_row_estimate(queryset.model, using=queryset.db)
            if estimate is not None and estimate >= self.estimate_threshold:
                self.is_estimate = True
                return estimate
        return super().count

    def page(self, number):
        """A page's rows, found by their ids first.

        A deep page is an OFFSET: with the change list's joins in the same query, the database joins
        every skipped row (page 1,000 of a million orders took 0.4 s). Reading the page's ids on the
        narrow ordered index, then the rows of those ids with their joins, skips rows for free.
        """
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or not queryset.ordered:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        position = {pk: index for index, pk in enumerate(ids)}
        rows = sorted(queryset.filter(pk__in=ids), key=lambda row: position[row.pk])
        return self._get_page(rows, number, self)

    @staticmethod
    def _is_whole_table(queryset: QuerySet) -> bool:
        query = queryset.query
        return (
            not query.where
            and not query.distinct
            and query.combinator is None
            and query.low_mark == 0
            and query.high_mark is None
        )
