"""Tax codes, rates, jurisdictions (with their zip codes) and the rules that tie them together."""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from channels import validation
from channels.admin.owned import OwnedModelAdmin
from channels.models import CustomerTaxCode, ProductTaxCode, TaxJurisdiction, TaxRate, TaxRule, TaxZipCode


@admin.register(ProductTaxCode)
class ProductTaxCodeAdmin(OwnedModelAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


@admin.register(CustomerTaxCode)
class CustomerTaxCodeAdmin(OwnedModelAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


class TaxRateForm(forms.ModelForm):
    class Meta:
        model = TaxRate
        fields = ["code", "rate", "description"]
        help_texts = {"rate": "A share, as the stores keep it: 0.0825 is 8.25 %."}

    def clean(self):
        data = super().clean()
        for field, message in validation.tax_rate_errors(rate=data.get("rate")).items():
            self.add_error(field, message)
        return data


@admin.register(TaxRate)
class TaxRateAdmin(OwnedModelAdmin):
    form = TaxRateForm
    list_display = ["code", "percentage", "description"]
    search_fields = ["code", "description"]

    @admin.display(description="Rate", ordering="rate")
    def percentage(self, rate: TaxRate) -> str:
        return f"{rate.rate * 100:.4f}".rstrip("0").rstrip(".") + " %"


class TaxZipCodeForm(forms.ModelForm):
    class Meta:
        model = TaxZipCode
        fields = ["zip_code", "zip_range_start", "zip_range_end"]

    def clean(self):
        data = super().clean()
        for field, message in validation.zip_code_errors(
            zip_code=data.get("zip_code", ""), start=data.get("zip_range_start", ""), end=data.get("zip_range_end", "")
        ).items():
            self.add_error(field, message)
        return data


class TaxZipCodeFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or not data:
                continue
            key = (data.get("zip_code"), data.get("zip_range_start"), data.get("zip_range_end"))
            if key in seen:
                form.add_error(None, "This zip code or range is given twice.")
            seen.add(key)


class TaxZipCodeInline(admin.TabularInline):
    model = TaxZipCode
    form = TaxZipCodeForm
    formset = TaxZipCodeFormSet
    extra = 1
    verbose_name = "zip code or range"
    verbose_name_plural = "zip codes (empty: the whole country or region)"


class TaxJurisdictionForm(forms.ModelForm):
    class Meta:
        model = TaxJurisdiction
        fields = ["code", "description", "country_code", "region_code"]
        help_texts = {
            "country_code": "ISO 3166-1, two letters: US.",
            "region_code": "ISO 3166-2 as the stores name regions: US-CA. Empty: the whole country.",
        }

    def clean_country_code(self):
        code = self.cleaned_data["country_code"].strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise forms.ValidationError("Two letters (ISO 3166-1): US, DE, FR.")
        return code

    def clean(self):
        data = super().clean()
        region, country = (data.get("region_code") or "").strip().upper(), data.get("country_code")
        if region and country and not region.startswith(f"{country}-"):
            self.add_error("region_code", f"A region of {country} is named {country}-..., as in US-CA.")
        data["region_code"] = region
        return data


@admin.register(TaxJurisdiction)
class TaxJurisdictionAdmin(OwnedModelAdmin):
    form = TaxJurisdictionForm
    list_display = ["code", "country_code", "region_code", "description"]
    list_filter = ["country_code"]
    search_fields = ["code", "description", "region_code"]
    inlines = [TaxZipCodeInline]


@admin.register(TaxRule)
class TaxRuleAdmin(OwnedModelAdmin):
    list_display = ["product_tax_code", "customer_tax_code", "jurisdiction", "tax_rate", "description"]
    list_select_related = ["product_tax_code", "customer_tax_code", "jurisdiction", "tax_rate"]
    list_filter = ["product_tax_code", "customer_tax_code", "jurisdiction", "tax_rate"]
    search_fields = ["description", "product_tax_code__code", "customer_tax_code__code", "jurisdiction__code"]
