"""What a connector offers the engine, and the shapes that flow between them.

A connector is what differs between remote systems: how to reach them (its transport), which
entities it reads (source streams, dependencies first), which local records it writes out (sinks),
and how records map each way. Everything else (batching, upserts, bindings, checkpoints, stats,
quarantine, locking, retries, run history) is the engine's and is shared.

One connector class is one integration type: it names its settings model and form, the command
line arguments of `integration_create` and the record counts of `integration_status`, and
registers itself (see engine.registry) when Django finds its `connector` module.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models

from integrations.engine.errors import RemoteError

if TYPE_CHECKING:
    from django import forms

    from integrations.models import Integration


class MappingError(ValueError):
    """A record cannot be turned into the other side's shape; the reason is shown to the admin."""


class Skip(Exception):
    """Raised by `SourceStream.map` for a record deliberately not kept (OroCRM skips carts with neither
    an email nor a phone): counted as skipped on the run, not quarantined."""


@dataclass
class CheckResult:
    """What Check Connection found: the same (ok, message) for admin, CLI and API."""

    ok: bool
    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ref:
    """A foreign key given by the remote id of another bound record of the same integration."""

    model: type[models.Model]
    remote_id: str | None


@dataclass
class Mapped:
    """One remote record, mapped to local field values.

    `key` is the value of the stream's key field (usually the remote id, always a string). `refs`
    are resolved to local primary keys by the engine in bulk. `children` are rows of dependent
    tables (addresses, items), matched to the stored ones by their remote id and updated in place.
    """

    key: str
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
class Refused:
    """A record a cursor refused before mapping (an id that cannot be placed, an answer that cannot
    be read): what is known of it, why, and its remote id where the store's own filters told it."""

    payload: dict[str, Any]
    reason: str
    remote_id: str = ""


@dataclass(frozen=True)
class Backfill:
    """How far a stream reading newest first has got: once the page is written, everything updated
    after `reached` is in; `done` is the share of its whole span (0 to 1) read so far."""

    reached: datetime.datetime
    done: float


@dataclass
class Page:
    """A page of raw remote records and the checkpoint state reached once it is written.

    `refused` are records read with the page that cannot be written at all; the engine quarantines
    them in the page's transaction, so the checkpoint never moves past a record that is not kept.
    `backfill` is set while the stream reads newest first (None once it reads forwards): pages of one
    window share its `reached`, and the page that ends the window reaches further back.
    """

    records: list[dict[str, Any]]
    state: dict[str, Any]
    total: int | None = None
    done: bool = False
    refused: list[Refused] = field(default_factory=list)
    backfill: Backfill | None = None


@dataclass(frozen=True)
class ChildSpec:
    """A dependent table of a synced model: rows keep their primary keys across updates."""

    model: type[models.Model]
    parent_field: str
    key_field: str = "remote_id"
    # A boolean field of the child: rows the remote system no longer lists get it set instead of being
    # deleted (an open cart's removed items stay readable), and rows it lists again get it cleared.
    flag_vanished: str | None = None


# The payload fields that name a record to a person, most telling first (an order's number, an email, a
# SKU...); a stream whose records name themselves otherwise overrides SourceStream.describe.
BUSINESS_KEYS = ("increment_id", "order_number", "identifier", "email", "sku", "name")


def business_key(payload: Any) -> str:
    """The first business key found in a raw record: at its top level, in its JSON:API `attributes`, or in
    those of the resources it bundles (a record read with its relations); "" when it has none."""
    if not isinstance(payload, dict):
        return ""
    places = [payload, payload.get("attributes")]
    places += [value.get("attributes") for value in payload.values() if isinstance(value, dict)]
    for key in BUSINESS_KEYS:
        for place in places:
            if isinstance(place, dict) and place.get(key) not in (None, ""):
                return str(place[key])[:255]
    return ""


