"""Records out: a local record mapped out, pushed, and bound to the remote id it got.

`push_record` is one push of one record to one integration's sink; the caller (the push job, see
services) makes it unique per record and joins it to the integration's export run. Idempotency
comes from the binding: a record bound once is updated from then on; a record the remote system
already has (created by someone else, or by a push whose answer was lost) is found by its natural
key, bound and updated instead of failing. Transient failures are retried with the imports'
backoff; what still fails comes back as a failure for the quarantine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.engine.contracts import AlreadyExists, MappingError, Pushed, Sink
from integrations.engine.errors import RemoteError
from integrations.engine.retry import with_retries
from integrations.engine.run import jsonable
from integrations.models import Binding


@dataclass
class PushOutcome:
    """What one push did: "created", "updated", "skipped" (nothing changed, or not for this
    integration) or "failed" with the reason and the values that could not be pushed."""

    result: str
    remote_id: str = ""
    reason: str = ""
    values: dict[str, Any] | None = None


def push_record(sink: Sink, local_id: int, log=lambda line: None) -> PushOutcome:
    integration = sink.integration
    record = sink.model._default_manager.filter(pk=local_id).first()
    if record is None or not sink.wants(record):
        return PushOutcome("skipped")
    try:
        values = jsonable(sink.map_out(record))
    except MappingError as exc:
        return PushOutcome("failed", reason=str(exc))
    binding = Binding.objects.filter(integration=integration, entity=sink.name, local_id=local_id).first()
    if binding is not None and binding.synced_values == values:
        return PushOutcome("skipped", remote_id=binding.remote_id)
    delays = tuple(settings.OROINT_SYNC["RETRY_DELAYS"])

    def retried(call, what: str) -> Pushed:
        return with_retries(call, what=f"{sink.name} {local_id}: {what}", delays=delays, log=log)

    try:
        if binding is not None:
            pushed = retried(lambda: sink.update(binding.remote_id, values), "update")
            result = "updated"
        else:
            try:
                pushed = retried(lambda: sink.create(values), "create")
                result = "created"
            except AlreadyExists as exc:
                natural_key = exc.natural_key or sink.natural_key(record)
                remote_id = retried(lambda: sink.find(natural_key), "find")
                if remote_id is None:
                    raise RemoteError(f"{exc} But no record with {natural_key!r} can be found there.") from exc
                log(f"{sink.name} {local_id}: already exists as {remote_id} ({natural_key}); bound and updated")
                pushed = retried(lambda: sink.update(remote_id, values), "update")
                result = "updated"
    except RemoteError as exc:
        return PushOutcome("failed", reason=str(exc), values=values)
    try:
        bind(sink, local_id, pushed, values)
    except IntegrityError:
        other = Binding.objects.filter(integration=integration, entity=sink.name, remote_id=pushed.remote_id).first()
        owner = f"local record {other.local_id}" if other else "another local record"
        return PushOutcome(
            "failed", reason=f"The remote record {pushed.remote_id} is already bound to {owner}.", values=values
        )
    return PushOutcome(result, remote_id=pushed.remote_id)


def bind(sink: Sink, local_id: int, pushed: Pushed, values: dict[str, Any]) -> Binding:
    """Remember the remote id and the values as last pushed (unique both ways)."""
    with transaction.atomic():
        binding, _ = Binding.objects.update_or_create(
            integration=sink.integration,
            entity=sink.name,
            local_id=local_id,
            defaults={
                "content_type": ContentType.objects.get_for_model(sink.model),
                "remote_id": pushed.remote_id,
                "synced_values": values,
                "remote_updated_at": pushed.remote_updated_at,
                "pushed_at": timezone.now(),
            },
        )
    return binding
