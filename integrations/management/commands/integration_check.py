from django.core.management.base import BaseCommand, CommandError

from integrations.management.commands._common import get_integration
from integrations.models import ConnectionCheck
from integrations.services import integration_check_connection


class Command(BaseCommand):
    help = "Check an integration's connection (log in, detect the bridge, list websites); non-zero exit on failure."

    def add_arguments(self, parser):
        parser.add_argument("integration_id", type=int)

    def handle(self, *args, **options):
        integration = get_integration(options["integration_id"])
        check = ConnectionCheck.objects.create(integration=integration)
        result = integration_check_connection(integration=integration, check=check)
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write(result.message)
        for website in result.details.get("websites", []):
            self.stdout.write(f"  {website['label']}")
