"""Price lists and the prices in them (price tiers), with CSV import and export of prices."""

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from channels import validation
from channels.admin.catalog import ProductPriceForm
from channels.admin.imports import CsvImportExportAdmin
from channels.admin.owned import OwnedModelAdmin
from channels.imports import ProductPriceResource
from channels.imports.lookups import plain_decimal
from channels.models import PriceList, ProductPrice


class PriceListForm(forms.ModelForm):
    class Meta:
        model = PriceList
        fields = ["name", "currency"]

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        errors = validation.currency_errors(currency)
        if errors:
            raise forms.ValidationError(errors["currency"])
        if self.instance.pk and currency != self.instance.currency and self.instance.prices.exists():
            raise forms.ValidationError(
                "The list has prices in its currency: change or delete them first, or make a new list."
            )
        return currency


@admin.register(PriceList)
class PriceListAdmin(OwnedModelAdmin):
    form = PriceListForm
    list_display = ["name", "currency", "price_count"]
    search_fields = ["name"]
    list_filter = ["currency"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(price_count=Count("prices"))

    @admin.display(description="Prices", ordering="price_count")
    def price_count(self, price_list: PriceList) -> int:
        return price_list.price_count


class ProductPriceAdminForm(ProductPriceForm):
    class Meta(ProductPriceForm.Meta):
        fields = ["product", "price_list", "unit", "quantity", "currency", "value"]


@admin.register(ProductPrice)
class ProductPriceAdmin(CsvImportExportAdmin):
    resource_classes = [ProductPriceResource]
    form = ProductPriceAdminForm
    list_display = ["product_sku", "price_list", "unit", "quantity_display", "currency", "value"]
    list_select_related = ["product", "price_list"]
    list_filter = ["price_list", "currency"]
    search_fields = ["product__sku", "product__name"]
    raw_id_fields = ["product"]

    def get_export_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_export_queryset(request).select_related("product", "price_list")

    @admin.display(description="SKU", ordering="product__sku")
    def product_sku(self, price: ProductPrice) -> str:
        return price.product.sku

    @admin.display(description="Quantity", ordering="quantity")
    def quantity_display(self, price: ProductPrice) -> str:
        return plain_decimal(price.quantity)
