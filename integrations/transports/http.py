"""The one HTTP layer under every transport: timeouts, error classes, retries and the server's clock.

SOAP (zeep), JSON:API and REST transports all reach remote systems through `requests`; the
failures they meet are the same and are classified here once, into the engine's error classes,
each with a message an admin can act on. It is also where the limits a remote system must not
escape are enforced, for every transport alike (`GuardedSession`):

- credentials go only to the configured origins: a request to any other origin is refused, and a
  redirect is followed only within the origin that sent it (so a POST is never resent elsewhere);
  only http and https are spoken, never file://;
- an answer larger than a cap is not read past the cap;
- a call (connect, request, headers and the whole body) has a total deadline, on top of the
  per-read timeouts: a server that sends one byte every few seconds never trips a read timeout.
"""

from __future__ import annotations

import contextvars
import datetime
import email.utils
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ProtocolError, ReadTimeoutError
from urllib3.poolmanager import ProxyManager

from integrations.engine.errors import (
    AccessDenied,
    NotSupported,
    RemoteError,
    RemoteTimeout,
    TransientError,
    Unreachable,
    UnreadableAnswer,
)
from integrations.engine.retry import DEFAULT_DELAYS, with_retries
from oroint.redaction import mask_credentials

TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
DENIED_STATUSES = frozenset({401, 403})

# Generous: a page of records or a WSDL is a few hundred kilobytes; the settings lower them in tests.
DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024
DEFAULT_CALL_DEADLINE = 120.0
MAX_REDIRECTS = 5
DEFAULT_PORTS = {"http": 80, "https": 443}

# The user and password part of any URL in a text ("https://user:pw@host/" -> "https://host/").


# -- URLs -----------------------------------------------------------------------------------------


