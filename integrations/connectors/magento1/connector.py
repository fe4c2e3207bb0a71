"""The Magento 1 connector: Check Connection, the streams of a sync, and the type's settings."""

from __future__ import annotations

import argparse
import datetime
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db.models import Count
from django.utils.html import format_html

from channels.models import Cart, CreditMemo, Customer, NewsletterSubscriber, Order, OrderNote, Region, Store, Website
from integrations.connectors.magento1 import housekeeping, memos, streams, words
from integrations.connectors.magento1.carts import CartStream
from integrations.connectors.magento1.forms import Magento1SettingsForm
from integrations.connectors.magento1.models import Magento1Settings
from integrations.connectors.magento1.regions import RegionStream
from integrations.connectors.magento1.subscribers import SubscriberStream
from integrations.connectors.magento1.transport import MagentoSoapClient
from integrations.engine.contracts import CheckResult, Connector, SourceStream
from integrations.engine.errors import NotSupported, RemoteError
from integrations.engine.registry import register

REQUIRED_BRIDGE_VERSION = "1.2.0"
# Check Connection and a sync say these when the WS-I setting disagrees with what the store serves.
WSI_STORE_SETTING_OFF = (
    "The store serves the WS-I compliant API (document/literal): tick WS-I compliance in this integration's "
    "settings, then run Check Connection again. (Or, in the Magento admin, turn off System > Configuration > "
    "Services > Magento Core API > WS-I Compliance.)"
)
RPC_STORE_SETTING_ON = (
    "The store serves the RPC/encoded API (its WS-I compliance is off), and WS-I compliance is ticked for this "
    "integration: untick WS-I compliance in this integration's settings, then run Check Connection again. (Or, "
    "in the Magento admin, turn on System > Configuration > Services > Magento Core API > WS-I Compliance.)"
)
NO_BRIDGE = "Unable to perform this operation, Oro Bridge extension not found."
# What the admin reads for each stream of a sync (the entities, not the dictionaries before them).
ENTITY_LABELS = {
    "customers": "customers",
    "carts": "carts",
    "orders": "orders",
    "credit_memos": "credit memos",
    "newsletter_subscribers": "newsletter subscribers",
}
# Only the Oro Bridge lists these: a store without it (native mode) has no carts and no subscribers.
BRIDGE_ONLY = {"carts", "newsletter_subscribers"}

# Every stream of a sync, dependencies first; natively, those in BRIDGE_ONLY are left out.
STREAMS: list[type[SourceStream]] = [
    streams.WebsiteStream,
    streams.StoreStream,
    streams.CustomerGroupStream,
    RegionStream,
    streams.CustomerStream,
    CartStream,
    streams.OrderStream,
    memos.CreditMemoStream,
    SubscriberStream,
]


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


