import time

from django.core.management.base import BaseCommand, CommandError

from integrations.management.commands._common import get_integration
from integrations.models import SyncRun
from integrations.selectors import run_summary
from integrations.services import QueueUnavailable, SyncAlreadyActive, sync_mark_stale, sync_schedule


class Command(BaseCommand):
    help = "Queue a sync of an integration; with --wait, block until it ends and exit non-zero if it failed."

    def add_arguments(self, parser):
        parser.add_argument("integration_id", type=int)
        parser.add_argument("--wait", action="store_true", help="Wait for the run to end and print its summary")
        parser.add_argument("--timeout", type=float, default=6 * 3600, help="Seconds to wait at most")

    def handle(self, *args, **options):
        integration = get_integration(options["integration_id"])
        try:
            run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)
        except SyncAlreadyActive as exc:
            if not options["wait"]:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{exc} Waiting for it instead.")
            run = exc.run
        except QueueUnavailable as exc:
            raise CommandError(str(exc)) from None
        else:
            self.stdout.write(f"Queued sync run {run.pk} (job {run.job_id}).")
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
            counts = ", ".join(f"{k} {stats[k]}" for k in ("read", "created", "updated", "skipped", "failed"))
            self.stdout.write(f"  {entity:<16} {stats['status']:<10} {counts}")
        if summary["quarantined"]:
            self.stdout.write(f"  {summary['quarantined']} record(s) quarantined; see the run in the admin.")
        if run.status != SyncRun.Status.SUCCEEDED:
            raise CommandError(f"Run {run.pk} {run.status}: {run.message}")
        self.stdout.write(f"Run {run.pk} succeeded. {run.message}")
