"""The simulated store's database: filterable tables with indexes over the generated data.

Column names are Magento's (`customer_id` / `order_id` alias `entity_id`, credit memos'
`creditmemo_id` is `entity_id`). Columns held in the generated columns are read directly; any
other column of the flat order, quote or credit memo table or the customer EAV is read from the
full record, which is generated on demand and kept in a small LRU cache. Records handed out are
shared: callers must not modify them. A deleted record stays in the columns (ids keep their
meaning) and is skipped by every select and info lookup.
"""

import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from . import wsdl
from .filters import DATE, NUMBER, TEXT, Column, Condition, SortedIndex, Table, select, to_number
from .generator import INACTIVE_QUOTE_KINDS, QUOTE_GUEST, Dataset, format_timestamp, timestamp_seconds
from .reference import REGION_TABLE, STATUS_STATE, STORES_BY_ID

ENTITIES = ("customers", "orders", "quotes", "creditmemos", "subscribers")
# Where each entity keeps the time a touch moves: updated_at, or change_status_at for subscribers.
_TOUCHED_COLUMN = {"subscribers": "change_status_at"}
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
    """Thread-safe reads, touches and deletions over one generated `Dataset`."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.lock = threading.Lock()
        self._touches = 0
        self._customers = _RecordCache(dataset.customer)
        self._orders = _RecordCache(dataset.order)
        self._core_orders = _RecordCache(lambda order_id: dataset.order(order_id, history_ids=False))
        self._quotes = _RecordCache(dataset.quote)
        self._creditmemos = _RecordCache(lambda memo_id: dataset.creditmemo(memo_id, children=False))
        self._creditmemo_infos = _RecordCache(dataset.creditmemo)
        self._subscribers = _RecordCache(dataset.subscriber)
        self.customer_table = self._customer_table()
        self.region_table = _region_table()
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
        self.bridge_order_table.deleted = self.order_table.deleted
        self._tables = {"customers": [self.customer_table], "orders": [self.order_table, self.bridge_order_table]}
        # Built on first use, as the dataset generates these entities on first use.
        self._table_builders = {
            "quotes": self._quote_table,
            "creditmemos": self._creditmemo_table,
            "subscribers": self._subscriber_table,
        }
        self._build_lock = threading.Lock()
        self._caches = {
            "customers": [self._customers],
            "orders": [self._orders, self._core_orders],
            "quotes": [self._quotes],
            "creditmemos": [self._creditmemos, self._creditmemo_infos],
            "subscribers": [self._subscribers],
        }

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

    def find_quotes(self, conditions: list[Condition], page: tuple[int, int] | None = None) -> list[dict[str, Any]]:
        """Quotes of every kind (no is_active filter, as the bridge has none), ids ascending."""
        return self._find(self.quote_table, self._quotes, conditions, page)

    @property
    def quote_table(self) -> Table:
        return self._entity_tables("quotes")[0]

    @property
    def creditmemo_table(self) -> Table:
        return self._entity_tables("creditmemos")[0]

    @property
    def subscriber_table(self) -> Table:
        return self._entity_tables("subscribers")[0]

    def find_creditmemos(self, conditions: list[Condition]) -> list[dict[str, Any]]:
        """Credit memos as `salesOrderCreditmemoList` lists them: the memo's own fields, no items or comments."""
        return self._find(self.creditmemo_table, self._creditmemos, conditions, None)

    def find_subscribers(
        self, conditions: list[Condition], page: tuple[int, int] | None = None
    ) -> list[dict[str, Any]]:
        """Newsletter subscribers, newest id first (the bridge sorts them `subscriber_id DESC`)."""
        return self._find(self.subscriber_table, self._subscribers, conditions, page, descending=True)

    def find_regions(self, conditions: list[Condition], page: tuple[int, int] | None = None) -> list[dict[str, Any]]:
        """Regions as `oroRegionList` sends them, region_id ascending."""
        offset, limit = _window(page)
        ids = select(self.region_table, conditions, offset, limit)
        return [_REGIONS_BY_ID[region_id] for region_id in ids]

    def _find(
        self,
        table: Table,
        cache: _RecordCache,
        conditions: list[Condition],
        page: tuple[int, int] | None,
        *,
        descending: bool = False,
    ) -> list[dict[str, Any]]:
        offset, limit = _window(page)
        with self.lock:
            ids = select(table, conditions, offset, limit, descending=descending)
            return [cache.get(record_id) for record_id in ids]

    def count(self, entity: str) -> int:
        """How many records of `entity` the store holds now (deleted ones are gone)."""
        table = self._entity_tables(entity)[0]
        return table.size - len(table.deleted)

    def customer(self, customer_id: int) -> dict[str, Any] | None:
        if not 1 <= customer_id <= self.customer_count or customer_id in self.customer_table.deleted:
            return None
        with self.lock:
            return self._customers.get(customer_id)

    def order(self, increment_id: str, *, bridge: bool = False) -> dict[str, Any] | None:
        found = self.order_table.columns["increment_id"].hash_index.get(increment_id.strip())
        if not found or found[0] in self.order_table.deleted:
            return None
        with self.lock:
            return (self._orders if bridge else self._core_orders).get(found[0])

    def creditmemo(self, increment_id: str) -> dict[str, Any] | None:
        """A credit memo with its items and comments, by increment id (`salesOrderCreditmemoInfo`)."""
        table = self.creditmemo_table
        found = table.columns["increment_id"].hash_index.get(increment_id.strip())
        if not found or found[0] in table.deleted:
            return None
        with self.lock:
            return self._creditmemo_infos.get(found[0])

    def touch(self, entity: str, *, count: int | None = None, ids: list[int] | None = None) -> tuple[list[int], str]:
        """Set `updated_at` (subscribers: `change_status_at`) of some records to now, as an edit would.

        Without `ids`, `count` records are chosen by a generator seeded from the store seed and
        the number of touches so far: the same sequence of touches picks the same records.
        """
        tables = self._entity_tables(entity)
        size = tables[0].size
        seconds = int(time.time())
        now = format_timestamp(seconds)
        name = _TOUCHED_COLUMN.get(entity, "updated_at")
        with self.lock:
            if ids is None:
                rng = random.Random(self.dataset.seed * 1_299_709 + self._touches)
                ids = sorted(rng.sample(range(1, size + 1), min(max(count or 0, 0), size)))
            else:
                ids = self._valid_ids(entity, size, ids)
            self._touches += 1
            column = getattr(getattr(self.dataset, entity), name)
            # Customers and orders hold their times as text, the other entities as seconds.
            new = now if isinstance(column, list) else seconds
            index = tables[0].columns[name].sorted_index
            for record_id in ids:
                old = column[record_id]
                generated = old if isinstance(old, str) else format_timestamp(old)
                self.dataset.generated_updated_at.setdefault((entity, record_id), generated)
                column[record_id] = new
                index.move(record_id, old, new)
                for cache in self._caches[entity]:
                    cache.forget(record_id)
        return ids, now

    def delete(self, entity: str, ids: list[int]) -> list[int]:
        """Delete records, as an admin (or Magento's own quote cleaning) would: no list or info call
        finds them again. Returns the ids deleted."""
        tables = self._entity_tables(entity)
        with self.lock:
            ids = self._valid_ids(entity, tables[0].size, ids)
            tables[0].deleted.update(ids)
            for record_id in ids:
                for cache in self._caches[entity]:
                    cache.forget(record_id)
        return ids

    def _entity_tables(self, entity: str) -> list[Table]:
        if entity not in ENTITIES:
            raise ValueError(f"entity must be one of {', '.join(ENTITIES)}")
        tables = self._tables.get(entity)
        if tables is None:
            with self._build_lock:
                tables = self._tables.get(entity)
                if tables is None:
                    tables = self._tables[entity] = [self._table_builders[entity]()]
        return tables

    @staticmethod
    def _valid_ids(entity: str, size: int, ids: list[Any]) -> list[int]:
        try:
            chosen = sorted({int(record_id) for record_id in ids})
        except (TypeError, ValueError) as error:
            raise ValueError(f"{entity} ids must be whole numbers") from error
        if any(not 1 <= record_id <= size for record_id in chosen):
            raise ValueError(f"{entity} ids must be between 1 and {size}")
        return chosen

    def _quote_table(self) -> Table:
        quotes = self.dataset.quotes
        table_columns: dict[str, Column] = {}
        for name, ref in wsdl.load("bridge").types["salesQuoteEntity"].fields:
            if ref.builtin and name != "gift_message":
                kind = _quote_column_kind(name)
                table_columns[name] = Column(kind, self._record_getter(self._quotes, name, kind))
        kinds = quotes.kind
        table_columns.update(
            {
                "store_id": Column(NUMBER, quotes.store_id.__getitem__),
                "customer_id": Column(NUMBER, lambda i: quotes.customer_id[i] or None),
                "is_active": Column(NUMBER, lambda i: 0 if kinds[i] in INACTIVE_QUOTE_KINDS else 1),
                "customer_is_guest": Column(
                    NUMBER, lambda i: 1 if kinds[i] == QUOTE_GUEST or self._converted_guest(i) else 0
                ),
                "created_at": _time_column(quotes.created_at),
                "updated_at": _time_column(quotes.updated_at),
            }
        )
        return Table(self.dataset.quote_count, "entity_id", table_columns)

    def _converted_guest(self, quote_id: int) -> bool:
        order_id = self.dataset.quotes.order_id[quote_id]
        return bool(order_id) and not self.dataset.orders.customer_id[order_id]

    def _creditmemo_table(self) -> Table:
        memos = self.dataset.creditmemos
        order_stores = self.dataset.orders.store_id
        table_columns: dict[str, Column] = {}
        for name, ref in wsdl.load("bridge").types["salesOrderCreditmemoEntity"].fields:
            if ref.builtin and name != "creditmemo_id":
                kind = _order_column_kind(name)
                table_columns[name] = Column(kind, self._record_getter(self._creditmemos, name, kind))
        table_columns.update(
            {
                "increment_id": Column(
                    TEXT,
                    memos.increment_id.__getitem__,
                    hash_index={increment: [i] for i, increment in enumerate(memos.increment_id) if i},
                ),
                "order_id": Column(NUMBER, memos.order_id.__getitem__, hash_index=_group_ids(memos.order_id, int)),
                "store_id": Column(NUMBER, lambda i: order_stores[memos.order_id[i]]),
                "state": Column(NUMBER, memos.state.__getitem__),
                "created_at": _time_column(memos.created_at),
                "updated_at": _time_column(memos.updated_at),
            }
        )
        # The API maps `creditmemo_id` to the table's `entity_id`.
        return Table(self.dataset.creditmemo_count, "entity_id", table_columns, {"creditmemo_id": "entity_id"})

    def _subscriber_table(self) -> Table:
        subscribers = self.dataset.subscribers
        getter = self._record_getter
        table_columns = {
            "store_id": Column(NUMBER, subscribers.store_id.__getitem__),
            "customer_id": Column(NUMBER, subscribers.customer_id.__getitem__),
            "subscriber_status": Column(NUMBER, subscribers.status.__getitem__),
            "change_status_at": _time_column(subscribers.change_status_at),
            "subscriber_email": Column(TEXT, getter(self._subscribers, "subscriber_email", TEXT)),
            "subscriber_confirm_code": Column(TEXT, getter(self._subscribers, "subscriber_confirm_code", TEXT)),
        }
        return Table(self.dataset.subscriber_count, "subscriber_id", table_columns)

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


