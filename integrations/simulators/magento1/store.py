"""The simulated store's database: filterable tables with indexes over the generated data.

Column names are Magento's (`customer_id` / `order_id` alias `entity_id`). Columns held in the
generated columns are read directly; any other column of the flat order table or the customer
EAV is read from the full record, which is generated on demand and kept in a small LRU cache.
Records handed out are shared: callers must not modify them.
"""

import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from . import wsdl
from .filters import DATE, NUMBER, TEXT, Column, Condition, SortedIndex, Table, select, to_number
from .generator import Dataset, format_timestamp
from .reference import STATUS_STATE, STORES_BY_ID

ENTITIES = ("customers", "orders")
_CACHE_SIZE = 4_096
# Computed by salesOrderList's SELECT (joins and CONCAT aliases): not filterable in WHERE.
_ORDER_SELECT_ONLY = {
    "billing_firstname",
    "billing_lastname",
    "shipping_firstname",
    "shipping_lastname",
    "billing_name",
    "shipping_name",
    "firstname",
    "lastname",
    "telephone",
    "postcode",
}
_CUSTOMER_PROFILE_COLUMNS = {
    "created_in": TEXT,
    "middlename": TEXT,
    "prefix": TEXT,
    "suffix": TEXT,
    "dob": DATE,
    "taxvat": TEXT,
    "gender": NUMBER,
    "confirmation": TEXT,
    "password_hash": TEXT,
    "increment_id": TEXT,
}
_NUMERIC_SUFFIXES = (
    "_id", "amount", "_rate", "total", "_refunded", "_invoiced", "_canceled", "_due", "_paid", "_ordered",
    "_count", "_incl_tax", "_notify", "_guest", "_virtual", "_sent", "weight", "_balance", "_gender",
)  # fmt: skip


def _order_column_kind(name: str) -> str:
    if name in ("increment_id", "ext_order_id", "ext_customer_id", "original_increment_id", "relation_child_real_id"):
        return TEXT
    if name.endswith(_NUMERIC_SUFFIXES) or name.startswith(("total_", "base_", "is_", "can_")):
        return NUMBER
    return DATE if name.endswith("_at") or name == "customer_dob" else TEXT


def _text(value: str | None) -> str | None:
    return None if value is None else value.casefold()


class _RecordCache:
    """A least-recently-used map of generated records; callers hold the store lock."""

    def __init__(self, build: Callable[[int], dict[str, Any]]) -> None:
        self._build = build
        self._records: OrderedDict[int, dict[str, Any]] = OrderedDict()

    def get(self, record_id: int) -> dict[str, Any]:
        record = self._records.get(record_id)
        if record is None:
            record = self._records[record_id] = self._build(record_id)
            if len(self._records) > _CACHE_SIZE:
                self._records.popitem(last=False)
        else:
            self._records.move_to_end(record_id)
        return record

    def forget(self, record_id: int) -> None:
        self._records.pop(record_id, None)


