"""A client of the hostile proxy's control endpoints."""

import json
import urllib.request
from typing import Any


class HostileControl:
    def __init__(self, url: str, timeout: float = 30) -> None:
        self.url, self.timeout = url.rstrip("/"), timeout

    def rules(self, *rules: dict[str, Any]) -> list[dict[str, Any]]:
        """Put these rules in force (none: the proxy forwards everything unchanged)."""
        request = urllib.request.Request(
            f"{self.url}/_hostile/rules",
            data=json.dumps(list(rules)).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            return json.load(answer)

    def seen(self) -> list[dict[str, Any]]:
        """Every request the proxy was sent (method, path, headers, body)."""
        with urllib.request.urlopen(f"{self.url}/_hostile/seen", timeout=self.timeout) as answer:
            return json.load(answer)
