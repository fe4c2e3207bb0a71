"""The HTTP side of the simulated OroCommerce: the back-office JSON:API under `<prefix>/api/`, the
OAuth2 token endpoint at the site root, `/_sim/*` control endpoints (not Oro's), seeded faults.

Every API call is authenticated (WSSE, or a Bearer token when OAuth2 is configured; both work
when both are). Faults (latency, HTML 5xx pages, dropped connections, PHP error pages) strike
before authentication, as a proxy or PHP in front of Oro would.
"""

import json
import logging
import threading
from collections import Counter
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs

from integrations.simulators.common import server as common
from integrations.simulators.common.faults import FaultInjector, FaultSettings
from integrations.simulators.common.http import base_url, json_response, read_body, respond

from . import generator, jsonapi
from .auth import AuthenticationFailed, OAuthServer, WsseAuthenticator
from .jsonapi import CONTENT_TYPE, ApiError
from .resources import TYPES
from .store import Store
from .writes import Writer

logger = logging.getLogger(__name__)

DEFAULT_API_KEY = "3f7d8a2c5b9e41d6a0c8f2e4b6d1a3c5e7f90b12"
_NOT_JSON_PAGE = (
    b"<br />\n<b>Fatal error</b>:  Allowed memory size of 536870912 bytes exhausted (tried to allocate 20480 bytes) "
    b"in <b>/var/www/oro/vendor/doctrine/orm/lib/Doctrine/ORM/UnitOfWork.php</b> on line <b>3013</b><br />\n"
)


@dataclass(frozen=True)
class SimulatorOptions:
    """Everything `start_simulator` and the `orocommerce_simulator` command accept."""

    host: str = "127.0.0.1"
    port: int = 0
    orders: int = 300
    customers: int = 40
    seed: int = 1
    api_user: str = "demo"
    api_key: str = DEFAULT_API_KEY  # empty: WSSE off
    oauth_client_id: str | None = None
    oauth_client_secret: str | None = None
    token_ttl: int = 3600
    latency_ms: int = 0
    fault_rate: float = 0.0
    not_json_rate: float = 0.0
    page_size_max: int = 1000  # 0: no cap; page[size]=-1 (all) is always allowed
    prefix: str = "/admin"
    now: datetime | None = None


@dataclass
class OroFaultSettings(FaultSettings):
    """The common fault modes and PHP error pages answered with HTTP 200."""

    not_json_rate: float = 0.0

    garbled_outcome: ClassVar[str] = "not_json"

    @property
    def garbled_rate(self) -> float:
        return self.not_json_rate


