"""Model field types of the integrations app."""

from __future__ import annotations

from django.db import models

from integrations import crypto


class EncryptedTextField(models.TextField):
    """A text column that holds only Fernet ciphertext; Python code sees the plain value.

    A value that no configured key decrypts loads as a `crypto.UnreadableSecret` instead of raising:
    the row is read by every page that shows an integration, and a key removed from
    FIELD_ENCRYPTION_KEYS must not turn those pages into errors. Using that value as text raises.

    Lookups other than isnull make no sense on ciphertext, so the field cannot be filtered on.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return crypto.decrypt(value)
        except crypto.SecretDecryptionError:
            return crypto.UnreadableSecret(value, label=str(self.verbose_name))

    def to_python(self, value):
        if isinstance(value, crypto.UnreadableSecret):
            return value  # model validation must not read it as text
        return super().to_python(value)

    def get_prep_value(self, value):
        if isinstance(value, crypto.UnreadableSecret):
            return value.token  # kept as it is stored: the old key may come back
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


def unreadable_secrets(instance: models.Model | None) -> list[crypto.UnreadableSecret]:
    """The encrypted fields of `instance` that no key of FIELD_ENCRYPTION_KEYS decrypts."""
    if instance is None:
        return []
    found = []
    for field in instance._meta.concrete_fields:
        if isinstance(field, EncryptedTextField):
            value = getattr(instance, field.attname)
            if isinstance(value, crypto.UnreadableSecret):
                found.append(value)
    return found
