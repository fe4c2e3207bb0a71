from django.db import models

from channels.models.base import RemoteRecord
from channels.models.customers import AddressFields

MONEY = {"max_digits": 14, "decimal_places": 4, "null": True, "blank": True}


class Order(RemoteRecord):
    increment_id = models.CharField(max_length=64, db_index=True)
    store = models.ForeignKey("channels.Store", null=True, blank=True, on_delete=models.SET_NULL)
    website = models.ForeignKey("channels.Website", null=True, blank=True, on_delete=models.SET_NULL)
    customer = models.ForeignKey(
        "channels.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    customer_remote_id = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    is_guest = models.BooleanField(default=False)
    customer_email = models.CharField(max_length=255, blank=True, db_index=True)
    customer_first_name = models.CharField(max_length=255, blank=True)
    customer_last_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=64, blank=True, db_index=True)
    state = models.CharField(max_length=64, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    subtotal = models.DecimalField(**MONEY)
    shipping_amount = models.DecimalField(**MONEY)
    shipping_method = models.CharField(max_length=255, blank=True)
    tax_amount = models.DecimalField(**MONEY)
    discount_amount = models.DecimalField(**MONEY)
    grand_total = models.DecimalField(**MONEY)
    total_paid = models.DecimalField(**MONEY)
    total_invoiced = models.DecimalField(**MONEY)
    total_refunded = models.DecimalField(**MONEY)
    total_canceled = models.DecimalField(**MONEY)
    payment_method = models.CharField(max_length=255, blank=True)
    payment_details = models.JSONField(default=dict, blank=True)
    coupon_code = models.CharField(max_length=255, blank=True)
    remote_ip = models.CharField(max_length=64, blank=True)
    gift_message = models.TextField(blank=True)
    store_name = models.CharField(max_length=500, blank=True)
    quote_remote_id = models.CharField(max_length=255, null=True, blank=True)
    # Where the store keeps payment apart from the order (OroCommerce's payment statuses: full, partially,
    # authorized, declined, pending, invoiced).
    payment_status = models.CharField(max_length=32, blank=True)
    # The person who ordered, where `customer` is a company (OroCommerce's customer users).
    customer_user_remote_id = models.CharField(max_length=255, blank=True)
    is_virtual = models.BooleanField(default=False)
    remote_created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    remote_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-remote_created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["integration", "remote_id"], name="order_binding")]
        # The order list sorts by total; without an index that sorts the whole table per page view.
        indexes = [models.Index(fields=["grand_total"], name="order_grand_total")]

    def __str__(self) -> str:
        return f"Order {self.increment_id}"


class OrderAddress(AddressFields):
    class Type(models.TextChoices):
        BILLING = "billing", "Billing"
        SHIPPING = "shipping", "Shipping"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="addresses")
    remote_id = models.CharField(max_length=255, null=True, blank=True)
    address_type = models.CharField(max_length=16, choices=Type.choices)

    class Meta:
        ordering = ["order", "address_type"]
        verbose_name_plural = "order addresses"

    def __str__(self) -> str:
        return f"{self.get_address_type_display()}: {self.one_line()}"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    remote_id = models.CharField(max_length=255, null=True, blank=True)
    sku = models.CharField(max_length=255, blank=True)
    # The catalog's product of that SKU, where oroint owns the catalog; a line whose SKU it does not know
    # is kept as the store sent it (Marello drops it, and skips an order left with no line).
    product = models.ForeignKey(
        "channels.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_items"
    )
    unknown_sku = models.BooleanField(default=False)
    name = models.CharField(max_length=500, blank=True)
    product_type = models.CharField(max_length=64, blank=True)
    product_options = models.TextField(blank=True)
    is_virtual = models.BooleanField(default=False)
    qty = models.DecimalField(**MONEY)
    price = models.DecimalField(**MONEY)
    original_price = models.DecimalField(**MONEY)
    discount_percent = models.DecimalField(**MONEY)
    discount_amount = models.DecimalField(**MONEY)
    tax_percent = models.DecimalField(**MONEY)
    tax_amount = models.DecimalField(**MONEY)
    row_total = models.DecimalField(**MONEY)
    weight = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.sku} x {self.qty}"


class OrderNote(models.Model):
    """An order comment (a status history row with a comment), its HTML sanitised on the way in."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="notes")
    remote_id = models.CharField(max_length=255, null=True, blank=True)
    message = models.TextField()
    status = models.CharField(max_length=64, blank=True)
    is_customer_notified = models.BooleanField(default=False)
    remote_created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "remote_created_at", "pk"]

    def __str__(self) -> str:
        return self.message[:60]
