"""Price tiers: sku, price_list (by name), unit, quantity, currency, value; a tier is found again by all
but its value, so a re-import updates the value of the tier instead of adding one."""

from decimal import Decimal, InvalidOperation

from import_export import fields

from channels import validation
from channels.imports.base import BackOfficeResource
from channels.imports.lookups import CodeWidget, PlainDecimalWidget, chunks, text
from channels.models import PriceList, Product, ProductPrice


def decimal_or_none(value: object) -> Decimal | None:
    try:
        return Decimal(text(value))
    except InvalidOperation:
        return None


class ProductPriceResource(BackOfficeResource):
    sku = fields.Field(
        attribute="product", column_name="sku", widget=CodeWidget(Product, "sku", "product with SKU", preload=False)
    )
    price_list = fields.Field(
        attribute="price_list", column_name="price_list", widget=CodeWidget(PriceList, "name", "price list")
    )
    quantity = fields.Field(attribute="quantity", column_name="quantity", widget=PlainDecimalWidget())

    key_label = "price list, SKU, unit, quantity and currency"

    class Meta(BackOfficeResource.Meta):
        model = ProductPrice
        name = "Prices"
        import_id_fields = ["sku", "price_list", "unit", "quantity", "currency"]
        fields = ["sku", "price_list", "unit", "quantity", "currency", "value"]

    def get_queryset(self):
        return ProductPrice.objects.select_related("product", "price_list")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if "sku" in dataset.headers:
            self.fields["sku"].widget.load(dataset["sku"])

    def existing(self, dataset) -> list[ProductPrice]:
        skus = sorted({text(v) for v in dataset["sku"]} - {""}) if "sku" in dataset.headers else []
        return [p for part in chunks(skus) for p in self.get_queryset().filter(product__sku__in=part)]

    def key_of_row(self, row) -> tuple:
        product = self.fields["sku"].clean(row)
        price_list = self.fields["price_list"].clean(row)
        quantity = decimal_or_none(row.get("quantity"))
        if product is None or price_list is None or quantity is None:
            raise ValueError("incomplete key")
        return (price_list.pk, product.pk, text(row.get("unit")), quantity, text(row.get("currency")))

    def key_of_instance(self, instance: ProductPrice) -> tuple:
        return (instance.price_list_id, instance.product_id, instance.unit, instance.quantity, instance.currency)

    file_key = key_of_instance

    def rules(self, instance: ProductPrice) -> dict[str, str]:
        return validation.price_errors(
            value=instance.value,
            quantity=instance.quantity,
            currency=instance.currency,
            price_list_currency=instance.price_list.currency if instance.price_list_id else None,
        )
