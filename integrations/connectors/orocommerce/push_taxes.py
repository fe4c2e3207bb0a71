"""Taxes pushed to OroCommerce: product and customer tax codes, rates, jurisdictions (with their zip codes)
and the rules that tie them together (api-bridge's producttaxcodes, customertaxcodes, taxes,
taxjurisdictions, taxrules).

A rule names four other records: they are its dependencies, pushed first when not in the store yet.
A change of a rule pushes that rule only (Marello re-sent every product of the channel).
"""

from __future__ import annotations

from typing import Any

from channels.models import CustomerTaxCode, ProductTaxCode, TaxJurisdiction, TaxRate, TaxRule, TaxZipCode
from integrations.connectors.orocommerce.push_common import OroSink, decimal_text, linkage


class TaxCodeSink(OroSink):
    def map_out(self, record: ProductTaxCode | CustomerTaxCode) -> dict[str, Any]:
        return {"code": record.code, "description": record.description}

    def document(self, values: dict[str, Any], remote_id: str | None) -> dict[str, Any]:
        return {"data": self.primary(remote_id, values)}


class ProductTaxCodeSink(TaxCodeSink):
    name = "producttaxcodes"
    model = ProductTaxCode
    resource = "producttaxcodes"


class CustomerTaxCodeSink(TaxCodeSink):
    name = "customertaxcodes"
    model = CustomerTaxCode
    resource = "customertaxcodes"


class TaxRateSink(TaxCodeSink):
    name = "taxes"
    model = TaxRate
    resource = "taxes"

    def map_out(self, record: TaxRate) -> dict[str, Any]:
        # The store keeps the rate as a share in a string ("0.0825" is 8.25 %).
        return {"code": record.code, "description": record.description, "rate": decimal_text(record.rate)}


class TaxJurisdictionSink(OroSink):
    """A jurisdiction with its zip codes, included in the document (a zip code change pushes its jurisdiction)."""

    name = "taxjurisdictions"
    model = TaxJurisdiction
    resource = "taxjurisdictions"
    triggers = {TaxZipCode: lambda zip_code: [zip_code.jurisdiction_id]}

    def map_out(self, record: TaxJurisdiction) -> dict[str, Any]:
        return {
            "code": record.code,
            "description": record.description,
            "country": record.country_code.upper(),
            "region": record.region_code.upper() or None,
            "zip_codes": [
                {
                    "zipCode": z.zip_code or None,
                    "zipRangeStart": z.zip_range_start or None,
                    "zipRangeEnd": z.zip_range_end or None,
                }
                for z in record.zip_codes.all()
            ],
        }

    def document(self, values: dict[str, Any], remote_id: str | None) -> dict[str, Any]:
        # The zip codes are sent anew each time: the list replaces the store's (its old rows go with it).
        zip_ids = [f"zip-{n}" for n in range(1, len(values["zip_codes"]) + 1)]
        data = self.primary(
            remote_id,
            {"code": values["code"], "description": values["description"]},
            {
                "country": linkage("countries", values["country"]),
                "region": linkage("regions", values["region"]),
                "zipCodes": {"data": [{"type": "zipcodes", "id": zip_id} for zip_id in zip_ids]},
            },
        )
        included = [
            {"type": "zipcodes", "id": zip_id, "attributes": zip_code}
            for zip_id, zip_code in zip(zip_ids, values["zip_codes"], strict=True)
        ]
        return {"data": data, "included": included} if included else {"data": data}


class TaxRuleSink(OroSink):
    name = "taxrules"
    model = TaxRule
    resource = "taxrules"

    def depends_on(self, record: TaxRule) -> list[tuple[str, Any]]:
        return [
            ("producttaxcodes", record.product_tax_code),
            ("customertaxcodes", record.customer_tax_code),
            ("taxes", record.tax_rate),
            ("taxjurisdictions", record.jurisdiction),
        ]

    def map_out(self, record: TaxRule) -> dict[str, Any]:
        return {
            "description": record.description,
            "productTaxCode": self.bound("producttaxcodes", record.product_tax_code_id, "Product tax code"),
            "customerTaxCode": self.bound("customertaxcodes", record.customer_tax_code_id, "Customer tax code"),
            "tax": self.bound("taxes", record.tax_rate_id, "Tax rate"),
            "taxJurisdiction": self.bound("taxjurisdictions", record.jurisdiction_id, "Tax jurisdiction"),
        }

    def natural_key(self, record: TaxRule) -> str:
        return ""  # a rule has no unique value in the store: it is never "already used"

    def find(self, natural_key: str) -> str | None:
        return None

    def document(self, values: dict[str, Any], remote_id: str | None) -> dict[str, Any]:
        relationships = {
            "productTaxCode": linkage("producttaxcodes", values["productTaxCode"]),
            "customerTaxCode": linkage("customertaxcodes", values["customerTaxCode"]),
            "tax": linkage("taxes", values["tax"]),
            "taxJurisdiction": linkage("taxjurisdictions", values["taxJurisdiction"]),
        }
        return {"data": self.primary(remote_id, {"description": values["description"]}, relationships)}
