"""The catalog oroint owns and pushes to its sales channels (Marello's products): products and images."""

from django.db import models


class ProductTaxCode(models.Model):
    """What kind of goods a product is for taxes ("books", "clothing"): tax rules name it."""

    code = models.CharField(max_length=255, unique=True)
    description = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Product(models.Model):
    class Status(models.TextChoices):
        ENABLED = "enabled", "Enabled"
        DISABLED = "disabled", "Disabled"

    sku = models.CharField("SKU", max_length=255, unique=True)
    name = models.CharField(max_length=500)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ENABLED)
    # The unit a product is sold in, by its code in the stores ("item", "each", "set", "kg"), and how many
    # decimals a quantity of it may have (0: whole units only).
    unit = models.CharField(max_length=64, default="item")
    unit_precision = models.PositiveSmallIntegerField(default=0)
    tax_code = models.ForeignKey(
        ProductTaxCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    # The sales channels the product is offered on; none chosen means every channel that takes products.
    channels = models.ManyToManyField("channels.Channel", blank=True, related_name="products")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to="product-images/")
    filename = models.CharField(max_length=255, blank=True)
    mime_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    # Of the content: an image whose content the store already holds is not sent again.
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    is_main = models.BooleanField(default=False)
    sort_order = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.filename or self.file.name
