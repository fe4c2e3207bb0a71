"""OroCommerce sign-in: the WSSE header (the documented test vector, a fresh nonce each time) and the
OAuth2 client credentials token (cached, fetched again after a 401 or once expired), over real HTTP."""

from __future__ import annotations

import base64
import datetime
import hashlib
import re

import pytest

from integrations.connectors.orocommerce.auth import OAuth2ClientCredentials, WsseAuth, site_root, wsse_header
from integrations.engine.errors import AccessDenied
from integrations.transports.jsonapi import JsonApiClient
from tests.transports.test_jsonapi import serve  # noqa: F401  (the fixture)

TOKEN = re.compile(r'UsernameToken Username="(.*)", PasswordDigest="(.*)", Nonce="(.*)", Created="(.*)"')


def test_wsse_header_matches_the_documented_test_vector():
    headers = wsse_header(
        "admin", "dd1c18d06773cc377c9df6166c54c6e5fefa50fa", b"0123456789abcdef", "2016-09-20T10:00:00+03:00"
    )
    assert headers["Authorization"] == 'WSSE profile="UsernameToken"'
    assert headers["X-WSSE"] == (
        'UsernameToken Username="admin", PasswordDigest="RR/bt+c+sxZAk8qZQhVbctiTC3I=", '
        'Nonce="MDEyMzQ1Njc4OWFiY2RlZg==", Created="2016-09-20T10:00:00+03:00"'
    )


def test_wsse_header_has_a_fresh_nonce_and_now_with_its_offset():
    first, second = (TOKEN.fullmatch(wsse_header("api", "k")["X-WSSE"]) for _ in range(2))
    assert first[3] != second[3]
    nonce = base64.b64decode(first[3])
    assert len(nonce) == 16
    created = datetime.datetime.fromisoformat(first[4])
    assert created.utcoffset() is not None
    assert abs(datetime.datetime.now(datetime.UTC) - created) < datetime.timedelta(seconds=5)
    # The server's own check: base64(sha1(base64_decode(Nonce) . Created . key)).
    assert first[2] == base64.b64encode(hashlib.sha1(nonce + first[4].encode() + b"k").digest()).decode()


def test_wsse_auth_makes_new_headers_every_time_and_never_renews():
    auth = WsseAuth("api", "secret-key")
    assert auth.headers()["X-WSSE"] != auth.headers()["X-WSSE"]
    assert auth.renew() is False
    assert "secret-key" not in repr(auth)


@pytest.mark.parametrize(
    ("admin_url", "root"),
    [
        ("http://shop.example.com/admin", "http://shop.example.com"),
        ("http://shop.example.com/admin/", "http://shop.example.com"),
        ("https://h:8443/store/admin", "https://h:8443/store"),
        ("http://shop.example.com", "http://shop.example.com"),
        ("http://shop.example.com/back-office", "http://shop.example.com/back-office"),
    ],
)
def test_site_root_drops_the_back_office_prefix(admin_url, root):
    assert site_root(admin_url) == root


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def token_server(serve, *, secret="s3cret", lifetime=3600):  # noqa: F811
    issued: list[str] = []

    def route(r):
        if r["path"] == "/oauth2-token":
            body = r["body"] or {}
            if body.get("client_secret") != secret or body.get("grant_type") != "client_credentials":
                return (
                    401,
                    {"error": "invalid_client", "error_description": "Client authentication failed", "message": "x"},
                    {},
                )
            issued.append(f"tok{len(issued) + 1}")
            return 200, {"token_type": "Bearer", "expires_in": lifetime, "access_token": issued[-1]}, {}
        if r["headers"].get("Authorization") != f"Bearer {issued[-1] if issued else ''}":
            return 401, {"errors": [{"title": "authentication exception"}]}, {}
        return 200, {"data": []}, {}

    return serve(route), issued


def test_oauth_token_is_fetched_once_and_cached(serve):  # noqa: F811
    server, issued = token_server(serve)
    auth = OAuth2ClientCredentials(server.url, "client", "s3cret")
    api = JsonApiClient(f"{server.url}/admin/api", auth, retry_delays=())
    api.get("orders")
    api.get("orders")
    assert issued == ["tok1"]
    posted = [s for s in server.seen if s["path"] == "/oauth2-token"]
    assert posted[0]["body"] == {"grant_type": "client_credentials", "client_id": "client", "client_secret": "s3cret"}
    assert [s["headers"]["Authorization"] for s in server.seen if s["path"] != "/oauth2-token"] == ["Bearer tok1"] * 2


def test_oauth_token_is_fetched_again_before_it_expires(serve):  # noqa: F811
    server, issued = token_server(serve, lifetime=100)
    clock = Clock()
    auth = OAuth2ClientCredentials(server.url, "client", "s3cret", clock=clock)
    api = JsonApiClient(f"{server.url}/admin/api", auth, retry_delays=())
    api.get("orders")
    clock.now += 89  # within its life, less the margin
    api.get("orders")
    assert issued == ["tok1"]
    clock.now += 2  # past 100 - 10
    api.get("orders")
    assert issued == ["tok1", "tok2"]


def test_oauth_token_refused_by_the_store_is_renewed(serve):  # noqa: F811
    server, issued = token_server(serve)
    auth = OAuth2ClientCredentials(server.url, "client", "s3cret")
    api = JsonApiClient(f"{server.url}/admin/api", auth, retry_delays=())
    api.get("orders")
    issued.append("revoked-elsewhere")  # the store now accepts another token only
    api.get("orders")
    assert issued[-1] == "tok3"


def test_oauth_bad_secret_fails_with_the_stores_words(serve):  # noqa: F811
    server, issued = token_server(serve)
    auth = OAuth2ClientCredentials(server.url, "client", "wrong")
    api = JsonApiClient(f"{server.url}/admin/api", auth, retry_delays=())
    with pytest.raises(AccessDenied, match="invalid_client: Client authentication failed") as caught:
        api.get("orders")
    assert "wrong" not in str(caught.value)
    assert issued == []
    assert "wrong" not in repr(auth)
