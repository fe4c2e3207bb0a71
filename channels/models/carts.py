from django.db import models

from channels.models.base import RemoteRecord
from channels.models.customers import AddressFields
from channels.models.orders import MONEY


class Cart(RemoteRecord):
    """A store's shopping cart (Magento's quote), with OroCRM's cart statuses."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        EXPIRED = "expired", "Expired"
        PURCHASED = "purchased", "Purchased"
        LOST = "lost", "Lost"

    store = models.ForeignKey("channels.Store", null=True, blank=True, on_delete=models.SET_NULL)
    website = models.ForeignKey("channels.Website", null=True, blank=True, on_delete=models.SET_NULL)
    customer = models.ForeignKey(
        "channels.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="carts"
    )
    customer_remote_id = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    customer_group_remote_id = models.CharField(max_length=255, blank=True)
    is_guest = models.BooleanField(default=False)
    email = models.CharField(max_length=255, blank=True, db_index=True)
    first_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField("Active in the store", default=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Who set the status when it was not the import: a back-office user's name, or "abandoned-cart rule".
    status_set_by = models.CharField(max_length=255, blank=True)
    items_count = models.IntegerField(default=0)
    items_qty = models.DecimalField(**MONEY)
    subtotal = models.DecimalField(**MONEY)
    grand_total = models.DecimalField(**MONEY)
    base_currency = models.CharField(max_length=3, blank=True)
    store_currency = models.CharField(max_length=3, blank=True)
    currency = models.CharField("Quote currency", max_length=3, blank=True)
    store_to_base_rate = models.DecimalField(**MONEY)
    store_to_quote_rate = models.DecimalField(**MONEY)
    payment_method = models.CharField(max_length=255, blank=True)
    payment_details = models.JSONField(default=dict, blank=True)
    remote_created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    remote_updated_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-remote_updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["integration", "remote_id"], name="cart_binding")]
        indexes = [
            models.Index(fields=["integration", "status"]),
            # The start page's value of open carts per currency, read from the index alone (no table rows).
            models.Index(fields=["integration", "status", "currency", "grand_total"], name="cart_value_by_status"),
        ]

    def __str__(self) -> str:
        return f"Cart {self.remote_id}"


class CartAddress(AddressFields):
    class Type(models.TextChoices):
        BILLING = "billing", "Billing"
        SHIPPING = "shipping", "Shipping"

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="addresses")
    remote_id = models.CharField(max_length=255, null=True, blank=True)
    address_type = models.CharField(max_length=16, choices=Type.choices)
    email = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["cart", "address_type"]
        verbose_name_plural = "cart addresses"

    def __str__(self) -> str:
        return f"{self.get_address_type_display()}: {self.one_line()}"


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    remote_id = models.CharField(max_length=255, null=True, blank=True)
    product_remote_id = models.CharField(max_length=255, blank=True)
    parent_item_remote_id = models.CharField(max_length=255, blank=True)
    sku = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=500, blank=True)
    product_type = models.CharField(max_length=64, blank=True)
    is_virtual = models.BooleanField(default=False)
    free_shipping = models.BooleanField(default=False)
    gift_message = models.TextField(blank=True)
    tax_class_id = models.CharField(max_length=64, blank=True)
    qty = models.DecimalField(**MONEY)
    price = models.DecimalField(**MONEY)
    price_incl_tax = models.DecimalField(**MONEY)
    discount_amount = models.DecimalField(**MONEY)
    tax_percent = models.DecimalField(**MONEY)
    tax_amount = models.DecimalField(**MONEY)
    row_total = models.DecimalField(**MONEY)
    product_image_url = models.CharField(max_length=1024, blank=True)
    product_url = models.CharField(max_length=1024, blank=True)
    categories = models.JSONField(default=list, blank=True)
    # An open cart's item that the store no longer lists (or every item of a cart emptied to 0):
    # kept and flagged, as OroCRM does, so the cart's story stays readable.
    is_removed = models.BooleanField(default=False)
    remote_created_at = models.DateTimeField(null=True, blank=True)
    remote_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cart", "pk"]

    def __str__(self) -> str:
        return f"{self.sku} x {self.qty}"
