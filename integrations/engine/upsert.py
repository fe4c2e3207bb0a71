"""Batch upserts keyed by a binding: the one way synced records reach the database."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from integrations.engine.records import Mapped


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    keys_to_pk: dict | None = None


@dataclass(frozen=True)
class ChildSpec:
    """A dependent table of a synced model: replaced whenever the parent changes."""

    model: type[models.Model]
    parent_field: str


def resolve_refs(integration_id: int, records: Iterable[Mapped]) -> None:
    """Turn every Ref into `<name>_id` in the record's fields, one query per referenced model."""
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    records = list(records)
    for record in records:
        for ref in record.refs.values():
            if ref.remote_id is not None:
                wanted[ref.model].add(ref.remote_id)
    found = {
        model: dict(
            model.objects.filter(integration_id=integration_id, remote_id__in=ids).values_list("remote_id", "pk")
        )
        for model, ids in wanted.items()
    }
    for record in records:
        for name, ref in record.refs.items():
            record.fields[f"{name}_id"] = found.get(ref.model, {}).get(ref.remote_id)


def upsert_batch(
    *,
    model: type[models.Model],
    integration_id: int,
    records: list[Mapped],
    key_field: str = "remote_id",
    children: dict[str, ChildSpec] | None = None,
) -> UpsertResult:
    """Create or update `records` of one integration; skip those whose fingerprint is unchanged.

    Must run inside a transaction. Idempotent: the unique (integration, key_field) constraint makes
    a re-run, or a race with another writer, update rather than duplicate.
    """
    children = children or {}
    by_key: dict = {}
    for record in records:
        by_key[record.key] = record  # a later copy of the same record in one page wins
    keys = list(by_key)
    existing = dict(
        model.objects.filter(integration_id=integration_id, **{f"{key_field}__in": keys}).values_list(
            key_field, "sync_hash"
        )
    )
    now = timezone.now()
    result = UpsertResult()
    changed: list[Mapped] = []
    hashes = {}
    for key, record in by_key.items():
        digest = record.fingerprint()
        hashes[key] = digest
        if key not in existing:
            result.created += 1
            changed.append(record)
        elif existing[key] != digest:
            result.updated += 1
            changed.append(record)
        else:
            result.skipped += 1
    if not changed:
        return result

    resolve_refs(integration_id, changed)
    update_fields = sorted({name for record in changed for name in record.fields} | {"sync_hash", "synced_at"})
    objs = []
    for record in changed:
        values = {name: record.fields.get(name, _default(model, name)) for name in update_fields}
        values.update({key_field: record.key, "sync_hash": hashes[record.key], "synced_at": now})
        objs.append(model(integration_id=integration_id, **values))
    # ON CONFLICT ... DO UPDATE ... RETURNING: PostgreSQL and SQLite (>= 3.35) hand back the primary
    # key of every row, inserted or updated.
    model.objects.bulk_create(
        objs,
        update_conflicts=True,
        unique_fields=["integration", key_field],
        update_fields=update_fields,
    )
    pks = {getattr(obj, key_field): obj.pk for obj in objs}
    if None in pks.values():  # a database that does not return keys: ask for them
        pks = dict(
            model.objects.filter(
                integration_id=integration_id, **{f"{key_field}__in": [r.key for r in changed]}
            ).values_list(key_field, "pk")
        )
    result.keys_to_pk = pks
    # Children of every written row are replaced, created ones too: a row another writer inserted
    # since our read (a quarantine retry beside a sync) may already have some.
    parents = list(pks.values())
    for name, spec in children.items():
        spec.model.objects.filter(**{f"{spec.parent_field}__in": parents}).delete()
        spec.model.objects.bulk_create(
            [
                spec.model(**{f"{spec.parent_field}_id": pks[r.key]}, **row)
                for r in changed
                for row in r.children.get(name, [])
            ]
        )
    return result


def _default(model: type[models.Model], name: str):
    return model._meta.get_field(name).get_default()
