"""Magento 1 over SOAP v2, with or without the Oro Bridge extension."""
