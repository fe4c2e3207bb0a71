"""The back-office API's authentication: WSSE UsernameToken headers and OAuth2 client credentials.

WSSE as Oro checks it: `PasswordDigest = base64(sha1(raw nonce + Created + API key))`, a header
lives 3600 s, a Created more than 5 minutes ahead is refused, a nonce is good once (remembered
for the header lifetime; a nonce is used up even when its digest is wrong, as in Oro).
"""

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

WSSE_LIFETIME = 3600
FUTURE_SKEW = 300
_FIELD = re.compile(r'(\w+)="([^"]*)"')


class AuthenticationFailed(Exception):
    """A request the API refuses with 401; `detail` is Oro's message."""

    def __init__(self, detail: str, scheme: str = "WSSE") -> None:
        super().__init__(detail)
        self.detail, self.scheme = detail, scheme


def password_digest(raw_nonce: bytes, created: str, api_key: str) -> str:
    """The WSSE PasswordDigest of a raw nonce, a Created text and an API key."""
    return base64.b64encode(hashlib.sha1(raw_nonce + created.encode() + api_key.encode()).digest()).decode()


def parse_wsse(header: str) -> dict[str, str]:
    """The fields of an `X-WSSE: UsernameToken Username="..", ...` header."""
    if not header.strip().startswith("UsernameToken"):
        raise AuthenticationFailed("The X-WSSE header is not a UsernameToken.")
    return dict(_FIELD.findall(header))


def _parse_created(created: str) -> float:
    try:
        moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError as error:
        raise AuthenticationFailed("Invalid Created value.") from error
    if moment.tzinfo is None:
        raise AuthenticationFailed("Invalid Created value.")
    return moment.timestamp()


class WsseAuthenticator:
    """Checks WSSE headers for one API user and key; remembers the nonces it has seen."""

    def __init__(self, user: str, key: str, lifetime: int = WSSE_LIFETIME) -> None:
        self.user, self.key, self.lifetime = user, key, lifetime
        self.nonces: dict[str, float] = {}  # nonce -> when it may be forgotten
        self.replays = 0
        self.refused = 0
        self._checks = 0
        self._lock = threading.Lock()

    def check(self, authorization: str, x_wsse: str) -> str:
        """The user name of a valid header pair; raises AuthenticationFailed otherwise."""
        try:
            return self._check(authorization, x_wsse)
        except AuthenticationFailed:
            with self._lock:
                self.refused += 1
            raise

    def _check(self, authorization: str, x_wsse: str) -> str:
        if not authorization.startswith("WSSE") or 'profile="UsernameToken"' not in authorization:
            raise AuthenticationFailed('The Authorization header must be WSSE profile="UsernameToken".')
        fields = parse_wsse(x_wsse)
        missing = [name for name in ("Username", "PasswordDigest", "Nonce", "Created") if not fields.get(name)]
        if missing:
            raise AuthenticationFailed(f"The X-WSSE header has no {', '.join(missing)}.")
        try:
            raw_nonce = base64.b64decode(fields["Nonce"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise AuthenticationFailed("Invalid Nonce value.") from error
        created = _parse_created(fields["Created"])
        now = time.time()
        if created > now + FUTURE_SKEW:
            raise AuthenticationFailed("Future token detected.")
        if now - created > self.lifetime:
            raise AuthenticationFailed("Token has expired.")
        with self._lock:
            self._forget_old(now)
            if fields["Nonce"] in self.nonces:
                self.replays += 1
                raise AuthenticationFailed("Previously used nonce detected")
            self.nonces[fields["Nonce"]] = now + self.lifetime
        if fields["Username"] != self.user:
            raise AuthenticationFailed("Username could not be found.")
        expected = password_digest(raw_nonce, fields["Created"], self.key)
        if not hmac.compare_digest(expected, fields["PasswordDigest"]):
            raise AuthenticationFailed("The presented password is invalid.")
        return fields["Username"]

    def _forget_old(self, now: float) -> None:
        self._checks += 1
        if self._checks % 256 == 0:
            for nonce in [nonce for nonce, until in self.nonces.items() if until < now]:
                del self.nonces[nonce]


@dataclass
class _Token:
    client_id: str
    expires_at: float


class OAuthServer:
    """OAuth2 client credentials: `POST /oauth2-token` issues Bearer tokens valid for `ttl` seconds."""

    def __init__(self, client_id: str, client_secret: str, ttl: int = 3600) -> None:
        self.client_id, self.client_secret, self.ttl = client_id, client_secret, ttl
        self.tokens: dict[str, _Token] = {}
        self.issued = 0
        self.refused = 0
        self._lock = threading.Lock()

    def token(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The status and JSON answer of a token request (its fields, from JSON or a form)."""
        if request.get("grant_type") != "client_credentials":
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": "The authorization grant type is not supported by the authorization server.",
                "hint": "Check that all required parameters have been provided",
                "message": "The authorization grant type is not supported by the authorization server.",
            }
        client_ok = hmac.compare_digest(str(request.get("client_id", "")), self.client_id)
        secret_ok = hmac.compare_digest(str(request.get("client_secret", "")), self.client_secret)
        if not (client_ok and secret_ok):
            with self._lock:
                self.refused += 1
            return 401, {
                "error": "invalid_client",
                "error_description": "Client authentication failed",
                "message": "Client authentication failed",
            }
        token = secrets.token_urlsafe(48)
        with self._lock:
            now = time.time()
            for stale in [t for t, v in self.tokens.items() if v.expires_at < now - 3600]:
                del self.tokens[stale]
            self.tokens[token] = _Token(self.client_id, now + self.ttl)
            self.issued += 1
        return 200, {"token_type": "Bearer", "expires_in": self.ttl, "access_token": token}

    def check(self, authorization: str) -> str:
        """The client id of a valid `Bearer` token; raises AuthenticationFailed otherwise."""
        token = authorization.removeprefix("Bearer").strip()
        with self._lock:
            found = self.tokens.get(token)
            if found is None or found.expires_at <= time.time():
                self.refused += 1
                raise AuthenticationFailed("The access token is invalid or has expired.", scheme="Bearer")
        return found.client_id
