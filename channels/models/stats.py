"""Figures kept per day so that the dashboards read a few hundred rows, not a million orders.

channels.stats rebuilds the rows of the days a synced page touched; `manage.py stats_rebuild` rebuilds
them all (after a change of OROINT_TIME_ZONE, since a day is a day in that zone).
"""

from django.db import models


class OrderDay(models.Model):
    """Orders placed on one day (in settings.TIME_ZONE) in one integration and one currency."""

    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    currency = models.CharField(max_length=3, blank=True)
    orders = models.PositiveIntegerField(default=0)
    # Sum of grand totals of the orders not canceled; canceled ones are counted apart.
    revenue = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    canceled = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "day", "currency"], name="order_day_unique"),
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.currency}: {self.orders} orders"


class CustomerDay(models.Model):
    """Customers created on one day (in settings.TIME_ZONE) in one integration, registered and guests apart."""

    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    registered = models.PositiveIntegerField(default=0)
    guests = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration", "day"], name="customer_day_unique")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day}: {self.registered} + {self.guests} guests"
