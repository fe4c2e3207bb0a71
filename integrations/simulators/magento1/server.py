"""The HTTP side of the simulator: routes, fault modes, control endpoints, a threaded server.

Paths are a real store's: the WSDL at `/api/v2_soap/?wsdl=1` (and its `index.php` and
`index/` spellings), calls at `/api.php?type=v2_soap` or any of those paths. Faults are HTTP 200
like Magento's. `/_sim/...` are JSON endpoints for tests and benchmarks, not Magento's.
With `wsi`, the store has WS-I compliance on: it serves its document/literal WSDL and reads and
answers calls in that style (soap.py), faults unchanged.

The server speaks HTTP/1.1 with keep-alive (SOAP clients reuse connections; a connection per
call would make the simulator, not the client, the bottleneck of a benchmark).
"""

import json
import logging
import random
import socket
import threading
import time
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from email.utils import formatdate
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from . import generator, wsdl
from .operations import Operations, Sessions
from .reference import REGION_TABLE
from .soap import SoapFault, fault_document, parse_request
from .store import ENTITIES, Store

logger = logging.getLogger(__name__)

_XML = "text/xml; charset=UTF-8"
SOAP_PATHS = ("/api/v2_soap", "/api/v2_soap/index", "/api.php")
HTTP_ERRORS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_NOT_XML_PAGE = (
    b"<br />\n<b>Fatal error</b>:  Allowed memory size of 268435456 bytes exhausted (tried to allocate 72 bytes) "
    b"in <b>/var/www/html/lib/Varien/Db/Statement/Pdo/Mysql.php</b> on line <b>110</b><br />\n"
)


@dataclass(frozen=True)
class SimulatorOptions:
    """Everything `start_simulator` and the `magento_simulator` command accept."""

    host: str = "127.0.0.1"
    port: int = 0
    customers: int = 200
    orders: int = 800
    carts: int | None = None  # quotes besides the orders' own; None: half the orders
    seed: int = 1
    mode: str = "bridge"
    wsi: bool = False
    api_user: str = "demo"
    api_key: str = "demo-key-123"
    page_size_cap: int = 0
    latency_ms: int = 0
    fault_rate: float = 0.0
    not_xml_rate: float = 0.0
    expire_sessions: int = 0
    malformed: int = 0
    now: datetime | None = None


@dataclass
class FaultSettings:
    """Resilience fault modes; changeable at run time through `POST /_sim/faults`."""

    latency_ms: int = 0
    fault_rate: float = 0.0
    not_xml_rate: float = 0.0
    expire_sessions: int = 0


class FaultInjector:
    """Decides, per SOAP call, whether the call fails before it reaches Magento.

    Draws come from one generator seeded from the store seed, in call order: a given sequence
    of calls meets the same failures on every run.
    """

    OUTCOMES = (500, 502, 503, 504, "drop")

    def __init__(self, settings: FaultSettings, seed: int) -> None:
        self.settings = settings
        self.injected: dict[str, int] = {}
        self._rng = random.Random(seed * 2_750_159 + 19)
        self._lock = threading.Lock()

    def decide(self) -> int | str | None:
        """An HTTP status for an HTML error page, "drop", "not_xml", or None to answer normally."""
        with self._lock:
            roll = self._rng.random()
            outcome: int | str | None = None
            if roll < self.settings.fault_rate:
                outcome = self.OUTCOMES[int(self._rng.random() * len(self.OUTCOMES))]
            elif roll < self.settings.fault_rate + self.settings.not_xml_rate:
                outcome = "not_xml"
            if outcome is not None:
                self.injected[str(outcome)] = self.injected.get(str(outcome), 0) + 1
            return outcome


