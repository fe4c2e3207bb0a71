"""The SOAP v2 operations a store answers, with Magento's sessions and fault codes.

Bridge mode answers the core operations plus the Oro bridge ones (Oro_Api 1.2.19 on OpenMage
20.0.14); native mode answers the core ones only, and the bridge operations fault as PHP's
SoapServer does for a function that is not in its WSDL.
"""

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from .filters import UnknownColumn
from .reference import COUNTRIES, CUSTOMER_GROUPS, GENDER_LABELS, STORES, WEBSITES
from .soap import ResponseWriter, SoapFault, SoapRequest, read_filters, read_pager, read_strings, read_text
from .store import Store, regions_of
from .wsdl import WsdlModel

BRIDGE_VERSION = "1.2.19"
MAGENTO_VERSION = "1.9.4.5"
# (faultcode, faultstring) as Magento's api.xml declares them.
ACCESS_DENIED = ("2", "Access denied.")
SESSION_EXPIRED = ("5", "Session expired. Try to relogin.")
ORDER_NOT_EXISTS = ("100", "Requested order not exists.")
CUSTOMER_NOT_EXISTS = ("102", "Customer not exists.")
CREDITMEMO_NOT_EXISTS = ("100", "Requested credit memo does not exist.")
COUNTRY_NOT_EXISTS = ("101", "Country not exists.")
# The credit memo API wraps any error of its collection as `invalid_filter`, with the error's text.
CREDITMEMO_INVALID_FILTER = "101"


def not_present(operation: str) -> SoapFault:
    return SoapFault("SOAP-ENV:Server", f"Procedure '{operation}' not present")


def unknown_column(column: str) -> str:
    """MySQL's error for a filter on a column the table does not have, as Magento passes it on."""
    return f"SQLSTATE[42S22]: Column not found: 1054 Unknown column '{column}' in 'where clause'"


class Sessions:
    """API sessions: from `login` until `endSession`, or until `expire_after` calls when set."""

    def __init__(self, api_user: str, api_key: str, expire_after: int = 0) -> None:
        self.api_user = api_user
        self.api_key = api_key
        self.expire_after = expire_after
        self._calls: dict[str, int] = {}
        self._lock = threading.Lock()

    def login(self, username: str | None, api_key: str | None) -> str:
        if username != self.api_user or api_key != self.api_key:
            raise SoapFault(*ACCESS_DENIED)
        session_id = uuid.uuid4().hex
        with self._lock:
            self._calls[session_id] = 0
        return session_id

    def use(self, session_id: str | None) -> None:
        """Count a call made with `session_id`; fault 5 if it is unknown, ended or used up."""
        with self._lock:
            calls = self._calls.get(session_id or "")
            if calls is None:
                raise SoapFault(*SESSION_EXPIRED)
            if self.expire_after and calls >= self.expire_after:
                del self._calls[session_id]
                raise SoapFault(*SESSION_EXPIRED)
            self._calls[session_id] = calls + 1

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._calls.pop(session_id or "", None)

    def __len__(self) -> int:
        return len(self._calls)


