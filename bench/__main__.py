"""`python -m bench [initial|memory|incremental|admin|simulator|all] [options]`: what bench/run runs.

It expects the environment bench/run prepares (a migrated, empty database; Redis; DJANGO_DEBUG=0).
The benchmarks that need a first sync of the full-size simulator share one (see Context.first_sync).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import common

ORDER = ("initial", "memory", "incremental", "admin", "simulator")


@dataclass
class Sizes:
    customers: int
    orders: int
    admin_orders: int
    quick: bool

    @property
    def records(self) -> int:
        return self.customers + self.orders


@dataclass
class Context:
    """What the benchmarks of one invocation share: the full-size simulator, worker and first sync."""

    sizes: Sizes
    results: dict[str, Any] = field(default_factory=dict)
    processes: list[common.Process] = field(default_factory=list)
    _worker: common.Worker | None = None
    _first: tuple[common.Simulator, Any, common.SyncResult] | None = None

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

    def close(self) -> None:
        for process in reversed(self.processes):
            process.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("which", nargs="?", default="all", choices=(*ORDER, "all"))
    parser.add_argument("--customers", type=int, help="simulator customers (default 50,000; --quick 5,000)")
    parser.add_argument("--orders", type=int, help="simulator orders (default 200,000; --quick 20,000)")
    parser.add_argument("--admin-orders", type=int, help="orders for the admin benchmark (1,000,000; --quick 100,000)")
    parser.add_argument("--quick", action="store_true", help="10x smaller sizes, for a smoke run")
    parser.add_argument("--json", type=Path, help="also write the figures to this file as JSON")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    sizes = Sizes(
        customers=args.customers or 50_000 // scale,
        orders=args.orders or 200_000 // scale,
        admin_orders=args.admin_orders or 1_000_000 // scale,
        quick=args.quick,
    )
    # SIGTERM (bench/run's trap, a CI timeout) must still stop the simulator and the worker.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    common.setup_django()
    from bench import admin, incremental, initial, memory, simulator

    benchmarks = {
        "initial": initial.run,
        "memory": memory.run,
        "incremental": incremental.run,
        "admin": admin.run,
        "simulator": simulator.run,
    }
    selected = ORDER if args.which == "all" else (args.which,)
    context = Context(sizes)
    context.results["machine"] = common.machine()
    context.results["sizes"] = sizes.__dict__
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
        f"{' (--quick)' if sizes.quick else ''}\n"
    )


if __name__ == "__main__":
    sys.exit(main())
