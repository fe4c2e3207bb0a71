"""The channels admin: read-only pages for the records synced into each channel, and the back-office
pages for what oroint owns and pushes (catalog, prices, stock, taxes)."""

from django.contrib import admin

from channels.admin import (
    accounts,
    carts,
    catalog,
    channels,
    customers,
    inventory,
    memos,
    orders,
    pricing,
    regions,
    sections,
    stores,
    subscribers,
    taxes,
)

__all__ = [
    "accounts",
    "carts",
    "catalog",
    "channels",
    "customers",
    "inventory",
    "memos",
    "orders",
    "pricing",
    "regions",
    "stores",
    "subscribers",
    "taxes",
]

sections.install(admin.site)
