"""Magento 1 records to local fields, including the malformed data real stores hold."""

import datetime
from decimal import Decimal

import pytest

from channels.models import Customer, Store, Website
from integrations.connectors.magento1 import mappers
from integrations.engine.contracts import MappingError

CUSTOMER = {
    "customer_id": 7,
    "created_at": "2024-09-03 08:37:00",
    "updated_at": "2025-01-02 10:00:00",
    "email": "ann.lee@example.com",
    "firstname": "Ann",
    "lastname": "Lee",
    "dob": "1980-05-01 00:00:00",
    "gender": "2",
    "confirmation": True,
    "website_id": 1,
    "store_id": 2,
    "group_id": 1,
    "created_in": "Default Store View",
    "addresses": [
        {
            "customer_address_id": 70,
            "street": "1 Main St\nFlat 2",
            "city": "Berlin",
            "country_id": "de",
            "postcode": "10115",
            "is_default_billing": True,
        }
    ],
}

ORDER = {
    "order_id": "12",
    "increment_id": "100000012",
    "store_id": "2",
    "customer_is_guest": "1",
    "customer_email": "guest@example.com",
    "customer_firstname": "Gus",
    "customer_lastname": "Test",
    "subtotal": "29.9000",
    "grand_total": "34.9000",
    "order_currency_code": "EUR",
    "status": "processing",
    "created_at": "2025-02-01 12:00:00",
    "updated_at": "2025-02-02 12:00:00",
    "store_name": "Main Website\nMain Store\nDefault Store View",
    "payment": {"method": "checkmo", "amount_ordered": "34.9000"},
    "items": [{"item_id": "5", "sku": "TSHIRT-M", "name": "T-shirt", "qty_ordered": "2.0000", "price": "14.9500"}],
    "billing_address": {"address_id": "21", "address_type": "billing", "street": "Main St 1", "country_id": "FR"},
    "shipping_address": {"address_id": "22", "address_type": "shipping", "street": "Side St 2", "country_id": "FR"},
}


def test_customer_maps_as_oro_does():
    mapped = mappers.customer(CUSTOMER)
    assert mapped.key == "7"
    assert mapped.fields["email"] == "ann.lee@example.com"
    assert mapped.fields["birthday"] == datetime.date(1980, 5, 1)
    assert mapped.fields["gender"] == Customer.Gender.FEMALE
    assert mapped.fields["confirmed"] is False  # a pending confirmation key
    assert mapped.fields["remote_created_at"] == datetime.datetime(2024, 9, 3, 8, 37, tzinfo=datetime.UTC)
    assert mapped.refs["website"].model is Website and mapped.refs["website"].remote_id == "1"
    assert mapped.refs["store"].model is Store
    (address,) = mapped.children["addresses"]
    assert (address["street"], address["street2"]) == ("1 Main St", "Flat 2")
    assert address["country_code"] == "DE"
    assert address["is_default_billing"] and not address["is_default_shipping"]


def test_customer_without_last_name_is_kept():
    mapped = mappers.customer({**CUSTOMER, "lastname": None, "firstname": None})
    assert mapped.fields["last_name"] == "" and mapped.fields["first_name"] == ""


def test_fingerprint_changes_only_with_content():
    assert mappers.customer(CUSTOMER).fingerprint() == mappers.customer(dict(CUSTOMER)).fingerprint()
    assert mappers.customer(CUSTOMER).fingerprint() != mappers.customer({**CUSTOMER, "lastname": "Ng"}).fingerprint()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"email": "ann lee@example.com"}, "is not an email address"),
        ({"email": None}, "email is missing"),
        ({"created_at": "2021-13-45 99:00:00"}, "created_at '2021-13-45 99:00:00' is not a date"),
        ({"dob": "yesterday"}, "dob 'yesterday' is not a date"),
        ({"customer_id": None}, "customer_id is missing"),
        ({"addresses": [{"customer_address_id": 1, "country_id": "ZZZ"}]}, "'ZZZ' is not an ISO 3166"),
        ({"addresses": [{"customer_address_id": 1, "country_id": "XX"}]}, "'XX' is not an ISO 3166"),
    ],
)
def test_malformed_customer_says_which_field_and_why(change, reason):
    with pytest.raises(MappingError, match=reason):
        mappers.customer({**CUSTOMER, **change})


def test_zero_date_means_none():
    mapped = mappers.customer({**CUSTOMER, "updated_at": "0000-00-00 00:00:00"})
    assert mapped.fields["remote_updated_at"] is None


def test_guest_order_maps_items_addresses_payment_and_website():
    mapped = mappers.order(ORDER, store_websites={"2": "1"})
    assert mapped.key == "12"
    assert mapped.fields["is_guest"] is True and mapped.fields["customer_remote_id"] is None
    assert mapped.fields["grand_total"] == Decimal("34.9000")
    assert mapped.fields["payment_method"] == "checkmo"
    assert mapped.refs["website"].remote_id == "1"
    assert mapped.refs["customer"].remote_id is None
    (item,) = mapped.children["items"]
    assert item["qty"] == Decimal("2.0000") and item["sku"] == "TSHIRT-M"
    assert [a["address_type"] for a in mapped.children["addresses"]] == ["billing", "shipping"]


def test_registered_customer_order_refers_to_the_customer():
    mapped = mappers.order({**ORDER, "customer_is_guest": "0", "customer_id": "7"}, store_websites={})
    assert mapped.fields["customer_remote_id"] == "7"
    assert mapped.refs["customer"].remote_id == "7"


def test_order_with_bad_money_is_refused():
    with pytest.raises(MappingError, match="grand_total 'abc' is not a number"):
        mappers.order({**ORDER, "grand_total": "abc"}, store_websites={})


def test_guest_key_splits_shared_emails_by_full_name():
    shared = mappers.shared_emails("family@example.com; office@example.com,")
    assert shared == {"family@example.com", "office@example.com"}
    a = mappers.guest_key(1, "Family@example.com", "Ann", "Lee", True)
    b = mappers.guest_key(1, "family@example.com", "Bob", "Lee", True)
    assert a != b
    assert mappers.guest_key(1, "X@example.com", "Ann", "Lee", False) == mappers.guest_key(
        1, "x@example.com", "Bob", "Ng", False
    )


def test_websites_without_the_bridge_come_from_stores():
    stores = [
        {"store_id": 1, "website_id": 1, "code": "default", "name": "Default"},
        {"store_id": 2, "website_id": 1, "code": "fr", "name": "French"},
        {"store_id": 3, "website_id": 2, "code": "us", "name": "US"},
    ]
    assert mappers.websites_from_stores(stores) == [
        {"website_id": 1, "code": "default / fr", "name": "Default, French"},
        {"website_id": 2, "code": "us", "name": "US"},
    ]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("1", "male"), ("2", "female"), ("Male", "male"), ("Female", "female"), ("", ""), ("3", "")],
)
def test_gender_is_read_as_the_native_api_and_the_bridge_send_it(sent, kept):
    # The native API sends the option id; Oro Bridge 1.2.19 sends the option label.
    assert mappers.customer({**CUSTOMER, "gender": sent}).fields["gender"] == kept
