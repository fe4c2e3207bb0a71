"""Back-office accounts and contacts: the people behind store customers, owned by no channel.

A store customer (registered or guest) links to one contact and its account. They outlive the channel:
deleting a channel deletes its customers, and syncing the channel again links the new customers to the
same contacts (matched by email, and by name where several people share an email).
"""

from django.conf import settings
from django.db import models


class Account(models.Model):
    name = models.CharField(max_length=255, db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    first_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=255, blank=True)
    # Lowercased email (and, for emails shared by several people, the name): what customers match on.
    match_key = models.CharField(max_length=800, editable=False)
    phone = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        # Unique: two workers linking the same new email at once make one contact (channels.accounts).
        constraints = [models.UniqueConstraint(fields=["match_key"], name="contact_match_key_unique")]

    def __str__(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return f"{name} <{self.email}>" if name and self.email else name or self.email or f"Contact #{self.pk}"
