"""The admin's menu: integrations first, and what oroint owns (catalog, prices, stock, taxes) under a
heading of its own.

Django's admin groups models by app, and these live in the channels app with the synced records.
The admin site builds both its index and its sidebar from get_app_list, so splitting the channels
app's entry there is enough; the URLs and permissions stay the app's own.
"""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse

CATALOG_AND_TAXES = "Catalog & taxes"
BACK_OFFICE_MODELS = {
    "Product",
    "PriceList",
    "ProductPrice",
    "Warehouse",
    "InventoryLevel",
    "ProductTaxCode",
    "CustomerTaxCode",
    "TaxRate",
    "TaxJurisdiction",
    "TaxRule",
}


def split_channels_app(apps: list[dict]) -> list[dict]:
    """The app list with the channels app's back-office models moved to a "Catalog & taxes" entry after it."""
    result = []
    for app in apps:
        if app["app_label"] != "channels":
            result.append(app)
            continue
        synced = [m for m in app["models"] if m["object_name"] not in BACK_OFFICE_MODELS]
        owned = [m for m in app["models"] if m["object_name"] in BACK_OFFICE_MODELS]
        if synced:
            result.append({**app, "models": synced})
        if owned:
            result.append({**app, "name": CATALOG_AND_TAXES, "models": owned})
    return result


# The menu's order: where an admin starts (the integrations), what they bring in, what oroint owns;
# then the rest (users, the queue) in Django's alphabetical order.
FIRST_APPS = ("integrations", "channels")


def integrations_first(apps: list[dict]) -> list[dict]:
    """The app list with the integrations, then the channels (and their Catalog & taxes), first."""

    def rank(app: dict) -> int:
        label = app["app_label"]
        return FIRST_APPS.index(label) if label in FIRST_APPS else len(FIRST_APPS)

    return sorted(apps, key=rank)  # stable: Catalog & taxes stays after the channels


def with_dashboard(apps: list[dict], request: HttpRequest) -> list[dict]:
    """The dashboard (not a model: a page of its own) first in the integrations' section, for a user who
    may view some integration, so that it is in the menu of every page and not only on the start page."""
    from integrations import permissions

    if not permissions.may_any(request.user, "view"):
        return apps
    entry = {
        "name": "Dashboard",
        "object_name": "Dashboard",
        "admin_url": reverse("admin:dashboard"),
        "add_url": None,
        "view_only": True,
        "perms": {"view": True},
    }
    return [{**app, "models": [entry, *app["models"]]} if app["app_label"] == "integrations" else app for app in apps]


def install(site: admin.AdminSite) -> None:
    """Make `site` list the back-office models under their own heading, integrations first."""
    build = site.get_app_list

    def get_app_list(request: HttpRequest, app_label: str | None = None) -> list[dict]:
        return with_dashboard(integrations_first(split_channels_app(build(request, app_label))), request)

    site.get_app_list = get_app_list
