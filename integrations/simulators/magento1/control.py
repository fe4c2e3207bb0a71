"""A client of the simulator's control endpoints (not Magento's API): what it holds, and changes."""

import json
import urllib.request
from typing import Any


class SimulatorControl:
    """Talks to `/_sim/*` of a simulator at `url` (`http://HOST:PORT`)."""

    def __init__(self, url: str, timeout: float = 60) -> None:
        self.url, self.timeout = url.rstrip("/"), timeout

    def stats(self) -> dict[str, Any]:
        """Record counts, calls served per operation, the mode."""
        with urllib.request.urlopen(f"{self.url}/_sim/stats", timeout=self.timeout) as answer:
            return json.load(answer)

    def touch(self, entity: str, count: int | None = None, ids: list[int] | None = None) -> list[int]:
        """Set `updated_at` (subscribers: `change_status_at`) of `count` records of `entity`
        ("customers", "orders", "quotes", "creditmemos", "subscribers"), or of those with these
        `ids`, to now; their ids."""
        return self._post("/_sim/touch", {"entity": entity, "count": count, "ids": ids})["ids"]

    def delete(self, entity: str, ids: list[int]) -> list[int]:
        """Delete these records of `entity` from the store (gone from every list and info call); their ids."""
        return self._post("/_sim/delete", {"entity": entity, "ids": ids})["ids"]

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            return json.load(answer)
