"""An OroCommerce back-office JSON:API simulator: Oro's documents, filters, paging, errors, WSSE and
OAuth2, with seeded orders, customers, a catalog and tax setup; writes are kept.

Start one in-process with `integrations.simulators.orocommerce.server.start_simulator`, or as a
process with `manage.py orocommerce_simulator` or `python -m integrations.simulators.orocommerce`.
"""
