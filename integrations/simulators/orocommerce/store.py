"""The simulated OroCommerce's tables: every resource kept as the JSON:API resource object it is
served as (`type`, `id`, `attributes`, `relationships`), per type in id order."""

import random
import threading
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

Resource = dict[str, Any]


def format_datetime(moment: datetime) -> str:
    """Oro's datetime format: UTC, seconds, a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_text() -> str:
    return format_datetime(datetime.now(UTC))


def ref(type_: str, id_: Any) -> dict[str, str] | None:
    """A resource identifier object (None stays None: an empty to-one relationship)."""
    return None if id_ is None else {"type": type_, "id": str(id_)}


def related_ids(resource: Resource, name: str) -> list[str]:
    """The ids a relationship of `resource` points to (none, one or many)."""
    data = resource["relationships"].get(name, {}).get("data")
    if data is None:
        return []
    if isinstance(data, list):
        return [item["id"] for item in data]
    return [data["id"]]


class Store:
    """Resources by type and id; one lock guards every read and write (answers are built under it)."""

    def __init__(self, resources: Iterable[Resource], seed: int) -> None:
        self.lock = threading.RLock()
        self.tables: dict[str, dict[str, Resource]] = {}
        self._next: dict[str, int] = {}
        # Draws of writes (price ids, touched records) follow the seed and the order of the writes.
        self.rng = random.Random(seed * 7_919 + 3)
        for resource in resources:
            self.put(resource)

    def put(self, resource: Resource) -> Resource:
        """Store a resource under its id (a new id when it has none)."""
        table = self.tables.setdefault(resource["type"], {})
        if resource.get("id") is None:
            resource["id"] = self.new_id(resource["type"])
        resource.setdefault("attributes", {})
        resource.setdefault("relationships", {})
        table[resource["id"]] = resource
        if resource["id"].isdigit():
            self._next[resource["type"]] = max(self._next.get(resource["type"], 1), int(resource["id"]) + 1)
        return resource

    def new_id(self, type_: str) -> str:
        if type_ == "productprices":
            return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        number = self._next.get(type_, 1)
        self._next[type_] = number + 1
        return str(number)

    def get(self, type_: str, id_: str) -> Resource | None:
        return self.tables.get(type_, {}).get(id_)

    def all(self, type_: str) -> list[Resource]:
        return list(self.tables.get(type_, {}).values())

    def remove(self, type_: str, id_: str) -> Resource | None:
        return self.tables.get(type_, {}).pop(id_, None)

    def count(self, type_: str) -> int:
        return len(self.tables.get(type_, {}))

    def counts(self) -> dict[str, int]:
        return {type_: len(table) for type_, table in sorted(self.tables.items())}

    def find(self, type_: str, **attributes: Any) -> list[Resource]:
        return [r for r in self.all(type_) if all(r["attributes"].get(k) == v for k, v in attributes.items())]

    def referring(self, type_: str, relationship: str, id_: str) -> list[Resource]:
        """Resources of `type_` whose `relationship` points to `id_`."""
        return [r for r in self.all(type_) if id_ in related_ids(r, relationship)]

    def touch(self, type_: str, *, count: int | None = None, ids: list[Any] | None = None) -> tuple[list[str], str]:
        """Set `updatedAt` of some resources to now, as an edit in the back office would.

        Without `ids`, `count` of them are drawn by the store's seeded generator. An order's tax
        values are recalculated on an edit: they move with it.
        """
        stamp = now_text()
        with self.lock:
            table = self.tables.get(type_)
            if not table or "updatedAt" not in next(iter(table.values()))["attributes"]:
                raise ValueError(f"cannot touch {type_!r}: no such resources with an updatedAt")
            if ids is None:
                if not isinstance(count, int) or count < 0:
                    raise ValueError("give a count (a whole number) or ids")
                chosen = self.rng.sample(sorted(table, key=id_key), min(count, len(table)))
            else:
                chosen = [str(id_) for id_ in ids]
                missing = [id_ for id_ in chosen if id_ not in table]
                if missing:
                    raise ValueError(f"no {type_} with ids {', '.join(missing)}")
            for id_ in chosen:
                table[id_]["attributes"]["updatedAt"] = stamp
            if type_ == "orders":
                self._touch_tax_values([table[id_] for id_ in chosen], stamp)
        return sorted(chosen, key=id_key), stamp

    def _touch_tax_values(self, orders: list[Resource], stamp: str) -> None:
        entities = {("Order", int(order["id"])) for order in orders} | {
            ("OrderLineItem", int(line)) for order in orders for line in related_ids(order, "lineItems")
        }
        for value in self.all("taxvalues"):
            attributes = value["attributes"]
            if (attributes["entityClass"].rsplit("\\", 1)[-1], attributes["entityId"]) in entities:
                attributes["updatedAt"] = stamp


def id_key(id_: str) -> tuple[int, int | str]:
    return (0, int(id_)) if id_.isdigit() else (1, id_)
