"""Regions (states, provinces) that addresses point at, refreshed at most once a day.

With the bridge, `oroRegionList` pages of 500 (it needs bridge 1.2.14 or later); natively,
`directoryCountryList` and then `directoryRegionList` for each country, as OroCRM reads them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from channels.models import Region
from integrations.connectors.magento1.streams import DictionaryStream
from integrations.engine import values as v
from integrations.engine.contracts import Mapped, MappingError

PAGE_SIZE = 500

# -- mapping: a pure function -------------------------------------------------------------------------


def region(raw: dict[str, Any]) -> Mapped:
    country = v.text(raw, "countryCode").upper()
    if len(country) != 2 or not country.isalpha():
        raise MappingError(f"countryCode {country!r} is not a two-letter country code")
    name = v.text(raw, "name")
    if not name:
        raise MappingError("name is missing")
    return Mapped(
        key=v.whole_id(raw, "region_id", required=True),
        fields={"country_code": country, "code": v.text(raw, "code"), "name": name},
    )


# -- the stream -----------------------------------------------------------------------------------------


class RegionStream(DictionaryStream):
    name = "regions"
    model = Region
    refresh_every = datetime.timedelta(days=1)

    def fetch_pages(self) -> Iterator[list[dict[str, Any]]]:
        if self.bridge:
            page = 1
            while True:
                rows = self.soap.call("oroRegionList", {}, {"page": str(page), "pageSize": str(PAGE_SIZE)}) or []
                if rows:
                    yield rows
                if len(rows) < PAGE_SIZE:
                    return
                page += 1
        for country in self.soap.call("directoryCountryList") or []:
            code = v.text(country, "country_id")
            rows = (self.soap.call("directoryRegionList", code) or []) if code else []
            if rows:
                # The core entity does not say its country: the question did.
                yield [{**row, "countryCode": code} for row in rows]

    def map(self, raw: dict[str, Any]) -> Mapped:
        return region(raw)

    def remote_id_of(self, raw: dict[str, Any]) -> str:
        return str(raw.get("region_id", ""))
