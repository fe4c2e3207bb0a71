from integrations.connectors.magento1 import connector  # noqa: F401  (registers the connector)
