"""Credit memos as salesOrderCreditmemoInfo sends them, mapped as OroCRM maps them."""

import decimal

import pytest

from channels.models import CreditMemo
from integrations.connectors.magento1 import memos
from integrations.engine.contracts import MappingError

MEMO = {
    "creditmemo_id": "7",
    "increment_id": "100000007",
    "order_id": "31",
    "store_id": "2",
    "state": "2",
    "invoice_id": "12",
    "transaction_id": "txn-1",
    "email_sent": "1",
    "order_currency_code": "EUR",
    "subtotal": "20.0000",
    "adjustment_positive": "1.5000",
    "adjustment_negative": "0.5000",
    "shipping_amount": "5.0000",
    "tax_amount": "3.8000",
    "discount_amount": "0.0000",
    "grand_total": "29.8000",
    "customer_bal_total_refunded": "2.0000",
    "reward_points_balance_refund": "10",
    "created_at": "2025-04-02 08:00:00",
    "updated_at": "2025-04-02 09:00:00",
    "items": [
        {
            "item_id": "70",
            "order_item_id": "310",
            "product_id": "4",
            "sku": "TEE-M",
            "name": "Tee",
            "qty": "2.0000",
            "price": "10.0000",
            "tax_amount": "3.8000",
            "discount_amount": "0.0000",
            "row_total": "20.0000",
        }
    ],
    "comments": [
        {
            "comment_id": "3",
            "comment": '<b>Refunded</b> <a href="javascript:x()" onclick="y()">x</a><script>z()</script>',
            "is_customer_notified": "1",
            "is_visible_on_front": "0",
            "created_at": "2025-04-02 08:01:00",
        }
    ],
}


def test_a_memo_with_its_items_and_comments():
    mapped = memos.credit_memo(MEMO)
    assert mapped.key == "7"
    fields = mapped.fields
    assert fields["increment_id"] == "100000007" and fields["state"] == CreditMemo.State.REFUNDED
    assert fields["order_remote_id"] == "31" and fields["currency"] == "EUR" and fields["email_sent"]
    assert fields["grand_total"] == decimal.Decimal("29.8") and fields["adjustment_negative"] == decimal.Decimal("0.5")
    assert fields["customer_balance_refunded"] == decimal.Decimal("2") and fields["reward_points_refunded"] == 10
    assert (mapped.refs["order"].remote_id, mapped.refs["store"].remote_id) == ("31", "2")
    (item,) = mapped.children["items"]
    assert (item["remote_id"], item["order_item_remote_id"], item["sku"], item["qty"]) == (
        "70",
        "310",
        "TEE-M",
        decimal.Decimal("2"),
    )
    (comment,) = mapped.children["comments"]
    assert comment["comment"].startswith("<b>Refunded</b>")
    assert "script" not in comment["comment"] and "javascript" not in comment["comment"]
    assert "onclick" not in comment["comment"] and comment["is_customer_notified"]


@pytest.mark.parametrize(("state", "expected"), [("1", "pending"), ("2", "refunded"), ("3", "canceled"), ("", "")])
def test_states(state, expected):
    assert memos.credit_memo({**MEMO, "state": state}).fields["state"] == expected


def test_an_unknown_state_is_refused_with_the_reason():
    with pytest.raises(MappingError, match="state '9'"):
        memos.credit_memo({**MEMO, "state": "9"})


def test_a_memo_whose_info_faulted_is_refused_with_the_store_s_words():
    listed = {"creditmemo_id": "8", "increment_id": "100000008", memos.INFO_FAULT: "fault 100: does not exist"}
    with pytest.raises(MappingError, match=r"100000008.*fault 100: does not exist"):
        memos.credit_memo(listed)