class SourceStream:
    """One remote entity read into one local model.

    `pages(state)` yields pages of raw records, each with the checkpoint state reached once the
    page is written (a cursor of engine.cursors makes them); the engine stores that state in the
    same transaction as the page.
    """

    name: ClassVar[str]
    model: ClassVar[type[models.Model]]
    key_field: ClassVar[str] = "remote_id"
    children: ClassVar[dict[str, ChildSpec]] = {}
    # While they read newest first (a first sync, a start date moved earlier), the interleaved streams
    # of a connector advance one finished window at a time, the one least far back first: the newest
    # week of every entity is in before an older one of any.
    interleave: ClassVar[bool] = False
    # A full re-sync marks the model's records (with a remote id, by `remote_id_of`) that it did not
    # read as removed in the store. A stream whose reads do not cover every record it wrote opts out.
    marks_removed: ClassVar[bool] = True

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        raise NotImplementedError

    def map(self, raw: dict[str, Any]) -> Mapped:
        raise NotImplementedError

    def remote_id_of(self, raw: dict[str, Any]) -> str:
        return ""

    def describe(self, raw: dict[str, Any]) -> str:
        """How a person names this record (an order number, an email, a SKU): shown for it in the
        quarantine. By default the first business key of the payload, else the remote id."""
        return business_key(raw) or self.remote_id_of(raw)

    def expected_total(self, state: dict[str, Any]) -> int | None:
        """How many records a read from `state` will bring, where the remote system tells it cheaply
        (one small request); None when it does not. The progress page says "unknown" then."""
        return None

    def fetch_by_ids(self, remote_ids: list[str]) -> list[dict[str, Any]]:
        """Read these records again (to retry quarantined ones)."""
        raise NotImplementedError

    def after_write(self, integration_id: int, mapped: list[Mapped], keys_to_pk: dict[str, int]) -> None:
        """Hook run in the page's transaction after its records are written."""

    def summary(self) -> str:
        """What the stream has to say on its entity of the run once it is read (its own warnings, such as
        order lines whose product is not in the catalog); empty for nothing."""
        return ""


@dataclass
class Pushed:
    """What the remote system answered to a create or an update."""

    remote_id: str
    remote_updated_at: datetime.datetime | None = None


class AlreadyExists(RemoteError):
    """The remote system already holds a record with this natural key (a SKU, an email...)."""

    def __init__(self, message: str, natural_key: str = "") -> None:
        super().__init__(message)
        self.natural_key = natural_key


class Gone(RemoteError):
    """The remote system has no record with this id (an HTTP 404): a delete of it has nothing left to do."""


class Sink:
    """One kind of local record that a connector writes to its remote system.

    `model` is the local model watched: a committed change of one of its rows queues a push of that
    row to every enabled integration whose connector has this sink. The engine binds the remote id
    that `create` returns, so the next change is an `update`; an AlreadyExists answer is recovered
    by `find`ing the remote record by its natural key, binding and updating it. A deleted row that
    is bound is `delete`d in the remote system (where the sink can) and its binding dropped.

    `triggers` are other models whose changes push records of this sink: each maps a changed (or
    deleted) instance to the local ids of `model` to push (an inventory level pushes its product's
    stock). `depends_on` names the records that must be bound before this one can be mapped (a tax
    rule needs its tax codes): the engine pushes those first, in the same job, when they are not.
    """

    name: ClassVar[str]
    model: ClassVar[type[models.Model]]
    triggers: ClassVar[dict[type[models.Model], Callable[[Any], list[int]]]] = {}
    # Whether `delete` removes the remote record; when not, a deleted local record only loses its binding.
    deletes: ClassVar[bool] = False

    def __init__(self, connector: Connector) -> None:
        self.connector = connector
        self.integration = connector.integration

    def wants(self, record: models.Model) -> bool:
        """Whether this record goes to this integration at all (a product of another website...)."""
        return True

    def map_out(self, record: models.Model) -> dict[str, Any]:
        """The record as the remote system takes it; MappingError when it cannot be sent."""
        raise NotImplementedError

    def natural_key(self, record: models.Model) -> str:
        """What identifies the record on both sides without a binding (a SKU, an email)."""
        raise NotImplementedError

    def create(self, values: dict[str, Any]) -> Pushed:
        raise NotImplementedError

    def update(self, remote_id: str, values: dict[str, Any]) -> Pushed:
        raise NotImplementedError

    def find(self, natural_key: str) -> str | None:
        """The remote id of the record with this natural key, or None."""
        raise NotImplementedError

    def delete(self, remote_id: str) -> None:
        """Remove the remote record (only called when `deletes` is set); Gone when it is not there."""
        raise NotImplementedError

    def depends_on(self, record: models.Model) -> list[tuple[str, models.Model]]:
        """(sink name, local record) pairs that must be bound before `record` is mapped out."""
        return []

    def records(self) -> Iterator[models.Model]:
        """Every local record this sink may push (what a reconcile goes through); `wants` still decides."""
        return self.model._default_manager.order_by("pk").iterator()

    def remote_id_for(self, entity: str, local_id: int | None) -> str | None:
        """The remote id bound to a local record of another (or this) sink of the integration, or None."""
        from integrations.models import Binding

        if local_id is None:
            return None
        return (
            Binding.objects.filter(integration=self.integration, entity=entity, local_id=local_id)
            .values_list("remote_id", flat=True)
            .first()
        )


