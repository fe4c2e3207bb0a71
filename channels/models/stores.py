from django.db import models

from channels.models.base import RemoteRecord, id_order


class Website(RemoteRecord):
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=255)
    sort_order = models.IntegerField(default=0)
    default_group_id = models.IntegerField(null=True, blank=True)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["integration", *id_order()]
        constraints = [models.UniqueConstraint(fields=["integration", "remote_id"], name="website_binding")]

    def __str__(self) -> str:
        return self.name


class Store(RemoteRecord):
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    website = models.ForeignKey(Website, null=True, blank=True, on_delete=models.SET_NULL, related_name="stores")
    website_remote_id = models.CharField(max_length=255, null=True, blank=True)
    group_remote_id = models.CharField(max_length=255, null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["integration", *id_order()]
        constraints = [models.UniqueConstraint(fields=["integration", "remote_id"], name="store_binding")]

    def __str__(self) -> str:
        return self.name
