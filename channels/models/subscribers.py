from django.db import models

from channels.models.base import RemoteRecord


class NewsletterSubscriber(RemoteRecord):
    class Status(models.TextChoices):
        SUBSCRIBED = "subscribed", "Subscribed"
        NOT_ACTIVE = "not_active", "Not active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        UNCONFIRMED = "unconfirmed", "Unconfirmed"

    store = models.ForeignKey("channels.Store", null=True, blank=True, on_delete=models.SET_NULL)
    customer = models.ForeignKey(
        "channels.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriptions"
    )
    customer_remote_id = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    email = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, blank=True, db_index=True)
    confirm_code = models.CharField(max_length=64, blank=True)
    change_status_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-change_status_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["integration", "remote_id"], name="subscriber_binding")]

    def __str__(self) -> str:
        return self.email or f"Subscriber {self.remote_id}"