@register
class Magento1Connector(Connector):
    type_key = "magento1"
    label = "Magento 1 (SOAP v2)"
    settings_model = Magento1Settings
    settings_form = Magento1SettingsForm
    settings_fieldsets = [
        ("Connection", ["api_url", "api_host", "api_user", "api_key", "wsi_mode", "mode"]),
        (
            "Synchronization",
            [
                "sync_start_date",
                "website_id",
                "guest_customer_sync",
                "shared_guest_emails",
                "import_order_notes",
                "admin_url",
            ],
        ),
        ("Carts", ["cart_lost_after_days"]),
    ]

    words = words.WORDS
    optional_entities = [
        ("customers", "Customers"),
        ("carts", "Shopping carts"),
        ("orders", "Orders"),
        ("credit_memos", "Credit memos"),
        ("newsletter_subscribers", "Newsletter subscribers"),
    ]
    found_fields = ("websites", "detected_mode", "magento_version", "extension_version", "admin_url")
    checked_choice_fields = ("website_id",)
    store_url_field = "api_url"
    # Magento's sales_order.status of a canceled order (spelled with one l).
    canceled_order_statuses = ("canceled",)

    settings: Magento1Settings

    def __init__(self, integration, log=None) -> None:
        super().__init__(integration, log=log)
        cfg = settings.OROINT_SYNC
        self.soap = MagentoSoapClient(
            wsdl_url=self.settings.api_url,
            api_user=self.settings.api_user,
            api_key=self.settings.api_key,
            api_origins=[self.settings.api_host] if self.settings.api_host else [],
            connect_timeout=cfg["CONNECT_TIMEOUT"],
            operation_timeout=cfg["OPERATION_TIMEOUT"],
            max_response_bytes=cfg["MAX_RESPONSE_BYTES"],
            deadline=cfg["CALL_DEADLINE"],
            retry_delays=cfg["RETRY_DELAYS"],
            log=self.log,
        )
        self._mode: str | None = None
        self._stores: list[dict[str, Any]] | None = None

    # -- discovery ------------------------------------------------------------------------------

    def ping(self) -> dict[str, Any] | None:
        """The bridge's oroPing, or None when the store has no bridge."""
        if "oroPing" not in self.soap.operations:
            return None
        try:
            answer = self.soap.call("oroPing") or {}
        except RemoteError as exc:
            if isinstance(exc, NotSupported) or "not present" in str(exc).lower():
                return None
            raise
        return answer if answer.get("version") else None

    @property
    def mode(self) -> str:
        if self._mode is None:
            forced = self.settings.mode
            if forced == Magento1Settings.Mode.NATIVE:
                self._mode = "native"
            else:
                ping = self.ping()
                if ping is None and forced == Magento1Settings.Mode.BRIDGE:
                    raise NotSupported(NO_BRIDGE)
                self._mode = "bridge" if ping else "native"
        return self._mode

    def store_list(self) -> list[dict[str, Any]]:
        if self._stores is None:
            # Store 0 (Admin) is never synced; some stores list it.
            self._stores = [s for s in self.soap.call("storeList") or [] if int(s.get("store_id") or 0) != 0]
        return self._stores

    def website_list(self) -> list[dict[str, Any]]:
        if self.mode == "bridge":
            websites = self.soap.call("oroWebsiteList") or []
        else:
            websites = streams.mappers.websites_from_stores(self.store_list())
        stores_by_website: dict[int, list[str]] = {}
        for store in self.store_list():
            stores_by_website.setdefault(int(store["website_id"]), []).append(str(store.get("name") or ""))
        found = []
        for website in websites:
            website_id = int(website["website_id"])
            if website_id == 0:
                continue
            names = ", ".join(stores_by_website.get(website_id, [])) or str(website.get("name") or "")
            found.append({"id": website_id, "label": f"Website ID: {website_id}, Stores: {names}"})
        return found

    # -- the interface ---------------------------------------------------------------------------

    def style_mismatch(self) -> str | None:
        """What to change when the WS-I setting disagrees with the WSDL the store serves, else None.

        The WSDL says which style the store speaks; the setting is what the admin believes, and a
        sync in a style the admin did not choose would hide a store's change of configuration.
        """
        served = self.soap.is_wsi
        if served and not self.settings.wsi_mode:
            return WSI_STORE_SETTING_OFF
        if self.settings.wsi_mode and not served:
            return RPC_STORE_SETTING_ON
        return None

    def check_connection(self) -> CheckResult:
        self.soap.retry_delays = ()  # as OroCRM: an admin waiting on a check wants the first answer
        try:
            mismatch = self.style_mismatch()
            if mismatch:
                return CheckResult(False, mismatch)  # before the login: the key goes nowhere in vain
            self.soap.login()
            ping = None if self.settings.mode == Magento1Settings.Mode.NATIVE else self.ping()
            if ping is None and self.settings.mode == Magento1Settings.Mode.BRIDGE:
                return CheckResult(False, NO_BRIDGE)
            self._mode = "bridge" if ping else "native"
            websites = self.website_list()
        except RemoteError as exc:
            return CheckResult(False, str(exc))
        details: dict[str, Any] = {
            "mode": self._mode,
            "websites": websites,
            "is_extension_installed": ping is not None,
            "extension_version": (ping or {}).get("version") or "",
            "magento_version": (ping or {}).get("mage_version") or "",
            "admin_url": (ping or {}).get("admin_url") or "",
            "required_extension_version": REQUIRED_BRIDGE_VERSION,
        }
        if ping is not None:
            details["is_supported_version"] = _version_tuple(details["extension_version"]) >= _version_tuple(
                REQUIRED_BRIDGE_VERSION
            )
        self._remember(details)
        synced = synced_entities(self._mode)
        details["entities"] = synced
        if self._mode == "bridge":
            message = (
                f"Connected to Magento {details['magento_version'] or '(version unknown)'} with Oro Bridge "
                f"{details['extension_version']}; {len(websites)} website(s) found; {synced} will be synced."
            )
        else:
            message = (
                f"Connected; native Magento API is used (no Oro Bridge), only {synced} will be synced "
                f"(carts and newsletter subscribers need the Oro Bridge); {len(websites)} website(s) found."
            )
        return CheckResult(True, message, details)

    def _remember(self, details: dict[str, Any]) -> None:
        """What the check found, on the settings (found_fields): the website choices, the mode to sync in."""
        found = self.settings
        found.websites = details["websites"]
        found.detected_mode = details["mode"]
        found.magento_version = details["magento_version"]
        found.extension_version = details["extension_version"]
        found.admin_url = found.admin_url or details["admin_url"]

    def streams(self) -> list[SourceStream]:
        mismatch = self.style_mismatch()
        if mismatch:
            raise NotSupported(mismatch)
        self.soap.login()
        return self.streams_for(self.mode)

    def streams_for(self, mode: str) -> list[SourceStream]:
        """The streams of a sync in this mode, dependencies first (nothing is called yet)."""
        return [cls(self) for cls in STREAMS if mode == "bridge" or cls.name not in BRIDGE_ONLY]

    def housekeeping(self) -> str:
        """Daily: expire the open carts the store deleted, then apply the abandoned-cart rule."""
        if self.mode != "bridge":
            return "No carts: the native Magento API has none (they need the Oro Bridge)."
        carts = CartStream(self)
        expired = housekeeping.expire_vanished_carts(self.integration, carts.fetch_still_in_store)
        lost = housekeeping.mark_abandoned_carts(self.integration, self.settings)
        return housekeeping.describe(expired, lost)

    def close(self) -> None:
        self.soap.end_session()

    # -- the type outside a sync ----------------------------------------------------------------

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--wsdl-url", required=True, help="The store's SOAP v2 WSDL URL")
        parser.add_argument(
            "--api-host", default="", help="https://HOST of the store's API server, if its WSDL sends calls there"
        )
        parser.add_argument("--api-user", required=True)
        parser.add_argument("--api-key", required=True, help="Stored encrypted; never printed")
        parser.add_argument("--sync-start-date", type=datetime.date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--mode", choices=[m.value for m in Magento1Settings.Mode], default="auto")
        parser.add_argument("--website-id", type=int, default=Magento1Settings.ALL_WEBSITES)
        parser.add_argument("--wsi", action="store_true", help="WS-I compliance: the store serves document/literal")
        parser.add_argument(
            "--cart-lost-after-days",
            type=int,
            default=0,
            help="Mark open carts not updated for this many days Lost (daily); 0: never",
        )

    @classmethod
    def settings_from_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        values = {
            "api_url": options["wsdl_url"],
            "api_host": options.get("api_host") or "",
            "api_user": options["api_user"],
            "api_key": options["api_key"],
            "mode": options["mode"],
            "website_id": options["website_id"],
            "wsi_mode": options["wsi"],
            "cart_lost_after_days": options.get("cart_lost_after_days") or 0,
        }
        if options.get("sync_start_date"):
            values["sync_start_date"] = options["sync_start_date"]
        return values

    @classmethod
    def record_counts(cls, integration) -> dict[str, int]:
        customers = Customer.objects.filter(integration=integration)
        return {
            "websites": Website.objects.filter(integration=integration).count(),
            "stores": Store.objects.filter(integration=integration).count(),
            "customers": customers.filter(is_guest=False).count(),
            "guest_customers": customers.filter(is_guest=True).count(),
            "orders": Order.objects.filter(integration=integration).count(),
            "credit_memos": CreditMemo.objects.filter(integration=integration).count(),
            "order_notes": OrderNote.objects.filter(order__integration=integration).count(),
            # Contacts and accounts belong to no channel: those that this integration's customers link to.
            "accounts": customers.filter(account__isnull=False).values("account").distinct().count(),
            "contacts": customers.filter(contact__isnull=False).values("contact").distinct().count(),
            "carts": Cart.objects.filter(integration=integration).count(),
            "cart_statuses": cart_statuses(integration),
            "newsletter_subscribers": NewsletterSubscriber.objects.filter(integration=integration).count(),
            "regions": Region.objects.filter(integration=integration).count(),
        }

    @classmethod
    def notes_on_customer_pages(cls, integration) -> bool:
        # "Import order comments as order notes": notes are always kept and shown on their order; the
        # setting decides whether customer and account pages show them too (OroCRM's isDisplayOrderNotes).
        return integration.settings.import_order_notes

    @classmethod
    def record_admin_url(cls, record) -> str | None:
        admin_url = record.integration.settings.admin_url
        if not isinstance(record, Order) or not admin_url or not record.remote_id:
            return None
        return f"{admin_url.rstrip('/')}/sales_order/view/order_id/{quote(record.remote_id, safe='')}/"

    @classmethod
    def describe_settings(cls, integration) -> dict[str, Any]:
        found: Magento1Settings = integration.settings
        return {
            "api_url": found.api_url,
            "api_host": found.api_host,
            "api_user": found.api_user,
            "mode": found.mode,
            "detected_mode": found.detected_mode,
            "website_id": found.website_id,
            "sync_start_date": found.sync_start_date.isoformat(),
            "wsi_mode": found.wsi_mode,
            "cart_lost_after_days": found.cart_lost_after_days,
        }

    @classmethod
    def describe_detected(cls, integration) -> str:
        found: Magento1Settings = integration.settings
        if not found.detected_mode:
            return "Nothing yet: run Check Connection."
        bridge = (
            f"Oro Bridge {found.extension_version}" if found.detected_mode == "bridge" else "no Oro Bridge (native API)"
        )
        return format_html(
            "Magento {} · {} · {} website(s) · syncs {}",
            found.magento_version or "?",
            bridge,
            len(found.websites),
            synced_entities(found.detected_mode),
        )


def synced_entities(mode: str) -> str:
    """The entities a sync in this mode brings in, as the admin reads them ("customers, orders and ...")."""
    names = [name for name in ENTITY_LABELS if mode == "bridge" or name not in BRIDGE_ONLY]
    labels = [ENTITY_LABELS[n] for n in names if n in {cls.name for cls in STREAMS}]
    return ", ".join(labels[:-1]) + f" and {labels[-1]}" if len(labels) > 1 else "".join(labels)


def cart_statuses(integration) -> dict[str, int]:
    counts = dict(Cart.objects.filter(integration=integration).values_list("status").annotate(n=Count("pk")).order_by())
    return {status.value: counts.get(status.value, 0) for status in Cart.Status}
