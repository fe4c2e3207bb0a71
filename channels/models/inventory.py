"""Stock oroint owns and pushes: warehouses and the quantity of each product in each."""

from django.db import models


class Warehouse(models.Model):
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class InventoryLevel(models.Model):
    product = models.ForeignKey("channels.Product", on_delete=models.CASCADE, related_name="inventory_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="inventory_levels")
    quantity = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "warehouse"]
        constraints = [models.UniqueConstraint(fields=["product", "warehouse"], name="one_level_per_warehouse")]

    def __str__(self) -> str:
        return f"{self.product} in {self.warehouse}: {self.quantity.normalize():f}"
