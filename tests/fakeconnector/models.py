from django.db import models


class FakeSettings(models.Model):
    integration = models.OneToOneField(
        "integrations.Integration", on_delete=models.CASCADE, primary_key=True, related_name="fake_settings"
    )
    remote_path = models.CharField(max_length=1024)
    page_size = models.PositiveIntegerField(default=3)

    def __str__(self) -> str:
        return self.remote_path


class FakeProduct(models.Model):
    """A record oroint owns and pushes out (as products will be for OroCommerce)."""

    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    price = models.DecimalField(max_digits=10, decimal_places=2)

    def __str__(self) -> str:
        return self.sku
