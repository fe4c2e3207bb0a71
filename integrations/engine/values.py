"""Parsing of remote scalar values, each failure a MappingError that says which field and why."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.engine.contracts import MappingError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ZERO_DATES = {"0000-00-00 00:00:00", "0000-00-00"}
# A whole timestamp: date, time, optional fraction, optional offset (Z or +HH:MM / +HHMM). Nothing
# else: a value with trailing text, or only a date, is not silently cut down to something else.
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})?$")
_WHOLE = re.compile(r"^[+-]?\d+$")


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


def remote_id(raw: dict[str, Any], key: str) -> str:
    """A required remote id, as the remote system spells it ("0" is an id; "" is none)."""
    value = optional_id(raw, key)
    if value is None:
        raise MappingError(f"{key} is missing")
    return value


def optional_id(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None or isinstance(value, bool):
        return None
    value = str(value).strip()
    return value or None


def whole_id(raw: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    """The id of a system whose ids are whole numbers, in its canonical spelling ("007" is "7")."""
    value = optional_id(raw, key)
    if value is None:
        if required:
            raise MappingError(f"{key} is missing")
        return None
    if not _WHOLE.match(value):
        raise MappingError(f"{key} {value!r} is not a whole number")
    return str(int(value))


def parse_timestamp(value: str) -> datetime.datetime:
    """An ISO 8601 / SQL timestamp, strictly; its offset is kept, none means UTC. ValueError if not one."""
    value = value.strip()
    if not _TIMESTAMP.match(value):
        raise ValueError(value)
    parsed = datetime.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def moment(raw: dict[str, Any], key: str) -> datetime.datetime | None:
    """A timestamp: `YYYY-MM-DD HH:MM:SS` (UTC) or ISO 8601 with its offset. MySQL's zero date means none."""
    value = text(raw, key)
    if not value or value in ZERO_DATES:
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        raise MappingError(
            f"{key} {value!r} is not a date and time (YYYY-MM-DD HH:MM:SS, or ISO 8601 with an offset)"
        ) from None


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
