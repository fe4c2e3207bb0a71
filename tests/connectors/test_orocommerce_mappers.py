"""OroCommerce mappers on documents shaped like OroCommerce's own test fixtures (get_order and its
related resources), with the placeholders filled in."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from channels.models import Customer
from integrations.connectors.orocommerce import mappers
from integrations.engine.contracts import MappingError

ORDER = {
    "type": "orders",
    "id": "12",
    "attributes": {
        "identifier": "simple_order",
        "poNumber": "1234567890",
        "customerNotes": "Leave at the gate",
        "currency": "USD",
        "subtotalValue": "789.0000",
        "totalValue": "1234.0000",
        "shippingMethod": "flat_rate_1",
        "shippingMethodType": "primary",
        "estimatedShippingCostAmount": "10.0000",
        "overriddenShippingCostAmount": None,
        "totalDiscountsAmount": "5.5000",
        "createdAt": "2018-04-12T14:07:40Z",
        "updatedAt": "2018-04-13T09:00:00Z",
    },
    "relationships": {
        "billingAddress": {"data": {"type": "orderaddresses", "id": "31"}},
        "shippingAddress": {"data": None},
        "lineItems": {"data": [{"type": "orderlineitems", "id": "101"}, {"type": "orderlineitems", "id": "102"}]},
        "paymentTerm": {"data": {"type": "paymentterms", "id": "2"}},
        "internalStatus": {"data": {"type": "orderinternalstatuses", "id": "open"}},
        "shippingStatus": {"data": {"type": "ordershippingstatuses", "id": "not_shipped"}},
        "customerUser": {"data": {"type": "customerusers", "id": "8"}},
        "customer": {"data": {"type": "customers", "id": "5"}},
    },
}
LINE_KNOWN = {
    "type": "orderlineitems",
    "id": "101",
    "attributes": {
        "productSku": "SKU-1",
        "productName": "Widget",
        "freeFormProduct": None,
        "quantity": 3,
        "productUnitCode": "item",
        "value": "100.0000",
        "currency": "USD",
        "priceType": 10,
        "comment": None,
    },
    "relationships": {"product": {"data": {"type": "products", "id": "44"}}},
}
LINE_UNKNOWN = {
    "type": "orderlineitems",
    "id": "102",
    "attributes": {"productSku": "NOPE-9", "productName": "Gadget", "quantity": 1.5, "productUnitCode": "kg",
                   "value": "20.0000", "comment": "cut in two"},
    "relationships": {"product": {"data": None}},
}  # fmt: skip
BILLING = {
    "type": "orderaddresses",
    "id": "31",
    "attributes": {
        "label": "Office",
        "street": "1215 Caldwell Road",
        "street2": None,
        "city": "Rochester",
        "postalCode": "14608",
        "organization": "Acme",
        "namePrefix": "",
        "firstName": "Amanda",
        "middleName": "",
        "lastName": "Cole",
        "nameSuffix": "",
        "phone": "+1 555 0101",
    },
    "relationships": {
        "country": {"data": {"type": "countries", "id": "US"}},
        "region": {"data": {"type": "regions", "id": "US-NY"}},
    },
}
USER = {"type": "customerusers", "id": "8", "attributes": {"email": "amanda@acme.test", "firstName": "Amanda",
                                                            "lastName": "Cole", "enabled": True}}  # fmt: skip


def tax(row_tax: str, excl: str) -> dict:
    return {"row": {"includingTax": "0", "excludingTax": excl, "taxAmount": row_tax, "currency": "USD"}, "taxes": []}


def bundle(**overrides) -> dict:
    found = {
        "order": ORDER,
        "lineItems": [LINE_KNOWN, LINE_UNKNOWN],
        "billingAddress": BILLING,
        "shippingAddress": None,
        "customer": {"type": "customers", "id": "5", "attributes": {"name": "Acme"}},
        "customerUser": USER,
        "taxes": {
            "order": {"total": {"includingTax": "1300", "excludingTax": "1234", "taxAmount": "66.0000"}},
            "lines": {"101": tax("24.7500", "300.0000")},
        },
        "paymentStatus": "pending",
    }
    return {**found, **overrides}


def test_order_maps_totals_status_customer_and_taxes():
    mapped = mappers.order(bundle(), {"SKU-1": 7})
    f = mapped.fields
    assert mapped.key == "12"
    assert f["increment_id"] == "simple_order"
    assert (f["currency"], f["subtotal"], f["grand_total"]) == ("USD", Decimal("789.0000"), Decimal("1234.0000"))
    assert f["discount_amount"] == Decimal("5.5000")
    assert f["tax_amount"] == Decimal("66.0000")
    assert f["shipping_amount"] == Decimal("10.0000")
    assert f["shipping_method"] == "flat_rate_1 / primary"
    assert f["status"] == "open" and f["payment_status"] == "pending"
    assert f["customer_remote_id"] == "5" and f["customer_user_remote_id"] == "8"
    assert (f["customer_email"], f["customer_first_name"], f["customer_last_name"]) == (
        "amanda@acme.test",
        "Amanda",
        "Cole",
    )
    assert f["remote_created_at"] == datetime.datetime(2018, 4, 12, 14, 7, 40, tzinfo=datetime.UTC)
    assert mapped.refs["customer"].model is Customer and mapped.refs["customer"].remote_id == "5"


def test_lines_keep_unknown_skus_flagged_and_link_known_ones():
    items = mappers.order(bundle(), {"SKU-1": 7}).children["items"]
    known, unknown = items
    assert known["remote_id"] == "101" and known["sku"] == "SKU-1" and known["product_id"] == 7
    assert known["unknown_sku"] is False
    assert (known["qty"], known["price"], known["tax_amount"], known["row_total"]) == (
        Decimal("3.0000"),
        Decimal("100.0000"),
        Decimal("24.7500"),
        Decimal("300.0000"),
    )
    assert known["product_options"] == "unit: item"
    assert unknown["sku"] == "NOPE-9" and unknown["product_id"] is None and unknown["unknown_sku"] is True
    assert unknown["tax_amount"] is None
    assert unknown["row_total"] == Decimal("30.0000")  # no tax value: quantity x price
    assert unknown["product_options"] == "unit: kg; cut in two"
    assert mappers.unknown_skus(mappers.order(bundle(), {"SKU-1": 7})) == ["NOPE-9"]
    assert mappers.unknown_skus(mappers.order(bundle(), {"SKU-1": 7, "NOPE-9": 8})) == []


def test_a_free_form_line_is_kept_without_a_sku():
    line = {"type": "orderlineitems", "id": "103", "attributes": {"productSku": None, "freeFormProduct": "Custom job",
                                                                  "quantity": 1, "value": "50.0000"}}  # fmt: skip
    (item,) = mappers.order(bundle(lineItems=[line]), {}).children["items"]
    assert (item["sku"], item["name"], item["product_type"], item["unknown_sku"]) == (
        "",
        "Custom job",
        "free_form",
        True,
    )
    assert mappers.unknown_skus(mappers.order(bundle(lineItems=[line]), {})) == []


def test_addresses_of_an_order():
    (address,) = mappers.order(bundle(), {}).children["addresses"]
    assert address["address_type"] == "billing" and address["remote_id"] == "31"
    assert (address["street"], address["city"], address["postal_code"]) == ("1215 Caldwell Road", "Rochester", "14608")
    assert (address["country_code"], address["region_text"]) == ("US", "NY")
    assert (address["first_name"], address["last_name"], address["organization"]) == ("Amanda", "Cole", "Acme")


def test_an_order_without_taxes_status_or_identifier():
    order = {**ORDER, "attributes": {**ORDER["attributes"], "identifier": None, "overriddenShippingCostAmount": "3"}}
    mapped = mappers.order(bundle(order=order, taxes={}, paymentStatus=None, customerUser=None), {})
    assert mapped.fields["increment_id"] == "12"
    assert mapped.fields["tax_amount"] is None and mapped.fields["payment_status"] == ""
    assert mapped.fields["shipping_amount"] == Decimal("3.0000")
    assert mapped.fields["customer_email"] == ""


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"currency": "DOLLARS"}, "currency"),
        ({"totalValue": "lots"}, "totalValue"),
        ({"updatedAt": "yesterday"}, "updatedAt"),
    ],
)
def test_a_bad_value_is_a_mapping_error_naming_the_field(change, words):
    order = {**ORDER, "attributes": {**ORDER["attributes"], **change}}
    with pytest.raises(MappingError, match=words):
        mappers.order(bundle(order=order), {})


def test_an_order_without_an_id_is_a_mapping_error():
    with pytest.raises(MappingError, match="no id"):
        mappers.order(bundle(order={**ORDER, "id": None}), {})


def test_customer_is_a_company_with_its_first_user_and_payment_term():
    mapped = mappers.customer(
        {
            "customer": {
                "type": "customers",
                "id": "5",
                "attributes": {
                    "name": "Acme",
                    "createdAt": "2018-01-01T00:00:00Z",
                    "updatedAt": "2018-02-01T00:00:00Z",
                },
            },
            "users": [
                {"type": "customerusers", "id": "9", "attributes": {"email": "second@acme.test"}},
                USER,
            ],
            "addresses": [
                {
                    **BILLING,
                    "type": "customeraddresses",
                    "id": "61",
                    "attributes": {
                        **BILLING["attributes"],
                        "primary": True,
                        "types": [{"addressType": "billing", "default": True}, {"addressType": "shipping"}],
                    },
                }
            ],
            "paymentTerm": {"type": "paymentterms", "id": "2", "attributes": {"label": "net 30"}},
        }
    )
    assert mapped.key == "5"
    assert mapped.fields["company_name"] == "Acme"
    assert mapped.fields["email"] == "amanda@acme.test"  # user 8 comes before user 9
    assert mapped.fields["payment_term"] == "net 30"
    (address,) = mapped.children["addresses"]
    assert address["is_default_billing"] is True and address["is_default_shipping"] is False
    assert address["remote_id"] == "61"


def test_customer_without_users():
    mapped = mappers.customer({"customer": {"type": "customers", "id": "6", "attributes": {"name": "Solo"}}})
    assert mapped.fields["email"] == "" and mapped.fields["payment_term"] == "" and mapped.children["addresses"] == []


def test_payment_statuses_and_tax_results_by_entity():
    statuses = mappers.payment_statuses(
        [
            {"attributes": {"entityIdentifier": "12", "paymentStatus": "pending", "updatedAt": "2018-01-01T00:00:00Z"}},
            {"attributes": {"entityIdentifier": "12", "paymentStatus": "full", "updatedAt": "2018-01-02T00:00:00Z"}},
            {"attributes": {"entityIdentifier": "13", "paymentStatus": "declined"}},
        ]
    )
    assert statuses == {"12": "full", "13": "declined"}
    results = mappers.tax_results([{"attributes": {"entityId": 12, "result": {"total": {"taxAmount": "1"}}}}])
    assert results == {"12": {"total": {"taxAmount": "1"}}}


def test_payment_term():
    mapped = mappers.payment_term({"type": "paymentterms", "id": "2", "attributes": {"label": "net 30"}})
    assert (mapped.key, mapped.fields) == ("2", {"label": "net 30"})
