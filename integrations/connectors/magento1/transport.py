"""Magento 1 SOAP v2: the session, the store's fault codes, re-login when a session expires.

Real stores answer faults over HTTP 200 with bare numeric codes, send `xsi:type` on every value and,
on newer OpenMage, use the `urn:OpenMage` namespace; the generic SOAP transport hard-codes none of it.

A store with WS-I compliance on serves a document/literal WSDL. The client reads which one the
store serves from the WSDL (never from a setting) and is otherwise the same for both: the calls
take the same arguments, answers come back as the same dicts and lists, and only `filters`, whose
arrays are spelled differently, is built for the style (`filters()`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from integrations.engine.errors import AccessDenied, RemoteError
from integrations.transports.soap import SoapClient, SoapFault, plain

logger = logging.getLogger(__name__)

FAULT_ACCESS_DENIED = "2"
FAULT_SESSION_EXPIRED = "5"
# How a `filters` argument holds its list of conditions: a SOAP-encoded array (zeep's any-content
# `_value_1`) or WS-I's repeated `complexObjectArray` element.
_FILTER_MEMBERS = {"rpc": "_value_1", "document": "complexObjectArray"}


class Conditions(tuple):
    """(field, operator, value) triples meant as a `filters` argument.

    Passed to `MagentoSoapClient.call`, they are written in the style of the store's WSDL, so that
    whoever builds a call need not know which one the store serves.
    """


class MagentoSoapClient(SoapClient):
    """One logged-in conversation with a store; re-logs in when the session expires."""

    system = "Magento"
    wsdl_hint = "The URL usually ends in /api/v2_soap/?wsdl=1."
    required_operation = "login"
    api_origins_hint = (
        "If that host is the store's own API server, enter it as SOAP API host in the integration's settings."
    )

    def __init__(self, *, api_user: str, api_key: str, **options: Any) -> None:
        super().__init__(**options)
        self.api_user = api_user
        self._api_key = api_key
        self.session_id: str | None = None

    def __repr__(self) -> str:  # never show the key
        return f"<MagentoSoapClient {self.shown_url} user={self.api_user}>"

    @property
    def is_wsi(self) -> bool:
        """Whether the store serves its WS-I compliant (document/literal) WSDL."""
        return self.style == "document"

    def filters(self, conditions: Iterable[tuple[str, str, str]]) -> dict[str, Any]:
        """Magento's `filters` argument from (field, operator, value) triples, for this store's style."""
        items = [{"key": key, "value": {"key": op, "value": value}} for key, op, value in conditions]
        return {"complex_filter": {_FILTER_MEMBERS[self.style or "rpc"]: items}}

    def fault(self, fault: SoapFault) -> RemoteError:
        if fault.code == FAULT_ACCESS_DENIED:
            return AccessDenied(
                f"Access denied: the store refused API user '{self.api_user}' with this API key "
                f"(Magento says: {fault.message}). Check the SOAP API user and key (System > Web Services)."
            )
        fault.args = (f"Magento answered {fault.operation} with fault {fault.code}: {fault.message}",)
        return fault

    def login(self) -> str:
        self.session_id = self.call_raw("login", self.api_user, self._api_key)
        return self.session_id

    def end_session(self) -> None:
        """Best effort, once: a store that does not answer keeps the session until it expires."""
        if self.session_id and self._client is not None:
            try:
                self.once(self.client.service.endSession, "endSession", (self.session_id,))
            except RemoteError as exc:
                logger.info("endSession failed: %s", exc)
            self.session_id = None

    def call(self, operation: str, *args: Any) -> Any:
        """Call an operation with the session id first; retry transient failures; re-login on fault 5."""
        if self.session_id is None:
            self.login()
        args = tuple(self.filters(arg) if isinstance(arg, Conditions) else arg for arg in args)
        try:
            result = self.call_raw(operation, self.session_id, *args)
        except SoapFault as fault:
            if fault.code != FAULT_SESSION_EXPIRED:
                raise
            self.log(f"{operation}: session expired ({fault.message}); logging in again")
            self.login()
            result = self.call_raw(operation, self.session_id, *args)
        return plain(result)