def host_of(url: str) -> str:
    """Where a URL points, for messages: host and port, never a user or password in it."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.hostname + (f":{port}" if port else "") if parts.hostname else redact(url)


def origin_of(url: str | None) -> str | None:
    """scheme://host[:port] of an http(s) URL, the default port left out; None for anything else.

    The origin is what credentials are entrusted to: the same host over another scheme or port
    is another server as far as a key is concerned.
    """
    parts = urlsplit(url or "")
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{scheme}://{host}" + (f":{port}" if port and port != DEFAULT_PORTS[scheme] else "")


def has_userinfo(url: str) -> bool:
    """Whether a URL carries a user name or password (https://user:pw@host/)."""
    return "@" in urlsplit(url or "").netloc


def redact(text: str) -> str:
    """A text with the user and password of every URL in it masked, for messages and logs."""
    return mask_credentials(text)


def _shown(url: str) -> str:
    """A redirect's target for a message: its origin, or its scheme when it is not http(s)."""
    origin = origin_of(url)
    if origin:
        return origin
    scheme = urlsplit(url).scheme
    return f"a {scheme}: URL" if scheme else "a URL without a scheme"


# -- what a guarded session refuses -----------------------------------------------------------------


class AnswerTooLarge(requests.RequestException):
    """The answer went past the size cap; it was not read further."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the answer is larger than {megabytes(limit)}")


class CallDeadlineExceeded(requests.exceptions.Timeout):
    """The call did not end (last byte of the answer received) within its total deadline."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        super().__init__(f"the call did not end within {deadline:g} s")


class RedirectRefused(requests.RequestException):
    """A redirect to another origin (or scheme): followed, it would take the request elsewhere."""

    def __init__(self, source: str, target: str) -> None:
        self.source, self.target = origin_of(source) or _shown(source), _shown(target)
        super().__init__(f"a redirect from {self.source} to {self.target} was refused")


class OriginRefused(requests.RequestException):
    """A request to an origin the session was not configured for."""

    def __init__(self, url: str, allowed: Iterable[str]) -> None:
        self.target, self.allowed = _shown(url), sorted(allowed)
        super().__init__(f"a request to {self.target} was refused (allowed: {', '.join(self.allowed)})")


def megabytes(size: int) -> str:
    """A size for a message: in MB, as the setting is; small test caps in bytes."""
    return f"{size / 1024 / 1024:g} MB" if size >= 1024 * 1024 else f"{size} bytes"


# -- one call's limits ------------------------------------------------------------------------------

_current_call: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("oroint_http_call", default=None)
# Which call a socket serves now: a connection goes back to the pool and on to the next call, and a
# late watchdog must never cut a socket another call is using.
_socket_owner: weakref.WeakKeyDictionary[socket.socket, _Call] = weakref.WeakKeyDictionary()
_socket_owner_lock = threading.Lock()


class _Call:
    """One HTTP exchange's limits: the bytes read so far, and a watchdog for its deadline.

    Read timeouts bound each wait for a byte; they cannot bound a server that sends one byte every
    few seconds, however long it goes on, and a blocking read cannot look at a clock. So a timer
    shuts the call's socket down at the deadline, which ends whatever read is waiting on it.
    """

    def __init__(self, *, deadline: float, max_bytes: int) -> None:
        self.deadline, self.max_bytes = deadline, max_bytes
        self.ends_at = time.monotonic() + deadline
        self.received = 0
        self.expired = False
        self._socket: socket.socket | None = None
        self._timer = threading.Timer(deadline, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket | None) -> None:
        """The socket this call reads from now (a new connection, or one taken from the pool)."""
        if sock is None:
            return
        with _socket_owner_lock:
            self._socket = sock
            _socket_owner[sock] = self
            if self.expired:
                _shutdown(sock)

    def _expire(self) -> None:
        with _socket_owner_lock:
            self.expired = True
            if self._socket is not None and _socket_owner.get(self._socket) is self:
                _shutdown(self._socket)

    def took(self, size: int) -> None:
        """Count a chunk of the answer: past the cap or the deadline, the call ends here."""
        self.received += size
        if self.received > self.max_bytes:
            raise AnswerTooLarge(self.max_bytes)
        if self.expired or time.monotonic() >= self.ends_at:
            raise CallDeadlineExceeded(self.deadline)

    def done(self) -> None:
        self._timer.cancel()
        with _socket_owner_lock:
            if self._socket is not None and _socket_owner.get(self._socket) is self:
                del _socket_owner[self._socket]
            self._socket = None


def _shutdown(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for a TLS socket: it ends a read blocked in another thread
    # at once, where closing the TLS layer first could wait on that very read.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, TypeError):
        pass


def _watch_current(connection: HTTPConnection) -> None:
    call = _current_call.get()
    if call is not None:
        call.watch(connection.sock)


class _WatchedHTTPConnection(HTTPConnection):
    """A connection that hands its socket to the call in progress, from connect to the last byte."""

    def connect(self) -> None:
        super().connect()
        _watch_current(self)

    def getresponse(self, *args: Any, **kwargs: Any):  # a pooled connection is not connected again
        _watch_current(self)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watch_current(self)

    def getresponse(self, *args: Any, **kwargs: Any):
        _watch_current(self)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _GuardedBody:
    """An answer's body (urllib3's response), read within its call's size cap and deadline.

    requests reads bodies through `stream()` (and `read()` to drain a redirect); everything else is
    the wrapped response's own.
    """

    def __init__(self, raw: urllib3.BaseHTTPResponse, call: _Call) -> None:
        self._raw, self._call = raw, call

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def stream(self, amt: int | None = 2**16, decode_content: bool | None = None) -> Iterator[bytes]:
        try:
            yield from self._guarded(lambda: self._raw.stream(amt, decode_content=decode_content))
        finally:
            self._call.done()

    def read(self, amt: int | None = None, decode_content: bool | None = None, **kwargs: Any) -> bytes:
        if amt is None:  # all of it: through the cap, never in one unbounded read
            return b"".join(self.stream(decode_content=decode_content))
        return b"".join(self._guarded(lambda: iter([self._raw.read(amt, decode_content=decode_content, **kwargs)])))

    def close(self) -> None:
        self._call.done()
        self._raw.close()

    def _guarded(self, chunks: Callable[[], Iterator[bytes]]) -> Iterator[bytes]:
        call = self._call
        try:
            for chunk in chunks():
                call.took(len(chunk))
                yield chunk
            if call.expired:  # the watchdog's shutdown can look like the normal end of the body
                raise CallDeadlineExceeded(call.deadline)
        except (AnswerTooLarge, CallDeadlineExceeded):
            self._raw.close()  # the connection is mid-answer: never back into the pool
            raise
        except ReadTimeoutError as exc:  # requests would call a read timeout mid-body unreachable
            self._raw.close()
            if call.expired:
                raise CallDeadlineExceeded(call.deadline) from exc
            raise requests.exceptions.ReadTimeout(exc) from exc
        except (ProtocolError, OSError) as exc:
            if call.expired:
                self._raw.close()
                raise CallDeadlineExceeded(call.deadline) from exc
            raise


class GuardedAdapter(HTTPAdapter):
    """requests' HTTP adapter with a size cap and a total deadline on every exchange."""

    def __init__(self, *, max_response_bytes: int, deadline: float, **kwargs: Any) -> None:
        self.max_response_bytes, self.deadline = max_response_bytes, deadline
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if type(manager) is ProxyManager:  # a SOCKS manager has pools of its own kind
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        call = _Call(deadline=self.deadline, max_bytes=self.max_response_bytes)
        token = _current_call.set(call)
        try:
            response = super().send(request, *args, **kwargs)
        except requests.RequestException as exc:
            call.done()
            if call.expired:
                raise CallDeadlineExceeded(self.deadline) from exc
            raise
        finally:
            _current_call.reset(token)
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_response_bytes:
            call.done()
            response.raw.close()
            raise AnswerTooLarge(self.max_response_bytes)
        response.raw = _GuardedBody(response.raw, call)
        return response


class GuardedSession(requests.Session):
    """A requests session that talks only to its origins, over http(s), within limits.

    Every request must go to one of `origins`; a redirect is followed (at most MAX_REDIRECTS) only
    when it stays within the origin of the answer that sent it, so that a key, a session id or a
    request body never reaches another host; anything else raises RedirectRefused. Each exchange
    reads at most `max_response_bytes` and ends within `deadline` seconds (GuardedAdapter).
    """

    def __init__(
        self,
        *,
        origins: Iterable[str],
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        deadline: float = DEFAULT_CALL_DEADLINE,
    ) -> None:
        super().__init__()
        self.origins = {found for found in (origin_of(o) for o in origins) if found}
        self.adapters.clear()
        adapter = GuardedAdapter(max_response_bytes=max_response_bytes, deadline=deadline)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        follow = kwargs.pop("allow_redirects", True)
        if origin_of(request.url) not in self.origins:
            raise OriginRefused(request.url or "", self.origins)
        response = super().send(request, allow_redirects=False, **kwargs)
        hops: list[requests.Response] = []
        while follow and response.is_redirect and response.next is not None:
            target = response.next
            if origin_of(target.url) != origin_of(response.url):
                response.close()
                raise RedirectRefused(response.url, target.url or "")
            if len(hops) >= MAX_REDIRECTS:
                response.close()
                raise requests.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")
            hops.append(response)
            response = super().send(target, allow_redirects=False, **kwargs)
        response.history = hops
        return response


# -- errors -----------------------------------------------------------------------------------------


def root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__
    text = str(exc)
    return redact(text.split("] ", 1)[-1] if "] " in text else text or exc.__class__.__name__)


def classify_exception(exc: requests.RequestException, *, host: str, what: str) -> RemoteError:
    """A failure of `requests` as one of the engine's errors (the caller raises it `from exc`)."""
    if isinstance(exc, CallDeadlineExceeded):
        return RemoteTimeout(
            f"{host} did not finish answering {what} within {exc.deadline:g} s, the longest a call may take."
        )
    if isinstance(exc, AnswerTooLarge):
        # Unreadable, not merely failed: a page too large may hold one huge record that the
        # cursor can isolate, as it does a value beyond the parser's limits.
        return UnreadableAnswer(
            f"{host} answered {what} with more than {megabytes(exc.limit)}, the most oroint reads of one "
            "answer; it stopped reading there."
        )
    if isinstance(exc, RedirectRefused):
        return NotSupported(
            f"{host} redirected {what} to {exc.target}: oroint follows redirects only within {exc.source}, "
            "so that credentials go nowhere else. If the system has moved, enter its new URL."
        )
    if isinstance(exc, OriginRefused):
        return NotSupported(
            f"Refused to send {what} to {exc.target}: this integration talks only to {', '.join(exc.allowed)}."
        )
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
    answer that way while they fall over. Requests go only to `base_url`'s origin (and `origins`),
    each within `max_response_bytes` and `deadline` (see GuardedSession).
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
        origins: Iterable[str] = (),
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        deadline: float = DEFAULT_CALL_DEADLINE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = host_of(base_url)
        self.timeout = (connect_timeout, read_timeout)
        self.retry_delays = retry_delays
        self.log = log or (lambda message: None)
        self.session = session or GuardedSession(
            origins=[base_url, *origins], max_response_bytes=max_response_bytes, deadline=deadline
        )
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
