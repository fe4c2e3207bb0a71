from django.db import models

from channels.models.base import RemoteRecord, id_order


class Region(RemoteRecord):
    """A store's region (state, province, county) with the id its addresses refer to."""

    country_code = models.CharField(max_length=2, db_index=True)
    code = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=255)

    class Meta:
        ordering = ["integration", "country_code", *id_order()]
        constraints = [models.UniqueConstraint(fields=["integration", "remote_id"], name="region_binding")]

    def __str__(self) -> str:
        return f"{self.name} ({self.country_code})"
