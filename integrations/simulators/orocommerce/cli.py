"""The command-line options of the OroCommerce simulator, shared by `manage.py orocommerce_simulator`
and `python -m integrations.simulators.orocommerce`."""

import argparse
import signal
import threading
from typing import Any

from .server import SimulatorOptions, start_simulator

DEFAULTS = SimulatorOptions()
DESCRIPTION = (
    "Serve a simulated OroCommerce back office over its JSON:API (WSSE and/or OAuth2 client credentials), "
    "as real stores answer: Oro's filters, paging, include, errors. Deterministic data for a seed. "
    "Runs until SIGTERM/SIGINT."
)


class OptionError(ValueError):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, required=True, help="TCP port (0 picks a free one)")
    parser.add_argument("--host", default=DEFAULTS.host, help=f"address to bind (default {DEFAULTS.host})")
    parser.add_argument("--orders", type=int, default=DEFAULTS.orders, help="orders (default %(default)s)")
    parser.add_argument("--customers", type=int, default=DEFAULTS.customers, help="customers (default %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULTS.seed, help="data seed (default %(default)s)")
    parser.add_argument("--api-user", default=DEFAULTS.api_user, help="WSSE user name (default %(default)s)")
    parser.add_argument(
        "--api-key", default=DEFAULTS.api_key, help="WSSE API key (default %(default)s; empty: WSSE off)"
    )
    parser.add_argument("--oauth-client-id", default=None, help="OAuth2 client id (with a secret: OAuth2 on)")
    parser.add_argument("--oauth-client-secret", default=None, help="OAuth2 client secret")
    parser.add_argument(
        "--token-ttl", type=int, default=DEFAULTS.token_ttl, help="OAuth2 token lifetime, seconds (default %(default)s)"
    )
    parser.add_argument("--latency", type=int, default=0, help="milliseconds to wait before every answer")
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="share of calls answered HTTP 500/502/503/504 with an HTML page or a dropped connection",
    )
    parser.add_argument(
        "--not-json-rate", type=float, default=0.0, help="share of calls answered HTTP 200 with a PHP error page"
    )
    parser.add_argument(
        "--page-size-max",
        type=int,
        default=DEFAULTS.page_size_max,
        help="refuse page[size] above this (default %(default)s; 0: no cap; -1, all, is always allowed)",
    )
    parser.add_argument(
        "--prefix", default=DEFAULTS.prefix, help="the back-office path the API lives under (default %(default)s)"
    )


def options_from(values: dict[str, Any]) -> SimulatorOptions:
    """Simulator options from parsed arguments (a dict of argparse's dests)."""
    if not 0 <= values["port"] <= 65535:
        raise OptionError("--port must be between 0 and 65535")
    for rate in ("fault_rate", "not_json_rate"):
        if not 0.0 <= values[rate] <= 1.0:
            raise OptionError(f"--{rate.replace('_', '-')} must be between 0 and 1")
    if values["token_ttl"] < 1:
        raise OptionError("--token-ttl must be at least 1 second")
    return SimulatorOptions(
        host=values["host"],
        port=values["port"],
        orders=values["orders"],
        customers=values["customers"],
        seed=values["seed"],
        api_user=values["api_user"],
        api_key=values["api_key"],
        oauth_client_id=values["oauth_client_id"],
        oauth_client_secret=values["oauth_client_secret"],
        token_ttl=values["token_ttl"],
        latency_ms=values["latency"],
        fault_rate=values["fault_rate"],
        not_json_rate=values["not_json_rate"],
        page_size_max=values["page_size_max"],
        prefix=values["prefix"].rstrip("/"),
    )


def serve_until_stopped(options: SimulatorOptions, write: Any) -> None:
    """Start the simulator, say where it listens, serve until SIGTERM or SIGINT."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    simulator = start_simulator(options)
    auth = [name for name, on in (("WSSE", options.api_key), ("OAuth2", options.oauth_client_id)) if on]
    write(f"OroCommerce simulator ({' + '.join(auth)}) listening on {simulator.admin_url}/api/")
    try:
        stop.wait()
    finally:
        simulator.stop()
