"""A Magento 1 (OpenMage) SOAP v2 store simulator: real WSDLs, RPC/encoded answers, Magento's faults.

Start one in-process with `integrations.simulators.magento1.server.start_simulator`, or as a
process with `manage.py magento_simulator`.
"""
