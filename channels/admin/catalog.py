"""Products: the catalog oroint owns, edited here, imported from CSV, and pushed to the stores.

Not channel-scoped: the ordinary model permissions (view/add/change/delete product) decide who
sees and edits them. Images, prices and stock levels are edited on the product's page.
"""

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

from channels import catalog, selectors, validation
from channels.admin.base import VisibleChannelFilter, admin_change_link, rows_table
from channels.admin.forms import PlainDecimalField
from channels.admin.imports import CsvImportExportAdmin
from channels.imports import ProductResource
from channels.models import Channel, InventoryLevel, Product, ProductImage, ProductPrice
from integrations.models import Binding, Integration

# The bindings of a product and of its rows, by the model they bind (the engine's entity names:
# products, prices, images, inventory).
BOUND_PARTS = [
    (Product, "pk"),
    (ProductPrice, "prices"),
    (ProductImage, "images"),
    (InventoryLevel, "inventory_levels"),
]


class ProductImageForm(forms.ModelForm):
    class Meta:
        model = ProductImage
        fields = ["file", "is_main", "sort_order"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and "file" in self.changed_data:
            head = upload.read(16)
            upload.seek(0)
            if catalog.image_mime_type(head) is None:
                raise forms.ValidationError("Not a PNG, JPEG, GIF or WebP image: the stores take only those.")
        return upload


class ProductImageFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        main = [
            f
            for f in self.forms
            if f.cleaned_data.get("is_main") and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("file")
        ]
        if len(main) > 1:
            raise forms.ValidationError("A product has one main image: untick all but one.")


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    formset = ProductImageFormSet
    extra = 0
    fields = ["preview", "file", "is_main", "sort_order", "filename", "mime_type", "size_display", "sha256"]
    readonly_fields = ["preview", "filename", "mime_type", "size_display", "sha256"]

    @admin.display(description="Preview")
    def preview(self, image: ProductImage) -> str:
        if not image.pk or not image.file:
            return "-"
        return format_html(
            '<img src="{}" alt="{}" class="oroint-thumbnail" style="max-height: 80px; max-width: 120px">',
            image.file.url,
            image.filename,
        )

    @admin.display(description="Size")
    def size_display(self, image: ProductImage) -> str:
        return filesizeformat(image.size) if image.pk else "-"


class ProductPriceForm(forms.ModelForm):
    quantity = PlainDecimalField(max_digits=14, decimal_places=4, initial=1)

    class Meta:
        model = ProductPrice
        fields = ["price_list", "unit", "quantity", "currency", "value"]
        help_texts = {"currency": "Empty: the price list's currency."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].required = False

    def clean(self):
        data = super().clean()
        price_list = data.get("price_list")
        if price_list and not data.get("currency"):
            data["currency"] = price_list.currency
            self.instance.currency = price_list.currency
        for field, message in validation.price_errors(
            value=data.get("value"),
            quantity=data.get("quantity"),
            currency=data.get("currency") or "",
            price_list_currency=price_list.currency if price_list else None,
        ).items():
            self.add_error(field, message)
        return data


class StockLevelForm(forms.ModelForm):
    quantity = PlainDecimalField(max_digits=14, decimal_places=4, initial=0)

    class Meta:
        model = InventoryLevel
        fields = ["warehouse", "quantity"]

    def clean(self):
        data = super().clean()
        for field, message in validation.stock_errors(quantity=data.get("quantity")).items():
            self.add_error(field, message)
        return data


class ProductPriceInline(admin.TabularInline):
    model = ProductPrice
    form = ProductPriceForm
    extra = 0


class InventoryLevelInline(admin.TabularInline):
    model = InventoryLevel
    form = StockLevelForm
    extra = 0
    verbose_name = "stock level"


@admin.register(Product)
class ProductAdmin(CsvImportExportAdmin):
    resource_classes = [ProductResource]
    list_display = ["sku", "name", "status", "unit", "tax_code", "channel_names", "updated_at"]
    list_select_related = ["tax_code"]
    list_filter = ["status", "tax_code", ("channels", VisibleChannelFilter)]
    search_fields = ["sku", "name"]
    ordering = ["sku"]
    filter_horizontal = ["channels"]
    fields = ["sku", "name", "status", "unit", "unit_precision", "tax_code", "channels", "created_at", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ProductImageInline, ProductPriceInline, InventoryLevelInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("channels")

    def get_export_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_export_queryset(request).select_related("tax_code").prefetch_related("channels")

    @admin.display(description="Channels")
    def channel_names(self, product: Product) -> str:
        return ", ".join(c.name for c in product.channels.all()) or "All"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "channels":
            kwargs["queryset"] = selectors.visible_records(request.user, Channel.objects.order_by("name"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        # The form offers only the channels the user may see; the others the product is on stay.
        hidden = []
        if change:
            visible = selectors.visible_records(request.user, Channel.objects.all())
            hidden = list(form.instance.channels.exclude(pk__in=visible.values("pk")).values_list("pk", flat=True))
        super().save_related(request, form, formsets, change)
        if hidden:
            form.instance.channels.add(*hidden)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not ProductImage:
            return super().save_formset(request, form, formset, change)
        uploads = {id(f.instance): f.cleaned_data["file"] for f in formset.forms if "file" in f.changed_data}
        for image in formset.save(commit=False):
            upload = uploads.get(id(image))
            if upload is not None:
                catalog.store_image(image=image, upload=upload)
            else:
                image.save()
        for image in formset.deleted_objects:
            catalog.delete_image(image=image)
        return None

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        product = self.get_object(request, object_id)
        sections = [] if product is None else [("Remote copies", self.remote_copies(request, product))]
        extra_context = {**(extra_context or {}), "extra_sections": sections}
        return super().change_view(request, object_id, form_url, extra_context)

    def remote_copies(self, request: HttpRequest, product: Product) -> str:
        """Where the product, its prices, images and stock levels went: one row per store copy."""
        types = ContentType.objects.get_for_models(*(model for model, _ in BOUND_PARTS))
        bound = Q()
        for model, related in BOUND_PARTS:
            ids = [product.pk] if related == "pk" else getattr(product, related).values("pk")
            bound |= Q(content_type=types[model], local_id__in=ids)
        bindings = selectors.visible_records(
            request.user, Binding.objects.filter(bound).select_related("integration__channel")
        ).order_by("integration__name", "entity", "local_id")
        rows = [
            [
                admin_change_link(Integration, b.integration_id, b.integration.name, site=self.admin_site),
                b.integration.channel,
                b.entity,
                b.remote_id,
                b.pushed_at or "-",
            ]
            for b in bindings
        ]
        headers = ["Integration", "Channel", "Entity", "Remote id", "Pushed at"]
        return rows_table(headers, rows, empty="Not in any store yet.")
