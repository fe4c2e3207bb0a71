"""Products by SKU: name, status, unit, unit precision, tax code (by code), channels (by name)."""

from import_export import fields

from channels.imports.base import BackOfficeResource
from channels.imports.lookups import CodeWidget, NamesWidget, chunks, text
from channels.models import Channel, Product, ProductTaxCode


class ProductResource(BackOfficeResource):
    tax_code = fields.Field(
        attribute="tax_code", column_name="tax_code", widget=CodeWidget(ProductTaxCode, "code", "product tax code")
    )
    channels = fields.Field(
        attribute="channels", column_name="channels", widget=NamesWidget(Channel, "name", "channel")
    )

    key_field = "sku"
    key_label = "SKU"

    class Meta(BackOfficeResource.Meta):
        model = Product
        name = "Products"
        import_id_fields = ["sku"]
        fields = ["sku", "name", "status", "unit", "unit_precision", "tax_code", "channels"]

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        # A status is a code; spreadsheets capitalise it ("Enabled").
        if isinstance(row.get("status"), str):
            row["status"] = row["status"].lower()

    def get_queryset(self):
        return Product.objects.select_related("tax_code").prefetch_related("channels")

    def existing(self, dataset) -> list[Product]:
        skus = sorted({text(v) for v in dataset["sku"]} - {""}) if "sku" in dataset.headers else []
        return [p for part in chunks(skus) for p in self.get_queryset().filter(sku__in=part)]

    def key_of_row(self, row) -> str:
        return text(row.get("sku"))

    def key_of_instance(self, instance: Product) -> str:
        return instance.sku

    def file_key(self, instance: Product) -> str:
        return instance.sku
