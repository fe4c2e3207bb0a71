"""The HTTP layer against real local servers: error classes, retries, the server's clock, cut lines,
and the limits a remote system must not escape: size cap, total deadline, origins and redirects."""

from __future__ import annotations

import datetime
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from integrations.engine.errors import (
    AccessDenied,
    NotSupported,
    RemoteError,
    RemoteTimeout,
    TransientError,
    Unreachable,
)
from integrations.transports.http import HttpClient, host_of
from tests.conftest import free_port


class Answer:
    """One scripted answer of the remote server."""

    def __init__(
        self,
        status: int = 200,
        body: object = None,
        *,
        content_type: str | None = None,
        date: str = "",
        headers: dict[str, str] | None = None,
    ):
        if isinstance(body, bytes | str):
            self.body = body.encode() if isinstance(body, str) else body
            self.content_type = content_type or "text/html"
        else:
            self.body = json.dumps(body if body is not None else {}).encode()
            self.content_type = content_type or "application/json"
        self.status, self.date, self.headers = status, date, headers or {}


class Remote:
    """A local HTTP server that gives its scripted answers in turn and records what it was sent."""

    def __init__(self, answers: list[Answer]) -> None:
        self.answers = list(answers)
        self.paths: list[str] = []
        self.bodies: list[bytes] = []
        remote = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                remote.paths.append(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                remote.bodies.append(self.rfile.read(length) if length else b"")
                answer = remote.answers.pop(0) if remote.answers else Answer(599, b"no answer scripted")
                self.answer = answer
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(answer.body)

            do_POST = do_GET

            def date_time_string(self, timestamp=None):
                answer = getattr(self, "answer", None)
                return answer.date if answer and answer.date else super().date_time_string(timestamp)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def remote():
    """Start local servers: `server = remote(Answer(503), Answer(200, {...}))`."""
    started: list[Remote] = []

    def start(*answers: Answer) -> Remote:
        server = Remote(list(answers))
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def client(url: str, **options) -> HttpClient:
    return HttpClient(**{"base_url": url, "connect_timeout": 2, "read_timeout": 2, "retry_delays": (0,), **options})


# -- statuses ---------------------------------------------------------------------------------------


def test_transient_status_is_retried_then_the_answer_is_returned(remote):
    server = remote(Answer(503, b"<h1>Service Unavailable</h1>"), Answer(200, {"orders": [1, 2]}))
    lines: list[str] = []
    answer = client(server.url, log=lines.append).json("GET", "/x")
    assert answer == {"orders": [1, 2]}
    assert server.paths == ["/x", "/x"]
    assert len(lines) == 1
    assert "HTTP 503" in lines[0]
    assert "retrying" in lines[0]


def test_without_retry_a_transient_status_raises(remote):
    server = remote(Answer(503), Answer(200, {"orders": []}))
    lines: list[str] = []
    with pytest.raises(TransientError, match="HTTP 503"):
        client(server.url, log=lines.append).json("GET", "/x", retry=False)
    assert server.paths == ["/x"]
    assert lines == []


def test_retries_run_out(remote):
    server = remote(Answer(502), Answer(504), Answer(200, {}))
    with pytest.raises(TransientError, match="HTTP 504"):
        client(server.url, retry_delays=(0,)).json("GET", "/x")
    assert len(server.paths) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, AccessDenied), (403, AccessDenied), (404, NotSupported), (400, RemoteError), (422, RemoteError)],
)
def test_refusals_are_not_retried_and_say_what_failed(remote, status, error):
    server = remote(Answer(status, {"errors": [{"title": "no"}]}), Answer(200, {}))
    with pytest.raises(RemoteError) as caught:
        client(server.url, retry_delays=(0, 0)).json("GET", "/api/orders")
    assert type(caught.value) is error
    assert not isinstance(caught.value, TransientError)
    assert f"HTTP {status}" in str(caught.value)
    assert "/api/orders" in str(caught.value)
    assert caught.value.response.status_code == status
    assert server.paths == ["/api/orders"]


def test_access_denied_tells_the_admin_to_check_the_credentials(remote):
    server = remote(Answer(401))
    with pytest.raises(AccessDenied, match="check the credentials"):
        client(server.url).json("GET", "/x")


@pytest.mark.parametrize("status", [408, 429, 500, 502, 504])
def test_other_transient_statuses(remote, status):
    server = remote(Answer(status), Answer(200, {"ok": True}))
    assert client(server.url).json("GET", "/x") == {"ok": True}
    assert len(server.paths) == 2


