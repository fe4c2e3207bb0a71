import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from integrations.simulators.hostile import start_proxy


class Command(BaseCommand):
    help = (
        "Serve a hostile HTTP proxy in front of a simulator (or any HTTP server): it forwards every request "
        "and changes answers, headers and timing as the rules set with POST /_hostile/rules say. "
        "Runs until SIGTERM/SIGINT."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--upstream", required=True, help="http://HOST:PORT of the server to stand in front of")
        parser.add_argument("--port", type=int, required=True, help="TCP port (0 picks a free one)")
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, **options):
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        try:
            proxy = start_proxy(options["upstream"], host=options["host"], port=options["port"])
        except OSError as error:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {error}") from error
        self.stdout.write(f"Hostile proxy for {options['upstream']} listening on {proxy.url}")
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            proxy.stop()
