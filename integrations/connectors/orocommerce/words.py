"""OroCommerce's codes in words, as its back office names them (Connector.words, by local field)."""

ORDER_STATUSES = {
    "open": "Open",
    "cancelled": "Cancelled",
    "closed": "Closed",
    "shipped": "Shipped",
    "archived": "Archived",
    "pending": "Pending",
}

PAYMENT_STATUSES = {
    "full": "Paid in full",
    "partially": "Paid partially",
    "authorized": "Payment authorized",
    "declined": "Payment declined",
    "pending": "Pending payment",
    "invoiced": "Invoiced",
    "canceled": "Payment canceled",
    "refunded": "Refunded",
    "refunded_partially": "Refunded partially",
}

# Oro names a shipping method by its integration and the method type ("flat_rate_1 / primary").
SHIPPING_METHODS = {
    "flat_rate_1 / primary": "Flat rate",
    "free_shipping_2 / primary": "Free shipping",
    "fixed_product_3 / primary": "Fixed product shipping",
}

WORDS = {
    "status": ORDER_STATUSES,
    "payment_status": PAYMENT_STATUSES,
    "shipping_method": SHIPPING_METHODS,
}
