"""Form fields the back-office pages share."""

from decimal import Decimal

from django import forms

from channels.imports.lookups import plain_decimal


class PlainDecimalField(forms.DecimalField):
    """A quantity shown as people write it (12, 12.5), not as the column stores it (12.0000)."""

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return plain_decimal(value)
        return super().prepare_value(value)
