"""The integration types: each connector class registers itself here.

Django imports every installed app's `connector` module when the integrations app is ready (as the
admin finds `admin.py`), so no generic module names a connector. The list of types serves channels
and integrations alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from django.db import models

    from integrations.engine.contracts import Connector, Sink
    from integrations.models import Integration

_TYPES: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    """Class decorator: make `cls` the connector of its `type_key`."""
    _TYPES[cls.type_key] = cls
    return cls


def autodiscover() -> None:
    autodiscover_modules("connector")


def connector_class(type_key: str) -> type[Connector]:
    try:
        return _TYPES[type_key]
    except KeyError:
        raise LookupError(f"No connector for integration type {type_key!r}") from None


def connector_for(integration: Integration, log: Callable[[str], None] | None = None) -> Connector:
    """A connector of the integration's type, for one run or one check."""
    return connector_class(integration.integration_type)(integration, log=log)


def types() -> dict[str, type[Connector]]:
    return dict(_TYPES)


def type_choices() -> list[tuple[str, str]]:
    """Choices of Channel.channel_type and Integration.integration_type (a callable: types register late)."""
    return [(key, cls.label) for key, cls in sorted(_TYPES.items())]


def sinks_touched_by(model: type[models.Model]) -> list[tuple[str, type[Sink], Callable[[Any], list[int]]]]:
    """(type key, sink class, instance -> local ids of the sink's model) of every registered sink whose
    records a change of a `model` instance pushes: the sink's own model, or one of its triggers."""
    found = []
    for key, cls in _TYPES.items():
        for sink in cls.sink_classes:
            if sink.model is model:
                found.append((key, sink, lambda instance: [instance.pk]))
            if model in sink.triggers:
                found.append((key, sink, sink.triggers[model]))
    return found


def watched_models() -> set[type[models.Model]]:
    """The models whose changes are pushed: sinks' own and those that trigger them."""
    return {model for cls in _TYPES.values() for sink in cls.sink_classes for model in (sink.model, *sink.triggers)}