class Store:
    """Thread-safe reads and touches over one generated `Dataset`."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.lock = threading.Lock()
        self._touches = 0
        self._customers = _RecordCache(dataset.customer)
        self._orders = _RecordCache(dataset.order)
        self._core_orders = _RecordCache(lambda order_id: dataset.order(order_id, history_ids=False))
        self.customer_table = self._customer_table()
        orders = dataset.orders
        # Both order tables share their indexes, so a touch moves a record once for both.
        order_indexes = {
            "created_at": SortedIndex(orders.created_at),
            "updated_at": SortedIndex(orders.updated_at),
            "increment_id": {increment: [i] for i, increment in enumerate(orders.increment_id) if i},
            "customer_id": _group_ids(orders.customer_id, lambda customer_id: customer_id or None),
        }
        self.order_table = self._order_table(order_indexes, with_website=False)
        # The bridge joins the store table, so its order filters also know `website_id`.
        self.bridge_order_table = self._order_table(order_indexes, with_website=True)

    @property
    def customer_count(self) -> int:
        return self.dataset.customer_count

    @property
    def order_count(self) -> int:
        return self.dataset.order_count

    def find_customers(self, conditions: list[Condition], page: tuple[int, int] | None = None) -> list[dict[str, Any]]:
        """Customers matching `conditions`, ids ascending; `page` is (page number, page size)."""
        offset, limit = _window(page)
        with self.lock:
            ids = select(self.customer_table, conditions, offset, limit)
            return [self._customers.get(customer_id) for customer_id in ids]

    def find_orders(
        self, conditions: list[Condition], page: tuple[int, int] | None = None, *, bridge: bool = False
    ) -> list[dict[str, Any]]:
        """Orders matching `conditions`; `bridge` adds `website_id` and status history ids."""
        offset, limit = _window(page)
        table, cache = (self.bridge_order_table, self._orders) if bridge else (self.order_table, self._core_orders)
        with self.lock:
            ids = select(table, conditions, offset, limit)
            return [cache.get(order_id) for order_id in ids]

    def customer(self, customer_id: int) -> dict[str, Any] | None:
        if not 1 <= customer_id <= self.customer_count:
            return None
        with self.lock:
            return self._customers.get(customer_id)

    def order(self, increment_id: str, *, bridge: bool = False) -> dict[str, Any] | None:
        found = self.order_table.columns["increment_id"].hash_index.get(increment_id.strip())
        if not found:
            return None
        with self.lock:
            return (self._orders if bridge else self._core_orders).get(found[0])

    def touch(self, entity: str, *, count: int | None = None, ids: list[int] | None = None) -> tuple[list[int], str]:
        """Set `updated_at` of some records to now, as an edit in the admin would.

        Without `ids`, `count` records are chosen by a generator seeded from the store seed and
        the number of touches so far: the same sequence of touches picks the same records.
        """
        if entity not in ENTITIES:
            raise ValueError(f"entity must be one of {', '.join(ENTITIES)}")
        size = self.customer_count if entity == "customers" else self.order_count
        now = format_timestamp(int(time.time()))
        with self.lock:
            if ids is None:
                rng = random.Random(self.dataset.seed * 1_299_709 + self._touches)
                ids = sorted(rng.sample(range(1, size + 1), min(max(count or 0, 0), size)))
            else:
                ids = sorted({int(record_id) for record_id in ids})
                if any(not 1 <= record_id <= size for record_id in ids):
                    raise ValueError(f"{entity} ids must be between 1 and {size}")
            self._touches += 1
            columns = getattr(self.dataset, entity)
            tables = [self.customer_table] if entity == "customers" else [self.order_table, self.bridge_order_table]
            index = tables[0].columns["updated_at"].sorted_index
            caches = [self._customers] if entity == "customers" else [self._orders, self._core_orders]
            for record_id in ids:
                old = columns.updated_at[record_id]
                self.dataset.generated_updated_at.setdefault((entity, record_id), old)
                columns.updated_at[record_id] = now
                index.move(record_id, old, now)
                for cache in caches:
                    cache.forget(record_id)
        return ids, now

    def _customer_table(self) -> Table:
        columns = self.dataset.customers
        table_columns = {
            "email": Column(TEXT, lambda i: _text(columns.email[i]), hash_index=_group_ids(columns.email, _text)),
            "firstname": Column(TEXT, lambda i: _text(columns.firstname[i])),
            "lastname": Column(TEXT, lambda i: _text(columns.lastname[i])),
            "website_id": Column(NUMBER, columns.website_id.__getitem__),
            "store_id": Column(NUMBER, columns.store_id.__getitem__),
            "group_id": Column(NUMBER, columns.group_id.__getitem__),
            "created_at": Column(DATE, columns.created_at.__getitem__, SortedIndex(columns.created_at)),
            "updated_at": Column(DATE, columns.updated_at.__getitem__, SortedIndex(columns.updated_at)),
        }
        for name, kind in _CUSTOMER_PROFILE_COLUMNS.items():
            table_columns[name] = Column(kind, self._record_getter(self._customers, name, kind))
        return Table(self.customer_count, "customer_id", table_columns, {"entity_id": "customer_id"})

    def _order_table(self, indexes: dict[str, Any], *, with_website: bool) -> Table:
        columns = self.dataset.orders
        group_ids = self.dataset.customers.group_id
        table_columns: dict[str, Column] = {}
        cache = self._orders if with_website else self._core_orders
        for name in wsdl.load("bridge").types["salesOrderListEntity"].field_names():
            if name not in _ORDER_SELECT_ONLY:
                kind = _order_column_kind(name)
                table_columns[name] = Column(kind, self._record_getter(cache, name, kind))
        table_columns.update(
            {
                "increment_id": Column(TEXT, columns.increment_id.__getitem__, hash_index=indexes["increment_id"]),
                "store_id": Column(NUMBER, columns.store_id.__getitem__),
                "customer_id": Column(
                    NUMBER, lambda i: columns.customer_id[i] or None, hash_index=indexes["customer_id"]
                ),
                "customer_group_id": Column(NUMBER, lambda i: group_ids[columns.customer_id[i]]),
                "customer_is_guest": Column(NUMBER, lambda i: 0 if columns.customer_id[i] else 1),
                "customer_email": Column(TEXT, lambda i: _text(columns.email[i])),
                "customer_firstname": Column(TEXT, lambda i: _text(columns.firstname[i])),
                "customer_lastname": Column(TEXT, lambda i: _text(columns.lastname[i])),
                "status": Column(TEXT, columns.status.__getitem__),
                "state": Column(TEXT, lambda i: STATUS_STATE[columns.status[i]]),
                "created_at": Column(DATE, columns.created_at.__getitem__, indexes["created_at"]),
                "updated_at": Column(DATE, columns.updated_at.__getitem__, indexes["updated_at"]),
            }
        )
        if with_website:
            table_columns["website_id"] = Column(NUMBER, lambda i: STORES_BY_ID[columns.store_id[i]].website_id)
        return Table(self.order_count, "order_id", table_columns, {"entity_id": "order_id"})

    def _record_getter(self, cache: _RecordCache, name: str, kind: str) -> Callable[[int], Any]:
        def get(record_id: int) -> Any:
            value = cache.get(record_id).get(name)
            if value is None:
                return None
            if kind == NUMBER:
                return to_number(value)
            return value.casefold() if kind == TEXT and isinstance(value, str) else value

        return get


def _group_ids(column: list[Any], key: Callable[[Any], Any]) -> dict[Any, list[int]]:
    """A hash index: normalised value -> ids (ascending) of the records holding it."""
    index: dict[Any, list[int]] = {}
    for record_id in range(1, len(column)):
        index.setdefault(key(column[record_id]), []).append(record_id)
    return index


def _window(page: tuple[int, int] | None) -> tuple[int, int | None]:
    if page is None:
        return 0, None
    number, size = page
    return (number - 1) * size, size
