"""How oroint signs in to an OroCommerce back-office API: WSSE (an API key) or OAuth2 client credentials.

WSSE: each request carries a UsernameToken whose digest proves the key without sending it; the
store accepts a nonce once (a replay is refused with "Previously used nonce detected"), so headers
are made for every request, retries included. Oro marks WSSE deprecated; OAuth2 is the way on.

OAuth2: a token from POST <site root>/oauth2-token, cached until shortly before it expires, and
fetched again when the store refuses it (it may have been revoked, or the store restarted).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from integrations.engine.errors import AccessDenied, RemoteError
from integrations.transports.http import HttpClient
from integrations.transports.jsonapi import describe_errors, read_errors

TOKEN_PATH = "oauth2-token"
# OroCommerce's back office is served under a prefix (`/admin` by default); the token endpoint is not.
BACK_OFFICE_PREFIX = "admin"


def wsse_header(
    user: str,
    key: str,
    raw_nonce: bytes | None = None,
    created: str | datetime.datetime | None = None,
) -> dict[str, str]:
    """The two headers of a WSSE UsernameToken: digest = base64(sha1(raw nonce + Created + key)).

    A fresh 16-byte random nonce and the current time (ISO 8601 with its offset) unless given.
    """
    nonce = os.urandom(16) if raw_nonce is None else raw_nonce
    if created is None:
        created = datetime.datetime.now(datetime.UTC)
    if isinstance(created, datetime.datetime):
        created = created.isoformat(timespec="seconds")
    digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + key.encode()).digest()).decode()
    token = (
        f'UsernameToken Username="{user}", PasswordDigest="{digest}", '
        f'Nonce="{base64.b64encode(nonce).decode()}", Created="{created}"'
    )
    return {"Authorization": 'WSSE profile="UsernameToken"', "X-WSSE": token}


class WsseAuth:
    """WSSE with an API user's key: new headers for every request; a refused key stays refused."""

    def __init__(self, user: str, key: str) -> None:
        self.user, self._key = user, key

    def headers(self) -> dict[str, str]:
        return wsse_header(self.user, self._key)

    def renew(self) -> bool:
        return False

    def __repr__(self) -> str:  # never the key
        return f"WsseAuth(user={self.user!r})"


def site_root(admin_url: str) -> str:
    """The store's root, where the token endpoint is: the admin URL without its back-office prefix.

    http://h/admin -> http://h ; http://h/shop/admin -> http://h/shop ; http://h -> http://h.
    """
    parts = urlsplit(admin_url.strip())
    path = parts.path.rstrip("/")
    if path.rsplit("/", 1)[-1] == BACK_OFFICE_PREFIX:
        path = path[: -len(BACK_OFFICE_PREFIX)].rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class OAuth2ClientCredentials:
    """An OAuth2 client of the back office (client credentials grant), with its token cached.

    The token is kept until `expires_in` minus a margin (a tenth of its life, at most a minute), so
    that a request never leaves with a token about to expire; `renew()` drops it (after a 401).
    """

    def __init__(
        self,
        site_root: str,
        client_id: str,
        client_secret: str,
        *,
        http: HttpClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.site_root = site_root.rstrip("/")
        self.client_id, self._secret = client_id, client_secret
        self.http = http or HttpClient(base_url=self.site_root, retry_delays=())
        self.clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self.tokens_fetched = 0

    def headers(self) -> dict[str, str]:
        if self._token is None or self.clock() >= self._expires_at:
            self._fetch()
        return {"Authorization": f"Bearer {self._token}"}

    def renew(self) -> bool:
        self._token = None
        return True

    def _fetch(self) -> None:
        what = "the OAuth2 token request"
        body = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self._secret}
        try:
            answer = self.http.json("POST", f"{self.site_root}/{TOKEN_PATH}", what=what, json=body)
        except AccessDenied as exc:
            words = _words_of(exc)
            raise AccessDenied(
                f"{self.http.host} refused {what}{': ' + words if words else ''}. Check the OAuth2 client id and "
                "secret (an OroCommerce back-office application with the client credentials grant)."
            ) from exc
        except RemoteError as exc:
            words = _words_of(exc)
            if words:
                raise type(exc)(f"{exc} {words}") from exc
            raise
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not token:
            raise AccessDenied(f"{self.http.host} answered {what} without an access token.")
        try:
            lifetime = float(answer.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        self._token = str(token)
        self._expires_at = self.clock() + lifetime - min(60.0, lifetime / 10)
        self.tokens_fetched += 1

    def __repr__(self) -> str:  # never the secret nor the token
        return f"OAuth2ClientCredentials(site_root={self.site_root!r}, client_id={self.client_id!r})"


def _words_of(exc: RemoteError) -> str:
    response = getattr(exc, "response", None)
    if response is None:
        return ""
    try:
        return describe_errors(read_errors(response.json()))
    except ValueError:
        return ""
