"""CSV import and export of the catalog, prices and stock for a first load (django-import-export resources).

Rows go through each model's own save(), one by one, never bulk_create: the engine pushes changes to the
stores from post_save, and a bulk path would skip it. What keeps 10,000 rows from costing 10,000 lookups
is elsewhere: each foreign key (tax code, price list, warehouse, product by SKU) and each existing row is
read once per file, in a few queries, before the first row.
"""

from channels.imports.inventory import InventoryLevelResource
from channels.imports.prices import ProductPriceResource
from channels.imports.products import ProductResource

__all__ = ["InventoryLevelResource", "ProductPriceResource", "ProductResource"]
