"""Magento 1's codes in words, as its own admin names them (Connector.words, by local field)."""

PAYMENT_METHODS = {
    "checkmo": "Check / Money order",
    "cashondelivery": "Cash on delivery",
    "ccsave": "Credit card (saved)",
    "banktransfer": "Bank transfer",
    "purchaseorder": "Purchase order",
    "free": "No payment information required",
    "paypal_express": "PayPal Express Checkout",
    "paypal_standard": "PayPal Website Payments Standard",
    "paypal_direct": "PayPal Website Payments Pro",
    "paypaluk_express": "PayPal Express Checkout (Payflow)",
    "payflow_link": "PayPal Payflow Link",
    "payflow_advanced": "PayPal Payflow Advanced",
    "verisign": "PayPal Payflow Pro",
    "authorizenet": "Credit card (Authorize.net)",
    "authorizenet_directpost": "Credit card (Authorize.net Direct Post)",
    "googlecheckout": "Google Checkout",
    "moneybookers_acc": "Moneybookers credit card",
}

SHIPPING_METHODS = {
    "flatrate_flatrate": "Flat rate",
    "freeshipping_freeshipping": "Free shipping",
    "tablerate_bestway": "Table rate",
    "ups_GND": "UPS Ground",
    "ups_1DA": "UPS Next Day Air",
    "ups_2DA": "UPS Second Day Air",
    "ups_3DS": "UPS Three-Day Select",
    "usps_Priority Mail": "USPS Priority Mail",
    "fedex_FEDEX_GROUND": "FedEx Ground",
    "fedex_FEDEX_2_DAY": "FedEx 2Day",
    "dhl_P": "DHL Express Worldwide",
}

ORDER_STATUSES = {
    "pending": "Pending",
    "pending_payment": "Pending payment",
    "payment_review": "Payment review",
    "processing": "Processing",
    "holded": "On hold",
    "complete": "Complete",
    "closed": "Closed",
    "canceled": "Canceled",
    "fraud": "Suspected fraud",
    "pending_paypal": "Pending PayPal",
    "paypal_reversed": "PayPal reversed",
    "paypal_canceled_reversal": "PayPal canceled reversal",
}

ORDER_STATES = {
    "new": "New",
    "pending_payment": "Pending payment",
    "payment_review": "Payment review",
    "processing": "Processing",
    "holded": "On hold",
    "complete": "Complete",
    "closed": "Closed",
    "canceled": "Canceled",
}

WORDS = {
    "payment_method": PAYMENT_METHODS,
    "shipping_method": SHIPPING_METHODS,
    "status": ORDER_STATUSES,
    "state": ORDER_STATES,
}
