"""Magento `filters` evaluation over an in-memory table of records with ids 1..size.

Magento turns `filter` (key = value) and `complex_filter` (key, {operator, value}) into SQL
`WHERE` clauses. Here each condition becomes a predicate on one column, and the cheapest
candidate source (the id range, a sorted date index or a hash index) drives a lazy scan in id
order that stops as soon as the requested page is full: the keyset pattern a sync client uses
(`updated_at from/to` + `order_id gt <last>`, page size 100) costs O(page), not O(table).
"""

import math
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

NUMBER, TEXT, DATE = "number", "text", "date"
_RANGE_OPS = {"from": "gteq", "to": "lteq", "gt": "gt", "lt": "lt", "gteq": "gteq", "lteq": "lteq", "eq": "eq"}
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LEADING_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)")


@dataclass(frozen=True)
class Condition:
    """One `field op value` condition, as sent in `filter` (op `eq`) or `complex_filter`."""

    field: str
    op: str
    value: str | None


class UnknownColumn(Exception):
    """A filter names a column the table does not have (MySQL error 1054)."""

    def __init__(self, column: str) -> None:
        super().__init__(column)
        self.column = column


class SortedIndex:
    """Values of one column in ascending order with the id of each, for range lookups.

    A column held as an `array` of numbers (timestamps in seconds) is indexed in arrays too, a
    fraction of the memory of lists; `encode` turns a filter's value into the column's numbers, or
    None when it cannot (then that condition does not narrow the scan, the predicates still decide).
    """

    def __init__(self, column: Sequence[Any], encode: Callable[[Any], Any] | None = None) -> None:
        """Index `column`, a list or array indexed by record id (position 0 unused)."""
        ids = sorted(range(1, len(column)), key=column.__getitem__)
        if isinstance(column, array):
            self.ids: Any = array("i", ids)
            self.values: Any = array(column.typecode, (column[record_id] for record_id in ids))
        else:
            self.ids = ids
            self.values = [column[record_id] for record_id in ids]
        self.encode = encode

    def bounds(self, ops: list[tuple[str, Any]]) -> tuple[int, int]:
        """Positions [lo, hi) of the entries that satisfy every range operator in `ops`."""
        lo, hi = 0, len(self.values)
        for op, value in ops:
            if self.encode is not None:
                value = self.encode(value)
                if value is None:
                    continue
            if op in ("gteq", "eq"):
                lo = max(lo, bisect_left(self.values, value))
            if op in ("lteq", "eq"):
                hi = min(hi, bisect_right(self.values, value))
            if op == "gt":
                lo = max(lo, bisect_right(self.values, value))
            if op == "lt":
                hi = min(hi, bisect_left(self.values, value))
        return lo, max(lo, hi)

    def move(self, record_id: int, old: Any, new: Any) -> None:
        position = bisect_left(self.values, old)
        while self.ids[position] != record_id:
            position += 1
        del self.values[position], self.ids[position]
        position = bisect_right(self.values, new)
        self.values.insert(position, new)
        self.ids.insert(position, record_id)


@dataclass
class Column:
    """How to read one filterable column, and the index that can drive a scan, if any.

    `get` returns the column value for a record id, already normalised for comparison:
    numbers as int/float, text casefolded (MySQL's default collation ignores case), dates as
    `YYYY-MM-DD HH:MM:SS` strings; None is SQL NULL.
    """

    kind: str
    get: Callable[[int], Any]
    sorted_index: SortedIndex | None = None
    hash_index: dict[Any, list[int]] | None = None


@dataclass
class Table:
    """Ids 1..size, the columns a filter may name, and aliases (`customer_id` -> `entity_id`).

    `deleted` holds the ids of records deleted since the store was generated: no select finds them.
    """

    size: int
    primary: str
    columns: Mapping[str, Column]
    aliases: Mapping[str, str] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)

    def column(self, name: str) -> str:
        name = self.aliases.get(name, name)
        if name != self.primary and name not in self.columns:
            raise UnknownColumn(name)
        return name


def select(
    table: Table, conditions: list[Condition], offset: int = 0, limit: int | None = None, *, descending: bool = False
) -> list[int]:
    """Ids (ascending, or `descending`) of the records matching every condition, from `offset`, at most `limit`."""
    grouped: dict[str, list[tuple[str, Any]]] = {}
    for condition in conditions:
        name = table.column(condition.field)
        kind = NUMBER if name == table.primary else table.columns[name].kind
        grouped.setdefault(name, []).append(_normalise(kind, condition.op, condition.value))
    predicates = [
        _predicate(_identity if name == table.primary else table.columns[name].get, op, value)
        for name, ops in grouped.items()
        for op, value in ops
    ]
    result: list[int] = []
    if limit is not None and limit <= 0:
        return result
    skipped = 0
    deleted = table.deleted
    for record_id in _candidates(table, grouped, descending):
        if record_id in deleted:
            continue
        if all(predicate(record_id) for predicate in predicates):
            if skipped < offset:
                skipped += 1
                continue
            result.append(record_id)
            if limit is not None and len(result) >= limit:
                break
    return result


