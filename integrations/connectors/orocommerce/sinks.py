"""What oroint pushes to an OroCommerce store (the catalog, prices, stock, taxes): built apart."""

SINKS: list = []
