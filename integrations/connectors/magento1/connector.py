"""The Magento 1 connector: Check Connection and the streams of a sync."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from integrations.connectors.base import CheckResult, Connector, Stream, register
from integrations.connectors.magento1 import streams
from integrations.connectors.magento1.transport import MagentoSoapClient
from integrations.engine.errors import NotSupported, RemoteError
from integrations.models import Integration

REQUIRED_BRIDGE_VERSION = "1.2.0"
WSI_NOT_SUPPORTED = (
    "The store serves its WS-I compliant (document/literal) API, which oroint does not read yet. "
    "In the Magento admin, turn off System > Configuration > Magento Core API > WS-I Compliance, "
    "then run Check Connection again."
)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


@register(Integration.Type.MAGENTO1)
class Magento1Connector(Connector):
    def __init__(self, integration: Integration, log=None) -> None:
        super().__init__(integration, log=log)
        cfg = settings.OROINT_SYNC
        self.soap = MagentoSoapClient(
            wsdl_url=integration.api_url,
            api_user=integration.api_user,
            api_key=integration.api_key,
            connect_timeout=cfg["CONNECT_TIMEOUT"],
            operation_timeout=cfg["OPERATION_TIMEOUT"],
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
            forced = self.integration.mode
            if forced == Integration.Mode.NATIVE:
                self._mode = "native"
            else:
                ping = self.ping()
                if ping is None and forced == Integration.Mode.BRIDGE:
                    raise NotSupported("Unable to perform this operation, Oro Bridge extension not found.")
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

    def check_connection(self) -> CheckResult:
        self.soap.retry_delays = ()  # as OroCRM: an admin waiting on a check wants the first answer
        try:
            if self.soap.is_wsi:
                return CheckResult(False, WSI_NOT_SUPPORTED)
            self.soap.login()
            ping = None if self.integration.mode == Integration.Mode.NATIVE else self.ping()
            if ping is None and self.integration.mode == Integration.Mode.BRIDGE:
                return CheckResult(False, "Unable to perform this operation, Oro Bridge extension not found.")
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
        if self._mode == "bridge":
            message = (
                f"Connected to Magento {details['magento_version'] or '(version unknown)'} with Oro Bridge "
                f"{details['extension_version']}; {len(websites)} website(s) found."
            )
        else:
            message = (
                f"Connected; native Magento API is used (no Oro Bridge), only customers and orders will be "
                f"synced; {len(websites)} website(s) found."
            )
        return CheckResult(True, message, details)

    def streams(self) -> list[Stream]:
        if self.soap.is_wsi:
            raise NotSupported(WSI_NOT_SUPPORTED)
        self.soap.login()
        return [
            streams.WebsiteStream(self),
            streams.StoreStream(self),
            streams.CustomerGroupStream(self),
            streams.CustomerStream(self),
            streams.OrderStream(self),
        ]

    def close(self) -> None:
        self.soap.end_session()
