"""A JSON:API client (https://jsonapi.org) on the shared HTTP layer.

Documents go both ways as `application/vnd.api+json`. What the HTTP layer does is not done again
here (origins, size cap, deadline, redirects, classified errors, the server's clock); this module
adds what JSON:API says: the document's parts, the `errors` list read into the error raised (the
remote system's own title, detail and source, which the admin sees), paging by page number, and
pluggable authentication whose headers are made afresh for every request (a WSSE nonce may be used
only once, so a retried request must not resend the headers of the first try).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from integrations.engine.errors import AccessDenied, NotSupported, RemoteError, TransientError
from integrations.engine.retry import DEFAULT_DELAYS, with_retries
from integrations.transports.http import (
    DEFAULT_CALL_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES,
    DENIED_STATUSES,
    TRANSIENT_STATUSES,
    HttpClient,
)

MEDIA_TYPE = "application/vnd.api+json"
# Several values of one header are separated by commas, but a JSON:API server answers the first only.
TOTAL_COUNT = "X-Include-Total-Count"
DELETED_COUNT = "X-Include-Deleted-Count"


class Auth(Protocol):
    """How requests prove who sends them."""

    def headers(self) -> dict[str, str]:
        """The headers of one request (called for every request, retries included)."""

    def renew(self) -> bool:
        """Called once when a request was refused (401): True if the credentials were renewed and the
        request is worth sending once more (a new OAuth token), False if not (a WSSE key is what it is)."""


class NoAuth:
    """For a server that asks for nothing."""

    def headers(self) -> dict[str, str]:
        return {}

    def renew(self) -> bool:
        return False


# -- documents --------------------------------------------------------------------------------------


def related(resource: dict[str, Any] | None, name: str) -> Any:
    """The linkage of one relationship of a resource: {type, id}, a list of them, or None."""
    if not resource:
        return None
    rel = (resource.get("relationships") or {}).get(name)
    return rel.get("data") if isinstance(rel, dict) else None


def related_id(resource: dict[str, Any] | None, name: str) -> str | None:
    """The id of a to-one relationship's target, or None (no relationship, or a null one)."""
    linkage = related(resource, name)
    if isinstance(linkage, dict) and linkage.get("id") is not None:
        return str(linkage["id"])
    return None


def related_ids(resource: dict[str, Any] | None, name: str) -> list[str]:
    """The ids of a to-many relationship's targets, in their order."""
    linkage = related(resource, name)
    if isinstance(linkage, list):
        return [str(item["id"]) for item in linkage if isinstance(item, dict) and item.get("id") is not None]
    return []


def attribute(resource: dict[str, Any] | None, name: str, default: Any = None) -> Any:
    if not resource:
        return default
    return (resource.get("attributes") or {}).get(name, default)


