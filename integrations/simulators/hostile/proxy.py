"""The hostile proxy's HTTP side: forward to the upstream, apply the rule, answer (or not)."""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import requests

from integrations.simulators.hostile.rules import Rule, RuleBook

logger = logging.getLogger(__name__)

# However hostile, the proxy stops by itself: an endless answer ends after this much or this long.
ENDLESS_LIMIT_BYTES = 4 * 1024**3
ENDLESS_LIMIT_SECONDS = 600
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class HostileProxy(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], upstream: str) -> None:
        super().__init__(address, _Handler)
        self.upstream = upstream.rstrip("/")
        self.rules = RuleBook()
        self.seen: list[dict[str, Any]] = []  # every request, for tests that ask what was sent where
        self.seen_lock = threading.Lock()
        self.session = requests.Session()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileProxy

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/_hostile/"):
            self._control(body)
            return
        with self.server.seen_lock:
            self.server.seen.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": body.decode("utf-8", "replace"),
                }
            )
        rule = self.server.rules.take(self.path, body)
        if rule and rule.delay:
            time.sleep(rule.delay)
        if rule and rule.location:
            self._send(rule.status or 302, {"Location": rule.location, **rule.headers}, b"")
            return
        try:
            answer = self.server.session.request(
                self.command,
                self.server.upstream + self.path,
                data=body,
                headers={k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")},
                timeout=120,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            self._send(502, {"Content-Type": "text/plain"}, f"upstream failed: {exc}".encode())
            return
        # Answers name the upstream (a WSDL's service address): clients must stay on the proxy.
        content = answer.content.replace(self.server.upstream.encode(), self.server.url.encode())
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
        status = answer.status_code
        if rule:
            content = rule.rewrite(content)
            headers.update(rule.headers)
            status = rule.status or status
        self._send(status, headers, content, rule)

    def _send(self, status: int, headers: dict[str, str], content: bytes, rule: Rule | None = None) -> None:
        try:
            self.send_response_only(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if rule and rule.endless:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self._endless(content)
                return
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if rule and rule.cut_after is not None:
                self.wfile.write(content[: rule.cut_after])
                self.wfile.flush()
                self.close_connection = True
                return
            if rule and rule.drip:
                for index in range(len(content)):
                    self.wfile.write(content[index : index + 1])
                    self.wfile.flush()
                    time.sleep(rule.drip)
                return
            self.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up: what a deadline or a size cap does

    def _endless(self, start: bytes) -> None:
        chunk = (start[: len(start) // 2] or b"<") + b"x" * 65536
        sent, began = 0, time.monotonic()
        while sent < ENDLESS_LIMIT_BYTES and time.monotonic() - began < ENDLESS_LIMIT_SECONDS:
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            sent += len(chunk)
            chunk = b"x" * 65536
        self.wfile.write(b"0\r\n\r\n")

    def _control(self, body: bytes) -> None:
        path = urlsplit(self.path).path
        if path == "/_hostile/rules" and self.command == "POST":
            try:
                rules = self.server.rules.set(json.loads(body or b"[]"))
            except (ValueError, TypeError) as exc:
                self._send(400, {"Content-Type": "application/json"}, json.dumps({"error": str(exc)}).encode())
                return
            payload: Any = [rule.as_json() for rule in rules]
        elif path == "/_hostile/rules":
            payload = self.server.rules.as_json()
        elif path == "/_hostile/seen":
            with self.server.seen_lock:
                payload = list(self.server.seen)
        else:
            self._send(404, {"Content-Type": "text/plain"}, b"no such control endpoint")
            return
        self._send(200, {"Content-Type": "application/json"}, json.dumps(payload).encode())


class RunningProxy:
    def __init__(self, server: HostileProxy) -> None:
        self.server = server
        self._thread = threading.Thread(target=server.serve_forever, name="hostile-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_proxy(upstream: str, host: str = "127.0.0.1", port: int = 0) -> RunningProxy:
    """A hostile proxy serving in a background thread (port 0: a free one)."""
    return RunningProxy(HostileProxy((host, port), upstream))
