"""What the OroCommerce simulator's tests send: WSSE headers (any nonce and Created) and JSON:API calls."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime
from typing import Any

import requests

from integrations.simulators.orocommerce.auth import password_digest

JSON_API = "application/vnd.api+json"


def wsse_headers(user: str, key: str, raw_nonce: bytes | None = None, created: str | None = None) -> dict[str, str]:
    raw_nonce = os.urandom(16) if raw_nonce is None else raw_nonce
    created = created or datetime.now(UTC).replace(microsecond=0).isoformat()
    nonce = base64.b64encode(raw_nonce).decode()
    digest = password_digest(raw_nonce, created, key)
    return {
        "Authorization": 'WSSE profile="UsernameToken"',
        "X-WSSE": f'UsernameToken Username="{user}", PasswordDigest="{digest}", Nonce="{nonce}", Created="{created}"',
        "Accept": JSON_API,
        "Content-Type": JSON_API,
    }


class Api:
    """Calls `<admin_url>/api/<path>` with a fresh WSSE header each time (or a Bearer token)."""

    def __init__(self, admin_url: str, user: str, key: str, token: str | None = None) -> None:
        self.base, self.user, self.key, self.token = admin_url.rstrip("/") + "/api/", user, key, token
        self.session = requests.Session()

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        if self.token:
            headers = {"Authorization": f"Bearer {self.token}", "Accept": JSON_API, "Content-Type": JSON_API}
        else:
            headers = wsse_headers(self.user, self.key)
        return {**headers, **(extra or {})}

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None, **params: Any):
        return self.session.request(
            method, self.base + path, json=body, params=params or None, headers=self.headers(headers), timeout=30
        )

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> requests.Response:
        return self.call("GET", path, headers=headers, **params)

    def data(self, path: str, **params: Any) -> Any:
        answer = self.get(path, **params)
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]

    def post(self, path: str, body: Any) -> requests.Response:
        return self.call("POST", path, body)

    def patch(self, path: str, body: Any) -> requests.Response:
        return self.call("PATCH", path, body)

    def delete(self, path: str, **params: Any) -> requests.Response:
        return self.call("DELETE", path, **params)