def test_html_where_json_is_expected_is_transient(remote):
    page = b"<html><body><b>Fatal error</b>: Allowed memory size exhausted</body></html>"
    server = remote(Answer(200, page), Answer(200, page))
    with pytest.raises(TransientError, match="not the expected format"):
        client(server.url, retry_delays=(0,)).json("GET", "/x")
    assert len(server.paths) == 2  # retried like any transient fault


# -- the server's clock -----------------------------------------------------------------------------


def test_server_date_header_is_the_server_clock(remote):
    server = remote(Answer(200, {}, date="Wed, 01 Jan 2031 00:00:00 GMT"))
    http = client(server.url)
    before = datetime.datetime.now(datetime.UTC)
    assert abs(http.server_now - before) < datetime.timedelta(minutes=1)  # no answer yet: our clock
    http.json("GET", "/x")
    assert http.server_now == datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC)


def test_server_date_is_kept_from_an_error_answer(remote):
    server = remote(Answer(404, {}, date="Wed, 01 Jan 2031 00:00:00 GMT"))
    http = client(server.url)
    with pytest.raises(NotSupported):
        http.json("GET", "/x")
    assert http.server_now == datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC)


# -- connections that fail --------------------------------------------------------------------------


def test_connection_refused_is_unreachable():
    port = free_port()  # bound, then closed again: nothing listens there
    with pytest.raises(Unreachable) as caught:
        client(f"http://127.0.0.1:{port}", retry_delays=()).json("GET", "/x")
    assert f"127.0.0.1:{port}" in str(caught.value)


def test_server_that_never_answers_is_a_timeout():
    # The kernel accepts the connection into the backlog; nobody ever reads the request.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(RemoteTimeout, match="did not answer"):
            client(url, read_timeout=0.3, retry_delays=()).json("GET", "/x")
        assert time.monotonic() - started < 2


def test_answer_cut_mid_body_is_transient():
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)

        def answer_and_hang_up():
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(head + b'8\r\n{"orders\r\n')

        thread = threading.Thread(target=answer_and_hang_up, daemon=True)
        thread.start()
        with pytest.raises(TransientError) as caught:
            client(f"http://127.0.0.1:{listener.getsockname()[1]}", retry_delays=()).json("GET", "/x")
        thread.join(5)
    assert type(caught.value) is TransientError
    assert "cut the connection" in str(caught.value)


# -- what messages show of a URL --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://user:pw@shop.example.com:8443/api", "shop.example.com:8443"),
        ("https://shop.example.com/api/v2_soap/?wsdl=1", "shop.example.com"),
        ("http://127.0.0.1:8080", "127.0.0.1:8080"),
    ],
)
def test_host_of(url, host):
    assert host_of(url) == host


def test_error_messages_carry_no_credentials(remote):
    server = remote(Answer(400))
    url = server.url.replace("http://", "http://admin:s3cret@")
    with pytest.raises(RemoteError) as caught:
        client(url).json("GET", "/x")
    assert "s3cret" not in str(caught.value)
    assert "admin" not in str(caught.value)
    assert f"127.0.0.1:{server.server.server_port}" in str(caught.value)


# -- the limits a remote system must not escape -----------------------------------------------------


