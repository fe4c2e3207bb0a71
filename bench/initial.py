"""Initial sync throughput: a first sync end to end, beside the floor measured in the same run.

End to end is a real sync run: `sync_schedule` (what `integration_sync ID` calls) enqueues it, one
`rqworker default sync` process runs it against the simulator in bridge mode (pages of 100), and the
time runs from the enqueue to the run's `finished_at`. Records are customers, carts, orders and
credit memos read. A first sync interleaves them (newest week of each first), so an entity's time is
the worker's time on it (`SyncRunEntity.busy_seconds`: reading its pages and writing them), not the
span from its start to its end.

The floor is what no sync can beat on this machine with this transport: the same keyset pages
(`oroCustomerList` / `oroQuoteList` / `oroOrderList`, `updated_at` from/to plus `id gt` the last id,
100 a page; credit memos as the sync reads them: the list of the whole span, then
`salesOrderCreditmemoInfo` for each memo), read and parsed by the same zeep client
(`MagentoSoapClient`), each page written with one INSERT of its raw records into a scratch table (no
mapping, no upsert, no checkpoint), one transaction a page.
"""

from __future__ import annotations

import datetime
import os
import time
from typing import TYPE_CHECKING, Any

from bench import common

if TYPE_CHECKING:
    from bench.__main__ import Context

PAGE_SIZE = 100
FLOOR_TABLE = "bench_floor"
# (entity, paged bridge list, id field); credit memos are read as the sync reads them (list, then Info).
ENTITIES = (
    ("customers", "oroCustomerList", "customer_id"),
    ("carts", "oroQuoteList", "entity_id"),
    ("orders", "oroOrderList", "order_id"),
    ("credit_memos", "salesOrderCreditmemoList", "creditmemo_id"),
)


def measure_floor(sim: common.Simulator, cpu_roots: dict[str, int]) -> dict[str, Any]:
    """Read every customer, cart, order and memo page with zeep and INSERT each page; records per second."""
    from integrations.connectors.magento1.streams import complex_filter
    from integrations.connectors.magento1.transport import MagentoSoapClient
    from integrations.engine.cursors import UpdatedAtKeyset

    since = UpdatedAtKeyset.format(datetime.datetime.combine(common.SYNC_START, datetime.time(), tzinfo=datetime.UTC))
    counts: dict[str, int] = {}
    seconds: dict[str, float] = {}
    with common.FloorTable(FLOOR_TABLE, "bigint") as table:
        # The bench process alone: the simulators and the worker are its children.
        cpu = common.CpuMeter({"bench (floor loop)": os.getpid(), **cpu_roots}, alone=("bench (floor loop)",)).start()
        started = time.monotonic()
        try:
            # Loading the WSDL and logging in are inside the timing, as they are in a sync run.
            client = MagentoSoapClient(
                wsdl_url=sim.wsdl_url, api_user=common.API_USER, api_key=common.API_KEY, retry_delays=()
            )
            client.login()
            until = UpdatedAtKeyset.format(client.server_now)
            for entity, operation, id_field in ENTITIES:
                entity_started, after_id, read = time.monotonic(), 0, 0
                if entity == "credit_memos":
                    counts[entity] = _read_memos(table, client, operation, id_field, since, until)
                    seconds[entity] = time.monotonic() - entity_started
                    continue
                while True:
                    conditions = [("updated_at", "from", since), ("updated_at", "to", until)]
                    if after_id:
                        conditions.append((id_field, "gt", str(after_id)))
                    pager = {"page": "1", "pageSize": str(PAGE_SIZE)}
                    records = client.call(operation, complex_filter(*conditions), pager) or []
                    if not records:
                        break
                    table.insert(entity, keyed(records, id_field))
                    after_id = max(int(r[id_field]) for r in records)
                    read += len(records)
                counts[entity] = read
                seconds[entity] = time.monotonic() - entity_started
            client.end_session()
            total = time.monotonic() - started
        finally:
            cpu.stop()
    return common.floor_figures(counts, seconds, total, cpu)


