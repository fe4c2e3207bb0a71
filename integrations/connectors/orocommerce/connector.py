"""The OroCommerce connector: oroint as the order management system behind an OroCommerce store.

It reads the store's orders, customers and payment terms through the back-office JSON:API, and
pushes the catalog, prices, stock and taxes oroint owns (sinks). Check Connection signs in, reads the
store's lookups (units, customer tax codes, price lists, product families, warehouses, business
units) and keeps them as the choices of the settings form.
"""

from __future__ import annotations

import argparse
import datetime
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html

from channels.models import Customer, InventoryLevel, Order, Product, ProductPrice, TaxRule
from integrations.connectors.orocommerce import push_orders, sinks, streams, words
from integrations.connectors.orocommerce.auth import OAuth2ClientCredentials, WsseAuth, site_root
from integrations.connectors.orocommerce.forms import OroCommerceSettingsForm
from integrations.connectors.orocommerce.models import STORE_CHOICES, OroCommerceSettings, PaymentTerm
from integrations.engine.contracts import CheckResult, Connector, SourceStream
from integrations.engine.errors import AccessDenied, RemoteError
from integrations.engine.registry import register
from integrations.models import Binding
from integrations.transports.http import HttpClient
from integrations.transports.jsonapi import JsonApiClient, JsonApiNotFound, attribute

PRODUCT_CLASS = "Oro\\Bundle\\ProductBundle\\Entity\\Product"
WRONG_CREDENTIALS = {
    OroCommerceSettings.AuthMethod.WSSE: "The API user or its API key is wrong (the key is on the user's page in "
    "the back office, under API Key: Generate Key).",
    OroCommerceSettings.AuthMethod.OAUTH2: "The OAuth2 client id or secret is wrong (System > User Management > "
    "OAuth Applications: a back-office application with the client credentials grant).",
}

NOT_ALLOWED = (
    "The store accepted the credentials but refuses this resource: give the API user's role (or the OAuth2 "
    "application's) view access to orders, customers, products, prices, inventory and taxes."
)


def _choice(resource: dict[str, Any], *label_keys: str) -> dict[str, str]:
    label = next((str(v) for k in label_keys if (v := attribute(resource, k))), "") or str(resource["id"])
    return {"id": str(resource["id"]), "label": label}


