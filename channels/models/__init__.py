from channels.models.accounts import Account, Contact
from channels.models.carts import Cart, CartAddress, CartItem
from channels.models.catalog import Product, ProductImage, ProductTaxCode
from channels.models.channel import Channel
from channels.models.customers import Customer, CustomerAddress, CustomerGroup
from channels.models.inventory import InventoryLevel, Warehouse
from channels.models.memos import CreditMemo, CreditMemoComment, CreditMemoItem
from channels.models.orders import Order, OrderAddress, OrderItem, OrderNote
from channels.models.pricing import PriceList, ProductPrice
from channels.models.regions import Region
from channels.models.stats import CustomerDay, OrderDay
from channels.models.stores import Store, Website
from channels.models.subscribers import NewsletterSubscriber
from channels.models.taxes import CustomerTaxCode, TaxJurisdiction, TaxRate, TaxRule, TaxZipCode

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
    "CustomerDay",
    "CustomerGroup",
    "CustomerTaxCode",
    "InventoryLevel",
    "NewsletterSubscriber",
    "Order",
    "OrderAddress",
    "OrderDay",
    "OrderItem",
    "OrderNote",
    "PriceList",
    "Product",
    "ProductImage",
    "ProductPrice",
    "ProductTaxCode",
    "Region",
    "Store",
    "TaxJurisdiction",
    "TaxRate",
    "TaxRule",
    "TaxZipCode",
    "Warehouse",
    "Website",
]