def _read_memos(table: common.FloorTable, client: Any, operation: str, id_field: str, since: str, until: str) -> int:
    """The memo list of the whole span in one call, then each memo's Info, INSERTed 100 at a time."""
    from integrations.connectors.magento1.streams import complex_filter

    listed = client.call(operation, complex_filter(("updated_at", "from", since), ("updated_at", "to", until))) or []
    for start in range(0, len(listed), PAGE_SIZE):
        page = [
            client.call("salesOrderCreditmemoInfo", raw["increment_id"]) for raw in listed[start : start + PAGE_SIZE]
        ]
        table.insert("credit_memos", keyed(page, id_field))
    return len(listed)


def keyed(records: list[dict[str, Any]], id_field: str) -> list[tuple[int, dict[str, Any]]]:
    return [(int(record[id_field]), record) for record in records]


def run(context: Context) -> dict[str, Any]:
    sim, _, e2e = context.first_sync()
    common.log("floor: the same pages with zeep and one INSERT a page")
    floor = measure_floor(sim, {"simulator": sim.pid, "postgres": common.postgres_root() or 0})
    names = [entity for entity, _, _ in ENTITIES]
    records = e2e.count(*names)
    e2e_rate = records / e2e.seconds
    ratio = e2e_rate / floor["rate"]
    rows, ratios = [], {}
    for entity in names:
        read, seconds = e2e.count(entity), e2e.entities[entity]["busy_seconds"]
        floor_read, floor_seconds = floor["counts"][entity], floor["entity_seconds"][entity]
        rows.append(common.floor_row(entity, read, seconds, floor_read, floor_seconds))
        ratios[entity] = (read / seconds) / (floor_read / floor_seconds) if seconds and floor_seconds else None
    pair = ("customers", "orders")
    pair_read = e2e.count(*pair)
    pair_seconds = sum(e2e.entities[n]["busy_seconds"] for n in pair)
    pair_floor = (sum(floor["counts"][n] for n in pair), sum(floor["entity_seconds"][n] for n in pair))
    rows.append(common.floor_row("customers + orders", pair_read, pair_seconds, *pair_floor))
    ratios["customers + orders"] = (pair_read / pair_seconds) / (pair_floor[0] / pair_floor[1])
    rows.append(
        common.floor_row("all (the run, enqueue to end)", records, e2e.seconds, floor["records"], floor["seconds"])
    )
    common.table(
        f"Initial sync: {context.sizes.customers:,} customers + {context.sizes.orders:,} orders "
        f"(+ their carts and credit memos), bridge, pages of 100",
        ["records", "read", "end to end s", "end to end rec/s", "floor s", "floor rec/s", "ratio"],
        rows,
        notes=[
            f"ratio: {ratio:.2f} (end to end / floor, all records; target >= 0.50); customers + orders "
            f"{ratios['customers + orders']:.2f}",
            "per entity, end to end s is the worker's time on that entity (reading and writing its pages); the "
            "dictionaries, regions and subscribers the run also reads are in the run's time only. Orders and carts "
            "include the customers they fetch first (a customer the customers stream had not written yet).",
            f"end to end: run {e2e.run_id} of one `rqworker default sync` process, {e2e.queue_seconds:.2f} s from "
            "the enqueue to its start; per entity, the seconds of its stream in the run. Floor: the same pages "
            "read with zeep (`MagentoSoapClient`) and one INSERT of raw JSON a page, in the same invocation.",
        ],
    )
    groups = ["worker", "bench (floor loop)", "simulator", "postgres"]
    common.table(
        "Where the CPU went (seconds of CPU; in brackets, cores kept busy on average)",
        ["measure", "wall s", *groups],
        [
            ["end to end", common.number(e2e.seconds, 1), *(_cpu(e2e.cpu, e2e.cpu_share, g) for g in groups)],
            ["floor", common.number(floor["seconds"], 1), *(_cpu(floor["cpu"], floor["cpu_share"], g) for g in groups)],
        ],
        notes=["worker = the rqworker process and its work horse; postgres = the postmaster and its backends."],
    )
    return {
        "end_to_end": {**e2e.as_dict(), "records": records, "rate": e2e_rate},
        "floor": floor,
        "ratio": ratio,
        "ratios": ratios,
    }


def _cpu(seconds: dict[str, float], share: dict[str, float], group: str) -> str:
    if group not in seconds:
        return "-"
    return f"{seconds[group]:,.1f} ({share[group]:.2f})"