class SimulatorApp:
    """The WSGI application: one simulated store in one mode."""

    def __init__(self, options: SimulatorOptions) -> None:
        if options.mode not in wsdl.MODES:
            raise ValueError(f"mode must be one of {', '.join(wsdl.MODES)}")
        self.options = options
        self.model = wsdl.load(options.mode, options.wsi)
        dataset = generator.generate(
            seed=options.seed,
            customers=options.customers,
            orders=options.orders,
            carts=options.carts,
            malformed=options.malformed,
            now=options.now,
        )
        self.store = Store(dataset)
        self.faults = FaultInjector(
            FaultSettings(options.latency_ms, options.fault_rate, options.not_xml_rate, options.expire_sessions),
            options.seed,
        )
        self.sessions = Sessions(options.api_user, options.api_key, options.expire_sessions)
        self.operations = Operations(self.store, self.model, self.sessions, options.page_size_cap)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/")
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        body = _read_body(environ)
        if path.startswith("/_sim/"):
            return self._control(method, path, body, start_response)
        route = path.removeprefix("/index.php").rstrip("/") or "/"
        if route not in SOAP_PATHS or (route == "/api.php" and query.get("type", ["v2_soap"])[0] != "v2_soap"):
            return _respond(start_response, 404, b"<h1>404 Not Found</h1>", "text/html; charset=UTF-8")
        base_url = _base_url(environ)
        if method == "GET" and "wsdl" in query:
            document = self.model.document(f"{base_url}/api.php?type=v2_soap")
            return _respond(start_response, 200, document, _XML)
        if method != "POST":
            return _respond(start_response, 200, fault_document("SOAP-ENV:Client", "Bad Request"))
        return self._soap(environ, body, base_url, start_response)

    def _soap(self, environ: dict[str, Any], body: bytes, base_url: str, start_response: Any) -> list[bytes]:
        settings = self.faults.settings
        if settings.latency_ms:
            time.sleep(settings.latency_ms / 1000)
        outcome = self.faults.decide()
        if outcome == "drop":
            close = environ.get("simulator.close_connection")
            if close is not None:
                close()
            # wsgiref gives up the request without writing a response on this exception.
            raise ConnectionAbortedError("simulated connection drop")
        if outcome == "not_xml":
            return _respond(start_response, 200, _NOT_XML_PAGE, "text/html; charset=UTF-8")
        if isinstance(outcome, int):
            title = f"{outcome} {HTTP_ERRORS[outcome]}".encode()
            page = b"<html><head><title>%s</title></head><body><center><h1>%s</h1></center><hr><center>nginx</center>"
            return _respond(start_response, outcome, page % (title, title) + b"</body></html>\n", "text/html")
        try:
            document = self.operations.call(parse_request(body, self.model), base_url)
        except SoapFault as fault:
            document = fault_document(fault.code, fault.message)
        return _respond(start_response, 200, document)

    def _control(self, method: str, path: str, body: bytes, start_response: Any) -> list[bytes]:
        try:
            payload = json.loads(body or b"{}") if method == "POST" else {}
            if not isinstance(payload, dict):
                raise ValueError("the body must be a JSON object")
            if path == "/_sim/stats":
                return _json(start_response, 200, self.stats())
            if path == "/_sim/touch" and method == "POST":
                entity = payload.get("entity")
                ids, updated_at = self.store.touch(entity, count=payload.get("count"), ids=payload.get("ids"))
                return _json(start_response, 200, {"entity": entity, "ids": ids, "updated_at": updated_at})
            if path == "/_sim/delete" and method == "POST":
                entity = payload.get("entity")
                ids = self.store.delete(entity, payload.get("ids") or [])
                return _json(start_response, 200, {"entity": entity, "ids": ids})
            if path == "/_sim/faults":
                if method == "POST":
                    self.configure_faults(**payload)
                return _json(start_response, 200, asdict(self.faults.settings))
        except (ValueError, TypeError) as error:
            return _json(start_response, 400, {"error": str(error)})
        return _json(start_response, 404, {"error": f"no control endpoint {method} {path}"})

    def configure_faults(self, **changes: Any) -> FaultSettings:
        """Change fault modes at run time (`latency_ms`, `fault_rate`, `not_xml_rate`, `expire_sessions`)."""
        unknown = set(changes) - {setting.name for setting in fields(FaultSettings)}
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        settings = replace(self.faults.settings, **{name: _number(value) for name, value in changes.items()})
        self.faults.settings = settings
        self.sessions.expire_after = settings.expire_sessions
        return settings

    def stats(self) -> dict[str, Any]:
        return {
            "mode": self.options.mode,
            "wsi": self.options.wsi,
            "seed": self.options.seed,
            **{entity: self.store.count(entity) for entity in ENTITIES},
            "regions": len(REGION_TABLE),
            "calls": dict(self.operations.calls),
            "sessions": len(self.sessions),
            "faults": asdict(self.faults.settings),
            "injected": dict(self.faults.injected),
        }


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"fault settings are numbers, not {value!r}")
    return value


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _base_url(environ: dict[str, Any]) -> str:
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"http://{host}"


