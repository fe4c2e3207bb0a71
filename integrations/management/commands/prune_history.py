from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integrations.services import history_prune


class Command(BaseCommand):
    help = (
        "Empty the logs of runs that finished, and delete the quarantine records resolved, more than "
        "OROINT_PRUNE_AFTER_DAYS days ago (the scheduler does this every hour)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help=f"age in days (default {settings.OROINT_PRUNE_AFTER_DAYS})"
        )

    def handle(self, *args, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more.")
        pruned = history_prune(older_than_days=days)
        self.stdout.write(
            f"Emptied the logs of {pruned['run_logs']} run(s); deleted {pruned['quarantined']} resolved "
            "quarantine record(s)."
        )
