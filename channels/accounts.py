"""Linking store customers to back-office contacts and accounts (OroCRM's account discovery, set-based).

Each customer, registered or guest, links to the Contact of its lowercased email, created with an
Account (named after the person, else the email) when there is none. Emails in an integration's
"Split by full name" list are shared by several people, so there the first and last name are part of
the match too. Contacts belong to no channel: deleting a channel keeps them, and customers synced again
link to the same ones instead of duplicating them (which OroCRM does).

Two workers may link the same new email at once (two channels of one store, a retry beside a run). The
match key is unique, contacts are inserted with ON CONFLICT DO NOTHING in key order (so two writers wait
on each other in the same order, never in a cycle), then read back locked, and only a contact that still
has no account gets one: whoever inserts first wins, the other links to its contact.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from channels.models import Account, Contact, Customer


def match_key(email: str, first_name: str, last_name: str, split_by_name: bool) -> str:
    """What customers who are one person share: the lowercased email (and the name, for a shared email)."""
    key = email.strip().lower()
    if split_by_name:
        key += f"|{first_name.strip().lower()}|{last_name.strip().lower()}"
    return key


def _no_email_key(customer_pk: int) -> str:
    # No "@": never equal to an email's key. Such a customer is matched to nobody: its own contact.
    return f"customer-without-email:{customer_pk}"


def _person_name(first_name: str, last_name: str) -> str:
    return " ".join(part for part in (first_name.strip(), last_name.strip()) if part)


def link_customers(*, customer_pks: Iterable[int], split_by_name: set[str], owner_id: int | None = None) -> int:
    """Link these customers that have no contact yet to their contact and its account; how many were linked.

    `split_by_name`: lowercased emails matched by name too (the integration's "Split by full name").
    `owner_id`: the owner of accounts created here (the integration's default owner). A few queries
    whatever the number of customers.
    """
    with transaction.atomic():
        customers = list(
            Customer.objects.filter(pk__in=list(customer_pks), contact__isnull=True)
            .order_by("pk")  # a new contact takes the email and name of its oldest customer
            .values_list("pk", "email", "first_name", "last_name")
        )
        if not customers:
            return 0
        keys: dict[int, str] = {}
        people: dict[str, tuple[str, str, str]] = {}
        for pk, email, first, last in customers:
            email, first, last = email or "", first or "", last or ""
            if email.strip():
                key = match_key(email, first, last, email.strip().lower() in split_by_name)
            else:
                key = _no_email_key(pk)
            keys[pk] = key
            people.setdefault(key, (email.strip(), first.strip(), last.strip()))
        wanted = sorted(people)
        known = set(Contact.objects.filter(match_key__in=wanted).values_list("match_key", flat=True))
        missing = [key for key in wanted if key not in known]
        if missing:
            Contact.objects.bulk_create(
                [
                    Contact(match_key=key, email=people[key][0], first_name=people[key][1], last_name=people[key][2])
                    for key in missing
                ],
                ignore_conflicts=True,
            )
        contacts = list(
            Contact.objects.select_for_update()
            .filter(match_key__in=wanted)
            .order_by("match_key")
            .only("pk", "match_key", "account_id", "email", "first_name", "last_name")
        )
        without_account = [c for c in contacts if c.account_id is None]
        if without_account:
            accounts = Account.objects.bulk_create(
                [
                    Account(
                        name=(_person_name(c.first_name, c.last_name) or c.email or f"Contact {c.pk}")[:255],
                        owner_id=owner_id,
                    )
                    for c in without_account
                ]
            )
            if any(a.pk is None for a in accounts):  # a database that does not return keys
                raise RuntimeError("the database did not return the keys of the accounts created")
            for contact, account in zip(without_account, accounts, strict=True):
                contact.account_id = account.pk
            Contact.objects.bulk_update(without_account, ["account"])
        by_key = {c.match_key: c for c in contacts}
        linked = [
            Customer(pk=pk, contact_id=by_key[key].pk, account_id=by_key[key].account_id) for pk, key in keys.items()
        ]
        Customer.objects.bulk_update(linked, ["contact", "account"], batch_size=500)
        return len(linked)
