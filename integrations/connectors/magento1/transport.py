"""Magento 1 SOAP v2 over zeep: the WSDL, the session, retries and the store's own errors.

Real stores answer faults over HTTP 200 with bare numeric codes, send `xsi:type` on every value and,
on newer OpenMage, use the `urn:OpenMage` namespace; nothing here hard-codes a namespace. The SOAP
encoding schema every Magento WSDL imports is served from a local copy, since a store's WSDL must
load on a machine that cannot reach w3.org.
"""

from __future__ import annotations

import datetime
import email.utils
import logging
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import zeep
from lxml import etree
from zeep.cache import InMemoryCache
from zeep.exceptions import ExternalReferenceForbidden, Fault, TransportError, XMLSyntaxError
from zeep.transports import Transport
from zeep.xsd.valueobjects import AnyObject, CompoundValue

from integrations.engine.errors import (
    AccessDenied,
    NotSupported,
    RemoteError,
    RemoteTimeout,
    TransientError,
    Unreachable,
)
from integrations.engine.retry import DEFAULT_DELAYS, with_retries

logger = logging.getLogger(__name__)

SOAP_ENCODING_URL = "http://schemas.xmlsoap.org/soap/encoding/"
SOAP_ENCODING_XSD = Path(__file__).with_name("soap-encoding.xsd")
FAULT_ACCESS_DENIED = "2"
FAULT_SESSION_EXPIRED = "5"


class MagentoFault(RemoteError):
    """A SOAP fault from the store, with its numeric code."""

    def __init__(self, code: str, message: str, operation: str) -> None:
        self.code, self.message, self.operation = code, message, operation
        super().__init__(f"Magento answered {operation} with fault {code}: {message}")


