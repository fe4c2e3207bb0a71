"""An order's lines as a person reads them: a configurable product once, not its parent plus a 0.00 child.

Magento lists a configurable product as two items: the configurable parent, with the price and the
amounts, then the simple product chosen (its size or colour) at 0.00, whose parent_item_id is the
parent's. A line here is the parent with that child; the child gives the SKU that was shipped and the
option chosen. Bundles' children carry their own prices and stay lines of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from channels.models import OrderItem


@dataclass
class OrderLine:
    item: OrderItem
    child: OrderItem | None = None

    @property
    def sku(self) -> str:
        return (self.child.sku if self.child else "") or self.item.sku

    @property
    def option(self) -> str:
        """The simple product chosen, by its name, where it says more than the parent's."""
        if self.child is None or not self.child.name or self.child.name == self.item.name:
            return ""
        return self.child.name


def _is_chosen_child(item: OrderItem, line: OrderLine) -> bool:
    return (
        line.child is None
        and line.item.product_type == "configurable"
        and item.product_type == "simple"
        and not item.price
        and not item.row_total
    )


def order_lines(items: list[OrderItem]) -> list[OrderLine]:
    """`items` in their order, each configurable parent joined by the child that follows it."""
    lines: list[OrderLine] = []
    for item in items:
        if lines and _is_chosen_child(item, lines[-1]):
            lines[-1].child = item
        else:
            lines.append(OrderLine(item))
    return lines
