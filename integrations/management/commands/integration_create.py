from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from integrations.engine import registry
from integrations.models import Integration
from integrations.services import integration_create


class Command(BaseCommand):
    help = "Create a channel and its integration; prints the new integration's id. TYPE -h lists a type's options."

    def add_arguments(self, parser):
        types = parser.add_subparsers(dest="type", required=True, metavar="TYPE", title="integration types")
        for key, connector in sorted(registry.types().items()):
            sub = types.add_parser(key, help=connector.label, description=f"Create a {connector.label} integration.")
            sub.add_argument("--name", required=True)
            sub.add_argument(
                "--sync-interval",
                type=int,
                default=Integration._meta.get_field("sync_interval_minutes").default,
                help="Minutes between automatic syncs (0: none; default %(default)s)",
            )
            connector.add_arguments(sub)

    def handle(self, *args, **options):
        connector = registry.connector_class(options["type"])
        try:
            integration = integration_create(
                name=options["name"],
                integration_type=options["type"],
                settings_values=connector.settings_from_options(options),
                sync_interval_minutes=options["sync_interval"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(str(integration.pk))
