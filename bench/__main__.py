"""`python -m bench [initial|memory|incremental|admin|simulator|concurrent|all] [options]`: what bench/run runs.

It expects the environment bench/run prepares (a migrated, empty database; Redis; DJANGO_DEBUG=0).
The benchmarks that need a first sync of the full-size simulator share one (see Context.first_sync);
those that need the admin's 1,000,000 orders share one fill (see Context.admin_data).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import common

ORDER = ("initial", "memory", "incremental", "admin", "simulator", "concurrent", "orocommerce")


@dataclass
class Sizes:
    customers: int
    orders: int
    admin_orders: int
    quick: bool
    oro_orders: int = 20_000

    @property
    def records(self) -> int:
        return self.customers + self.orders


@dataclass
class WebLoad:
    """How the concurrent benchmark's admins browse and how gunicorn serves them."""

    clients: int
    web_workers: int
    conn_max_age: int  # gunicorn's DATABASE_CONN_MAX_AGE
    superusers: bool
    think: float  # mean seconds between one admin's requests


@dataclass
class Context:
    """What the benchmarks of one invocation share: the full-size simulator, worker and first sync."""

    sizes: Sizes
    web_load: WebLoad
    results: dict[str, Any] = field(default_factory=dict)
    processes: list[common.Process] = field(default_factory=list)
    _worker: common.Worker | None = None
    _first: tuple[common.Simulator, Any, common.SyncResult] | None = None
    _admin_data: dict[str, Any] | None = None

    def simulator(self, customers: int, orders: int) -> common.Simulator:
        common.log(f"starting the simulator: {customers:,} customers, {orders:,} orders")
        sim = common.Simulator(customers=customers, orders=orders)
        self.processes.append(sim)
        common.log(f"simulator ready in {sim.startup_seconds:.1f} s at {sim.url}")
        return sim

    def worker(self) -> common.Worker:
        if self._worker is None:
            self._worker = common.Worker()
            self.processes.append(self._worker)
        return self._worker

    @property
    def has_first_sync(self) -> bool:
        return self._first is not None

    def first_sync(self) -> tuple[common.Simulator, Any, common.SyncResult]:
        """The first sync of the full-size store, measured once: time, CPU per process, worker memory."""
        if self._first is None:
            sizes = self.sizes
            sim = self.simulator(sizes.customers, sizes.orders)
            worker = self.worker()
            integration = common.create_integration(f"Bench {sizes.customers}+{sizes.orders}", sim.wsdl_url)
            common.log(f"first sync of {sizes.records:,} records (integration {integration.pk})")
            result = common.run_sync(
                integration,
                worker,
                label="first sync",
                sample_memory=True,
                cpu_roots={"simulator": sim.pid, "postgres": common.postgres_root() or 0},
            )
            common.log(f"first sync done in {result.seconds:.1f} s")
            self._first = (sim, integration, result)
        return self._first

    def admin_data(self) -> dict[str, Any]:
        """The admin benchmarks' tables, filled once: `admin_orders` orders, a quarter as many customers."""
        if self._admin_data is None:
            from bench import admin

            orders = self.sizes.admin_orders
            data = admin.populate(orders, orders // 4)
            common.log(
                f"admin: {data['orders']:,} orders ({data['orders_size']}), {data['customers']:,} customers "
                f"in {data['seconds']:.0f} s"
            )
            self._admin_data = data
        return self._admin_data

    def close(self) -> None:
        for process in reversed(self.processes):
            process.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("which", nargs="?", default="all", choices=(*ORDER, "all"))
    parser.add_argument("--customers", type=int, help="simulator customers (default 50,000; --quick 5,000)")
    parser.add_argument("--orders", type=int, help="simulator orders (default 200,000; --quick 20,000)")
    parser.add_argument("--admin-orders", type=int, help="orders for the admin benchmark (1,000,000; --quick 100,000)")
    parser.add_argument("--oro-orders", type=int, help="orocommerce: simulator orders (default 20,000; --quick 2,000)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent: how many admins browse (50)")
    parser.add_argument("--web-workers", type=int, help="concurrent: gunicorn workers (default 2 x CPUs + 1)")
    parser.add_argument(
        "--web-conn-max-age", type=int, default=60, help="concurrent: gunicorn's DATABASE_CONN_MAX_AGE (60)"
    )
    parser.add_argument("--superusers", action="store_true", help="concurrent: superusers instead of staff viewers")
    parser.add_argument("--think", type=float, default=0.0, help="concurrent: mean seconds between requests (0)")
    parser.add_argument("--quick", action="store_true", help="10x smaller sizes, for a smoke run")
    parser.add_argument("--json", type=Path, help="also write the figures to this file as JSON")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    sizes = Sizes(
        customers=args.customers or 50_000 // scale,
        orders=args.orders or 200_000 // scale,
        admin_orders=args.admin_orders or 1_000_000 // scale,
        quick=args.quick,
        oro_orders=args.oro_orders or 20_000 // scale,
    )
    web_load = WebLoad(
        clients=args.clients,
        web_workers=args.web_workers or 2 * (os.cpu_count() or 1) + 1,
        conn_max_age=args.web_conn_max_age,
        superusers=args.superusers,
        think=args.think,
    )
    # SIGTERM (bench/run's trap, a CI timeout) must still stop the simulator and the worker.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    common.setup_django()
    from bench import admin, concurrent, incremental, initial, memory, orocommerce, simulator

    benchmarks = {
        "initial": initial.run,
        "memory": memory.run,
        "incremental": incremental.run,
        "admin": admin.run,
        "simulator": simulator.run,
        "concurrent": concurrent.run,
        "orocommerce": orocommerce.run,
    }
    selected = ORDER if args.which == "all" else (args.which,)
    context = Context(sizes, web_load)
    context.results["machine"] = common.machine()
    context.results["sizes"] = sizes.__dict__
    context.results["web_load"] = web_load.__dict__
    print(_describe(context.results["machine"], sizes, selected), flush=True)
    try:
        for name in selected:
            common.log(f"benchmark: {name}")
            context.results[name] = benchmarks[name](context)
    finally:
        context.close()
        if args.json:
            args.json.write_text(json.dumps(context.results, indent=2, default=str) + "\n")
            common.log(f"figures written to {args.json}")
    return 0


def _describe(machine: dict[str, str], sizes: Sizes, selected: tuple[str, ...]) -> str:
    return (
        f"## oroint benchmarks: {', '.join(selected)}\n\n"
        f"- machine: {machine['cpus']} CPUs ({machine['cpu']}), {machine['memory']} RAM, Linux {machine['kernel']}, "
        f"load {machine['load']}\n"
        f"- Python {machine['python']}, PostgreSQL {machine['postgresql']}; {machine['date']}; code {machine['code']}\n"
        f"- sizes: {sizes.customers:,} customers, {sizes.orders:,} orders; admin {sizes.admin_orders:,} orders"
        f"; OroCommerce {sizes.oro_orders:,} orders{' (--quick)' if sizes.quick else ''}\n"
    )


if __name__ == "__main__":
    sys.exit(main())
