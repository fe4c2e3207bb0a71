"""Tax rules oroint owns and pushes: which rate applies to which goods, for which customers, where."""

from django.db import models


class CustomerTaxCode(models.Model):
    code = models.CharField(max_length=255, unique=True)
    description = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class TaxRate(models.Model):
    code = models.CharField(max_length=255, unique=True)
    # A share, as the stores keep it: 0.0825 is 8.25 %.
    rate = models.DecimalField(max_digits=10, decimal_places=6)
    description = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.rate * 100:g} %)"


class TaxJurisdiction(models.Model):
    code = models.CharField(max_length=255, unique=True)
    description = models.CharField(max_length=500, blank=True)
    country_code = models.CharField(max_length=2)
    # ISO 3166-2 as the stores name regions ("US-CA"); empty: the whole country.
    region_code = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class TaxZipCode(models.Model):
    """One zip code of a jurisdiction, or an inclusive range of them."""

    jurisdiction = models.ForeignKey(TaxJurisdiction, on_delete=models.CASCADE, related_name="zip_codes")
    zip_code = models.CharField(max_length=64, blank=True)
    zip_range_start = models.CharField(max_length=64, blank=True)
    zip_range_end = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["jurisdiction", "zip_code", "zip_range_start"]
        constraints = [
            models.CheckConstraint(
                condition=(~models.Q(zip_code="") & models.Q(zip_range_start="", zip_range_end=""))
                | (models.Q(zip_code="") & ~models.Q(zip_range_start="") & ~models.Q(zip_range_end="")),
                name="zip_code_or_range",
            )
        ]

    def __str__(self) -> str:
        return self.zip_code or f"{self.zip_range_start}-{self.zip_range_end}"


class TaxRule(models.Model):
    product_tax_code = models.ForeignKey("channels.ProductTaxCode", on_delete=models.PROTECT, related_name="rules")
    customer_tax_code = models.ForeignKey(CustomerTaxCode, on_delete=models.PROTECT, related_name="rules")
    tax_rate = models.ForeignKey(TaxRate, on_delete=models.PROTECT, related_name="rules")
    jurisdiction = models.ForeignKey(TaxJurisdiction, on_delete=models.PROTECT, related_name="rules")
    description = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product_tax_code", "customer_tax_code", "tax_rate", "jurisdiction"], name="one_tax_rule"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_tax_code} / {self.customer_tax_code} in {self.jurisdiction}: {self.tax_rate}"
