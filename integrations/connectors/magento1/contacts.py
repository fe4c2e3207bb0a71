"""Magento customers to back-office contacts and accounts: channels.accounts with this type's inputs."""

from __future__ import annotations

from collections.abc import Iterable

from channels import accounts
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
