"""A connector that exists only in the tests: it drives the engine in both directions, no Magento.

Its remote system is a JSON file (remote.py) that the test process and real RQ worker processes
share, with fault modes: pages that crash the reader, transient failures, a slow push, records
that already exist.
"""
