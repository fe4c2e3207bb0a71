from django.core.management.base import BaseCommand, CommandError

from integrations.management.commands._common import get_integration
from integrations.services import QueueUnavailable, push_reconcile


class Command(BaseCommand):
    help = (
        "Reconcile everything: queue a push of every record the integration's sinks send (products, prices, "
        "stock...), sent again even when unchanged since the last push, and a delete of what was deleted here."
    )

    def add_arguments(self, parser):
        parser.add_argument("integration_id", type=int)

    def handle(self, *args, **options):
        integration = get_integration(options["integration_id"])
        try:
            count = push_reconcile(integration=integration)
        except QueueUnavailable as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Queued {count} pushes to {integration.name}; the export run shows their outcome.")
