from django.core.management.base import BaseCommand

from integrations.connectors.magento1.contacts import link_unlinked
from integrations.management.commands._common import get_integration


class Command(BaseCommand):
    help = (
        "Link the customers of a Magento integration that have no contact yet to their contacts and accounts "
        "(once, after upgrading: a sync links only the customers it writes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("integration_id", type=int)

    def handle(self, *args, **options):
        integration = get_integration(options["integration_id"])
        self.stdout.write(f"{link_unlinked(integration)} customer(s) linked")
