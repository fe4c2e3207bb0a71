"""The RQ worker class of oroint (settings.RQ["WORKER_CLASS"]): RQ's, plus the stale sweep.

A run or check whose job failed because the database was down when the job started cannot be ended
by that job. Every worker therefore also sweeps, when it starts and then about once a minute while
it waits for jobs, whether or not the scheduler runs (`services.stale_sweep`).
"""

from __future__ import annotations

import logging

import rq
from django.db import connections

logger = logging.getLogger(__name__)

SWEEP_INTERVAL_SECONDS = 60
SWEEP_LOCK = "oroint:stale-sweep"


class Worker(rq.Worker):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("maintenance_interval", SWEEP_INTERVAL_SECONDS)
        super().__init__(*args, **kwargs)

    @property
    def dequeue_timeout(self) -> int:
        # An idle worker wakes this often to run its maintenance (and the sweep), not every 7 minutes.
        return min(super().dequeue_timeout, SWEEP_INTERVAL_SECONDS)

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        from integrations import services

        try:
            # One sweep per interval however many workers there are.
            if not self.connection.set(SWEEP_LOCK, self.name, nx=True, ex=SWEEP_INTERVAL_SECONDS // 2):
                return
            ended = services.stale_sweep()
            if any(ended.values()):
                logger.info("stale sweep ended %(runs)s run(s) and %(checks)s check(s)", ended)
        except Exception:  # the database or Redis may be what is down; the worker must keep working
            logger.warning("stale sweep failed; the next maintenance tries again", exc_info=True)
            try:
                self.connection.delete(SWEEP_LOCK)  # another worker, whose database answers, may sweep now
            except Exception:
                logger.debug("could not release the sweep lock", exc_info=True)
        finally:
            # Work horses are forked from this process: none may inherit its database connection.
            connections.close_all()
