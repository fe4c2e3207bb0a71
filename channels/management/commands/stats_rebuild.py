"""manage.py stats_rebuild [--integration ID]: rebuild the per-day and per-customer figures from the records.

Run after changing OROINT_TIME_ZONE (a day is a day in that zone), after filling tables by SQL, or to
repair figures; a sync keeps them up to date by itself.
"""

import time

from django.core.management.base import BaseCommand, CommandParser

from channels.stats import stats_rebuild
from integrations.management.commands._common import get_integration


class Command(BaseCommand):
    help = "Rebuild the orders and customers per day and each customer's order figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--integration", type=int, help="Only this integration (default: all)")

    def handle(self, *args, **options) -> None:
        integration_id = options["integration"]
        if integration_id is not None:
            get_integration(integration_id)
        began = time.monotonic()
        counts = stats_rebuild(integration_id=integration_id, log=lambda line: self.stderr.write(line))
        self.stdout.write(
            f"Rebuilt in {time.monotonic() - began:.1f} s: {counts['order_days']} order days, "
            f"{counts['customer_days']} customer days, {counts['customers']} customers."
        )