class Connector:
    """Base class of a connector: one subclass per remote system type, registered by `type_key`."""

    type_key: ClassVar[str]
    label: ClassVar[str]
    # The type's own settings (OroCRM's transport): a model with a one-to-one `integration` field,
    # the ModelForm the admin shows, and the admin fieldsets of that form's fields.
    settings_model: ClassVar[type[models.Model] | None] = None
    settings_form: ClassVar[type[forms.ModelForm] | None] = None
    settings_fieldsets: ClassVar[list[tuple[str | None, list[str]]]] = []
    sink_classes: ClassVar[list[type[Sink]]] = []
    # Streams a channel may leave out (OroCRM's channel entities), as (stream name, label); the others
    # (websites, stores...) are what those need and always run. `Channel.entities` lists the chosen ones.
    optional_entities: ClassVar[list[tuple[str, str]]] = []
    # Settings fields that `check_connection` fills on `self.settings` (the websites, the store's
    # lookups). The check keeps them; they are written to the saved settings when the check tested
    # those, or when the form it tested is saved (see services.connection_check_execute).
    found_fields: ClassVar[tuple[str, ...]] = ()
    # Fields of the settings form whose choices come from Check Connection: a check of the form's
    # values fills them on the page, and does not validate them (it is what fills them).
    checked_choice_fields: ClassVar[tuple[str, ...]] = ()
    # The settings field with the store's address: two integrations on one store bring each order in twice.
    store_url_field: ClassVar[str | None] = None
    # The store's codes in words, by local field ({"payment_method": {"checkmo": "Check / Money order"}}),
    # for the admin pages (channels.vocabulary.in_words); a code not listed is shown title-cased.
    words: ClassVar[dict[str, dict[str, str]]] = {}
    # The order statuses that mean canceled in this type's stores: their orders are counted apart and
    # add nothing to revenue or lifetime value (channels.stats). Both spellings unless a type says which.
    canceled_order_statuses: ClassVar[tuple[str, ...]] = ("canceled", "cancelled")

    def __init__(self, integration: Integration, log: Callable[[str], None] | None = None) -> None:
        self.integration = integration
        self.settings = integration.settings
        self.log = log or (lambda message: None)
        # The import run this connector works for, if any (set by the importer): records a stream
        # imports beside its own pages (engine.importer.import_related) are counted on it.
        self.run_id: int | None = None

    def check_connection(self) -> CheckResult:
        """Sign in and read what the settings need (setting `found_fields` on `self.settings`, not saving
        them: the settings checked may be a form's values that are not saved)."""
        raise NotImplementedError

    def streams(self) -> list[SourceStream]:
        """The entities to read, dependencies first."""
        return []

    def selected_streams(self) -> list[SourceStream]:
        """`streams()` without the optional ones the channel leaves out (an empty selection keeps them all)."""
        chosen = set(self.integration.channel.entities or ())
        if not chosen:
            return self.streams()
        optional = {name for name, _label in self.optional_entities}
        return [stream for stream in self.streams() if stream.name not in optional or stream.name in chosen]

    def sinks(self) -> list[Sink]:
        return [cls(self) for cls in self.sink_classes]

    def close(self) -> None:
        """Release the remote session, if any."""

    def housekeeping(self) -> str:
        """Daily upkeep that is not a sync (OroCRM's cart expiration, abandoned-cart rules); says what it
        did in one line. Called by the scheduler once a day per enabled integration, outside any run."""
        return ""

    # -- what the type offers outside a sync ------------------------------------------------------

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """The `integration_create TYPE` options of this type's settings."""

    @classmethod
    def settings_from_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        """Settings model values from the parsed `integration_create` options."""
        return {}

    @classmethod
    def record_counts(cls, integration: Integration) -> dict[str, int]:
        """How many records of each entity the integration holds (plural snake_case keys)."""
        return {}

    @classmethod
    def notes_on_customer_pages(cls, integration: Integration) -> bool:
        """Whether notes of a customer's orders are shown on the customer's and its account's pages too
        (they are always shown on their order's)."""
        return True

    @classmethod
    def describe_settings(cls, integration: Integration) -> dict[str, Any]:
        """The settings that `integration_status` shows (never a secret)."""
        return {}

    @classmethod
    def describe_detected(cls, integration: Integration) -> str:
        """One line on what Check Connection found, for the integration page."""
        return ""

    @classmethod
    def record_actions(cls, model: type[models.Model]) -> list[tuple[str, str]]:
        """(name, label) of the actions the type offers on a local record of `model` it brought in (an
        order cancelled or marked paid in the store), shown as buttons on the record's admin page."""
        return []

    @classmethod
    def record_admin_url(cls, record: models.Model) -> str | None:
        """The record's page in the store's own admin (where the settings name an admin URL), or None."""
        return None

    def run_record_action(self, record: models.Model, name: str) -> str:
        """Do the action `name` on `record` in the remote system; what happened in one line. A RemoteError
        carries the store's refusal."""
        raise NotImplementedError