def _identity(record_id: int) -> int:
    return record_id


def _normalise(kind: str, op: str, raw: str | None) -> tuple[str, Any]:
    op = (op or "eq").lower()
    if op in ("null", "notnull"):
        return op, None
    if op not in ("from", "to", "gt", "lt", "gteq", "lteq", "eq", "neq", "in", "nin", "like", "nlike", "finset"):
        # Magento ORs an unknown operator's values as equalities; with one value that is `eq`.
        op = "eq"
    op = _RANGE_OPS.get(op, op)
    text = "" if raw is None else raw
    if op in ("in", "nin"):
        return op, frozenset(_scalar(kind, part) for part in text.split(",") if part.strip() != "")
    if op in ("like", "nlike"):
        return op, _like_pattern(text)
    if op == "finset":
        return op, text.casefold()
    return op, _scalar(kind, text)


def _scalar(kind: str, text: str) -> Any:
    text = text.strip() if kind != TEXT else text
    if kind == NUMBER:
        return to_number(text)
    if kind == DATE:
        return text + " 00:00:00" if _DATE_ONLY.match(text) else text
    return text.casefold()


def to_number(text: Any) -> int | float:
    """MySQL's cast of a string to a number: the leading numeric part, else 0."""
    if isinstance(text, int | float):
        return text
    match = _LEADING_NUMBER.match(str(text))
    if not match:
        return 0
    number = float(match.group(0))
    return int(number) if number.is_integer() else number


def _like_pattern(text: str) -> re.Pattern[str]:
    parts = []
    for char in text:
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _predicate(get: Callable[[int], Any], op: str, value: Any) -> Callable[[int], bool]:
    # SQL comparisons with NULL are never true, whatever the operator (except IS [NOT] NULL).
    if op == "null":
        return lambda record_id: get(record_id) is None
    if op == "notnull":
        return lambda record_id: get(record_id) is not None
    compare = _COMPARATORS[op]

    def predicate(record_id: int) -> bool:
        current = get(record_id)
        return current is not None and compare(current, value)

    return predicate


_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "neq": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "lt": lambda a, b: a < b,
    "gteq": lambda a, b: a >= b,
    "lteq": lambda a, b: a <= b,
    "in": lambda a, b: a in b,
    "nin": lambda a, b: a not in b,
    "like": lambda a, b: b.fullmatch(str(a)) is not None,
    "nlike": lambda a, b: b.fullmatch(str(a)) is None,
    "finset": lambda a, b: b in str(a).split(","),
}


def _candidates(table: Table, grouped: dict[str, list[tuple[str, Any]]], descending: bool = False) -> Iterator[int]:
    """Ids in ascending (or descending) order from the smallest source; the predicates still decide."""
    lo, hi, chosen = 1, table.size, None
    for op, value in grouped.get(table.primary, []):
        if op == "in":
            chosen = value if chosen is None else chosen & value
        if op in ("eq", "gteq"):
            lo = max(lo, math.ceil(value))
        if op in ("eq", "lteq"):
            hi = min(hi, math.floor(value))
        if op == "gt":
            lo = max(lo, math.floor(value) + 1)
        if op == "lt":
            hi = min(hi, math.ceil(value) - 1)
    if chosen is not None:
        whole = sorted(int(value) for value in chosen if value == int(value))
        best: tuple[int, Callable[[], Iterable[int]]] = (len(whole), lambda: whole)
    else:
        best = (max(0, hi - lo + 1), lambda: range(lo, hi + 1))
    for name, ops in grouped.items():
        if name == table.primary:
            continue
        column = table.columns[name]
        ranged = [(op, value) for op, value in ops if op in ("gt", "lt", "gteq", "lteq", "eq")]
        if column.sorted_index is not None and ranged:
            start, stop = column.sorted_index.bounds(ranged)
            if stop - start < best[0]:
                ids = column.sorted_index.ids
                best = (stop - start, lambda ids=ids, start=start, stop=stop: sorted(ids[start:stop]))
        if column.hash_index is not None:
            for op, value in ops:
                if op not in ("eq", "in"):
                    continue
                keys = [value] if op == "eq" else list(value)
                size = sum(len(column.hash_index.get(key, ())) for key in keys)
                if size < best[0]:
                    index = column.hash_index
                    best = (size, lambda index=index, keys=keys: sorted({i for k in keys for i in index.get(k, ())}))
    ordered = best[1]()
    for record_id in reversed(ordered) if descending else ordered:
        if lo <= record_id <= hi:
            yield record_id
