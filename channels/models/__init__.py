from channels.models.channel import Channel
from channels.models.customers import Customer, CustomerAddress, CustomerGroup
from channels.models.orders import Order, OrderAddress, OrderItem
from channels.models.stores import Store, Website

__all__ = [
    "Channel",
    "Customer",
    "CustomerAddress",
    "CustomerGroup",
    "Order",
    "OrderAddress",
    "OrderItem",
    "Store",
    "Website",
]