class SimulatorApp(common.SimulatorApp):
    """The WSGI application: one simulated OroCommerce back office."""

    def __init__(self, options: SimulatorOptions) -> None:
        if options.prefix and (not options.prefix.startswith("/") or options.prefix.endswith("/")):
            raise ValueError('prefix must start with "/" and not end with one (or be empty)')
        if bool(options.oauth_client_id) != bool(options.oauth_client_secret):
            raise ValueError("give both an OAuth client id and secret, or neither")
        if not options.api_key and not options.oauth_client_id:
            raise ValueError("configure WSSE (an API key) or OAuth2 (a client id and secret)")
        self.options = options
        resources = generator.generate(
            seed=options.seed, customers=options.customers, orders=options.orders, now=options.now
        )
        self.store = Store(resources, options.seed)
        self.writer = Writer(self.store)
        self.faults = FaultInjector(
            OroFaultSettings(options.latency_ms, options.fault_rate, options.not_json_rate), options.seed
        )
        self.wsse = WsseAuthenticator(options.api_user, options.api_key) if options.api_key else None
        self.oauth = (
            OAuthServer(options.oauth_client_id, options.oauth_client_secret, options.token_ttl)
            if options.oauth_client_id and options.oauth_client_secret
            else None
        )
        self.calls: Counter[str] = Counter()
        self._calls_lock = threading.Lock()
        self.api_root = f"{options.prefix}/api/"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ.get("PATH_INFO", "/")
        body = read_body(environ)
        if path.startswith("/_sim/"):
            return self.control(environ, body, start_response)
        faulted = self.faults.intercept(environ, start_response, _NOT_JSON_PAGE)
        if faulted is not None:
            return faulted
        if path.rstrip("/") == "/oauth2-token":
            return self._token(environ, body, start_response)
        if not path.startswith(self.api_root):
            return respond(start_response, 404, b"<h1>404 Not Found</h1>", "text/html; charset=UTF-8")
        try:
            self._authenticate(environ)
            # Answers hold the store's own dicts: they are encoded before another request may write.
            with self.store.lock:
                status, document, headers = self._api(environ, path[len(self.api_root) :], body)
                payload = b"" if document is None else json.dumps(document).encode()
        except AuthenticationFailed as failure:
            challenge = (
                'Bearer realm="OAuth2"'
                if failure.scheme == "Bearer"
                else 'WSSE realm="Secured API", profile="UsernameToken"'
            )
            document = {"errors": [{"status": "401", "title": "authentication exception", "detail": failure.detail}]}
            return json_response(start_response, 401, document, CONTENT_TYPE, [("WWW-Authenticate", challenge)])
        except ApiError as error:
            return json_response(start_response, error.status, error.document(), CONTENT_TYPE, error.headers)
        except Exception:
            # A bug of the simulator answers as Oro's own failures do, and leaves a trace in the log.
            logger.exception("the simulated OroCommerce failed on %s %s", environ["REQUEST_METHOD"], path)
            document = {"errors": [{"status": "500", "title": "unexpected error", "detail": "Internal Server Error"}]}
            return json_response(start_response, 500, document, CONTENT_TYPE)
        return respond(start_response, status, payload, CONTENT_TYPE, headers)

    def _token(self, environ: dict[str, Any], body: bytes, start_response: Any) -> list[bytes]:
        if environ["REQUEST_METHOD"] != "POST" or self.oauth is None:
            return json_response(start_response, 404 if self.oauth is None else 405, {"error": "not_found"})
        content_type = environ.get("CONTENT_TYPE", "")
        try:
            if "json" in content_type:
                request = json.loads(body or b"{}")
            else:
                request = {key: values[-1] for key, values in parse_qs(body.decode()).items()}
        except (ValueError, UnicodeDecodeError):
            request = {}
        if not isinstance(request, dict):
            request = {}
        self._count_call("POST oauth2-token")
        status, answer = self.oauth.token(request)
        return json_response(start_response, status, answer)

    def _count_call(self, name: str) -> None:
        with self._calls_lock:
            self.calls[name] += 1

    def _authenticate(self, environ: dict[str, Any]) -> None:
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        if authorization.startswith("Bearer") and self.oauth is not None:
            self.oauth.check(authorization)
            return
        if self.wsse is not None and (authorization.startswith("WSSE") or "HTTP_X_WSSE" in environ):
            self.wsse.check(authorization, environ.get("HTTP_X_WSSE", ""))
            return
        if authorization.startswith("Bearer"):
            raise AuthenticationFailed("The access token is invalid or has expired.", scheme="Bearer")
        raise AuthenticationFailed("Full authentication is required to access this resource.")

    def _api(
        self, environ: dict[str, Any], route: str, body: bytes
    ) -> tuple[int, dict[str, Any] | None, list[tuple[str, str]]]:
        method = environ["REQUEST_METHOD"]
        parts = [part for part in route.split("/") if part]
        if not parts or len(parts) > 2:
            raise ApiError(404, "resource not accessible exception", "The resource is not accessible.")
        resource = TYPES.get(parts[0])
        if resource is None:
            raise ApiError(404, "resource not accessible exception", "The resource is not accessible.")
        self._count_call(f"{method} {resource.name}")
        allowed = set(resource.methods)
        if method not in allowed or (method == "POST" and len(parts) == 2) or (method == "PATCH" and len(parts) == 1):
            error = ApiError(405, "method not allowed http exception", f'The "{method}" method is not allowed.')
            error.headers = [("Allow", ", ".join(sorted(allowed)))]
            raise error
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        include_total = "totalcount" in environ.get("HTTP_X_INCLUDE", "").lower().replace(" ", "")
        hateoas = "nohateoas" not in environ.get("HTTP_X_INCLUDE", "").lower()
        url = f"{base_url(environ)}{self.api_root}{resource.name}"
        document: dict[str, Any] = {}
        if method in ("POST", "PATCH"):
            content_type = environ.get("CONTENT_TYPE", "")
            if not content_type.startswith(CONTENT_TYPE):
                raise ApiError(
                    415, "unsupported media type http exception", f'The media type "{content_type}" is not supported.'
                )
            document = _document(body)
        with self.store.lock:
            if method == "GET" and len(parts) == 1:
                return self._list(resource, query, url, include_total, hateoas)
            if method == "GET":
                item = self.store.get(resource.name, parts[1])
                if item is None:
                    raise jsonapi.not_found()
                parsed = jsonapi.parse_query(resource, _only(query, "include", "fields["), 0)
                answer: dict[str, Any] = {"data": jsonapi.serialize(item, parsed.fields)}
                if parsed.include:
                    answer["included"] = jsonapi.included(self.store, [item], parsed.include, parsed.fields)
                return 200, answer, []
            if method == "POST":
                return 201, self.writer.create(resource, document), []
            if method == "PATCH":
                return 200, self.writer.update(resource, parts[1], document), []
            if len(parts) == 2:
                self.writer.delete(resource, [parts[1]])
                return 204, None, []
            parsed = jsonapi.parse_query(resource, _only(query, "filter["), 0)
            if not parsed.conditions:
                raise jsonapi.filter_error("filter", "At least one filter must be provided.")
            ids = [item["id"] for item in jsonapi.select(self.store, resource, parsed)]
            self.writer.delete(resource, ids)
            return 204, None, [("X-Include-Deleted-Count", str(len(ids)))]

    def _list(
        self, resource: Any, query: dict[str, list[str]], url: str, include_total: bool, hateoas: bool
    ) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        parsed = jsonapi.parse_query(resource, query, self.options.page_size_max)
        items = jsonapi.select(self.store, resource, parsed)
        page = jsonapi.page_of(items, parsed)
        answer: dict[str, Any] = {"data": [jsonapi.serialize(item, parsed.fields) for item in page]}
        if parsed.include:
            answer["included"] = jsonapi.included(self.store, page, parsed.include, parsed.fields)
        if hateoas:
            answer["links"] = jsonapi.list_links(url, query, parsed, len(items))
        headers = [("X-Include-Total-Count", str(len(items)))] if include_total else []
        return 200, answer, headers

    def control_touch(self, payload: dict[str, Any]) -> dict[str, Any]:
        entity = payload.get("entity")
        if entity not in TYPES:
            raise ValueError(f"entity must be one of {', '.join(sorted(TYPES))}")
        ids, updated_at = self.store.touch(entity, count=payload.get("count"), ids=payload.get("ids"))
        return {"entity": entity, "ids": ids, "updated_at": updated_at}

    def control_delete(self, payload: dict[str, Any]) -> dict[str, Any]:
        entity = payload.get("entity")
        if entity not in TYPES:
            raise ValueError(f"entity must be one of {', '.join(sorted(TYPES))}")
        ids = [str(id_) for id_ in payload.get("ids") or []]
        with self.store.lock:
            ids = [id_ for id_ in ids if self.store.get(entity, id_) is not None]
            self.writer.delete(TYPES[entity], ids)
        return {"entity": entity, "ids": ids}

    def control_routes(self) -> dict[str, common.ControlRoute]:
        return {"records": self._records}

    def _records(self, method: str, query: dict[str, list[str]], payload: dict[str, Any]) -> list[dict[str, Any]]:
        type_ = (query.get("type") or [""])[-1]
        if type_ not in TYPES:
            raise ValueError(f"type must be one of {', '.join(sorted(TYPES))}")
        with self.store.lock:
            return json.loads(json.dumps(self.store.all(type_)))

    def stats(self) -> dict[str, Any]:
        with self.store.lock:
            counts = self.store.counts()
        return {
            "seed": self.options.seed,
            "prefix": self.options.prefix,
            "counts": counts,
            "calls": dict(sorted(self.calls.items())),
            "faults": asdict(self.faults.settings),
            "injected": dict(self.faults.injected),
            "wsse": {
                "nonces": len(self.wsse.nonces),
                "refused": self.wsse.refused,
                "replays": self.wsse.replays,
            }
            if self.wsse
            else None,
            "oauth": {"issued": self.oauth.issued, "refused": self.oauth.refused} if self.oauth else None,
        }