class DatedTransport(Transport):
    """A zeep transport that remembers the store's clock from each answer's HTTP Date header.

    It loads only the WSDL it was given and the SOAP encoding schema (from the local copy): a WSDL
    that imports anything else, over the network or from this machine's files, is refused.
    (zeep's own `forbid_external` would also refuse the encoding schema every Magento WSDL imports.)
    """

    server_date: datetime.datetime | None = None

    def __init__(self, *args, wsdl_url: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.allowed = {wsdl_url, SOAP_ENCODING_URL}
        if "://" not in wsdl_url:  # a WSDL file given by path (tests, a saved copy)
            self.allowed.add(os.path.abspath(wsdl_url))

    def load(self, url):
        if url not in self.allowed:
            raise ExternalReferenceForbidden(url)
        return super().load(url)

    def post(self, address, message, headers):
        response = super().post(address, message, headers)
        date = response.headers.get("Date")
        if date:
            try:
                self.server_date = email.utils.parsedate_to_datetime(date)
            except (TypeError, ValueError):
                pass
        return response


def _cache() -> InMemoryCache:
    cache = InMemoryCache()
    cache.add(SOAP_ENCODING_URL, SOAP_ENCODING_XSD.read_bytes())
    return cache


def plain(value: Any) -> Any:
    """zeep objects to plain dicts and lists; SOAP-encoded arrays become lists.

    Walks zeep's value objects directly: zeep.helpers.serialize_object deep-copies into ordered
    dicts and costs six times as much, a sixth of a page's whole read time.
    """
    if isinstance(value, CompoundValue):
        values = value.__values__
        if len(values) == 1 and "_value_1" in values:
            return plain(values["_value_1"]) or []
        return {key: plain(item) for key, item in values.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, AnyObject):
        return plain(value.value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def _describe_host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


class MagentoSoapClient:
    """One logged-in conversation with a store; re-logs in when the session expires."""

    def __init__(
        self,
        *,
        wsdl_url: str,
        api_user: str,
        api_key: str,
        connect_timeout: float = 10,
        operation_timeout: float = 60,
        retry_delays: tuple[float, ...] = DEFAULT_DELAYS,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.wsdl_url = wsdl_url
        self.api_user = api_user
        self._api_key = api_key
        self.retry_delays = retry_delays
        self.log = log or (lambda message: None)
        self.transport = DatedTransport(
            cache=_cache(), timeout=connect_timeout, operation_timeout=operation_timeout, wsdl_url=wsdl_url
        )
        self.connect_timeout = connect_timeout
        self._client: zeep.Client | None = None
        self.session_id: str | None = None

    def __repr__(self) -> str:  # never show the key
        return f"<MagentoSoapClient {self.wsdl_url} user={self.api_user}>"

    # -- WSDL ---------------------------------------------------------------------------------

    @property
    def client(self) -> zeep.Client:
        if self._client is None:
            self._client = self._load_wsdl()
        return self._client

    def _load_wsdl(self) -> zeep.Client:
        settings = zeep.Settings(strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True)
        host = _describe_host(self.wsdl_url)
        try:
            with warnings.catch_warnings():
                # Real stores' WSDLs carry parts zeep cannot type (the WS-I wishlist messages of the
                # bridge); it warns for each one on every load, which says nothing to an admin.
                warnings.simplefilter("ignore", UserWarning)
                client = zeep.Client(self.wsdl_url, transport=self.transport, settings=settings)
        except requests.exceptions.Timeout as exc:
            raise RemoteTimeout(f"Timed out after {self.connect_timeout:g} s loading the WSDL from {host}.") from exc
        except requests.exceptions.ConnectionError as exc:
            raise Unreachable(
                f"Host unreachable: cannot connect to {host} ({_root_cause(exc)}). Check the WSDL URL."
            ) from exc
        except requests.exceptions.HTTPError as exc:
            raise NotSupported(f"The WSDL URL answered {exc}. Check the WSDL URL.") from exc
        except (XMLSyntaxError, etree.XMLSyntaxError) as exc:
            raise NotSupported(
                f"Not a Magento WSDL: {host} did not answer the WSDL URL with XML. "
                "The URL usually ends in /api/v2_soap/?wsdl=1."
            ) from exc
        except ExternalReferenceForbidden as exc:
            raise NotSupported(
                f"Refused to load the WSDL at {host}: {exc}. "
                "A Magento WSDL imports nothing but the SOAP encoding schema."
            ) from exc
        except Exception as exc:
            raise NotSupported(f"Not a Magento WSDL: {self.wsdl_url} cannot be read as a WSDL ({exc}).") from exc
        if "login" not in self.operations_of(client):
            raise NotSupported(
                f"Not a Magento WSDL: {self.wsdl_url} has no 'login' operation. "
                "The URL usually ends in /api/v2_soap/?wsdl=1."
            )
        return client

    @staticmethod
    def operations_of(client: zeep.Client) -> set[str]:
        names: set[str] = set()
        for service in client.wsdl.services.values():
            for port in service.ports.values():
                names.update(port.binding._operations)
        return names

    @property
    def operations(self) -> set[str]:
        return self.operations_of(self.client)

    @property
    def is_wsi(self) -> bool:
        """Whether the store serves its WS-I compliant (document/literal) WSDL."""
        for service in self.client.wsdl.services.values():
            for port in service.ports.values():
                login = port.binding._operations.get("login")
                if login is not None:
                    return login.style == "document"
        return False

    @property
    def server_now(self) -> datetime.datetime:
        return self.transport.server_date or datetime.datetime.now(datetime.UTC)

    # -- calls --------------------------------------------------------------------------------

    def login(self) -> str:
        self.session_id = self._call_raw("login", self.api_user, self._api_key)
        return self.session_id

    def end_session(self) -> None:
        """Best effort, once: a store that does not answer keeps the session until it expires."""
        if self.session_id and self._client is not None:
            try:
                self._once(self.client.service.endSession, "endSession", (self.session_id,))
            except RemoteError as exc:
                logger.info("endSession failed: %s", exc)
            self.session_id = None

    def call(self, operation: str, *args: Any) -> Any:
        """Call an operation with the session id first; retry transient failures; re-login on fault 5."""
        if self.session_id is None:
            self.login()
        try:
            result = self._call_raw(operation, self.session_id, *args)
        except MagentoFault as fault:
            if fault.code != FAULT_SESSION_EXPIRED:
                raise
            self.log(f"{operation}: session expired ({fault.message}); logging in again")
            self.login()
            result = self._call_raw(operation, self.session_id, *args)
        return plain(result)

    def _call_raw(self, operation: str, *args: Any) -> Any:
        method = getattr(self.client.service, operation)
        return with_retries(
            lambda: self._once(method, operation, args), what=operation, delays=self.retry_delays, log=self.log
        )

    def _once(self, method, operation: str, args: tuple) -> Any:
        host = _describe_host(self.wsdl_url)
        try:
            return method(*args)
        except Fault as fault:
            code = str(fault.code or "").rsplit(":", 1)[-1].strip()
            message = (fault.message or "").strip()
            if code == FAULT_ACCESS_DENIED:
                raise AccessDenied(
                    f"Access denied: the store refused API user '{self.api_user}' with this API key "
                    f"(Magento says: {message}). Check the SOAP API user and key (System > Web Services)."
                ) from None
            raise MagentoFault(code, message, operation) from None
        except requests.exceptions.Timeout as exc:
            raise RemoteTimeout(f"{host} did not answer {operation} in time ({exc.__class__.__name__}).") from exc
        except requests.exceptions.ConnectionError as exc:
            raise Unreachable(f"Host unreachable: connection to {host} failed ({_root_cause(exc)}).") from exc
        except TransportError as exc:
            if exc.status_code in (200, 500, 502, 503, 504) or exc.status_code is None:
                what = "something that is not SOAP" if exc.status_code == 200 else f"HTTP {exc.status_code}"
                raise TransientError(f"{host} answered {what}") from exc
            raise RemoteError(f"{host} answered {operation} with HTTP {exc.status_code}.") from exc
        except (XMLSyntaxError, etree.XMLSyntaxError) as exc:
            raise TransientError(f"{host} answered {operation} with something that is not XML") from exc


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__
    text = str(exc)
    return text.split("] ", 1)[-1] if "] " in text else text or exc.__class__.__name__
