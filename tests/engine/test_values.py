"""Remote scalar values: timestamps keep their offset, ids keep "0", garbage names its field."""

import datetime

import pytest

from integrations.engine.contracts import MappingError
from integrations.engine.values import moment, optional_id, remote_id, whole_id

UTC = datetime.UTC


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


# -- moment -----------------------------------------------------------------------------------------


def test_sql_timestamp_without_offset_is_utc():
    value = moment({"updated_at": "2024-03-05 14:11:52"}, "updated_at")
    assert value == utc(2024, 3, 5, 14, 11, 52)
    assert value.utcoffset() == datetime.timedelta(0)


def test_iso_timestamp_keeps_its_offset():
    value = moment({"updatedAt": "2024-03-05T14:11:52+02:00"}, "updatedAt")
    assert value == utc(2024, 3, 5, 12, 11, 52)
    assert value.utcoffset() == datetime.timedelta(hours=2)
    # The time of day is the remote's, not cut down to its date (a value once came back as midnight).
    assert (value.hour, value.minute, value.second) == (14, 11, 52)


def test_negative_offset_and_offset_without_colon():
    assert moment({"t": "2024-03-05T14:11:52-05:00"}, "t") == utc(2024, 3, 5, 19, 11, 52)
    assert moment({"t": "2024-03-05T14:11:52+0200"}, "t") == utc(2024, 3, 5, 12, 11, 52)


def test_z_suffix_is_utc():
    assert moment({"t": "2024-03-05T14:11:52Z"}, "t") == utc(2024, 3, 5, 14, 11, 52)


@pytest.mark.parametrize(
    ("text", "microsecond"),
    [
        ("2024-03-05 14:11:52.5", 500000),
        ("2024-03-05T14:11:52.123456Z", 123456),
        ("2024-03-05T14:11:52.25+02:00", 250000),
    ],
)
def test_fractional_seconds(text, microsecond):
    value = moment({"t": text}, "t")
    assert value.second == 52
    assert value.microsecond == microsecond


def test_surrounding_spaces_are_ignored():
    assert moment({"t": "  2024-03-05 14:11:52 "}, "t") == utc(2024, 3, 5, 14, 11, 52)


@pytest.mark.parametrize("raw", [{"t": "0000-00-00 00:00:00"}, {"t": "0000-00-00"}, {"t": ""}, {"t": None}, {}])
def test_zero_date_empty_and_missing_are_none(raw):
    assert moment(raw, "t") is None


@pytest.mark.parametrize(
    "text", ["2024-03-05 14:11:52 junk", "05/03/2024", "2024-03-05", "2024-13-05 14:11:52", "yesterday"]
)
def test_anything_else_raises_a_mapping_error_naming_the_field(text):
    with pytest.raises(MappingError) as caught:
        moment({"created_at": text}, "created_at")
    message = str(caught.value)
    assert "created_at" in message
    assert repr(text) in message


# -- ids --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("0", "0"), (0, "0"), ("17", "17"), (17, "17"), (" ab-3 ", "ab-3")])
def test_ids_as_the_remote_spells_them(value, expected):
    assert remote_id({"id": value}, "id") == expected
    assert optional_id({"id": value}, "id") == expected


@pytest.mark.parametrize("raw", [{"id": ""}, {"id": "   "}, {"id": None}, {"id": True}, {}])
def test_empty_and_none_ids_are_missing(raw):
    assert optional_id(raw, "id") is None
    assert whole_id(raw, "id") is None
    with pytest.raises(MappingError, match="customer_id is missing"):
        remote_id({"customer_id": raw.get("id")}, "customer_id")


@pytest.mark.parametrize(("value", "expected"), [("007", "7"), ("0", "0"), (0, "0"), ("42", "42"), (" 12 ", "12")])
def test_whole_id_is_canonical(value, expected):
    assert whole_id({"id": value}, "id") == expected
    assert whole_id({"id": value}, "id", required=True) == expected


@pytest.mark.parametrize("value", ["abc", "7.5", "7a", "1e3"])
def test_whole_id_refuses_what_is_not_a_whole_number(value):
    with pytest.raises(MappingError) as caught:
        whole_id({"order_id": value}, "order_id")
    assert "order_id" in str(caught.value)
    assert repr(value) in str(caught.value)


@pytest.mark.parametrize("raw", [{"order_id": ""}, {"order_id": None}, {}])
def test_required_whole_id_that_is_missing_raises(raw):
    with pytest.raises(MappingError, match="order_id is missing"):
        whole_id(raw, "order_id", required=True)
