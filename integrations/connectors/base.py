"""The connector interface and the registry of integration types.

A connector is what differs between remote systems: how to reach them (its transport), which
entities it reads (its streams, in order) and how a remote record maps to a local one. Everything
else (batching, upserts, checkpoints, stats, quarantine, locking) is the engine's and is shared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models

from integrations.engine.records import Mapped, Page
from integrations.engine.upsert import ChildSpec

if TYPE_CHECKING:
    from integrations.models import Integration


@dataclass
class CheckResult:
    """What Check Connection found: the same (ok, message) for admin, CLI and API."""

    ok: bool
    message: str
    details: dict[str, Any] = field(default_factory=dict)


class Stream:
    """One remote entity: where to read it, how to map it, where it lands.

    `pages(state)` yields pages of raw records, each with the checkpoint state that is reached
    once the page is written; the engine stores that state in the same transaction as the page.
    """

    name: ClassVar[str]
    model: ClassVar[type[models.Model]]
    key_field: ClassVar[str] = "remote_id"
    children: ClassVar[dict[str, ChildSpec]] = {}

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        raise NotImplementedError

    def map(self, raw: dict[str, Any]) -> Mapped:
        raise NotImplementedError

    def remote_id_of(self, raw: dict[str, Any]) -> str:
        return ""

    def fetch_by_ids(self, remote_ids: list[str]) -> list[dict[str, Any]]:
        """Read these records again (to retry quarantined ones)."""
        raise NotImplementedError

    def after_write(self, integration_id: int, mapped: list[Mapped], keys_to_pk: dict) -> None:
        """Hook run in the page's transaction after its records are written."""


class Connector:
    """Base class of a connector: one per remote system type."""

    def __init__(self, integration: Integration, log: Callable[[str], None] | None = None) -> None:
        self.integration = integration
        self.log = log or (lambda message: None)

    def check_connection(self) -> CheckResult:
        raise NotImplementedError

    def streams(self) -> list[Stream]:
        """The entities to sync, dependencies first."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the remote session, if any."""


_REGISTRY: dict[str, type[Connector]] = {}


def register(integration_type: str) -> Callable[[type[Connector]], type[Connector]]:
    def decorator(cls: type[Connector]) -> type[Connector]:
        _REGISTRY[integration_type] = cls
        return cls

    return decorator


def connector_for(integration: Integration, log: Callable[[str], None] | None = None) -> Connector:
    from integrations.connectors import magento1  # noqa: F401  (registers its connector)

    try:
        cls = _REGISTRY[integration.integration_type]
    except KeyError:
        raise LookupError(f"No connector for integration type {integration.integration_type!r}") from None
    return cls(integration, log=log)
