import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import timezone

from oroint import display


def test_money_has_two_decimals_thousands_and_its_currency():
    assert display.money(Decimal("1234.5"), "USD") == "1,234.50 USD"
    assert display.money("0.005", "EUR") == "0.01 EUR"
    assert display.money(None, "USD") == display.EMPTY
    assert display.amount(Decimal("1234567.891")) == "1,234,567.89"


def test_sums_are_per_currency_never_added_across():
    rows = [("USD", Decimal("10.00")), ("EUR", "5.5"), ("USD", 1000), ("EUR", None)]
    assert display.money_sums(rows) == ["1,010.00 USD", "5.50 EUR"]
    assert display.money_sums([]) == []


def test_quantities_lose_the_stores_zeros():
    assert display.quantity(Decimal("2.0000")) == "2"
    assert display.quantity(Decimal("1.5000")) == "1.5"
    assert display.quantity(Decimal("1234.0000")) == "1,234"
    assert display.quantity(None) == display.EMPTY


@override_settings(TIME_ZONE="Europe/Berlin")
def test_times_are_in_the_configured_zone_and_say_which():
    moment = datetime.datetime(2026, 12, 1, 17, 43, tzinfo=datetime.UTC)
    assert display.when(moment) == "2026-12-01 18:43 CET"
    assert display.when(datetime.date(2026, 12, 1)) == "2026-12-01"


def test_durations_read_as_a_person_says_them():
    assert display.duration(3725) == "1 h 2 min"
    assert display.duration(75) == "1 min 15 s"
    assert display.duration(4.2) == "4 s"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ value|money:'GBP' }}", "12,000.00 GBP"),
        ("{{ value|quantity }}", "12,000"),
        ("{{ moment|when }}", "2026-12-01 17:43 UTC"),
        ("{{ moment }}", "2026-12-01 17:43 UTC"),  # Django's own rendering: the same format
    ],
)
def test_templates_use_the_same_formats(source, expected):
    moment = timezone.make_aware(datetime.datetime(2026, 12, 1, 17, 43), datetime.UTC)
    rendered = Template("{% load oroint_display %}" + source).render(
        Context({"value": Decimal("12000.0000"), "moment": moment})
    )
    assert rendered == expected