class RawServer:
    """A local server that answers every connection with `answer(connection)`: raw bytes, any pace."""

    def __init__(self, answer) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.answer = answer
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(connection,), daemon=True).start()

    def _one(self, connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            try:
                self.answer(connection)
            except OSError:
                pass  # the client hung up: what a cap or a deadline does

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def raw_server():
    started: list[RawServer] = []

    def start(answer) -> RawServer:
        server = RawServer(answer)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def endless(connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 65536
    for _ in range(64 * 1024):  # 4 GB, unless the client stops reading first
        connection.sendall(b"10000\r\n" + chunk + b"\r\n")


def dripping(body: bytes, *, every: float, headers_too: bool = False):
    """An answer sent one byte every `every` seconds: its body, or the whole of it."""

    def answer(connection: socket.socket) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        if not headers_too:
            connection.sendall(head)
        for index, byte in enumerate((head if headers_too else b"") + body):
            connection.sendall(bytes([byte]))
            if index:
                time.sleep(every)

    return answer


def test_an_endless_answer_stops_at_the_size_cap(raw_server):
    server = raw_server(endless)
    started = time.monotonic()
    with pytest.raises(RemoteError) as caught:
        client(server.url, max_response_bytes=1024 * 1024, retry_delays=(0, 0)).json("GET", "/orders")
    assert time.monotonic() - started < 5
    assert "more than 1 MB" in str(caught.value) and "/orders" in str(caught.value)
    assert not isinstance(caught.value, TransientError), "the same call would only get the same answer"


def test_an_announced_length_over_the_cap_is_not_read(remote):
    server = remote(Answer(200, b"x" * 2048))
    with pytest.raises(RemoteError, match="more than 1000 bytes"):
        client(server.url, max_response_bytes=1000).json("GET", "/x")


def test_an_answer_under_the_cap_is_read_whole(remote):
    server = remote(Answer(200, {"name": "x" * 5000}))
    assert client(server.url, max_response_bytes=6000).json("GET", "/x") == {"name": "x" * 5000}


def test_a_dripping_answer_ends_at_the_call_deadline(raw_server):
    # Each byte comes well within the read timeout: only a total deadline ends this call.
    server = raw_server(dripping(b'{"orders": []}' + b" " * 200, every=0.1))
    started = time.monotonic()
    with pytest.raises(RemoteTimeout) as caught:
        client(server.url, read_timeout=2, deadline=1, retry_delays=()).json("GET", "/orders")
    assert 0.9 < time.monotonic() - started < 2
    assert "did not finish answering GET /orders within 1 s" in str(caught.value)


def test_dripping_headers_end_at_the_call_deadline(raw_server):
    server = raw_server(dripping(b"{}", every=0.1, headers_too=True))
    started = time.monotonic()
    with pytest.raises(RemoteTimeout, match="within 1 s"):
        client(server.url, read_timeout=2, deadline=1, retry_delays=()).json("GET", "/orders")
    assert time.monotonic() - started < 2


def test_a_call_that_ends_in_time_is_not_cut_later(remote):
    server = remote(Answer(200, {"page": 1}), Answer(200, {"page": 2}))
    http = client(server.url, deadline=0.5)
    assert http.json("GET", "/1") == {"page": 1}
    time.sleep(0.7)  # past the first call's deadline: its watchdog must not touch the pooled connection
    assert http.json("GET", "/2") == {"page": 2}


def test_a_redirect_within_the_origin_is_followed(remote):
    server = remote(Answer(302, b"", headers={"Location": "/new"}), Answer(200, {"ok": True}))
    assert client(server.url).json("GET", "/old") == {"ok": True}
    assert server.paths == ["/old", "/new"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_redirect_to_another_origin_is_refused(remote, method):
    elsewhere = remote(Answer(200, {"stolen": True}))
    server = remote(Answer(307, b"", headers={"Location": f"{elsewhere.url}/collect"}))
    with pytest.raises(NotSupported) as caught:
        client(server.url).json(method, "/login", data=b"api_key=s3cret")
    message = str(caught.value)
    assert f"redirected {method} /login to {elsewhere.url}" in message
    assert f"only within {server.url}" in message
    assert elsewhere.paths == [] and elsewhere.bodies == []


def test_a_redirect_to_another_port_or_scheme_of_the_same_host_is_refused(remote):
    elsewhere = remote(Answer(200, {}))
    server = remote(Answer(301, b"", headers={"Location": elsewhere.url.replace("http://", "https://")}))
    with pytest.raises(
        NotSupported, match=re.escape(f"redirected GET /x to {elsewhere.url.replace('http://', 'https://')}")
    ):
        client(server.url).json("GET", "/x")


def test_a_redirect_to_a_file_is_refused_whether_it_exists_or_not(remote, tmp_path):
    present = tmp_path / "present.json"
    present.write_text('{"secret": true}')
    messages = []
    for target in (present, tmp_path / "absent.json"):
        server = remote(Answer(302, b"", headers={"Location": f"file://{target}"}))
        with pytest.raises(NotSupported) as caught:
            client(server.url).json("GET", "/x")
        messages.append(str(caught.value).replace(server.url, "SERVER").replace(host_of(server.url), "HOST"))
    assert messages[0] == messages[1]
    assert "a file: URL" in messages[0] and str(tmp_path) not in messages[0]


def test_a_request_to_another_origin_is_refused(remote):
    elsewhere = remote(Answer(200, {}))
    server = remote()
    with pytest.raises(NotSupported, match=f"Refused to send GET /x to {elsewhere.url}"):
        client(server.url).json("GET", f"{elsewhere.url}/x")
    assert elsewhere.paths == []


def test_messages_never_show_a_user_or_password_of_a_url(remote):
    server = remote(Answer(302, b"", headers={"Location": "http://mallory:pw-of-mallory@127.0.0.9:1/"}))
    url = server.url.replace("http://", "http://admin:s3cret@")
    with pytest.raises(RemoteError) as caught:
        client(url).json("GET", "/x")
    assert "s3cret" not in str(caught.value) and "pw-of-mallory" not in str(caught.value)
