"""How the back office writes money, quantities and times: one way, on every page.

Money keeps its currency and never adds two currencies together; quantities lose the store's
`.0000`; times are shown in settings.TIME_ZONE (OROINT_TIME_ZONE, default UTC) with the zone named.
Models and admin pages call these; templates use the filters of templatetags/oroint_display.py.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

CENT = Decimal("0.01")
EMPTY = "\u2014"  # an em dash: "no value", distinct from zero


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def amount(value: object) -> str:
    """`1234.5` -> "1,234.50": two decimals, thousands separated; an em dash for no value."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    return f"{number.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def money(value: object, currency: str | None) -> str:
    """`1234.5, "USD"` -> "1,234.50 USD" (the code after the figure, as in a ledger)."""
    shown = amount(value)
    if shown == EMPTY or not currency:
        return shown
    return f"{shown} {currency}"


def money_sums(rows: Iterable[tuple[str | None, object]]) -> list[str]:
    """The sum per currency of `(currency, amount)` rows, one "N CUR" each, biggest first."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for currency, value in rows:
        number = _decimal(value)
        if number is not None:
            sums[currency or ""] += number
    ordered = sorted(sums.items(), key=lambda item: (-item[1], item[0]))
    return [money(total, currency) for currency, total in ordered]


def quantity(value: object) -> str:
    """`Decimal("2.0000")` -> "2", `1.5000` -> "1.5", `1234` -> "1,234"."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    if number == number.to_integral_value():
        return f"{int(number):,}"
    text = f"{number:,f}".rstrip("0")
    return text.rstrip(".")


def count(value: object) -> str:
    """`12345` -> "12,345"."""
    return EMPTY if value is None else f"{int(value):,}"


def when(value: datetime.datetime | datetime.date | None) -> str:
    """A time in the configured zone, "2026-12-01 17:43 UTC"; a date as "2026-12-01"."""
    if value is None:
        return EMPTY
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M ") + (value.tzname() or "")
    return value.strftime("%Y-%m-%d")


def duration(seconds: float | None) -> str:
    """`3725` -> "1 h 2 min", `75` -> "1 min 15 s", `4.2` -> "4 s"."""
    if seconds is None:
        return EMPTY
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"
