"""A client of a simulator's control endpoints (`/_sim/*`, not the simulated system's API)."""

import json
import urllib.request
from typing import Any
from urllib.parse import urlencode


class SimulatorControl:
    """Talks to `/_sim/*` of a simulator at `url` (`http://HOST:PORT`)."""

    def __init__(self, url: str, timeout: float = 60) -> None:
        self.url, self.timeout = url.rstrip("/"), timeout

    def stats(self) -> dict[str, Any]:
        """Record counts, calls served, fault settings and faults injected."""
        return self._get("/_sim/stats")

    def touch(self, entity: str, count: int | None = None, ids: list[Any] | None = None) -> list[Any]:
        """Set the change time of `count` records of `entity` (seeded choice), or of those with
        these `ids`, to now, as an edit in the store would; their ids."""
        return self._post("/_sim/touch", {"entity": entity, "count": count, "ids": ids})["ids"]

    def delete(self, entity: str, ids: list[Any]) -> list[Any]:
        """Delete these records of `entity` from the store (gone from every answer); their ids."""
        return self._post("/_sim/delete", {"entity": entity, "ids": ids})["ids"]

    def faults(self, **changes: Any) -> dict[str, Any]:
        """Change fault settings (none: read them); the settings now in force."""
        if not changes:
            return self._get("/_sim/faults")
        return self._post("/_sim/faults", changes)

    def _get(self, path: str, **query: Any) -> Any:
        suffix = f"?{urlencode(query)}" if query else ""
        with urllib.request.urlopen(f"{self.url}{path}{suffix}", timeout=self.timeout) as answer:
            return json.load(answer)

    def _post(self, path: str, payload: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            return json.load(answer)
