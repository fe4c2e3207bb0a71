import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from integrations.simulators.magento1.server import SimulatorOptions, start_simulator

DEFAULTS = SimulatorOptions()


class Command(BaseCommand):
    help = (
        "Serve a simulated Magento 1 (OpenMage) store over SOAP v2, as real stores answer: the real WSDL, "
        "RPC/encoded answers, faults with HTTP 200. Deterministic data for a seed. Runs until SIGTERM/SIGINT."
    )
    # The simulator needs neither the database nor the project's deployment checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, required=True, help="TCP port (0 picks a free one)")
        parser.add_argument("--host", default=DEFAULTS.host, help=f"address to bind (default {DEFAULTS.host})")
        parser.add_argument("--customers", type=int, default=DEFAULTS.customers, help="customers (default %(default)s)")
        parser.add_argument("--orders", type=int, default=DEFAULTS.orders, help="orders (default %(default)s)")
        parser.add_argument(
            "--carts",
            type=int,
            default=None,
            help="quotes besides the orders' converted ones: active, guest, anonymous, API-made and empty carts "
            "(default: half the orders)",
        )
        parser.add_argument("--seed", type=int, default=DEFAULTS.seed, help="data seed (default %(default)s)")
        parser.add_argument(
            "--mode",
            choices=("bridge", "native"),
            default=DEFAULTS.mode,
            help="bridge: OpenMage 20.0.14 + Oro bridge 1.2.19 (urn:Magento); "
            "native: OpenMage 20.0.20 without bridge (urn:OpenMage). Default %(default)s",
        )
        parser.add_argument("--api-user", default=DEFAULTS.api_user, help="SOAP API user (default %(default)s)")
        parser.add_argument("--api-key", default=DEFAULTS.api_key, help="SOAP API key (default %(default)s)")
        parser.add_argument(
            "--page-size-cap",
            type=int,
            default=0,
            help="answer bridge pages with at most this many records whatever pageSize asks (default 0: no cap)",
        )
        parser.add_argument("--latency", type=int, default=0, help="milliseconds to wait before every SOAP answer")
        parser.add_argument(
            "--fault-rate",
            type=float,
            default=0.0,
            help="share of SOAP calls answered HTTP 500/502/503/504 with an HTML page or a dropped connection",
        )
        parser.add_argument(
            "--not-xml-rate",
            type=float,
            default=0.0,
            help="share of SOAP calls answered HTTP 200 with a PHP error page",
        )
        parser.add_argument(
            "--expire-sessions",
            type=int,
            default=0,
            help="expire a session after this many calls with it (fault 5); default 0: never",
        )
        parser.add_argument(
            "--malformed",
            type=int,
            default=0,
            help="spoil this many customers and as many orders (null names, bad dates, odd emails, 10 KB names, "
            "unknown countries)",
        )

    def handle(self, *args, **options):
        if not 0 <= options["port"] <= 65535:
            raise CommandError("--port must be between 0 and 65535")
        for rate in ("fault_rate", "not_xml_rate"):
            if not 0.0 <= options[rate] <= 1.0:
                raise CommandError(f"--{rate.replace('_', '-')} must be between 0 and 1")
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        try:
            simulator = start_simulator(
                host=options["host"],
                port=options["port"],
                customers=options["customers"],
                orders=options["orders"],
                carts=options["carts"],
                seed=options["seed"],
                mode=options["mode"],
                api_user=options["api_user"],
                api_key=options["api_key"],
                page_size_cap=options["page_size_cap"],
                latency_ms=options["latency"],
                fault_rate=options["fault_rate"],
                not_xml_rate=options["not_xml_rate"],
                expire_sessions=options["expire_sessions"],
                malformed=options["malformed"],
            )
        except OSError as error:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {error}") from error
        self.stdout.write(f"Magento 1 simulator ({options['mode']}) listening on {simulator.wsdl_url}")
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            simulator.stop()
