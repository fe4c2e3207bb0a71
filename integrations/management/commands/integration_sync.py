import time

from django.core.management.base import BaseCommand, CommandError

from integrations.management.commands._common import get_integration
from integrations.models import SyncRun
from integrations.selectors import run_summary
from integrations.services import QueueUnavailable, SyncAlreadyActive, sync_mark_stale, sync_schedule


class Command(BaseCommand):
    help = (
        "Queue a sync of an integration (--full: a full re-sync, everything read again and what the store no "
        "longer has marked removed in the store); with --wait, block until it ends and exit non-zero if it failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("integration_id", type=int)
        parser.add_argument("--wait", action="store_true", help="Wait for the run to end and print its summary")
        parser.add_argument(
            "--full",
            action="store_true",
            help="Force a full re-sync: re-read every entity from the sync start date and mark the records the "
            "store no longer has as removed in the store (never deleted)",
        )
        parser.add_argument("--timeout", type=float, default=6 * 3600, help="Seconds to wait at most")

    def handle(self, *args, **options):
        integration = get_integration(options["integration_id"])
        try:
            run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI, full=options["full"])
        except SyncAlreadyActive as exc:
            if not options["wait"] or options["full"]:  # waiting for another run is no full re-sync
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{exc} Waiting for it instead.")
            run = exc.run
        except QueueUnavailable as exc:
            raise CommandError(str(exc)) from None
        else:
            kind = "full re-sync" if run.full_resync else "sync"
            going_on = f", going on with the full re-sync begun by run {run.resync_of_id}" if run.resync_of_id else ""
            self.stdout.write(f"Queued {kind} run {run.pk} (job {run.job_id}){going_on}.")
        if not options["wait"]:
            return
        deadline = time.monotonic() + options["timeout"]
        while not run.is_finished:
            if time.monotonic() > deadline:
                raise CommandError(f"Run {run.pk} still {run.status} after {options['timeout']:g} s")
            time.sleep(0.5)
            sync_mark_stale(integration=integration)  # a run whose worker died ends here, not never
            run.refresh_from_db()
        summary = run_summary(run)
        for entity, stats in summary["stats"].items():
            keys = ("read", "created", "updated", "skipped", "failed") + (("removed",) if run.full_resync else ())
            counts = ", ".join(f"{k} {stats[k]}" for k in keys)
            self.stdout.write(f"  {entity:<16} {stats['status']:<10} {counts}")
        if summary["quarantined"]:
            self.stdout.write(f"  {summary['quarantined']} record(s) quarantined; see the run in the admin.")
        if run.status != SyncRun.Status.SUCCEEDED:
            raise CommandError(f"Run {run.pk} {run.status}: {run.message}")
        self.stdout.write(f"Run {run.pk} succeeded. {run.message}")
