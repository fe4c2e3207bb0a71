"""OroCommerce first sync: orders per second end to end, beside the floor measured in the same run.

End to end is a real sync run of an OroCommerce integration (WSSE) against `manage.py
orocommerce_simulator`: `sync_schedule` enqueues it, one `rqworker default sync` process runs it, and the
time runs from the enqueue to the run's `finished_at`. It reads payment terms, customers and orders.

The floor is what no sync can beat with this transport: the same requests the sync sends (customers and
orders in (updatedAt, id) order, 100 a page, with the same `include`; per page of orders the two
`taxvalues` reads and the `paymentstatuses` read), through the same JSON:API client and WSSE headers,
each page written with one INSERT of its raw documents into a scratch table: no mapping, no upsert, no
checkpoint.
"""

from __future__ import annotations

import datetime
import os
import time
import urllib.request
from typing import TYPE_CHECKING, Any

from bench import common

if TYPE_CHECKING:
    from bench.__main__ import Context

PAGE_SIZE = 100
FLOOR_TABLE = "bench_oro_floor"
API_USER, API_KEY = "bench", "0b5e3c1d9f7a2e4c6b8d0f1a3c5e7b9d2f4a6c8e"
ORDER_CLASS = "Oro\\Bundle\\OrderBundle\\Entity\\Order"
LINE_CLASS = "Oro\\Bundle\\OrderBundle\\Entity\\OrderLineItem"
RESOURCES = (
    ("customers", "addresses,paymentTerm,users"),
    ("orders", "lineItems,billingAddress,shippingAddress,customer,customerUser"),
)