class Operations:
    """Dispatches one parsed call to its handler and serialises the answer for the mode's WSDL."""

    def __init__(self, store: Store, model: WsdlModel, sessions: Sessions, page_size_cap: int = 0) -> None:
        self.store = store
        self.model = model
        self.sessions = sessions
        self.page_size_cap = page_size_cap
        self.bridge = model.mode == "bridge"
        self.calls: Counter[str] = Counter()
        self._calls_lock = threading.Lock()
        self._writer = ResponseWriter(model)
        self._handlers: dict[str, Callable[[SoapRequest, str], Any]] = {
            "storeList": self._store_list,
            "customerGroupList": self._customer_group_list,
            "directoryCountryList": self._country_list,
            "customerCustomerList": self._customer_list,
            "customerCustomerInfo": self._customer_info,
            "customerAddressList": self._address_list,
            "salesOrderList": self._order_list,
            "salesOrderInfo": self._order_info,
            "salesOrderCreditmemoList": self._creditmemo_list,
            "salesOrderCreditmemoInfo": self._creditmemo_info,
            "directoryRegionList": self._region_list,
        }
        if self.bridge:
            self._handlers.update(
                {
                    "oroPing": self._ping,
                    "oroWebsiteList": self._website_list,
                    "oroCustomerList": self._bridge_customer_list,
                    "oroCustomerInfo": self._bridge_customer_info,
                    "oroOrderList": self._order_list,
                    "oroOrderInfo": self._order_info,
                    "oroQuoteList": self._quote_list,
                    "newsletterSubscriberList": self._subscriber_list,
                    "oroRegionList": self._bridge_region_list,
                }
            )

    def call(self, request: SoapRequest, base_url: str) -> bytes:
        """The response document for `request`; raises SoapFault for a fault answer."""
        name = request.operation
        with self._calls_lock:
            self.calls[name] += 1
        if name not in self.model.operations:
            raise not_present(name)
        if name == "login":
            username = read_text(request.argument("username", 0))
            return self._writer.response(name, self.sessions.login(username, read_text(request.argument("apiKey", 1))))
        session_id = read_text(request.argument("sessionId", 0))
        if name == "endSession":
            self.sessions.end(session_id)
            return self._writer.response(name, True)
        handler = self._handlers.get(name)
        if handler is None:
            raise not_present(name)
        self.sessions.use(session_id)
        try:
            result = handler(request, base_url)
        except UnknownColumn as error:
            raise SoapFault("1", unknown_column(error.column)) from error
        return self._writer.response(name, result)

    def _ping(self, request: SoapRequest, base_url: str) -> dict[str, Any]:
        return {
            "version": BRIDGE_VERSION,
            "mage_version": MAGENTO_VERSION,
            "admin_url": f"{base_url}/index.php/admin/",
            "customer_scope": 1,
        }

    def _website_list(self, request: SoapRequest, base_url: str) -> list[dict[str, Any]]:
        return [
            {
                "website_id": website.website_id,
                "code": website.code,
                "name": website.name,
                "sort_order": website.sort_order,
                "default_group_id": website.default_group_id,
                "is_default": website.is_default,
            }
            for website in WEBSITES
        ]

    def _store_list(self, request: SoapRequest, base_url: str) -> list[dict[str, Any]]:
        return [
            {
                "store_id": store.store_id,
                "code": store.code,
                "website_id": store.website_id,
                "group_id": store.group_id,
                "name": store.name,
                "sort_order": store.sort_order,
                "is_active": store.is_active,
            }
            for store in STORES
        ]

    def _customer_group_list(self, request: SoapRequest, base_url: str) -> list[dict[str, Any]]:
        return [{"customer_group_id": group_id, "customer_group_code": code} for group_id, code in CUSTOMER_GROUPS]

    def _country_list(self, request: SoapRequest, base_url: str) -> list[dict[str, Any]]:
        return [
            {"country_id": iso2, "iso2_code": iso2, "iso3_code": iso3, "name": name} for iso2, iso3, name in COUNTRIES
        ]

    def _page(self, request: SoapRequest) -> tuple[int, int] | None:
        """The bridge pager of an operation that has one (the bridge's lists and newsletterSubscriberList)."""
        if not any(name == "pager" for name, _ in self.model.operations[request.operation].inputs):
            return None
        page = read_pager(request.argument("pager", 2))
        if page is not None and self.page_size_cap:
            page = (page[0], min(page[1], self.page_size_cap))
        return page

    def _customer_list(self, request: SoapRequest, base_url: str) -> list[dict[str, Any]]:
        conditions = read_filters(request.argument("filters", 1))
        return self.store.find_customers(conditions, self._page(request))

    def _customer_info(self, request: SoapRequest, base_url: str) -> dict[str, Any]:
        customer = self.store.customer(_integer(read_text(request.argument("customerId", 1))))
        if customer is None:
            raise SoapFault(*CUSTOMER_NOT_EXISTS)
        wanted = set(read_strings(request.argument("attributes", 2)))
        if wanted:
            # Magento always returns the id, then only the attributes asked for.
            return {key: value for key, value in customer.items() if key in wanted or key == "customer_id"}
        return customer

    def _bridge_customer_list(self, request: SoapRequest, base_url: str) -> list[dict[str, Any]]:
        return [_with_gender_label(customer) for customer in self._customer_list(request, base_url)]

    def _bridge_customer_info(self, request: SoapRequest, base_url: str) -> dict[str, Any]:
        return _with_gender_label(self._customer_info(request, base_url))

    def _address_list(self, request: SoapRequest, base_url: str) -> list[dict[str, Any]]:
        customer = self.store.customer(_integer(read_text(request.argument("customerId", 1))))
        if customer is None:
            raise SoapFault(*CUSTOMER_NOT_EXISTS)
        return customer["addresses"]

    def _order_list(self, request: SoapRequest, base_url: str) -> list[dict[str, Any]]:
        conditions = read_filters(request.argument("filters", 1))
        bridge = request.operation.startswith("oro")
        return self.store.find_orders(conditions, self._page(request), bridge=bridge)

    def _order_info(self, request: SoapRequest, base_url: str) -> dict[str, Any]:
        increment_id = read_text(request.argument("orderIncrementId", 1)) or ""
        order = self.store.order(increment_id, bridge=request.operation.startswith("oro"))
        if order is None:
            raise SoapFault(*ORDER_NOT_EXISTS)
        return order

    def _quote_list(self, request: SoapRequest, base_url: str) -> list[dict[str, Any]]:
        return self.store.find_quotes(read_filters(request.argument("filters", 1)), self._page(request))

    def _creditmemo_list(self, request: SoapRequest, base_url: str) -> list[dict[str, Any]]:
        try:
            return self.store.find_creditmemos(read_filters(request.argument("filters", 1)))
        except UnknownColumn as error:
            raise SoapFault(CREDITMEMO_INVALID_FILTER, unknown_column(error.column)) from error

    def _creditmemo_info(self, request: SoapRequest, base_url: str) -> dict[str, Any]:
        memo = self.store.creditmemo(read_text(request.argument("creditmemoIncrementId", 1)) or "")
        if memo is None:
            raise SoapFault(*CREDITMEMO_NOT_EXISTS)
        return memo

    def _subscriber_list(self, request: SoapRequest, base_url: str) -> list[dict[str, Any]]:
        return self.store.find_subscribers(read_filters(request.argument("filters", 1)), self._page(request))

    def _bridge_region_list(self, request: SoapRequest, base_url: str) -> list[dict[str, Any]]:
        return self.store.find_regions(read_filters(request.argument("filters", 1)), self._page(request))

    def _region_list(self, request: SoapRequest, base_url: str) -> list[dict[str, Any]]:
        """Regions of one country, named by its ISO 2 or ISO 3 code (any case, as MySQL compares)."""
        given = read_text(request.argument("country", 1)) or ""
        code = given.strip().upper()
        if len(code) not in (2, 3):
            raise SoapFault(COUNTRY_NOT_EXISTS[0], f"Invalid country code: {given}")
        country = next((iso2 for iso2, iso3, _ in COUNTRIES if code in (iso2, iso3)), None)
        if country is None:
            raise SoapFault(*COUNTRY_NOT_EXISTS)
        return regions_of(country)


def _with_gender_label(customer: dict[str, Any]) -> dict[str, Any]:
    """The customer as Oro_Api 1.2.19 sends it: `gender` as the option's label, empty when unset.

    The stored value (and what a `gender` filter compares) stays the option id; the core
    `customerCustomerEntity` has no `gender` element, so native answers never carry it.
    """
    if "gender" not in customer:  # left out by an attributes list
        return customer
    # A copy: the store's records are shared between calls.
    return {**customer, "gender": GENDER_LABELS.get(customer["gender"], "")}


def _integer(text: str | None) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        return 0
