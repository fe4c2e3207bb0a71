"""The one HTTP layer under every transport: timeouts, error classes, retries and the server's clock.

SOAP (zeep), JSON:API and REST transports all reach remote systems through `requests`; the
failures they meet are the same and are classified here once, into the engine's error classes,
each with a message an admin can act on. It is also where a call's total deadline, a cap on an
answer's size and "credentials go only to the configured origin" belong.
"""

from __future__ import annotations

import datetime
import email.utils
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests

from integrations.engine.errors import (
    AccessDenied,
    NotSupported,
    RemoteError,
    RemoteTimeout,
    TransientError,
    Unreachable,
)
from integrations.engine.retry import DEFAULT_DELAYS, with_retries

TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
DENIED_STATUSES = frozenset({401, 403})


def host_of(url: str) -> str:
    """Where a URL points, for messages: host and port, never a user or password in it."""
    parts = urlsplit(url)
    return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else url


def root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__
    text = str(exc)
    return text.split("] ", 1)[-1] if "] " in text else text or exc.__class__.__name__


def classify_exception(exc: requests.RequestException, *, host: str, what: str) -> RemoteError:
    """A failure of `requests` as one of the engine's errors (the caller raises it `from exc`)."""
    if isinstance(exc, requests.exceptions.Timeout):
        return RemoteTimeout(f"{host} did not answer {what} in time ({exc.__class__.__name__}).")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return TransientError(f"{host} cut the connection while answering {what} ({root_cause(exc)}).")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return Unreachable(f"Host unreachable: connection to {host} failed ({root_cause(exc)}).")
    return RemoteError(f"{what} on {host} failed: {root_cause(exc)}")


def classify_status(status: int | None, *, host: str, what: str) -> RemoteError | None:
    """An HTTP status as an error, or None when it is a success."""
    if status is not None and 200 <= status < 400:
        return None
    if status is None or status in TRANSIENT_STATUSES:
        return TransientError(f"{host} answered {what} with HTTP {status or 'error'}")
    if status in DENIED_STATUSES:
        return AccessDenied(f"{host} refused {what} (HTTP {status}): check the credentials.")
    if status == 404:
        return NotSupported(f"{host} has nothing at the address of {what} (HTTP 404): check the URL.")
    return RemoteError(f"{host} answered {what} with HTTP {status}.")


def server_date(response: requests.Response) -> datetime.datetime | None:
    """The remote server's clock, from the answer's Date header."""
    value = response.headers.get("Date")
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


class HttpClient:
    """Requests to one remote system: classified errors, retries of transient ones, its clock.

    `request` answers the response of a 2xx/3xx, or raises: TransientError (retried first),
    AccessDenied, NotSupported, RemoteError. `expect` checks the answer's format (JSON, XML...):
    a 200 that is not what was expected (a PHP error page) is a TransientError, as real stores
    answer that way while they fall over.
    """

    def __init__(
        self,
        *,
        base_url: str,
        connect_timeout: float = 10,
        read_timeout: float = 60,
        retry_delays: tuple[float, ...] = DEFAULT_DELAYS,
        log: Callable[[str], None] | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = host_of(base_url)
        self.timeout = (connect_timeout, read_timeout)
        self.retry_delays = retry_delays
        self.log = log or (lambda message: None)
        self.session = session or requests.Session()
        self.server_date: datetime.datetime | None = None

    @property
    def server_now(self) -> datetime.datetime:
        return self.server_date or datetime.datetime.now(datetime.UTC)

    def url(self, path: str) -> str:
        return path if "://" in path else f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        what: str | None = None,
        expect: Callable[[requests.Response], bool] | None = None,
        retry: bool = True,
        **kwargs: Any,
    ) -> requests.Response:
        what = what or f"{method} {urlsplit(self.url(path)).path}"
        delays = self.retry_delays if retry else ()
        return with_retries(
            lambda: self._once(method, path, what, expect, kwargs), what=what, delays=delays, log=self.log
        )

    def _once(self, method, path, what, expect, kwargs) -> requests.Response:
        try:
            response = self.session.request(method, self.url(path), timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise classify_exception(exc, host=self.host, what=what) from exc
        self.server_date = server_date(response) or self.server_date
        error = classify_status(response.status_code, host=self.host, what=what)
        if error is not None:
            error.response = response
            raise error
        if expect is not None and not expect(response):
            raise TransientError(f"{self.host} answered {what} with something that is not the expected format")
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """A request whose answer must be JSON; the parsed answer."""
        response = self.request(method, path, expect=_is_json, **kwargs)
        return response.json()


def _is_json(response: requests.Response) -> bool:
    try:
        response.json()
    except ValueError:
        return False
    return True
