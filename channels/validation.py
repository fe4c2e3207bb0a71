"""The rules the back-office records must meet beyond their columns' types, shared by the admin forms and
the CSV import, so a row the form refuses is refused by the import with the same message.

Each function takes the values and returns {field name: message}; empty means valid.
"""

import re
from decimal import Decimal

CURRENCY = re.compile(r"[A-Z]{3}")


def currency_errors(currency: str, *, field: str = "currency") -> dict[str, str]:
    if currency and not CURRENCY.fullmatch(currency):
        return {field: f"{currency!r} is not a currency code: three capital letters, as in EUR or USD."}
    return {}


def price_errors(
    *, value: Decimal | None, quantity: Decimal | None, currency: str, price_list_currency: str | None
) -> dict[str, str]:
    """A price tier: a non-negative value for a positive quantity, in its price list's currency."""
    errors = currency_errors(currency)
    if value is not None and value < 0:
        errors["value"] = "A price cannot be negative."
    if quantity is not None and quantity <= 0:
        errors["quantity"] = "The quantity a price starts at must be more than 0."
    if "currency" not in errors and price_list_currency and currency and currency != price_list_currency:
        errors["currency"] = f"The price list is in {price_list_currency}: its prices must be too, not {currency}."
    return errors


def stock_errors(*, quantity: Decimal | None) -> dict[str, str]:
    if quantity is not None and quantity < 0:
        return {"quantity": "A stock level cannot be negative (0: out of stock)."}
    return {}


def tax_rate_errors(*, rate: Decimal | None) -> dict[str, str]:
    # Stored as a share, as the stores keep it; 8.25 typed for 8.25 % would tax at 825 %.
    if rate is not None and not 0 <= rate <= 1:
        return {"rate": "A rate is a share between 0 and 1: 0.0825 is 8.25 %."}
    return {}


def zip_code_errors(*, zip_code: str, start: str, end: str) -> dict[str, str]:
    """One zip code, or a range from start to end (inclusive), never both and never neither."""
    if zip_code and (start or end):
        return {"zip_code": "Give a zip code or a range, not both."}
    if not zip_code and not (start and end):
        if start or end:
            return {"zip_range_end" if start else "zip_range_start": "A range needs both a start and an end."}
        return {"zip_code": "Give a zip code or a range (start and end)."}
    if start and end and _zip_key(start) > _zip_key(end):
        return {"zip_range_end": f"The range ends ({end}) before it starts ({start})."}
    return {}


def _zip_key(code: str) -> tuple:
    # Numeric zip codes compare as numbers ("900" < "10001"); others (UK, Canada) as text.
    return (0, int(code), "") if code.isdigit() else (1, 0, code.upper())