@register
class OroCommerceConnector(Connector):
    type_key = "orocommerce"
    label = "OroCommerce"
    settings_model = OroCommerceSettings
    settings_form = OroCommerceSettingsForm
    settings_fieldsets = [
        ("Connection", ["admin_url", "auth_method", "api_user", "api_key", "client_id", "client_secret"]),
        ("Orders", ["currency", "sync_start_date", "sales_channel_group"]),
        ("Store records that pushes name (found by Check Connection)", list(STORE_CHOICES)),
        ("oroint records pushed", ["local_price_list", "local_warehouse"]),
    ]
    sink_classes = sinks.SINKS
    optional_entities = [("customers", "Customers"), ("orders", "Orders")]
    found_fields = ("found_choices", "has_warehouses", "checked_at")
    checked_choice_fields = tuple(STORE_CHOICES)
    store_url_field = "admin_url"
    words = words.WORDS
    # The order internal status OroCommerce gives a canceled order (and push_orders.STATUS_OF sets).
    canceled_order_statuses = ("cancelled",)

    settings: OroCommerceSettings

    def __init__(self, integration, log=None) -> None:
        super().__init__(integration, log=log)
        cfg = settings.OROINT_SYNC
        found = self.settings
        limits = {
            "connect_timeout": cfg["CONNECT_TIMEOUT"],
            "read_timeout": cfg["OPERATION_TIMEOUT"],
            "max_response_bytes": cfg["MAX_RESPONSE_BYTES"],
            "deadline": cfg["CALL_DEADLINE"],
        }
        if found.auth_method == OroCommerceSettings.AuthMethod.OAUTH2:
            root = site_root(found.admin_url)
            token_http = HttpClient(base_url=root, retry_delays=cfg["RETRY_DELAYS"], log=self.log, **limits)
            auth = OAuth2ClientCredentials(root, found.client_id, found.client_secret, http=token_http)
        else:
            auth = WsseAuth(found.api_user, found.api_key)
        self.auth = auth
        self.api = JsonApiClient(found.api_url, auth, retry_delays=cfg["RETRY_DELAYS"], log=self.log, **limits)

    # -- the interface ---------------------------------------------------------------------------

    def check_connection(self) -> CheckResult:
        self.api.retry_delays = ()  # an admin waiting on a check wants the first answer
        method = self.settings.auth_method
        try:
            self.api.get("taxrules", {"page[size]": 1})
            try:
                self.api.get("warehouses", {"page[size]": 1})
                has_warehouses = True
            except JsonApiNotFound:
                has_warehouses = False  # a community edition: no warehouses, inventory per product unit
            choices = self.read_choices(has_warehouses)
        except AccessDenied as exc:
            if getattr(exc, "status", None) == 403:  # signed in, but this user may not read that resource
                return CheckResult(False, f"{exc} {NOT_ALLOWED}")
            return CheckResult(False, f"{exc} {WRONG_CREDENTIALS.get(method, '')}".strip())
        except RemoteError as exc:
            return CheckResult(False, str(exc))
        found = self.settings  # what it found (found_fields), kept by the check
        found.found_choices, found.has_warehouses, found.checked_at = choices, has_warehouses, timezone.now()
        counts = {key: len(found) for key, found in choices.items()}
        message = "Connection is valid. Found: " + ", ".join(
            f"{n} {key.replace('_', ' ')}" for key, n in counts.items() if key != "warehouses" or has_warehouses
        )
        if not has_warehouses:
            message += "; no warehouses (the store has none: inventory goes per product)"
        return CheckResult(True, message + ".", {"choices": counts, "has_warehouses": has_warehouses})

    def read_choices(self, has_warehouses: bool) -> dict[str, list[dict[str, str]]]:
        """The store's lookups that pushes name, as {"<kind>": [{"id", "label"}]}."""
        currency = self.settings.currency
        price_lists = [
            _choice(r, "name")
            for r in self.api.all("pricelists", {"sort": "id"})
            if not currency or currency in (attribute(r, "priceListCurrencies") or [])
        ]
        families = self.api.all("attributefamilies", {"filter[entityClass]": PRODUCT_CLASS, "sort": "id"})
        return {
            "warehouses": [_choice(r, "name") for r in self.api.all("warehouses", {"sort": "id"})]
            if has_warehouses
            else [],
            "business_units": [_choice(r, "name") for r in self.api.all("businessunits", {"sort": "id"})],
            "product_units": [_choice(r) for r in self.api.all("productunits", {"sort": "id"})],
            "customer_tax_codes": [_choice(r, "code") for r in self.api.all("customertaxcodes", {"sort": "id"})],
            "price_lists": price_lists,
            "product_families": [_choice(r, "code") for r in families],
        }

    def streams(self) -> list[SourceStream]:
        return [streams.PaymentTermStream(self), streams.CustomerStream(self), streams.OrderStream(self)]

    # -- the type outside a sync ----------------------------------------------------------------

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--url", required=True, help="The back-office URL with its prefix (https://HOST/admin)")
        parser.add_argument("--api-user", default="", help="WSSE: the API user")
        parser.add_argument("--api-key", default="", help="WSSE: the user's API key; stored encrypted, never printed")
        parser.add_argument("--oauth-client-id", default="", help="OAuth2 client credentials (instead of WSSE)")
        parser.add_argument("--oauth-client-secret", default="", help="Stored encrypted; never printed")
        parser.add_argument("--currency", default="", help="Only orders in this currency (default: all)")
        parser.add_argument("--sales-channel-group", default="")
        parser.add_argument(
            "--sync-start-date", type=datetime.date.fromisoformat, default=None, help="YYYY-MM-DD (default: all)"
        )

    @classmethod
    def settings_from_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        oauth = bool(options.get("oauth_client_id"))
        values = {
            "admin_url": options["url"],
            "auth_method": OroCommerceSettings.AuthMethod.OAUTH2 if oauth else OroCommerceSettings.AuthMethod.WSSE,
            "currency": (options.get("currency") or "").upper(),
            "sales_channel_group": options.get("sales_channel_group") or "",
            "sync_start_date": options.get("sync_start_date"),
        }
        if oauth:
            values.update(client_id=options["oauth_client_id"], client_secret=options.get("oauth_client_secret") or "")
        else:
            values.update(api_user=options.get("api_user") or "", api_key=options.get("api_key") or "")
        return values

    @classmethod
    def record_counts(cls, integration) -> dict[str, Any]:
        found: OroCommerceSettings = integration.settings
        products = Product.objects.filter(Q(channels=None) | Q(channels=integration.channel_id)).distinct()
        levels = InventoryLevel.objects.filter(product__in=products)
        if found.local_warehouse_id:
            levels = levels.filter(warehouse_id=found.local_warehouse_id)
        prices = (
            ProductPrice.objects.filter(price_list_id=found.local_price_list_id, product__in=products).count()
            if found.local_price_list_id
            else 0
        )
        pushed = dict(
            Binding.objects.filter(integration=integration)
            .values_list("entity")
            .annotate(n=Count("pk"))
            .order_by("entity")
        )
        return {
            "orders": Order.objects.filter(integration=integration).count(),
            "customers": Customer.objects.filter(integration=integration).count(),
            "payment_terms": PaymentTerm.objects.filter(integration=integration).count(),
            "products": products.count(),
            "prices": prices,
            "inventory_levels": levels.count(),
            "tax_rules": TaxRule.objects.count(),
            "pushed": pushed,
        }

    @classmethod
    def describe_settings(cls, integration) -> dict[str, Any]:
        found: OroCommerceSettings = integration.settings
        described = {
            "admin_url": found.admin_url,
            "api_url": found.api_url,
            "auth_method": found.auth_method,
            "api_user": found.api_user,
            "client_id": found.client_id,
            "currency": found.currency,
            "sales_channel_group": found.sales_channel_group,
            "sync_start_date": found.sync_start_date.isoformat() if found.sync_start_date else "",
        }
        for name in STORE_CHOICES:
            described[name] = getattr(found, name)
            described[f"{name}_label"] = getattr(found, f"{name}_label")
        described["local_price_list"] = found.local_price_list.name if found.local_price_list else ""
        described["local_warehouse"] = found.local_warehouse.code if found.local_warehouse else ""
        return described

    @classmethod
    def record_actions(cls, model) -> list[tuple[str, str]]:
        return push_orders.ORDER_ACTIONS if model is Order else []

    @classmethod
    def record_admin_url(cls, record) -> str | None:
        admin_url = record.integration.settings.admin_url
        if not isinstance(record, Order) or not admin_url or not record.remote_id:
            return None
        return f"{admin_url.rstrip('/')}/order/view/{quote(record.remote_id, safe='')}"

    def run_record_action(self, record, name: str) -> str:
        return push_orders.order_action(self.api, record, name)

    @classmethod
    def describe_detected(cls, integration) -> str:
        found: OroCommerceSettings = integration.settings
        if found.checked_at is None:
            return "Nothing yet: run Check Connection."
        counts = {key: len(value) for key, value in (found.found_choices or {}).items()}
        warehouses = f"{counts.get('warehouses', 0)} warehouse(s)" if found.has_warehouses else "no warehouses"
        return format_html(
            "Checked {} · {} · {} price list(s) · {} product unit(s)",
            f"{found.checked_at:%Y-%m-%d %H:%M}",
            warehouses,
            counts.get("price_lists", 0),
            counts.get("product_units", 0),
        )
