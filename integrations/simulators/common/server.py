"""A threaded HTTP/1.1 keep-alive WSGI server, the base of a simulator's WSGI app (its `/_sim/*`
control routes) and a handle on a simulator serving in a background thread.

Clients reuse connections; a connection per call would make the simulator, not the client, the
bottleneck of a benchmark.
"""

import json
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import asdict, fields, replace
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from .faults import FaultInjector, FaultSettings
from .http import json_response

logger = logging.getLogger(__name__)

ControlRoute = Callable[[str, dict[str, list[str]], dict[str, Any]], Any]


class SimulatorApp:
    """The control side every simulator's WSGI app shares: `/_sim/stats|touch|delete|faults`.

    A subclass sets `faults` (a `FaultInjector`) and supplies `stats()`, `control_touch(payload)`,
    `control_delete(payload)`; `control_routes()` may add routes of its own.
    """

    faults: FaultInjector

    def stats(self) -> dict[str, Any]:
        raise NotImplementedError

    def control_touch(self, payload: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def control_delete(self, payload: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def control_routes(self) -> dict[str, ControlRoute]:
        """Extra `/_sim/<name>` routes: name -> f(method, query, payload) returning a JSON value."""
        return {}

    def configure_faults(self, **changes: Any) -> FaultSettings:
        """Change fault modes at run time (the fields of this simulator's fault settings)."""
        settings = self.faults.settings
        unknown = set(changes) - {setting.name for setting in fields(settings)}
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        settings = replace(settings, **{name: _number(value) for name, value in changes.items()})
        self.faults.settings = settings
        self.faults_changed(settings)
        return settings

    def faults_changed(self, settings: FaultSettings) -> None:
        """A hook for settings that live outside the injector (Magento's session expiry)."""

    def control(self, environ: dict[str, Any], body: bytes, start_response: Any) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        try:
            payload = json.loads(body or b"{}") if method == "POST" else {}
            if not isinstance(payload, dict):
                raise ValueError("the body must be a JSON object")
            if path == "/_sim/stats":
                return json_response(start_response, 200, self.stats())
            if path == "/_sim/touch" and method == "POST":
                return json_response(start_response, 200, self.control_touch(payload))
            if path == "/_sim/delete" and method == "POST":
                return json_response(start_response, 200, self.control_delete(payload))
            if path == "/_sim/faults":
                if method == "POST":
                    self.configure_faults(**payload)
                return json_response(start_response, 200, asdict(self.faults.settings))
            route = self.control_routes().get(path.removeprefix("/_sim/"))
            if route is not None:
                return json_response(start_response, 200, route(method, query, payload))
        except (ValueError, TypeError, KeyError) as error:
            return json_response(start_response, 400, {"error": str(error)})
        return json_response(start_response, 404, {"error": f"no control endpoint {method} {path}"})


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"fault settings are numbers, not {value!r}")
    return value


class _ServerHandler(ServerHandler):
    http_version = "1.1"
    server_software = "Apache"


class _RequestHandler(WSGIRequestHandler):
    """wsgiref's handler, kept open for further requests on the same connection."""

    protocol_version = "HTTP/1.1"
    # An idle keep-alive connection is closed after this many seconds.
    timeout = 30
    # wsgiref writes the headers and the body apart: with Nagle's algorithm on, a small answer
    # then waits for the client's delayed ACK, 40 ms a call, which no real store costs.
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


class ThreadingServer(ThreadingMixIn, WSGIServer):
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

    def __init__(self, app: Any, server: ThreadingServer, name: str = "simulator") -> None:
        self.app = app
        self._server = server
        # A short poll interval makes stop() quick; the loop costs nothing noticeable while idle.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
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
    def store(self) -> Any:
        return self.app.store

    @property
    def options(self) -> Any:
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


def serve(app: Any, host: str, port: int) -> ThreadingServer:
    """A server bound to (host, port) (port 0 picks a free one) for this WSGI app, not yet serving."""
    server = ThreadingServer((host, port))
    server.set_app(app)
    return server
