"""Checks of mapped values against the local columns, before anything is written."""

from django.db import models

from integrations.engine.contracts import Mapped, MappingError

_limits_cache: dict[type[models.Model], dict[str, int]] = {}


def _limits(model: type[models.Model]) -> dict[str, int]:
    if model not in _limits_cache:
        _limits_cache[model] = {
            f.attname: f.max_length
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField) and f.max_length
        }
    return _limits_cache[model]


def check_lengths(model: type[models.Model], record: Mapped, children: dict[str, type[models.Model]]) -> None:
    """Refuse a value longer than its column: truncating would silently change the record."""
    _check(model, record.fields, "")
    for name, rows in record.children.items():
        for row in rows:
            _check(children[name], row, f"{name}: ")


def _check(model: type[models.Model], values: dict, where: str) -> None:
    limits = _limits(model)
    for name, value in values.items():
        limit = limits.get(name)
        if limit and isinstance(value, str) and len(value) > limit:
            raise MappingError(f"{where}{name} is {len(value)} characters long; at most {limit} fit")
