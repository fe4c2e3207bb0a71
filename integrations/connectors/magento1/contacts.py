"""Magento customers to back-office contacts and accounts: channels.accounts with this type's inputs."""

from __future__ import annotations

from collections.abc import Iterable

from channels import accounts
from channels.models import Customer
from integrations.connectors.magento1 import mappers
from integrations.connectors.magento1.models import Magento1Settings


def link_customers(integration, settings: Magento1Settings, customer_pks: Iterable[int]) -> int:
    """Link these customers of the integration to their contacts (matched by name too for the emails of
    "Split by full name"); accounts created are owned by the integration's default owner."""
    return accounts.link_customers(
        customer_pks=list(customer_pks),
        split_by_name=mappers.shared_emails(settings.shared_guest_emails),
        owner_id=integration.default_owner_id,
    )


def link_unlinked(integration, batch_size: int = 1000) -> int:
    """Link every customer of the integration that has no contact yet (customers synced before contacts
    existed are not written again while they do not change), a batch at a time; how many were linked."""
    settings = integration.settings
    linked, after = 0, 0
    while True:
        pks = list(
            Customer.objects.filter(integration=integration, contact__isnull=True, pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not pks:
            return linked
        linked += link_customers(integration, settings, pks)
        after = pks[-1]
