import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from integrations.models import Integration
from integrations.services import integration_create


class Command(BaseCommand):
    help = "Create a channel and its integration; prints the new integration's id."

    def add_arguments(self, parser):
        parser.add_argument("type", choices=[t.value for t in Integration.Type], help="Integration type")
        parser.add_argument("--name", required=True)
        parser.add_argument("--wsdl-url", required=True, help="The store's SOAP v2 WSDL URL")
        parser.add_argument("--api-user", required=True)
        parser.add_argument("--api-key", required=True, help="Stored encrypted; never printed")
        parser.add_argument("--sync-start-date", type=datetime.date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--mode", choices=["auto", "bridge", "native"], default="auto")
        parser.add_argument("--website-id", type=int, default=Integration.ALL_WEBSITES)
        parser.add_argument("--wsi", action="store_true", help="WS-I compliance mode")

    def handle(self, *args, **options):
        extra = {"mode": options["mode"], "website_id": options["website_id"], "wsi_mode": options["wsi"]}
        if options["sync_start_date"]:
            extra["sync_start_date"] = options["sync_start_date"]
        try:
            integration = integration_create(
                name=options["name"],
                integration_type=options["type"],
                api_url=options["wsdl_url"],
                api_user=options["api_user"],
                api_key=options["api_key"],
                **extra,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(str(integration.pk))
