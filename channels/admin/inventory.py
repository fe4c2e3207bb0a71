"""Warehouses and the stock of each product in each, with CSV import and export of stock levels."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from channels.admin.catalog import StockLevelForm
from channels.admin.imports import CsvImportExportAdmin
from channels.admin.owned import OwnedModelAdmin
from channels.imports import InventoryLevelResource
from channels.imports.lookups import plain_decimal
from channels.models import InventoryLevel, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(OwnedModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class InventoryLevelAdminForm(StockLevelForm):
    class Meta(StockLevelForm.Meta):
        fields = ["product", "warehouse", "quantity"]


@admin.register(InventoryLevel)
class InventoryLevelAdmin(CsvImportExportAdmin):
    resource_classes = [InventoryLevelResource]
    form = InventoryLevelAdminForm
    list_display = ["product_sku", "warehouse", "quantity_display", "updated_at"]
    list_select_related = ["product", "warehouse"]
    list_filter = ["warehouse"]
    search_fields = ["product__sku", "product__name"]
    raw_id_fields = ["product"]

    def get_export_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_export_queryset(request).select_related("product", "warehouse")

    @admin.display(description="SKU", ordering="product__sku")
    def product_sku(self, level: InventoryLevel) -> str:
        return level.product.sku

    @admin.display(description="Quantity", ordering="quantity")
    def quantity_display(self, level: InventoryLevel) -> str:
        return plain_decimal(level.quantity)