def _respond(
    start_response: Any, status: int, body: bytes, content_type: str = "text/xml; charset=UTF-8"
) -> list[bytes]:
    reason = HTTP_ERRORS.get(status) or {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "OK")
    start_response(
        f"{status} {reason}",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Date", formatdate(usegmt=True)),
        ],
    )
    return [body]


def _json(start_response: Any, status: int, payload: dict[str, Any]) -> list[bytes]:
    return _respond(start_response, status, json.dumps(payload).encode(), "application/json")


class _ServerHandler(ServerHandler):
    http_version = "1.1"
    server_software = "Apache"


class _RequestHandler(WSGIRequestHandler):
    """wsgiref's handler, kept open for further requests on the same connection."""

    protocol_version = "HTTP/1.1"
    # An idle keep-alive connection is closed after this many seconds.
    timeout = 30
    # wsgiref writes the headers and the body apart: with Nagle's algorithm on, a small answer (one
    # memo's Info) then waits for the client's delayed ACK, 40 ms a call, which no real store costs.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        self.server.track(self.connection, False)
        super().finish()

    def handle(self) -> None:
        self.close_connection = True
        self._handle_one()
        while not self.close_connection:
            self._handle_one()

    def _handle_one(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except OSError:
            self.close_connection = True
            return
        if not self.raw_requestline or len(self.raw_requestline) > 65536:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        environ = self.get_environ()
        environ["simulator.close_connection"] = self._close_after_request
        handler = _ServerHandler(self.rfile, self.wfile, self.get_stderr(), environ, multithread=True)
        handler.request_handler = self
        handler.run(self.server.get_app())

    def _close_after_request(self) -> None:
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _RequestHandler)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.exception("simulator request from %s failed", client_address)


class RunningSimulator:
    """A simulator serving in a background thread; stop it with `stop()` or a `with` block."""

    def __init__(self, app: SimulatorApp, server: _ThreadingServer) -> None:
        self.app = app
        self._server = server
        # A short poll interval makes stop() quick; the loop costs nothing noticeable while idle.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="magento1-simulator", daemon=True
        )
        self._thread.start()

    @property
    def host(self) -> str:
        host = self._server.server_address[0]
        return "127.0.0.1" if host in ("0.0.0.0", "") else host

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def wsdl_url(self) -> str:
        return f"{self.url}/api/v2_soap/?wsdl=1"

    @property
    def store(self) -> Store:
        return self.app.store

    @property
    def options(self) -> SimulatorOptions:
        return self.app.options

    def stop(self) -> None:
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "RunningSimulator":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_simulator(options: SimulatorOptions | None = None, **overrides: Any) -> RunningSimulator:
    """Generate a store and serve it in a background thread (port 0 picks a free port).

    `start_simulator(customers=50, orders=120, mode="native")` is `SimulatorOptions` with those
    fields changed.
    """
    options = replace(options or SimulatorOptions(), **overrides)
    app = SimulatorApp(options)
    server = _ThreadingServer((options.host, options.port))
    server.set_app(app)
    return RunningSimulator(app, server)
