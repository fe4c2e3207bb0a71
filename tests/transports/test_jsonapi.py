"""The JSON:API client against a real local server: documents, errors in the server's words, paging,
fresh auth headers on every try, one renewal on a 401, retries of transient failures."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from integrations.engine.errors import AccessDenied, NotSupported, TransientError
from integrations.transports.jsonapi import (
    Document,
    JsonApiAccessDenied,
    JsonApiClient,
    JsonApiError,
    JsonApiNotFound,
    related_id,
    related_ids,
)

MEDIA = "application/vnd.api+json"


class Server:
    """A local server whose `route(method, path, query, headers, body) -> (status, body, headers)` answers."""

    def __init__(self, route) -> None:
        self.seen: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                seen = {
                    "method": self.command,
                    "path": parts.path,
                    "query": query,
                    "headers": dict(self.headers),
                    "body": json.loads(body) if body else None,
                }
                server.seen.append(seen)
                status, answer, headers = route(seen)
                data = answer if isinstance(answer, bytes) else (json.dumps(answer).encode() if answer else b"")
                self.send_response(status)
                self.send_header("Content-Type", MEDIA if not isinstance(answer, bytes) else "text/html")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve():
    started: list[Server] = []

    def start(route) -> Server:
        server = Server(route)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


class CountingAuth:
    """Headers numbered per request: a retry that resent old headers would show."""

    def __init__(self, renewals: int = 0) -> None:
        self.made = 0
        self.renewals_left = renewals
        self.renew_calls = 0

    def headers(self) -> dict[str, str]:
        self.made += 1
        return {"X-Token": f"t{self.made}"}

    def renew(self) -> bool:
        self.renew_calls += 1
        if self.renewals_left:
            self.renewals_left -= 1
            return True
        return False


def client(url: str, auth=None, **options) -> JsonApiClient:
    return JsonApiClient(f"{url}/admin/api", auth, connect_timeout=2, read_timeout=2, retry_delays=(0, 0), **options)


ORDER = {
    "type": "orders",
    "id": "7",
    "attributes": {"identifier": "FR1012401"},
    "relationships": {
        "lineItems": {"data": [{"type": "orderlineitems", "id": "1"}, {"type": "orderlineitems", "id": "2"}]},
        "customer": {"data": {"type": "customers", "id": "3"}},
        "paymentTerm": {"data": None},
    },
}
INCLUDED = [
    {"type": "orderlineitems", "id": "1", "attributes": {"productSku": "A"}},
    {"type": "customers", "id": "3", "attributes": {"name": "Acme"}},
]


def test_get_reads_the_document_and_sends_the_media_type(serve):
    server = serve(lambda r: (200, {"data": [ORDER], "included": INCLUDED}, {"X-Include-Total-Count": "42"}))
    doc = client(server.url).get("orders", {"filter[updatedAt][gte]": "2024-01-01T00:00:00Z", "include": "customer"})
    assert isinstance(doc, Document)
    assert doc.resources == [ORDER]
    assert doc.total == 42
    assert doc.included_of("customers", "3")["attributes"]["name"] == "Acme"
    assert doc.included_of("customers", "4") is None
    assert doc.included_related(ORDER, "customer")["id"] == "3"
    assert [r["id"] for r in doc.included_many(ORDER, "lineItems")] == ["1"]  # 2 is not in the document
    assert related_id(ORDER, "customer") == "3"
    assert related_id(ORDER, "paymentTerm") is None
    assert related_id(ORDER, "nothing") is None
    assert related_ids(ORDER, "lineItems") == ["1", "2"]
    seen = server.seen[0]
    assert seen["path"] == "/admin/api/orders"
    assert seen["query"] == {"filter[updatedAt][gte]": "2024-01-01T00:00:00Z", "include": "customer"}
    assert seen["headers"]["Accept"] == MEDIA


def test_post_and_patch_send_a_document_delete_answers_the_count(serve):
    def route(r):
        if r["method"] == "POST":
            return 201, {"data": {**r["body"]["data"], "id": "9"}}, {}
        if r["method"] == "PATCH":
            return 200, {"data": r["body"]["data"]}, {}
        if r["query"]:
            return 204, None, {"X-Include-Deleted-Count": "3"}
        return 204, None, {}

    server = serve(route)
    api = client(server.url)
    created = api.post("taxes", {"data": {"type": "taxes", "attributes": {"code": "T"}}})
    assert created.status == 201 and created.data["id"] == "9"
    assert server.seen[0]["headers"]["Content-Type"] == MEDIA
    assert server.seen[0]["body"] == {"data": {"type": "taxes", "attributes": {"code": "T"}}}
    patched = api.patch("taxes/9", {"data": {"type": "taxes", "id": "9", "attributes": {"rate": "0.1"}}})
    assert patched.data["attributes"] == {"rate": "0.1"}
    assert server.seen[1]["method"] == "PATCH" and server.seen[1]["path"] == "/admin/api/taxes/9"
    assert api.delete("taxes/9") == 1
    assert api.delete("taxes", {"filter[id]": "1,2,3"}) == 3
    assert server.seen[3]["headers"]["X-Include"] == "deletedCount"


def test_an_error_says_the_servers_title_detail_and_source(serve):
    error = {
        "status": "400",
        "title": "unique entity constraint",
        "detail": "This value is already used.",
        "source": {"pointer": "/data/attributes/sku"},
    }
    server = serve(lambda r: (400, {"errors": [error]}, {}))
    with pytest.raises(JsonApiError) as caught:
        client(server.url).post("products", {"data": {"type": "products"}})
    exc = caught.value
    assert exc.status == 400 and exc.errors == [error]
    assert "unique entity constraint: This value is already used. (source: /data/attributes/sku)" in str(exc)
    assert "POST /admin/api/products" in str(exc)
    assert not isinstance(exc, TransientError)
    assert len(server.seen) == 1  # a 400 is not retried


def test_a_filter_error_names_the_parameter(serve):
    error = {"title": "filter constraint", "detail": "Filter is not supported.", "source": {"parameter": "filter[x]"}}
    server = serve(lambda r: (400, {"errors": [error]}, {}))
    with pytest.raises(JsonApiError, match=r"filter constraint: Filter is not supported. \(source: filter\[x\]\)"):
        client(server.url).get("orders", {"filter[x]": "1"})


def test_not_found_is_not_supported_with_the_servers_words(serve):
    detail = "An entity with the requested identifier does not exist."
    server = serve(lambda r: (404, {"errors": [{"title": "not found http exception", "detail": detail}]}, {}))
    with pytest.raises(JsonApiNotFound, match=detail) as caught:
        client(server.url).get("orders/99")
    assert isinstance(caught.value, NotSupported)


def test_transient_failures_are_retried_with_fresh_headers(serve):
    answers = [(503, b"<h1>down</h1>", {}), (500, {"errors": [{"title": "oops"}]}, {}), (200, {"data": []}, {})]
    server = serve(lambda r: answers.pop(0))
    auth = CountingAuth()
    lines: list[str] = []
    doc = client(server.url, auth, log=lines.append).get("orders")
    assert doc.resources == []
    assert [s["headers"]["X-Token"] for s in server.seen] == ["t1", "t2", "t3"]
    assert len(lines) == 2 and "retrying" in lines[0]


def test_transient_failures_run_out(serve):
    server = serve(lambda r: (502, {"errors": [{"title": "bad gateway", "detail": "upstream"}]}, {}))
    with pytest.raises(TransientError, match="bad gateway: upstream"):
        client(server.url).get("orders")
    assert len(server.seen) == 3


def test_a_200_that_is_not_json_is_transient(serve):
    answers = [(200, b"<html>PHP Fatal error</html>", {}), (200, {"data": {"type": "x", "id": "1"}}, {})]
    server = serve(lambda r: answers.pop(0))
    assert client(server.url).get("x/1").data["id"] == "1"
    assert len(server.seen) == 2


def test_a_401_renews_once_and_asks_again(serve):
    def route(r):
        if r["headers"]["X-Token"] == "t1":
            return 401, {"errors": [{"title": "authentication exception", "detail": "expired"}]}, {}
        return 200, {"data": []}, {}

    server = serve(route)
    auth = CountingAuth(renewals=5)
    client(server.url, auth).get("orders")
    assert [s["headers"]["X-Token"] for s in server.seen] == ["t1", "t2"]
    assert auth.renew_calls == 1


def test_a_401_without_renewal_fails_with_the_servers_words(serve):
    error = {"status": "401", "title": "authentication exception", "detail": "Previously used nonce detected"}
    server = serve(lambda r: (401, {"errors": [error]}, {}))
    auth = CountingAuth(renewals=0)
    with pytest.raises(JsonApiAccessDenied, match="authentication exception: Previously used nonce detected") as caught:
        client(server.url, auth).get("orders")
    assert isinstance(caught.value, AccessDenied)
    assert len(server.seen) == 1 and auth.renew_calls == 1


def test_a_401_after_renewal_is_not_renewed_again(serve):
    server = serve(lambda r: (401, {"errors": [{"title": "authentication exception"}]}, {}))
    auth = CountingAuth(renewals=5)
    with pytest.raises(JsonApiAccessDenied):
        client(server.url, auth).get("orders")
    assert len(server.seen) == 2 and auth.renew_calls == 1


def test_pages_reads_until_an_empty_page(serve):
    records = [{"type": "productunits", "id": f"u{i}"} for i in range(7)]

    def route(r):
        size, number = int(r["query"]["page[size]"]), int(r["query"]["page[number]"])
        # A server that caps its pages below the size asked must not end the read early.
        size = min(size, 2)
        return 200, {"data": records[(number - 1) * size : number * size]}, {}

    server = serve(route)
    found = client(server.url).all("productunits", {"sort": "id"}, size=3)
    assert [r["id"] for r in found] == [f"u{i}" for i in range(7)]
    assert [s["query"]["page[number]"] for s in server.seen] == ["1", "2", "3", "4", "5"]
    assert all(s["query"]["sort"] == "id" and s["query"]["page[size]"] == "3" for s in server.seen)


def test_requests_go_nowhere_but_the_servers_origin(serve):
    server = serve(lambda r: (200, {"data": []}, {}))
    with pytest.raises(NotSupported, match="talks only to"):
        client(server.url).get("http://127.0.0.2:9/admin/api/orders")
    assert server.seen == []
