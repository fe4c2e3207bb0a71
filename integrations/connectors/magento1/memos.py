"""Credit memos: `salesOrderCreditmemoList` by `updated_at` windows, each memo completed with
`salesOrderCreditmemoInfo`, as OroCRM reads them in both modes.

The list has no pager even with the bridge, so it is read as the native order list is: one call per
window, ids filtered and ordered locally (IncrementalStream's native path). Only Info carries a memo's
items and comments. A memo the list names but Info says does not exist (fault 100: deleted meanwhile, or
a broken row) is quarantined with Magento's words; the rest of the window goes on.
"""

from __future__ import annotations

from typing import Any

from channels.models import CreditMemo, CreditMemoComment, CreditMemoItem, Order, Store
from integrations.connectors.magento1 import notes
from integrations.connectors.magento1.streams import StoreScoped
from integrations.engine import values as v
from integrations.engine.contracts import ChildSpec, Mapped, MappingError, Ref
from integrations.transports.soap import SoapFault

FAULT_NOT_EXISTS = "100"
INFO_FAULT = "_info_fault"  # set on a listed memo whose Info faulted: the mapper refuses it with the reason

STATES = {"1": CreditMemo.State.PENDING, "2": CreditMemo.State.REFUNDED, "3": CreditMemo.State.CANCELED}


class CreditMemoStream(StoreScoped):
    name = "credit_memos"
    model = CreditMemo
    id_field = "creditmemo_id"
    native_list = "salesOrderCreditmemoList"
    children = {"items": ChildSpec(CreditMemoItem, "memo"), "comments": ChildSpec(CreditMemoComment, "memo")}

    @property
    def paged(self) -> bool:
        return False

    def complete(self, listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        memos = []
        for raw in listed:
            increment_id = v.text(raw, "increment_id")
            try:
                info = self.soap.call("salesOrderCreditmemoInfo", increment_id) or {}
            except SoapFault as fault:
                if fault.code != FAULT_NOT_EXISTS:
                    raise
                memos.append({**raw, INFO_FAULT: str(fault)})
                continue
            # What the list said stays where Info says nothing (an Info without `creditmemo_id`).
            memos.append({**raw, **{k: value for k, value in info.items() if value is not None}})
        return memos

    def map(self, raw: dict[str, Any]) -> Mapped:
        return credit_memo(raw)


def credit_memo(raw: dict[str, Any]) -> Mapped:
    """A whole memo (salesOrderCreditmemoInfo merged over its list entry)."""
    if raw.get(INFO_FAULT):
        raise MappingError(
            f"The credit memo list names memo {v.text(raw, 'increment_id')!r}, but reading it failed: "
            f"{raw[INFO_FAULT]}. It is kept here; if it is back in the store, Retry reads it again."
        )
    increment_id = v.text(raw, "increment_id")
    if not increment_id:
        raise MappingError("increment_id is missing")
    state = v.text(raw, "state")
    if state and state not in STATES:
        raise MappingError(f"state {state!r} is not a credit memo state (1 pending, 2 refunded, 3 canceled)")
    order_id = v.whole_id(raw, "order_id")
    return Mapped(
        key=v.whole_id(raw, "creditmemo_id", required=True),
        fields={
            "increment_id": increment_id,
            "order_remote_id": order_id,
            "state": STATES.get(state, ""),
            "invoice_remote_id": v.text(raw, "invoice_id"),
            "transaction_id": v.text(raw, "transaction_id"),
            "email_sent": v.boolean(raw, "email_sent"),
            "currency": v.text(raw, "order_currency_code"),
            "subtotal": v.decimal(raw, "subtotal"),
            "adjustment_positive": v.decimal(raw, "adjustment_positive"),
            "adjustment_negative": v.decimal(raw, "adjustment_negative"),
            "shipping_amount": v.decimal(raw, "shipping_amount"),
            "tax_amount": v.decimal(raw, "tax_amount"),
            "discount_amount": v.decimal(raw, "discount_amount"),
            "grand_total": v.decimal(raw, "grand_total"),
            "customer_balance_refunded": v.decimal(raw, "customer_bal_total_refunded"),
            "reward_points_refunded": v.decimal(raw, "reward_points_balance_refund"),
            "remote_created_at": v.moment(raw, "created_at"),
            "remote_updated_at": v.moment(raw, "updated_at"),
        },
        refs={"order": Ref(Order, order_id), "store": Ref(Store, v.whole_id(raw, "store_id"))},
        children={
            "items": [memo_item(item) for item in raw.get("items") or []],
            "comments": [memo_comment(comment) for comment in raw.get("comments") or []],
        },
    )


def memo_item(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "remote_id": v.whole_id(raw, "item_id"),
        "order_item_remote_id": v.text(raw, "order_item_id"),
        "product_remote_id": v.text(raw, "product_id"),
        "sku": v.text(raw, "sku"),
        "name": v.text(raw, "name"),
        "description": v.text(raw, "description"),
        "additional_data": v.text(raw, "additional_data"),
        "qty": v.decimal(raw, "qty"),
        "price": v.decimal(raw, "price"),
        "tax_amount": v.decimal(raw, "tax_amount"),
        "discount_amount": v.decimal(raw, "discount_amount"),
        "row_total": v.decimal(raw, "row_total"),
    }


def memo_comment(raw: dict[str, Any]) -> dict[str, Any]:
    # Typed in the Magento admin and shown again in ours: sanitised as order comments are.
    return {
        "remote_id": v.whole_id(raw, "comment_id"),
        "comment": notes.sanitise(v.text(raw, "comment")),
        "is_customer_notified": v.boolean(raw, "is_customer_notified"),
        "is_visible_on_front": v.boolean(raw, "is_visible_on_front"),
        "remote_created_at": v.moment(raw, "created_at"),
    }
