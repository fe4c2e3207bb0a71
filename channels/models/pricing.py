"""Prices oroint owns and pushes: price lists and the prices of products in them."""

from django.db import models

from channels.models.orders import MONEY


class PriceList(models.Model):
    name = models.CharField(max_length=255, unique=True)
    currency = models.CharField(max_length=3)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class ProductPrice(models.Model):
    """The price of `quantity` or more `unit`s of a product (a tier of the price list)."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    product = models.ForeignKey("channels.Product", on_delete=models.CASCADE, related_name="prices")
    unit = models.CharField(max_length=64, default="item")
    quantity = models.DecimalField(max_digits=14, decimal_places=4, default=1)
    currency = models.CharField(max_length=3)
    value = models.DecimalField(**{**MONEY, "null": False, "blank": False})
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "price_list", "currency", "quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "unit", "quantity", "currency"], name="one_price_per_tier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} from {self.quantity.normalize():f} {self.unit}: {self.value:.2f} {self.currency}"
