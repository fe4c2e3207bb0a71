"""Model field types of the integrations app."""

from django.db import models

from integrations import crypto


class EncryptedTextField(models.TextField):
    """A text column that holds only Fernet ciphertext; Python code sees the plain value.

    Lookups other than isnull make no sense on ciphertext, so the field cannot be filtered on.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)