def _only(query: dict[str, list[str]], *prefixes: str) -> dict[str, list[str]]:
    return {key: values for key, values in query.items() if key.startswith(prefixes)}


def _document(body: bytes) -> dict[str, Any]:
    if not body:
        raise ApiError(400, "request data constraint", "The request data should not be empty.")
    try:
        document = json.loads(body)
    except ValueError as error:
        raise ApiError(400, "request data constraint", f"The request data is not valid JSON: {error}.") from error
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        raise ApiError(400, "request data constraint", "The primary data object should exist.", {"pointer": "/data"})
    return document


class RunningSimulator(common.RunningSimulator):
    """An OroCommerce simulator serving in a background thread."""

    app: SimulatorApp

    @property
    def admin_url(self) -> str:
        """The back-office URL a client is configured with (its API is at `<admin_url>/api/`)."""
        return f"{self.url}{self.app.options.prefix}"

    @property
    def store(self) -> Store:
        return self.app.store

    @property
    def options(self) -> SimulatorOptions:
        return self.app.options


def start_simulator(options: SimulatorOptions | None = None, **overrides: Any) -> RunningSimulator:
    """Generate a store and serve it in a background thread (port 0 picks a free port)."""
    options = replace(options or SimulatorOptions(), **overrides)
    app = SimulatorApp(options)
    return RunningSimulator(app, common.serve(app, options.host, options.port), name="orocommerce-simulator")
