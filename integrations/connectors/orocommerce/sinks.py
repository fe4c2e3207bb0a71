"""What oroint pushes to an OroCommerce store: the catalog, prices, images, stock and taxes (Marello's
reverse sync), through the store's back-office JSON:API. The connector's `sink_classes` is SINKS.

Dependencies first: a reconcile then pushes what others name before them (the engine would push a
missing dependency first anyway, in the same job).
"""

from integrations.connectors.orocommerce.push_catalog import ImageSink, InventorySink, PriceSink, ProductSink
from integrations.connectors.orocommerce.push_taxes import (
    CustomerTaxCodeSink,
    ProductTaxCodeSink,
    TaxJurisdictionSink,
    TaxRateSink,
    TaxRuleSink,
)
from integrations.engine.contracts import Sink

SINKS: list[type[Sink]] = [
    ProductTaxCodeSink,
    CustomerTaxCodeSink,
    TaxRateSink,
    TaxJurisdictionSink,
    TaxRuleSink,
    ProductSink,
    PriceSink,
    ImageSink,
    InventorySink,
]
