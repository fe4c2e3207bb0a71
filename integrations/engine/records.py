"""The shapes that flow from a connector's streams into the engine."""

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import models


class MappingError(ValueError):
    """A remote record cannot be turned into a local one; the reason is shown to the admin."""


@dataclass
class Ref:
    """A foreign key given by the remote id of another bound record of the same integration."""

    model: type[models.Model]
    remote_id: int | None


@dataclass
class Mapped:
    """One remote record, mapped to local field values.

    `key` is the value of the stream's key field (usually the remote id). `refs` are resolved to
    local primary keys by the engine in bulk. `children` are rows of dependent tables (addresses,
    items) that are replaced whenever the parent changes.
    """

    key: Any
    fields: dict[str, Any]
    refs: dict[str, Ref] = field(default_factory=dict)
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    payload: dict[str, Any] | None = None

    def fingerprint(self) -> str:
        body = {
            "f": self.fields,
            "r": {name: ref.remote_id for name, ref in self.refs.items()},
            "c": self.children,
        }
        return hashlib.sha1(json.dumps(body, sort_keys=True, default=str).encode(), usedforsecurity=False).hexdigest()


@dataclass
class Page:
    """A page of raw remote records and the checkpoint state reached once it is written."""

    records: list[dict[str, Any]]
    state: dict[str, Any]
    total: int | None = None
    done: bool = False