class OroSimulator(common.Process):
    """`manage.py orocommerce_simulator`, reached over HTTP like a real store's back office."""

    def __init__(self, *, customers: int, orders: int, seed: int = 1) -> None:
        self.port = common.free_port()
        self.customers, self.orders = customers, orders
        args = ["--port", str(self.port), "--customers", str(customers), "--orders", str(orders), "--seed", str(seed)]
        super().__init__(
            f"orocommerce-{customers}-{orders}-{self.port}",
            ["orocommerce_simulator", *args, "--api-user", API_USER, "--api-key", API_KEY],
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_url = f"{self.url}/admin"
        started = time.monotonic()
        common.wait_for(self._answers, timeout=600, what=f"the OroCommerce simulator ({orders} orders)")
        self.startup_seconds = time.monotonic() - started

    def _answers(self) -> bool:
        if not self.alive():
            raise RuntimeError(f"the OroCommerce simulator exited:\n{self.tail()}")
        try:
            with urllib.request.urlopen(f"{self.url}/_sim/stats", timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False


def create_integration(name: str, admin_url: str):
    """What `integration_create orocommerce --name N --url U --api-user U --api-key K` does."""
    from integrations.services import integration_create

    return integration_create(
        name=name,
        integration_type="orocommerce",
        settings_values={"admin_url": admin_url, "api_user": API_USER, "api_key": API_KEY},
    )


def measure_floor(sim: OroSimulator, cpu_roots: dict[str, int]) -> dict[str, Any]:
    """The sync's requests with the same client, one INSERT of raw JSON a page; records per second."""
    from integrations.connectors.orocommerce.auth import WsseAuth
    from integrations.engine.cursors import UpdatedAtIdKeyset
    from integrations.transports.jsonapi import JsonApiClient

    with common.FloorTable(FLOOR_TABLE, "text") as table:
        counts: dict[str, int] = {}
        seconds: dict[str, float] = {}
        cpu = common.CpuMeter({"bench (floor loop)": os.getpid(), **cpu_roots}, alone=("bench (floor loop)",)).start()
        started = time.monotonic()
        try:
            api = JsonApiClient(f"{sim.admin_url}/api", WsseAuth(API_USER, API_KEY), retry_delays=())
            for resource, include in RESOURCES:
                entity_started, read = time.monotonic(), 0

                def fetch(updated_gte, limit, page, resource=resource, include=include):
                    params = {"include": include, "sort": "updatedAt,id", "page[size]": limit, "page[number]": page}
                    if updated_gte:
                        params["filter[updatedAt][gte]"] = updated_gte
                    return api.get(resource, params).resources

                # The same keyset the sync reads with: same requests, no sync logic around them.
                cursor = UpdatedAtIdKeyset(
                    fetch=fetch,
                    updated_of=lambda raw: raw["attributes"]["updatedAt"],
                    id_of=lambda raw: str(raw["id"]),
                    page_size=PAGE_SIZE,
                    overlap=datetime.timedelta(0),
                    id_key=int,
                )
                for page in cursor.pages({}):
                    if not page.records:
                        continue
                    if resource == "orders":
                        _order_extras(api, page.records)
                    table.insert(resource, [(str(record["id"]), record) for record in page.records])
                    read += len(page.records)
                counts[resource] = read
                seconds[resource] = time.monotonic() - entity_started
            total = time.monotonic() - started
        finally:
            cpu.stop()
    return common.floor_figures(counts, seconds, total, cpu)


def _order_extras(api: Any, orders: list[dict[str, Any]]) -> None:
    """The three reads the sync makes per page of orders: order taxes, line taxes, payment statuses."""
    order_ids = ",".join(str(o["id"]) for o in orders)
    lines = [str(line["id"]) for o in orders for line in (o["relationships"]["lineItems"]["data"] or [])]
    api.get("taxvalues", {"filter[entityClass]": ORDER_CLASS, "filter[entityId]": order_ids, "page[size]": -1})
    if lines:
        params = {"filter[entityClass]": LINE_CLASS, "filter[entityId]": ",".join(lines), "page[size]": -1}
        api.get("taxvalues", params)
    api.get(
        "paymentstatuses",
        {"filter[entityClass]": ORDER_CLASS, "filter[entityIdentifier]": order_ids, "page[size]": -1},
    )


def run(context: Context) -> dict[str, Any]:
    sizes = context.sizes
    orders, customers = sizes.oro_orders, max(10, sizes.oro_orders // 20)
    common.log(f"starting the OroCommerce simulator: {customers:,} customers, {orders:,} orders")
    sim = OroSimulator(customers=customers, orders=orders)
    context.processes.append(sim)
    common.log(f"OroCommerce simulator ready in {sim.startup_seconds:.1f} s at {sim.url}")
    integration = create_integration(f"Bench OroCommerce {orders}", sim.admin_url)
    roots = {"simulator": sim.pid, "postgres": common.postgres_root() or 0}
    e2e = common.run_sync(integration, context.worker(), label="OroCommerce first sync", cpu_roots=roots)
    common.log("floor: the same requests with the JSON:API client and one INSERT a page")
    floor = measure_floor(sim, roots)
    rows, ratios = [], {}
    for entity in ("customers", "orders"):
        read, seconds = e2e.count(entity), e2e.entities[entity]["busy_seconds"]
        floor_read, floor_seconds = floor["counts"][entity], floor["entity_seconds"][entity]
        rows.append(common.floor_row(entity, read, seconds, floor_read, floor_seconds))
        ratios[entity] = (read / seconds) / (floor_read / floor_seconds)
    order_rate = e2e.count("orders") / e2e.entities["orders"]["busy_seconds"]
    records = e2e.count("customers", "orders", "payment_terms")
    run_rate = records / e2e.seconds
    ratio = run_rate / floor["rate"]
    rows.append(
        common.floor_row("all (the run, enqueue to end)", records, e2e.seconds, floor["records"], floor["seconds"])
    )
    common.table(
        f"OroCommerce first sync: {orders:,} orders, {customers:,} customers, WSSE, pages of {PAGE_SIZE}",
        ["records", "read", "end to end s", "end to end rec/s", "floor s", "floor rec/s", "ratio"],
        rows,
        notes=[
            f"orders per second end to end: {common.number(order_rate)} (the worker's time on orders); ratio to the "
            f"floor {ratios['orders']:.2f}; the whole run {ratio:.2f}",
            "per page of orders the sync (and the floor) also reads the orders' and the lines' tax values and their "
            "payment statuses: 4 requests a page.",
            f"end to end: run {e2e.run_id} of one `rqworker default sync` process. Floor: the same requests through "
            "`JsonApiClient` with fresh WSSE headers each, one INSERT of raw JSON a page, in the same invocation.",
        ],
    )
    return {
        "end_to_end": {**e2e.as_dict(), "records": records, "rate": run_rate},
        "floor": floor,
        "ratio": ratio,
        "ratios": ratios,
    }
