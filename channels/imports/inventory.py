"""Stock levels: sku, warehouse (by code), quantity; one level per product and warehouse, updated in place."""

from import_export import fields

from channels import validation
from channels.imports.base import BackOfficeResource
from channels.imports.lookups import CodeWidget, PlainDecimalWidget, chunks, text
from channels.models import InventoryLevel, Product, Warehouse


class InventoryLevelResource(BackOfficeResource):
    sku = fields.Field(
        attribute="product", column_name="sku", widget=CodeWidget(Product, "sku", "product with SKU", preload=False)
    )
    warehouse = fields.Field(
        attribute="warehouse", column_name="warehouse", widget=CodeWidget(Warehouse, "code", "warehouse with code")
    )
    quantity = fields.Field(attribute="quantity", column_name="quantity", widget=PlainDecimalWidget())

    key_label = "SKU and warehouse"

    class Meta(BackOfficeResource.Meta):
        model = InventoryLevel
        name = "Stock levels"
        import_id_fields = ["sku", "warehouse"]
        fields = ["sku", "warehouse", "quantity"]

    def get_queryset(self):
        return InventoryLevel.objects.select_related("product", "warehouse")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if "sku" in dataset.headers:
            self.fields["sku"].widget.load(dataset["sku"])

    def existing(self, dataset) -> list[InventoryLevel]:
        skus = sorted({text(v) for v in dataset["sku"]} - {""}) if "sku" in dataset.headers else []
        return [level for part in chunks(skus) for level in self.get_queryset().filter(product__sku__in=part)]

    def key_of_row(self, row) -> tuple:
        product = self.fields["sku"].clean(row)
        warehouse = self.fields["warehouse"].clean(row)
        if product is None or warehouse is None:
            raise ValueError("incomplete key")
        return (product.pk, warehouse.pk)

    def key_of_instance(self, instance: InventoryLevel) -> tuple:
        return (instance.product_id, instance.warehouse_id)

    file_key = key_of_instance

    def rules(self, instance: InventoryLevel) -> dict[str, str]:
        return validation.stock_errors(quantity=instance.quantity)
