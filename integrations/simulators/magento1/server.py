"""The HTTP side of the simulator: routes, fault modes, control endpoints, a threaded server.

Paths are a real store's: the WSDL at `/api/v2_soap/?wsdl=1` (and its `index.php` and
`index/` spellings), calls at `/api.php?type=v2_soap` or any of those paths. Faults are HTTP 200
like Magento's. `/_sim/...` are JSON endpoints for tests and benchmarks, not Magento's.
With `wsi`, the store has WS-I compliance on: it serves its document/literal WSDL and reads and
answers calls in that style (soap.py), faults unchanged.

The server (the simulators' common one) speaks HTTP/1.1 with keep-alive.
"""

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs

from integrations.simulators.common import server as common
from integrations.simulators.common.faults import FaultInjector, FaultSettings
from integrations.simulators.common.http import base_url, read_body, respond

from . import generator, wsdl
from .operations import Operations, Sessions
from .reference import REGION_TABLE
from .soap import SoapFault, fault_document, parse_request
from .store import ENTITIES, Store

_XML = "text/xml; charset=UTF-8"
SOAP_PATHS = ("/api/v2_soap", "/api/v2_soap/index", "/api.php")
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
class MagentoFaultSettings(FaultSettings):
    """The common fault modes, PHP error pages with HTTP 200, and sessions that expire."""

    not_xml_rate: float = 0.0
    expire_sessions: int = 0

    garbled_outcome: ClassVar[str] = "not_xml"

    @property
    def garbled_rate(self) -> float:
        return self.not_xml_rate


class SimulatorApp(common.SimulatorApp):
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
            MagentoFaultSettings(options.latency_ms, options.fault_rate, options.not_xml_rate, options.expire_sessions),
            options.seed,
        )
        self.sessions = Sessions(options.api_user, options.api_key, options.expire_sessions)
        self.operations = Operations(self.store, self.model, self.sessions, options.page_size_cap)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/")
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        body = read_body(environ)
        if path.startswith("/_sim/"):
            return self.control(environ, body, start_response)
        route = path.removeprefix("/index.php").rstrip("/") or "/"
        if route not in SOAP_PATHS or (route == "/api.php" and query.get("type", ["v2_soap"])[0] != "v2_soap"):
            return respond(start_response, 404, b"<h1>404 Not Found</h1>", "text/html; charset=UTF-8")
        url = base_url(environ)
        if method == "GET" and "wsdl" in query:
            document = self.model.document(f"{url}/api.php?type=v2_soap")
            return respond(start_response, 200, document, _XML)
        if method != "POST":
            return respond(start_response, 200, fault_document("SOAP-ENV:Client", "Bad Request"))
        return self._soap(environ, body, url, start_response)

    def _soap(self, environ: dict[str, Any], body: bytes, url: str, start_response: Any) -> list[bytes]:
        # Faults are HTTP errors or pages, Magento's own SOAP faults come with HTTP 200 below.
        faulted = self.faults.intercept(environ, start_response, _NOT_XML_PAGE)
        if faulted is not None:
            return faulted
        try:
            document = self.operations.call(parse_request(body, self.model), url)
        except SoapFault as fault:
            document = fault_document(fault.code, fault.message)
        return respond(start_response, 200, document)

    def control_touch(self, payload: dict[str, Any]) -> dict[str, Any]:
        entity = payload.get("entity")
        ids, updated_at = self.store.touch(entity, count=payload.get("count"), ids=payload.get("ids"))
        return {"entity": entity, "ids": ids, "updated_at": updated_at}

    def control_delete(self, payload: dict[str, Any]) -> dict[str, Any]:
        entity = payload.get("entity")
        return {"entity": entity, "ids": self.store.delete(entity, payload.get("ids") or [])}

    def faults_changed(self, settings: FaultSettings) -> None:
        assert isinstance(settings, MagentoFaultSettings)
        self.sessions.expire_after = settings.expire_sessions

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


class RunningSimulator(common.RunningSimulator):
    """A Magento simulator serving in a background thread; stop it with `stop()` or a `with` block."""

    app: SimulatorApp

    @property
    def wsdl_url(self) -> str:
        return f"{self.url}/api/v2_soap/?wsdl=1"

    @property
    def store(self) -> Store:
        return self.app.store

    @property
    def options(self) -> SimulatorOptions:
        return self.app.options


def start_simulator(options: SimulatorOptions | None = None, **overrides: Any) -> RunningSimulator:
    """Generate a store and serve it in a background thread (port 0 picks a free port).

    `start_simulator(customers=50, orders=120, mode="native")` is `SimulatorOptions` with those
    fields changed.
    """
    options = replace(options or SimulatorOptions(), **overrides)
    app = SimulatorApp(options)
    return RunningSimulator(app, common.serve(app, options.host, options.port), name="magento1-simulator")
