"""Memory: the worker's peak RSS over the first sync, at full size and at 10x fewer records.

The worker is one `rqworker default sync` process; RQ forks a work horse per job, and the sync
runs in the horse. Both are sampled every 0.2 s from /proc (VmRSS and PSS of the whole tree, and
each process's VmHWM, the kernel's own peak). Streaming pages keeps the peak flat: the same at
250,000 records as at 25,000. Target: under 300 MB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bench import common

if TYPE_CHECKING:
    from bench.__main__ import Context

TARGET_MB = 300


def run(context: Context) -> dict[str, Any]:
    sizes = context.sizes
    _, _, full = context.first_sync()
    customers, orders = max(1, sizes.customers // 10), max(1, sizes.orders // 10)
    sim = context.simulator(customers, orders)
    integration = common.create_integration(f"Bench {customers}+{orders}", sim.wsdl_url)
    common.log(f"a sync of {customers + orders:,} records (1/10), memory sampled")
    tenth = common.run_sync(integration, context.worker(), label="1/10 sync", sample_memory=True)
    sim.stop()
    rows = []
    for label, result in (("full", full), ("1/10", tenth)):
        peaks = result.memory
        assert peaks is not None
        rows.append(
            [
                label,
                common.number(result.count("customers", "orders")),
                common.number(result.seconds, 1),
                common.number(peaks.peak, 1),
                common.number(peaks.child_hwm, 1),
                common.number(peaks.root_hwm, 1),
                common.number(peaks.tree_pss, 1),
                " / ".join(f"{peaks.rss_at(f):.0f}" for f in (0.25, 0.5, 0.75, 1.0)),
            ]
        )
    growth = full.memory.peak / tenth.memory.peak if tenth.memory and full.memory else 0.0
    common.table(
        "Worker memory over a first sync (MB)",
        [
            "sync",
            "records",
            "seconds",
            "peak RSS, tree",
            "work horse VmHWM",
            "worker VmHWM",
            "peak PSS, tree",
            "tree RSS at 25/50/75/100% of the run",
        ],
        rows,
        notes=[
            f"full / (1/10) peak: {growth:.2f} (flat = about 1.00); target: peak under {TARGET_MB} MB",
            "peak RSS, tree = the largest sum of VmRSS over worker + horse, sampled every 0.2 s (pages the horse "
            "shares with the worker after the fork count twice); PSS counts them once.",
        ],
    )
    return {"full": full.as_dict(), "tenth": tenth.as_dict(), "growth": growth}
