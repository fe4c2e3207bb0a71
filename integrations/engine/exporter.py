"""Records out: a local record mapped out, pushed, and bound to the remote id it got.

`push_record` is one push of one record to one integration's sink; the caller (the push job, see
services) makes it unique per record and joins it to the integration's export run. Idempotency
comes from the binding: a record bound once is updated from then on; a record the remote system
already has (created by someone else, or by a push whose answer was lost) is found by its natural
key, bound and updated instead of failing. Transient failures are retried with the imports'
backoff; what still fails comes back as a failure for the quarantine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.engine.contracts import AlreadyExists, Gone, MappingError, Pushed, Sink
from integrations.engine.errors import RemoteError
from integrations.engine.retry import with_retries
from integrations.engine.run import jsonable
from integrations.models import Binding


@dataclass
class PushOutcome:
    """What one push did: "created", "updated", "deleted", "skipped" (nothing changed, or not for this
    integration) or "failed" with the reason and the values that could not be pushed. `also` are the
    outcomes of the records it depended on, pushed first in the same job: (sink name, local id, outcome)."""

    result: str
    remote_id: str = ""
    reason: str = ""
    values: dict[str, Any] | None = None
    also: list[tuple[str, int, PushOutcome]] = field(default_factory=list)


def push_record(sink: Sink, local_id: int, log=lambda line: None, _chain: tuple[str, ...] = ()) -> PushOutcome:
    """Push one local record through `sink`: created, updated, deleted (the record is gone) or skipped.

    A record whose values are as last pushed is skipped (a reconcile forgets those values first).
    """
    integration = sink.integration
    record = sink.model._default_manager.filter(pk=local_id).first()
    binding = Binding.objects.filter(integration=integration, entity=sink.name, local_id=local_id).first()
    delays = tuple(settings.OROINT_SYNC["RETRY_DELAYS"])

    def retried(call, what: str):
        return with_retries(call, what=f"{sink.name} {local_id}: {what}", delays=delays, log=log)

    if record is None:
        if binding is None:
            return PushOutcome("skipped")
        return _delete(sink, binding, retried, log)
    if not sink.wants(record):
        return PushOutcome("skipped")
    also: list[tuple[str, int, PushOutcome]] = []
    failed = _push_dependencies(sink, record, log, also, (*_chain, f"{sink.name} {local_id}"))
    if failed:
        return PushOutcome("failed", reason=failed, also=also)
    try:
        values = jsonable(sink.map_out(record))
    except MappingError as exc:
        return PushOutcome("failed", reason=str(exc), also=also)
    if binding is not None and binding.synced_values == values:
        return PushOutcome("skipped", remote_id=binding.remote_id, also=also)

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
        return PushOutcome("failed", reason=str(exc), values=values, also=also)
    try:
        bind(sink, local_id, pushed, values)
    except IntegrityError:
        other = Binding.objects.filter(integration=integration, entity=sink.name, remote_id=pushed.remote_id).first()
        owner = f"local record {other.local_id}" if other else "another local record"
        return PushOutcome(
            "failed",
            reason=f"The remote record {pushed.remote_id} is already bound to {owner}.",
            values=values,
            also=also,
        )
    return PushOutcome(result, remote_id=pushed.remote_id, also=also)


def _delete(sink: Sink, binding: Binding, retried, log) -> PushOutcome:
    """The local record is gone: so goes its remote copy (where the sink can delete), then its binding."""
    if sink.deletes:
        try:
            retried(lambda: sink.delete(binding.remote_id), "delete")
        except Gone:
            log(f"{sink.name} {binding.local_id}: {binding.remote_id} was already gone from the remote system")
        except RemoteError as exc:
            return PushOutcome("failed", remote_id=binding.remote_id, reason=str(exc))
    else:
        log(
            f"{sink.name} {binding.local_id}: deleted here; the remote record {binding.remote_id} stays "
            "(this sink does not delete), its binding is dropped"
        )
    binding.delete()
    return PushOutcome("deleted", remote_id=binding.remote_id)


def _push_dependencies(sink: Sink, record, log, also: list, chain: tuple[str, ...]) -> str:
    """Push what `record` needs and is not bound yet; the reason of the first that fails, else ""."""
    needs = sink.depends_on(record)
    if not needs:
        return ""
    sinks = {other.name: other for other in sink.connector.sinks()}
    for entity, dependency in needs:
        if dependency is None or sink.remote_id_for(entity, dependency.pk) is not None:
            continue
        here = f"{entity} {dependency.pk}"
        if here in chain:
            return f"It depends on itself through {' -> '.join((*chain, here))}."
        outcome = push_record(sinks[entity], dependency.pk, log=log, _chain=chain)
        also.extend(outcome.also)
        also.append((entity, dependency.pk, outcome))
        if outcome.result == "failed":
            return f"It needs {entity} {dependency} ({dependency.pk}), whose push failed: {outcome.reason}"
        if sink.remote_id_for(entity, dependency.pk) is None:
            return f"It needs {entity} {dependency} ({dependency.pk}), which is not for this integration."
    return ""


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
