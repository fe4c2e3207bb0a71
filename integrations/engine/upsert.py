"""Batch upserts keyed by a binding: the one way synced records reach the database."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from integrations.engine.contracts import ChildSpec, Mapped


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0  # rejected by the mapper or the database (set by the importer, not by upserts)
    keys_to_pk: dict[str, int] = field(default_factory=dict)

    def add(self, other: "UpsertResult") -> None:
        self.created += other.created
        self.updated += other.updated
        self.skipped += other.skipped
        self.failed += other.failed
        self.keys_to_pk.update(other.keys_to_pk)


def resolve_refs(integration_id: int, records: Iterable[Mapped]) -> None:
    """Turn every Ref into `<name>_id` in the record's fields, one query per referenced model."""
    wanted: dict[type[models.Model], set[str]] = defaultdict(set)
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
    by_key: dict[str, Mapped] = {}
    for record in records:
        by_key[record.key] = record  # a later copy of the same record in one page wins
    existing = dict(
        model.objects.filter(integration_id=integration_id, **{f"{key_field}__in": list(by_key)}).values_list(
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
    for name, spec in children.items():
        sync_children(spec, {pks[r.key]: r.children.get(name, []) for r in changed})
    return result


def sync_children(spec: ChildSpec, rows_by_parent: dict[int, list[dict]]) -> None:
    """Make each parent's child rows what the remote system says, keeping their primary keys.

    A row is matched to a stored one by its key field (the remote id) and updated in place; rows
    without a key are matched in order to stored rows without one; stored rows that matched nothing
    are deleted (or flagged, with `spec.flag_vanished`), new ones inserted. Two-way sync and anything
    that points at a child (a note on an order line) relies on a child keeping its primary key.
    """
    if not rows_by_parent:
        return
    parent_id = f"{spec.parent_field}_id"
    stored: dict[int, list[tuple[int, object]]] = defaultdict(list)
    for pk, parent, key in (
        spec.model.objects.filter(**{f"{parent_id}__in": list(rows_by_parent)})
        .order_by("pk")
        .values_list("pk", parent_id, spec.key_field)
    ):
        stored[parent].append((pk, key))
    to_create, to_update, to_delete = [], [], []
    fields: set[str] = set()
    for parent, rows in rows_by_parent.items():
        by_key = {key: pk for pk, key in stored.get(parent, []) if key is not None}
        unkeyed = [pk for pk, key in stored.get(parent, []) if key is None]
        kept = set()
        for row in rows:
            if spec.flag_vanished:
                row = {spec.flag_vanished: False, **row}
            key = row.get(spec.key_field)
            pk = by_key.pop(key, None) if key is not None else (unkeyed.pop(0) if unkeyed else None)
            if pk is None:
                to_create.append(spec.model(**{parent_id: parent}, **row))
            else:
                kept.add(pk)
                fields.update(row)
                to_update.append(spec.model(pk=pk, **{parent_id: parent}, **row))
        to_delete.extend(pk for pk in [*by_key.values(), *unkeyed] if pk not in kept)
    if to_delete and spec.flag_vanished:
        spec.model.objects.filter(pk__in=to_delete).update(**{spec.flag_vanished: True})
    elif to_delete:
        spec.model.objects.filter(pk__in=to_delete).delete()
    if to_update:
        spec.model.objects.bulk_update(to_update, sorted(fields), batch_size=500)
    if to_create:
        spec.model.objects.bulk_create(to_create)


def _default(model: type[models.Model], name: str):
    return model._meta.get_field(name).get_default()


def link_to_parents(
    model: type[models.Model],
    field: str,
    parent: type[models.Model],
    integration_id: int,
    parent_remote_ids: list[str],
) -> None:
    """Point the records of `model` that name these parents by `<field>_remote_id` (orders naming a
    customer, memos naming an order) but are not linked yet at them, in one statement."""
    key = f"{field}_remote_id"
    found = parent.objects.filter(integration_id=integration_id, remote_id=OuterRef(key))
    model.objects.filter(
        integration_id=integration_id, **{f"{key}__in": parent_remote_ids, f"{field}__isnull": True}
    ).update(**{f"{field}_id": Subquery(found.values("pk")[:1])})
