"""Bounded retries with backoff for transient remote failures."""

import time
from collections.abc import Callable
from typing import TypeVar

from integrations.engine.errors import TransientError

T = TypeVar("T")

DEFAULT_DELAYS = (1.0, 3.0, 9.0, 20.0)


def with_retries(
    call: Callable[[], T],
    *,
    what: str,
    delays: tuple[float, ...] = DEFAULT_DELAYS,
    log: Callable[[str], None] = lambda message: None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call`; on a TransientError wait and try again, at most len(delays) more times."""
    for attempt, delay in enumerate((*delays, None), start=1):
        try:
            return call()
        except TransientError as exc:
            if delay is None:
                raise
            log(f"{what}: {exc} (attempt {attempt} of {len(delays) + 1}; retrying in {delay:g} s)")
            sleep(delay)
    raise AssertionError("unreachable")