def _quote_column_kind(name: str) -> str:
    if name == "items_qty":
        return NUMBER
    return TEXT if name == "reserved_order_id" else _order_column_kind(name)


def _time_column(column: Any) -> Column:
    """A time column held as seconds: filters compare its text, the index its seconds."""
    return Column(DATE, lambda i: format_timestamp(column[i]), SortedIndex(column, encode=timestamp_seconds))


_REGIONS_BY_ID = {
    region_id: {"region_id": region_id, "countryCode": country, "code": code, "name": name}
    for region_id, country, code, name in REGION_TABLE
}


def _region_table() -> Table:
    """directory_country_region joined with its locale names; ids without a region are gaps."""

    def get(name: str) -> Callable[[int], Any]:
        return lambda i: _text(_REGIONS_BY_ID[i][name]) if i in _REGIONS_BY_ID else None

    size = max(_REGIONS_BY_ID)
    columns = {
        "country_id": Column(TEXT, get("countryCode")),
        "code": Column(TEXT, get("code")),
        "default_name": Column(TEXT, get("name")),
        "name": Column(TEXT, get("name")),
    }
    gaps = set(range(1, size + 1)) - set(_REGIONS_BY_ID)
    return Table(size, "region_id", columns, deleted=gaps)


def regions_of(country: str) -> list[dict[str, Any]]:
    """The regions of a country as `directoryRegionList` sends them (region_id as text)."""
    return [
        {"region_id": str(region["region_id"]), "code": region["code"], "name": region["name"]}
        for region in _REGIONS_BY_ID.values()
        if region["countryCode"] == country
    ]


def _group_ids(column: Any, key: Callable[[Any], Any]) -> dict[Any, list[int]]:
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
