import json

from django.core.management.base import BaseCommand

from integrations.management.commands._common import get_integration
from integrations.selectors import integration_status


class Command(BaseCommand):
    help = "Show an integration's record counts and last runs."

    def add_arguments(self, parser):
        parser.add_argument("integration_id", type=int)
        parser.add_argument("--json", action="store_true", help="Print JSON")
        parser.add_argument("--runs", type=int, default=10, help="How many runs to show")

    def handle(self, *args, **options):
        status = integration_status(integration=get_integration(options["integration_id"]), runs=options["runs"])
        if options["json"]:
            self.stdout.write(json.dumps(status, indent=2))
            return
        info = status["integration"]
        where = ", ".join(f"{k} {v}" for k, v in info["settings"].items() if k in ("api_url", "url"))
        self.stdout.write(f"{info['name']} ({info['type']}{', ' + where if where else ''})")
        for entity, count in status["records"].items():
            if isinstance(count, dict):  # counts by kind (cart statuses, pushed records by entity)
                self.stdout.write(f"  {entity}")
                for kind, value in count.items():
                    self.stdout.write(f"    {kind:<14} {value}")
            else:
                self.stdout.write(f"  {entity:<16} {count}")
        for run in status["runs"]:
            self.stdout.write(f"  run {run['id']:<6} {run['status']:<10} {run['created_at']}  {run['message']}")
