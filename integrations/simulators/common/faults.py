"""Seeded fault injection: latency, HTML error pages (500/502/503/504), dropped connections and
answers that are not in the protocol's format (a PHP error page with HTTP 200)."""

import random
import threading
import time
from dataclasses import dataclass
from typing import Any, ClassVar

from .http import HTTP_ERRORS, respond

_ERROR_PAGE = b"<html><head><title>%s</title></head><body><center><h1>%s</h1></center><hr><center>nginx</center>"


@dataclass
class FaultSettings:
    """Fault modes every simulator has; changeable at run time through `POST /_sim/faults`.

    A simulator adds its own fields in a subclass; `garbled_rate` is the share of calls answered
    HTTP 200 with a page not in the protocol's format, counted as `garbled_outcome`.
    """

    latency_ms: int = 0
    fault_rate: float = 0.0

    garbled_outcome: ClassVar[str] = "garbled"

    @property
    def garbled_rate(self) -> float:
        return 0.0


class FaultInjector:
    """Decides, per call, whether the call fails before it reaches the simulated system.

    Draws come from one generator seeded from the store seed, in call order: a given sequence
    of calls meets the same failures on every run.
    """

    OUTCOMES = (500, 502, 503, 504, "drop")

    def __init__(self, settings: FaultSettings, seed: int) -> None:
        self.settings = settings
        self.injected: dict[str, int] = {}
        self._rng = random.Random(seed * 2_750_159 + 19)
        self._lock = threading.Lock()

    def decide(self) -> int | str | None:
        """An HTTP status for an HTML error page, "drop", the garbled outcome, or None to answer normally."""
        with self._lock:
            settings = self.settings
            roll = self._rng.random()
            outcome: int | str | None = None
            if roll < settings.fault_rate:
                outcome = self.OUTCOMES[int(self._rng.random() * len(self.OUTCOMES))]
            elif roll < settings.fault_rate + settings.garbled_rate:
                outcome = settings.garbled_outcome
            if outcome is not None:
                self.injected[str(outcome)] = self.injected.get(str(outcome), 0) + 1
            return outcome

    def intercept(self, environ: dict[str, Any], start_response: Any, garbled_page: bytes) -> list[bytes] | None:
        """Wait the latency, then answer the call with a fault, or return None to let it through."""
        if self.settings.latency_ms:
            time.sleep(self.settings.latency_ms / 1000)
        outcome = self.decide()
        if outcome is None:
            return None
        if outcome == "drop":
            close = environ.get("simulator.close_connection")
            if close is not None:
                close()
            # wsgiref gives up the request without writing a response on this exception.
            raise ConnectionAbortedError("simulated connection drop")
        if isinstance(outcome, int):
            title = f"{outcome} {HTTP_ERRORS[outcome]}".encode()
            return respond(start_response, outcome, _ERROR_PAGE % (title, title) + b"</body></html>\n", "text/html")
        return respond(start_response, 200, garbled_page, "text/html; charset=UTF-8")
