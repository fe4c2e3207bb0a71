"""Incremental sync: after the first sync, a run with no changes, then one after 1,000 orders changed.

The changes are made in the simulator with `POST /_sim/touch {"entity": "orders", "count": 1000}`
(their `updated_at` becomes now); seconds run from the enqueue to the run's end, as for the first sync.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bench import common

if TYPE_CHECKING:
    from bench.__main__ import Context

TOUCHED = 1_000


def run(context: Context) -> dict[str, Any]:
    sim, integration, _ = context.first_sync()
    worker = context.worker()
    roots = {"simulator": sim.pid, "postgres": common.postgres_root() or 0}
    common.log("incremental run with no changes")
    unchanged = common.run_sync(integration, worker, label="no changes", cpu_roots=roots)
    touched = sim.touch("orders", TOUCHED)
    common.log(f"incremental run after {len(touched):,} orders changed")
    changed = common.run_sync(integration, worker, label=f"{len(touched)} changed", cpu_roots=roots)
    rows = []
    for label, result in (("no changes", unchanged), (f"{len(touched):,} orders changed", changed)):
        customers, orders = result.entities["customers"], result.entities["orders"]
        rows.append(
            [
                label,
                common.number(result.seconds, 2),
                f"{customers['read']:,} / {customers['created']:,} / {customers['updated']:,}",
                f"{orders['read']:,} / {orders['created']:,} / {orders['updated']:,} / {orders['skipped']:,}",
                common.number(result.cpu.get("worker"), 1),
            ]
        )
    common.table(
        "Incremental sync (after the first sync)",
        [
            "run",
            "seconds",
            "customers read / created / updated",
            "orders read / created / updated / skipped",
            "worker CPU s",
        ],
        rows,
        notes=["seconds: from the enqueue to the run's end, a fresh work horse loading the WSDL and logging in."],
    )
    return {"no_changes": unchanged.as_dict(), "changed": changed.as_dict(), "touched": len(touched)}