@dataclass
class Document:
    """A JSON:API document as answered, with the headers that came with it."""

    data: dict[str, Any] | list[dict[str, Any]] | None = None
    included: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    links: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200

    def __post_init__(self) -> None:
        self._index = {(str(r.get("type")), str(r.get("id"))): r for r in self.included if isinstance(r, dict)}

    @classmethod
    def parse(cls, body: Any, *, headers: dict[str, str] | None = None, status: int = 200) -> Document:
        body = body if isinstance(body, dict) else {}
        return cls(
            data=body.get("data"),
            included=[r for r in body.get("included") or [] if isinstance(r, dict)],
            meta=body.get("meta") or {},
            links=body.get("links") or {},
            headers=dict(headers or {}),
            status=status,
        )

    @property
    def resources(self) -> list[dict[str, Any]]:
        """`data` as a list: a collection, one resource, or nothing."""
        if isinstance(self.data, list):
            return [r for r in self.data if isinstance(r, dict)]
        return [self.data] if isinstance(self.data, dict) else []

    @property
    def total(self) -> int | None:
        """The collection's size, when asked for with `X-Include: totalCount`."""
        return _header_int(self.headers, TOTAL_COUNT)

    def included_of(self, type_: str, id_: str | None) -> dict[str, Any] | None:
        """The included resource of that type and id, or None."""
        if id_ is None:
            return None
        return self._index.get((type_, str(id_)))

    def included_related(self, resource: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
        """The included target of a to-one relationship of `resource`, or None."""
        linkage = related(resource, name)
        if not isinstance(linkage, dict):
            return None
        return self.included_of(str(linkage.get("type")), linkage.get("id"))

    def included_many(self, resource: dict[str, Any] | None, name: str) -> list[dict[str, Any]]:
        """The included targets of a to-many relationship of `resource` (those the document holds)."""
        linkage = related(resource, name)
        if not isinstance(linkage, list):
            return []
        found = (self.included_of(str(item.get("type")), item.get("id")) for item in linkage if isinstance(item, dict))
        return [r for r in found if r is not None]


def _header_int(headers: dict[str, str], name: str) -> int | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            text = str(value).split(",")[0].strip()
            return int(text) if text.isdigit() else None
    return None


# -- errors -----------------------------------------------------------------------------------------


class JsonApiError(RemoteError):
    """The remote system refused a request: its HTTP status and its `errors` (status, title, detail,
    source) as it sent them. str() says what was asked and the remote system's own words."""

    def __init__(self, message: str, *, status: int | None, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.status, self.errors = status, errors


class JsonApiAccessDenied(JsonApiError, AccessDenied):
    """401 or 403: the credentials are wrong, expired, or may not do this."""


class JsonApiNotFound(JsonApiError, NotSupported):
    """404: no such resource (or no such endpoint on this server)."""


class JsonApiTransientError(JsonApiError, TransientError):
    """5xx, 429, 408: worth asking again."""


def read_errors(body: Any) -> list[dict[str, Any]]:
    """The `errors` of an answer; an OAuth2 error ({"error", "error_description"}) read the same way."""
    if not isinstance(body, dict):
        return []
    errors = body.get("errors")
    if isinstance(errors, list):
        return [e for e in errors if isinstance(e, dict)]
    if isinstance(body.get("error"), str):
        detail = body.get("error_description") or body.get("message") or ""
        return [{"title": body["error"], "detail": str(detail)}]
    return []


def describe_errors(errors: list[dict[str, Any]]) -> str:
    """The remote system's words: "title: detail (source: /data/attributes/sku)", one per error."""
    said = []
    for error in errors:
        text = ": ".join(str(error[key]) for key in ("title", "detail") if error.get(key))
        source = error.get("source") if isinstance(error.get("source"), dict) else {}
        where = source.get("pointer") or source.get("parameter") or source.get("header")
        if where:
            text = f"{text} (source: {where})"
        if text:
            said.append(text)
    return "; ".join(said)


def error_for(status: int | None, body: Any, *, host: str, what: str) -> JsonApiError:
    """The error of a refused request, with the remote system's own words when it said any."""
    errors = read_errors(body)
    words = describe_errors(errors)
    head = f"{host} answered {what} with HTTP {status or 'error'}"
    if status in DENIED_STATUSES:
        hint = " Check the credentials (and that this user may use the API)."
        return JsonApiAccessDenied(f"{head}: {words or 'access denied'}.{hint}", status=status, errors=errors)
    if status == 404:
        return JsonApiNotFound(f"{head}: {words or 'not found'}.", status=status, errors=errors)
    if status is None or status in TRANSIENT_STATUSES or status >= 500:
        return JsonApiTransientError(f"{head}{': ' + words if words else ''}.", status=status, errors=errors)
    return JsonApiError(f"{head}: {words or 'refused'}.", status=status, errors=errors)


def _body_of(response: requests.Response | None) -> Any:
    if response is None:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _is_json_or_empty(response: requests.Response) -> bool:
    if not response.content:
        return True
    try:
        response.json()
    except ValueError:
        return False
    return True


# -- the client -------------------------------------------------------------------------------------


class JsonApiClient:
    """Requests to one JSON:API root (`base_url`: resources are `base_url/<type>`).

    Every request gets `auth.headers()` afresh, retries of transient failures too. A 401 calls
    `auth.renew()` once; if it renewed, the request is sent once more. Errors are the engine's
    classes (see JsonApiError and its subclasses), with the server's `errors` in their message.
    """

    def __init__(
        self,
        base_url: str,
        auth: Auth | None = None,
        *,
        connect_timeout: float = 10,
        read_timeout: float = 60,
        retry_delays: tuple[float, ...] = DEFAULT_DELAYS,
        log: Callable[[str], None] | None = None,
        origins: Iterable[str] = (),
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        deadline: float = DEFAULT_CALL_DEADLINE,
        http: HttpClient | None = None,
    ) -> None:
        self.auth: Auth = auth or NoAuth()
        self.log = log or (lambda message: None)
        self.retry_delays = retry_delays
        self.http = http or HttpClient(
            base_url=base_url,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retry_delays=(),
            log=self.log,
            origins=origins,
            max_response_bytes=max_response_bytes,
            deadline=deadline,
        )
        self.requests_sent = 0

    @property
    def host(self) -> str:
        return self.http.host

    @property
    def server_now(self):
        """The server's clock as its last answer said (ours before any answer)."""
        return self.http.server_now

    # -- verbs ------------------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Document:
        return self.request("GET", path, params=params, headers=headers)

    def post(self, path: str, document: dict[str, Any], headers: dict[str, str] | None = None) -> Document:
        return self.request("POST", path, document=document, headers=headers)

    def patch(self, path: str, document: dict[str, Any], headers: dict[str, str] | None = None) -> Document:
        return self.request("PATCH", path, document=document, headers=headers)

    def delete(self, path: str, params: dict[str, Any] | None = None) -> int:
        """Delete one resource (a path with its id) or those a filter selects (params). How many: what
        the server told (X-Include-Deleted-Count, asked for), else 1 for one resource, 0 for a filter."""
        headers = {"X-Include": "deletedCount"} if params else None
        answer = self.request("DELETE", path, params=params, headers=headers)
        told = _header_int(answer.headers, DELETED_COUNT)
        if told is not None:
            return told
        return 0 if params else 1

    def pages(self, path: str, params: dict[str, Any] | None = None, size: int = 100) -> Iterator[Document]:
        """Every page of a collection, by page number, until a page comes back empty (a server may
        answer fewer than asked on a page that is not the last)."""
        number = 1
        while True:
            page = self.get(path, {**(params or {}), "page[size]": size, "page[number]": number})
            if not page.resources:
                return
            yield page
            number += 1

    def all(self, path: str, params: dict[str, Any] | None = None, size: int = 100) -> list[dict[str, Any]]:
        """Every resource of a collection (a small lookup list), read page by page."""
        return [resource for page in self.pages(path, params, size) for resource in page.resources]

    # -- one request ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        document: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Document:
        what = f"{method} {self._shown(path)}"
        body = json.dumps(document).encode() if document is not None else None
        renewed = False
        while True:
            try:
                return with_retries(
                    lambda: self._once(method, path, what, params, body, headers),
                    what=what,
                    delays=self.retry_delays,
                    log=self.log,
                )
            except JsonApiError as exc:
                if exc.status != 401 or renewed or not self.auth.renew():
                    raise
                renewed = True
                self.log(f"{what}: the credentials were refused; renewed them, asking once more")

    def _once(self, method, path, what, params, body, headers) -> Document:
        sent = {"Accept": MEDIA_TYPE, **self.auth.headers(), **(headers or {})}
        if body is not None:
            sent["Content-Type"] = MEDIA_TYPE
        self.requests_sent += 1
        try:
            response = self.http.request(
                method,
                path,
                what=what,
                expect=_is_json_or_empty,
                retry=False,
                params=params,
                data=body,
                headers=sent,
            )
        except RemoteError as exc:
            response = getattr(exc, "response", None)
            if response is None:
                raise
            raise error_for(response.status_code, _body_of(response), host=self.host, what=what) from exc
        return Document.parse(_body_of(response), headers=dict(response.headers), status=response.status_code)

    def _shown(self, path: str) -> str:
        """A path for messages: from the root of the server, no query."""
        return urlsplit(self.http.url(path)).path or "/"
