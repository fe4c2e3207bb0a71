import datetime

from django.db import models

from channels.models.base import RemoteRecord


class FakeSettings(models.Model):
    integration = models.OneToOneField(
        "integrations.Integration", on_delete=models.CASCADE, primary_key=True, related_name="fake_settings"
    )
    remote_path = models.CharField(max_length=1024)
    page_size = models.PositiveIntegerField(default=3)
    # On: customers and orders are read by updated_at windows, newest first and interleaved (as Magento's
    # are); off: customers alone, by a keyset on (updatedAt, id).
    windows = models.BooleanField(default=False)
    start_date = models.DateField(default=datetime.date(2000, 1, 1))

    def __str__(self) -> str:
        return self.remote_path


class FakeProduct(models.Model):
    """A record oroint owns and pushes out (as products will be for OroCommerce)."""

    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    price = models.DecimalField(max_digits=10, decimal_places=2)

    def __str__(self) -> str:
        return self.sku


class FakeOrder(RemoteRecord):
    """An order of the fake remote system: a second entity read by updated_at windows."""

    number = models.CharField(max_length=64)
    remote_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration", "remote_id"], name="fake_order_binding")]

    def __str__(self) -> str:
        return self.number
