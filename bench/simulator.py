"""Simulator: the calls per second it serves, so that it is never the bottleneck being measured.

Each client asks for `oroOrderList` pages of 100 (the sync's keyset filter: `updated_at` from/to
and `order_id gt` an id, spread over the whole table so that records come from the generator, not
from its small cache), in one of two ways:
- zeep: the strict zeep client the sync uses (`MagentoSoapClient`), answers parsed;
- raw HTTP: envelopes built by zeep beforehand, POSTed over one keep-alive connection, answers read
  but not parsed: the server's own rate, without the client's parse cost.
with 1 and 4 concurrent clients, each a process of its own (no shared GIL), for a fixed time.
"""

from __future__ import annotations

import http.client
import multiprocessing
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bench import common

if TYPE_CHECKING:
    from bench.__main__ import Context

PAGE_SIZE = 100
SINCE = "2000-01-01 00:00:00"
MAX_CALLS = 100_000  # a bound on each client's loop whatever the duration


def _client(kind: str, wsdl_url: str, orders: int, index: int, seconds: float, barrier, results) -> None:
    """One client process: log in, (prebuild envelopes,) wait for the others, call for `seconds`."""
    from lxml import etree

    from integrations.connectors.magento1.streams import complex_filter
    from integrations.connectors.magento1.transport import MagentoSoapClient
    from integrations.engine.cursors import UpdatedAtKeyset

    soap = MagentoSoapClient(wsdl_url=wsdl_url, api_user=common.API_USER, api_key=common.API_KEY, retry_delays=())
    session = soap.login()
    until = UpdatedAtKeyset.format(soap.server_now)
    span = max(1, orders - PAGE_SIZE)
    # Client i starts at its own place in the table; pages walk forward by 100 ids, wrapping around.
    start = (index * 7919 * PAGE_SIZE) % span

    def arguments(call: int) -> tuple[dict[str, Any], dict[str, str]]:
        after_id = (start + call * PAGE_SIZE) % span
        conditions = [("updated_at", "from", SINCE), ("updated_at", "to", until), ("order_id", "gt", str(after_id))]
        return complex_filter(*conditions), {"page": "1", "pageSize": str(PAGE_SIZE)}

    calls = records = received = 0
    if kind == "zeep":
        barrier.wait()
        started = time.monotonic()
        while time.monotonic() - started < seconds and calls < MAX_CALLS:
            records += len(soap.call("oroOrderList", *arguments(calls)) or [])
            calls += 1
    else:
        service = soap.client.service
        envelopes = [
            etree.tostring(soap.client.create_message(service, "oroOrderList", session, *arguments(i)))
            for i in range(200)
        ]
        address = urlsplit(soap.client.service._binding_options["address"])
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        path = f"{address.path}?{address.query}"
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"urn:Action"'}
        barrier.wait()
        started = time.monotonic()
        while time.monotonic() - started < seconds and calls < MAX_CALLS:
            connection.request("POST", path, envelopes[calls % len(envelopes)], headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200 or b"Fault>" in body[:2000]:
                raise RuntimeError(f"HTTP {response.status}: {body[:500]!r}")
            received += len(body)
            calls += 1
        connection.close()
    elapsed = time.monotonic() - started
    soap.end_session()
    results.put({"calls": calls, "records": records, "bytes": received, "s": elapsed})


def measure(sim: common.Simulator, kind: str, clients: int, seconds: float) -> dict[str, Any]:
    """`clients` processes of `kind` at once; calls per second summed over them."""
    from django.db import connections

    connections.close_all()  # forked children must not share this process's database connection
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(clients + 1), context.Queue()
    processes = [
        context.Process(target=_client, args=(kind, sim.wsdl_url, sim.orders, i, seconds, barrier, results))
        for i in range(clients)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=120)  # every client logged in (and built its envelopes)
    cpu = common.CpuMeter({"simulator": sim.pid}).start()
    answers = [results.get(timeout=seconds + 120) for _ in processes]
    cpu.stop()
    for process in processes:
        process.join(30)
        if process.exitcode != 0:
            raise RuntimeError(f"a {kind} client failed (exit code {process.exitcode})")
    calls = sum(a["calls"] for a in answers)
    wall = max(a["s"] for a in answers)
    return {
        "kind": kind,
        "clients": clients,
        "calls": calls,
        "seconds": wall,
        "calls_per_s": calls / wall,
        "ms_per_call": 1000 * sum(a["s"] for a in answers) / calls if calls else None,
        "mb_per_s": sum(a["bytes"] for a in answers) / wall / 1e6 if kind == "raw" else None,
        "simulator_cores": cpu.utilisation().get("simulator"),
    }


def run(context: Context) -> dict[str, Any]:
    seconds = 4.0 if context.sizes.quick else 10.0
    if context.has_first_sync:
        sim = context.first_sync()[0]
    else:
        sim = context.simulator(context.sizes.customers, context.sizes.orders)
    rows, figures = [], []
    for kind, label in (("zeep", "zeep (strict), answers parsed"), ("raw", "raw HTTP POST, answers read")):
        for clients in (1, 4):
            common.log(f"simulator: {label}, {clients} client(s), {seconds:g} s")
            result = measure(sim, kind, clients, seconds)
            figures.append(result)
            rows.append(
                [
                    label,
                    clients,
                    common.number(result["calls"]),
                    common.number(result["calls_per_s"], 1),
                    common.number(result["calls_per_s"] * PAGE_SIZE),
                    common.number(result["ms_per_call"], 1),
                    common.number(result["simulator_cores"], 2),
                ]
            )
    notes = [
        f"oroOrderList, pages of {PAGE_SIZE} orders, {sim.orders:,} orders in the store; simulator cores = CPU "
        "the simulator used / wall time (1.00 = one core busy); the clients share the same 2 CPUs."
    ]
    first = context.results.get("initial") or {}
    if first:
        needed = first["end_to_end"]["rate"] / PAGE_SIZE
        best = max(f["calls_per_s"] for f in figures if f["kind"] == "raw")
        notes.append(
            f"the first sync asked for about {needed:.1f} pages/s; the simulator serves {best:.1f} calls/s "
            f"unparsed ({best / needed:.0f}x)."
        )
    common.table(
        "Simulator throughput",
        ["client", "clients", "calls", "calls/s", "orders/s", "ms/call", "simulator cores"],
        rows,
        notes=notes,
    )
    return {"seconds": seconds, "configurations": figures}
