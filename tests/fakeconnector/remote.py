"""The fake remote system: a JSON file, locked for each call, shared across processes."""

from __future__ import annotations

import contextlib
import fcntl
import json
import time
from pathlib import Path
from typing import Any

EMPTY = {
    "customers": {},
    "orders": {},
    "products": {},
    "next_product": 1,
    "faults": {
        "crash_after_pages": None,
        "fail_after_pages": None,
        "page_delay": 0,
        "transient": 0,
        "hold": False,
        "refuse": [],
    },
    "pages_read": 0,
    "pushes": [],
    "pushing": None,
    # Records of the other sinks (tax codes, catalog entries, stock), by collection, and every call made.
    "out": {},
    "next_out": 1,
    "calls": [],
}


class Crash(BaseException):
    """What a killed worker looks like from inside: nothing after it runs, not even except Exception."""


class FakeRemote:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            self.path.write_text(json.dumps(EMPTY))

    @contextlib.contextmanager
    def state(self):
        with self.path.open("r+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            data = json.load(handle)
            try:
                yield data
            finally:  # a fault raised inside still records what the call changed
                handle.seek(0)
                handle.truncate()
                json.dump(data, handle)

    def read(self) -> dict[str, Any]:
        with self.state() as data:
            return json.loads(json.dumps(data))

    def configure(self, **faults: Any) -> None:
        with self.state() as data:
            data["faults"].update(faults)

    # -- customers (read by the import) ----------------------------------------------------------

    def put_customer(self, remote_id: str, updated_at: str, **fields: Any) -> None:
        with self.state() as data:
            data["customers"][remote_id] = {"id": remote_id, "updatedAt": updated_at, **fields}

    def customer_page(self, updated_gte: str | None, limit: int, page: int) -> list[dict[str, Any]]:
        from integrations.engine.values import parse_timestamp

        with self.state() as data:
            crash_after = data["faults"]["crash_after_pages"]
            if crash_after is not None and data["pages_read"] >= crash_after:
                data["faults"]["crash_after_pages"] = None  # the next run gets through
                raise Crash
            data["pages_read"] += 1
            rows = sorted(data["customers"].values(), key=lambda r: (parse_timestamp(r["updatedAt"]), r["id"]))
            if updated_gte:
                rows = [r for r in rows if parse_timestamp(r["updatedAt"]) >= parse_timestamp(updated_gte)]
            return rows[(page - 1) * limit : page * limit]

    # -- records read by updated_at windows (the `windows` setting) ------------------------------

    def put_record(self, collection: str, remote_id: str, updated_at: str, **fields: Any) -> None:
        """A customer or order with a whole-number id and `updated_at` as Magento spells it (UTC)."""
        with self.state() as data:
            data.setdefault(collection, {})[remote_id] = {"id": remote_id, "updated_at": updated_at, **fields}

    def delete_record(self, collection: str, remote_id: str) -> None:
        with self.state() as data:
            data[collection].pop(remote_id, None)

    def window_page(
        self, collection: str, since: str, until: str, after_id: str | None, limit: int, upto_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Records with since <= updated_at <= until and after_id < id (<= upto_id), by id, at most `limit`.

        Faults: `crash_after_pages` (the reader dies), `fail_after_pages` (the store fails: RemoteError),
        `page_delay` (seconds each answer takes, so that a test can kill a worker mid-run).
        """
        from integrations.engine.errors import RemoteError

        with self.state() as data:
            faults = data["faults"]
            crash_after, fail_after = faults["crash_after_pages"], faults.get("fail_after_pages")
            if crash_after is not None and data["pages_read"] >= crash_after:
                faults["crash_after_pages"] = None  # the next run gets through
                raise Crash
            if fail_after is not None and data["pages_read"] >= fail_after:
                faults["fail_after_pages"] = None
                raise RemoteError("the fake remote is down for maintenance")
            data["pages_read"] += 1
            delay = faults.get("page_delay") or 0
            low = -1 if after_id is None else int(after_id)
            high = None if upto_id is None else int(upto_id)
            rows = [
                r
                for r in data.get(collection, {}).values()
                if since <= r["updated_at"] <= until and int(r["id"]) > low and (high is None or int(r["id"]) <= high)
            ]
        if delay:
            time.sleep(delay)
        return sorted(rows, key=lambda r: int(r["id"]))[:limit]

    # -- products (pushed by the export) ---------------------------------------------------------

    def _fault(self, data: dict[str, Any]) -> str | None:
        if data["faults"]["transient"] > 0:
            data["faults"]["transient"] -= 1
            return "transient"
        return None

    def begin_push(self, what: str) -> None:
        """Say that a push has begun; with the `hold` fault on, wait until the test lets it go."""
        with self.state() as data:
            data["pushing"] = what
        deadline = time.monotonic() + 60
        while self.read()["faults"]["hold"] and time.monotonic() < deadline:
            time.sleep(0.05)

    def upsert_product(self, remote_id: str | None, values: dict[str, Any]) -> tuple[str, str | None]:
        """("ok", id), ("exists", id of the same SKU), ("transient", None) or ("refused", None)."""
        with self.state() as data:
            data["pushing"] = None
            fault = self._fault(data)
            if fault:
                return fault, None
            if values["sku"] in data["faults"]["refuse"]:
                return "refused", None
            if remote_id is None:
                same = [p for p in data["products"].values() if p["sku"] == values["sku"]]
                if same:
                    return "exists", same[0]["id"]
                remote_id = f"p-{data['next_product']}"
                data["next_product"] += 1
            data["products"][remote_id] = {"id": remote_id, **values}
            data["pushes"].append({"id": remote_id, **values, "at": time.time()})
            return "ok", remote_id

    def find_product(self, sku: str) -> str | None:
        with self.state() as data:
            return next((p["id"] for p in data["products"].values() if p["sku"] == sku), None)

    def seed_product(self, sku: str, **values: Any) -> str:
        with self.state() as data:
            remote_id = f"p-{data['next_product']}"
            data["next_product"] += 1
            data["products"][remote_id] = {"id": remote_id, "sku": sku, **values}
            return remote_id

    def delete_product(self, remote_id: str) -> bool:
        """Whether there was such a product (False: a 404)."""
        with self.state() as data:
            data["calls"].append(["DELETE", "products", remote_id])
            return data["products"].pop(remote_id, None) is not None

    # -- records of the other sinks ----------------------------------------------------------------

    def write(self, collection: str, remote_id: str | None, values: dict[str, Any]) -> str:
        """Create (no id) or replace a record of `collection`; its id. A code in the `refuse` fault is
        refused (RemoteError)."""
        from integrations.engine.errors import RemoteError

        with self.state() as data:
            if values.get("code") in data["faults"]["refuse"]:
                raise RemoteError(f"the fake remote refused code {values['code']}")
            records = data["out"].setdefault(collection, {})
            data["calls"].append(["POST" if remote_id is None else "PATCH", collection, remote_id])
            if remote_id is None:
                remote_id = f"{collection}-{data['next_out']}"
                data["next_out"] += 1
            records[remote_id] = values
            return remote_id

    def calls_to(self, collection: str) -> list[list[Any]]:
        return [call for call in self.read()["calls"] if call[1] == collection]
