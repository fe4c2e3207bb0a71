"""Read-only admin pages for browsing the records synced into each channel."""

from channels.admin import accounts, carts, channels, customers, memos, orders, regions, stores, subscribers

__all__ = ["accounts", "carts", "channels", "customers", "memos", "orders", "regions", "stores", "subscribers"]
