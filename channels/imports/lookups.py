"""Foreign keys of a CSV by code or name, and the rows a file may update, each read once per file."""

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.db import models
from import_export import widgets
from import_export.instance_loaders import BaseInstanceLoader

# Enough ids per IN (...) for few queries, few enough for every database's parameter limit.
CHUNK = 900


def chunks(values: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def text(value: object) -> str:
    return "" if value is None else str(value).strip()


class CodeWidget(widgets.ForeignKeyWidget):
    """A foreign key given by a unique code or name, looked up in a table read on first use.

    An unknown value is a ValueError, which the resource reports as an error of that row and column
    (the library's ForeignKeyWidget raises DoesNotExist, reported as a crash of the row).
    """

    def __init__(self, model: type[models.Model], field: str, label: str, *, preload: bool = True) -> None:
        super().__init__(model, field)
        self.label = label
        # Small tables (tax codes, price lists, warehouses) are read whole; products only for the
        # values of the file, given to load().
        self.preload = preload
        self.cache: dict[str, models.Model] | None = None
        self.missing: set[str] = set()

    def reset(self) -> None:
        self.cache = None
        self.missing = set()

    def load(self, values: Iterable[object]) -> None:
        wanted = sorted({text(v) for v in values} - {""})
        self.cache = self.cache or {}
        for part in chunks(wanted):
            for record in self.model._default_manager.filter(**{f"{self.field}__in": part}):
                self.cache[getattr(record, self.field)] = record
        # Asked once: a bad SKU on many rows is not looked up again on each.
        self.missing |= set(wanted) - set(self.cache)

    def clean(self, value, row=None, **kwargs):
        value = text(value)
        if not value:
            return None
        if self.cache is None:
            self.cache = {getattr(r, self.field): r for r in self.model._default_manager.all()} if self.preload else {}
        if value not in self.cache and value not in self.missing and not self.preload:
            self.load([value])
        try:
            return self.cache[value]
        except KeyError:
            raise ValueError(f"No {self.label} {value!r}.") from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else getattr(value, self.field)


class NamesWidget(widgets.ManyToManyWidget):
    """Many-to-many by names separated by "|" (names may hold commas), every name checked."""

    def __init__(self, model: type[models.Model], field: str, label: str) -> None:
        super().__init__(model, separator="|", field=field)
        self.label = label
        self.cache: dict[str, models.Model] | None = None

    def reset(self) -> None:
        self.cache = None

    def clean(self, value, row=None, **kwargs):
        names = [n for n in (text(part) for part in text(value).split(self.separator)) if n]
        if self.cache is None:
            self.cache = {getattr(r, self.field): r for r in self.model._default_manager.all()}
        unknown = [n for n in names if n not in self.cache]
        if unknown:
            raise ValueError(f"No {self.label} {', '.join(repr(n) for n in unknown)}.")
        return [self.cache[n] for n in dict.fromkeys(names)]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        # The rows the import just wrote (BackOfficeResource.save_m2m), so that the preview's diff
        # of each row does not read them back with one query per row.
        written = getattr(getattr(value, "instance", None), "_import_m2m", {}).get(value.prefetch_cache_name)
        return self.separator.join(getattr(r, self.field) for r in (value.all() if written is None else written))


class PlainDecimalWidget(widgets.DecimalWidget):
    """A number as people write it: 12, 12.5, never 12.0000; a value that is no number is an error of
    its column (the library's widget lets decimal.InvalidOperation crash the row)."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except InvalidOperation:
            raise ValueError(f"{text(value)!r} is not a number.") from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return plain_decimal(value)


def plain_decimal(value: Decimal) -> str:
    """12.5000 -> "12.5", 100 -> "100" (normalize alone would give "1E+2")."""
    return format(Decimal(value).normalize(), "f")


class KeyedInstanceLoader(BaseInstanceLoader):
    """The existing rows a file may update, read in a few queries and found by their natural key.

    The library's CachedInstanceLoader takes one id column; a price tier is five (price list, SKU,
    unit, quantity, currency) and a stock level two. The resource gives `existing(dataset)` (the rows)
    and `key_of_row(row)` / `key_of_instance(instance)`.
    """

    def __init__(self, resource, dataset=None) -> None:
        super().__init__(resource, dataset)
        self.instances = {resource.key_of_instance(i): i for i in resource.existing(dataset)}

    def get_instance(self, row):
        try:
            key = self.resource.key_of_row(row)
        except ValueError:
            return None  # the row's own import reports the bad value, with its column
        return self.instances.get(key)
