"""What the OroCommerce sinks share (see sinks.py for the list).

Each sink maps a local record to a small dict of values (what the engine compares with the values as
last pushed, so an unchanged record is not sent again) and builds the JSON:API documents from it. What
they share is here: the requests, a create refused with "This value is already used." turned into
AlreadyExists with the value that collides (read from the error's `source.pointer`), a 404 on delete
turned into Gone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from integrations.engine.contracts import AlreadyExists, Gone, MappingError, Pushed, Sink
from integrations.engine.values import parse_timestamp
from integrations.transports.jsonapi import Document, JsonApiError, JsonApiNotFound, attribute

if TYPE_CHECKING:
    from integrations.transports.jsonapi import JsonApiClient

ALREADY_USED = "This value is already used."


def linkage(type_: str, id_: str | None) -> dict[str, Any]:
    """A to-one relationship: {"data": {"type", "id"}}, or {"data": null} for none."""
    return {"data": {"type": type_, "id": str(id_)} if id_ is not None else None}


def decimal_text(value: Decimal | int | float | str, places: int | None = None) -> str:
    """A number as the store takes it in a string: "789.0000" with `places`, else "12" / "12.5"."""
    number = Decimal(str(value))
    if places is not None:
        return f"{number.quantize(Decimal(1).scaleb(-places)):f}"
    return f"{number.normalize():f}"


def first_id(document: Document) -> str | None:
    resources = document.resources
    return str(resources[0]["id"]) if resources else None


class OroSink(Sink):
    """A sink writing one JSON:API resource type (`resource`) whose natural key is `natural_attribute`."""

    resource: ClassVar[str]
    natural_attribute: ClassVar[str] = "code"
    deletes = True

    @property
    def client(self) -> JsonApiClient:
        return self.connector.api

    # -- what each sink says ------------------------------------------------------------------------

    def document(self, values: dict[str, Any], remote_id: str | None) -> dict[str, Any]:
        """The JSON:API document of a create (remote_id None) or an update."""
        raise NotImplementedError

    def natural_key(self, record) -> str:
        return str(getattr(record, self.natural_attribute))

    def primary(
        self, remote_id: str | None, attributes: dict[str, Any], relationships: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A document's primary resource of this sink's type: with its id on an update, none on a create."""
        data: dict[str, Any] = {"type": self.resource}
        if remote_id is not None:
            data["id"] = remote_id
        data["attributes"] = attributes
        if relationships is not None:
            data["relationships"] = relationships
        return data

    # -- the engine's calls -------------------------------------------------------------------------

    def create(self, values: dict[str, Any]) -> Pushed:
        document = self.document(values, None)
        try:
            answer = self.client.post(self.resource, document)
        except JsonApiError as exc:
            raise self.refusal(exc, document) from exc
        return pushed(answer)

    def update(self, remote_id: str, values: dict[str, Any]) -> Pushed:
        answer = self.client.patch(f"{self.resource}/{remote_id}", self.document(values, remote_id))
        return pushed(answer, remote_id)

    def delete(self, remote_id: str) -> None:
        try:
            self.client.delete(f"{self.resource}/{remote_id}")
        except JsonApiNotFound as exc:
            raise Gone(str(exc)) from exc

    def find(self, natural_key: str) -> str | None:
        return first_id(self.client.get(self.resource, {f"filter[{self.natural_attribute}]": natural_key}))

    def refusal(self, exc: JsonApiError, document: dict[str, Any]) -> Exception:
        """AlreadyExists when the store says a unique value is taken (with that value), else the error."""
        for error in exc.errors:
            if error.get("detail") != ALREADY_USED:
                continue
            pointer = str((error.get("source") or {}).get("pointer") or "")
            return AlreadyExists(str(exc), natural_key=value_at(document, pointer))
        return exc

    # -- helpers ------------------------------------------------------------------------------------

    def bound(self, entity: str, local_id: int | None, what: str) -> str | None:
        """The remote id of a record this one names (pushed first: see depends_on); None for no record."""
        if local_id is None:
            return None
        remote_id = self.remote_id_for(entity, local_id)
        if remote_id is None:
            raise MappingError(f"{what} {local_id} is not in the store yet (its push has not succeeded).")
        return remote_id

    def setting(self, name: str, label: str) -> str:
        value = getattr(self.connector.settings, name)
        if not value:
            raise MappingError(
                f"Choose the store's {label} in the integration's settings (Check Connection lists them)."
            )
        return str(value)


def value_at(document: dict[str, Any], pointer: str) -> str:
    """The value a JSON pointer of an error points at in the document sent ("" when it cannot be read)."""
    node: Any = document
    for part in [p for p in pointer.split("/") if p]:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return ""
    return "" if isinstance(node, dict | list) or node is None else str(node)


def pushed(answer: Document, remote_id: str | None = None) -> Pushed:
    resource = answer.data if isinstance(answer.data, dict) else {}
    updated = attribute(resource, "updatedAt")
    moment: datetime.datetime | None = None
    if isinstance(updated, str):
        try:
            moment = parse_timestamp(updated)
        except ValueError:
            moment = None
    return Pushed(remote_id=str(resource.get("id") or remote_id or ""), remote_updated_at=moment)
