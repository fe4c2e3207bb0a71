from django.core.management.base import BaseCommand

from integrations import services


class Command(BaseCommand):
    help = "Run an integration's daily upkeep now (the scheduler does it once a day); prints what it did."

    def add_arguments(self, parser):
        parser.add_argument("integration_id", type=int)

    def handle(self, *args, integration_id: int, **options):
        self.stdout.write(services.housekeeping_execute(integration_id=integration_id) or "Nothing to do.")
