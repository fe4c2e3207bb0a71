"""Parsing of remote scalar values, each failure a MappingError that says which field and why."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.engine.records import MappingError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ZERO_DATES = {"0000-00-00 00:00:00", "0000-00-00"}


def text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    return str(value).strip()


def integer(raw: dict[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if value in (None, ""):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise MappingError(f"{key} {value!r} is not a whole number") from None


def required_integer(raw: dict[str, Any], key: str) -> int:
    value = integer(raw, key)
    if value is None:
        raise MappingError(f"{key} is missing")
    return value


def decimal(raw: dict[str, Any], key: str) -> Decimal | None:
    value = raw.get(key)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise MappingError(f"{key} {value!r} is not a number") from None
    if not number.is_finite():
        raise MappingError(f"{key} {value!r} is not a number")
    return number.quantize(Decimal("0.0001"))


def boolean(raw: dict[str, Any], key: str, default: bool = False) -> bool:
    value = raw.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes"}


def moment(raw: dict[str, Any], key: str) -> datetime.datetime | None:
    """A store timestamp: `YYYY-MM-DD HH:MM:SS` in UTC. MySQL's zero date means none."""
    value = text(raw, key)
    if not value or value in ZERO_DATES:
        return None
    try:
        parsed = datetime.datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        try:
            parsed = datetime.datetime.strptime(value[:10], "%Y-%m-%d")
        except ValueError:
            raise MappingError(f"{key} {value!r} is not a date and time (YYYY-MM-DD HH:MM:SS)") from None
    return parsed.replace(tzinfo=datetime.UTC)


def day(raw: dict[str, Any], key: str) -> datetime.date | None:
    """A date that stores send with a time (`dob`): its first ten characters."""
    value = text(raw, key)
    if not value or value in ZERO_DATES:
        return None
    try:
        return datetime.datetime.strptime(value[:10], "%Y-%m-%d").date()
    except ValueError:
        raise MappingError(f"{key} {value!r} is not a date (YYYY-MM-DD)") from None


def email(raw: dict[str, Any], key: str, *, required: bool) -> str:
    value = text(raw, key)
    if not value:
        if required:
            raise MappingError(f"{key} is missing")
        return ""
    if not _EMAIL.match(value):
        raise MappingError(f"{key} {value!r} is not an email address")
    return value
