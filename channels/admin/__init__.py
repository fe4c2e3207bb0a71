"""Read-only admin pages for browsing the records synced into each channel."""

from channels.admin import channels, customers, orders, stores

__all__ = ["channels", "customers", "orders", "stores"]
