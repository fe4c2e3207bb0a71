from django.db import models

from channels.models.base import RemoteRecord
from channels.models.orders import MONEY


class CreditMemo(RemoteRecord):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        REFUNDED = "refunded", "Refunded"
        CANCELED = "canceled", "Canceled"

    increment_id = models.CharField(max_length=64, db_index=True)
    order = models.ForeignKey(
        "channels.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="credit_memos"
    )
    order_remote_id = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    store = models.ForeignKey("channels.Store", null=True, blank=True, on_delete=models.SET_NULL)
    state = models.CharField(max_length=16, choices=State.choices, blank=True, db_index=True)
    invoice_remote_id = models.CharField(max_length=255, blank=True)
    transaction_id = models.CharField(max_length=255, blank=True)
    email_sent = models.BooleanField(default=False)
    currency = models.CharField(max_length=3, blank=True)
    subtotal = models.DecimalField(**MONEY)
    adjustment_positive = models.DecimalField(**MONEY)
    adjustment_negative = models.DecimalField(**MONEY)
    shipping_amount = models.DecimalField(**MONEY)
    tax_amount = models.DecimalField(**MONEY)
    discount_amount = models.DecimalField(**MONEY)
    grand_total = models.DecimalField(**MONEY)
    customer_balance_refunded = models.DecimalField(**MONEY)
    reward_points_refunded = models.DecimalField(**MONEY)
    remote_created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    remote_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-remote_created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["integration", "remote_id"], name="credit_memo_binding")]

    def __str__(self) -> str:
        return f"Credit memo {self.increment_id}"


class CreditMemoItem(models.Model):
    memo = models.ForeignKey(CreditMemo, on_delete=models.CASCADE, related_name="items")
    remote_id = models.CharField(max_length=255, null=True, blank=True)
    order_item_remote_id = models.CharField(max_length=255, blank=True)
    product_remote_id = models.CharField(max_length=255, blank=True)
    sku = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    additional_data = models.TextField(blank=True)
    qty = models.DecimalField(**MONEY)
    price = models.DecimalField(**MONEY)
    tax_amount = models.DecimalField(**MONEY)
    discount_amount = models.DecimalField(**MONEY)
    row_total = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["memo", "pk"]

    def __str__(self) -> str:
        return f"{self.sku} x {self.qty}"


class CreditMemoComment(models.Model):
    memo = models.ForeignKey(CreditMemo, on_delete=models.CASCADE, related_name="comments")
    remote_id = models.CharField(max_length=255, null=True, blank=True)
    comment = models.TextField(blank=True)
    is_customer_notified = models.BooleanField(default=False)
    is_visible_on_front = models.BooleanField(default=False)
    remote_created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["memo", "remote_created_at", "pk"]

    def __str__(self) -> str:
        return self.comment[:60]
