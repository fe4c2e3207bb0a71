from channels.models.accounts import Account, Contact
from channels.models.carts import Cart, CartAddress, CartItem
from channels.models.channel import Channel
from channels.models.customers import Customer, CustomerAddress, CustomerGroup
from channels.models.memos import CreditMemo, CreditMemoComment, CreditMemoItem
from channels.models.orders import Order, OrderAddress, OrderItem, OrderNote
from channels.models.regions import Region
from channels.models.stores import Store, Website
from channels.models.subscribers import NewsletterSubscriber

__all__ = [
    "Account",
    "Cart",
    "CartAddress",
    "CartItem",
    "Channel",
    "Contact",
    "CreditMemo",
    "CreditMemoComment",
    "CreditMemoItem",
    "Customer",
    "CustomerAddress",
    "CustomerGroup",
    "NewsletterSubscriber",
    "Order",
    "OrderAddress",
    "OrderItem",
    "OrderNote",
    "Region",
    "Store",
    "Website",
]
