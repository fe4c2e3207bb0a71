from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse

from integrations.services import integration_ensure

DEMO_NAME = "Demo Magento store"


class Command(BaseCommand):
    help = "Create (once) the demo Magento 1 channel pointing at the simulator; prints its admin page."

    def add_arguments(self, parser):
        parser.add_argument("--wsdl-url", required=True)
        parser.add_argument("--api-user", required=True)
        parser.add_argument("--api-key", required=True)
        parser.add_argument("--owner", default="admin", help="Username of the channel's owner")

    def handle(self, *args, **options):
        owner = get_user_model().objects.filter(username=options["owner"]).first()
        integration, created = integration_ensure(
            name=DEMO_NAME,
            integration_type="magento1",
            settings_values={
                "api_url": options["wsdl_url"],
                "api_user": options["api_user"],
                "api_key": options["api_key"],
            },
            owner=owner,
        )
        if created:
            self.stdout.write(f"Created the demo channel (integration {integration.pk}).")
        else:
            self.stdout.write(f"The demo channel exists (integration {integration.pk}); settings refreshed.")
        self.stdout.write(reverse("admin:integrations_integration_change", args=[integration.pk]))
