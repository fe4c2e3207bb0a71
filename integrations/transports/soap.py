"""SOAP over zeep, on the shared HTTP layer: the WSDL a server serves, its clock, its faults.

Nothing here hard-codes a namespace or a system: a WSDL is loaded as served, answers become plain
dicts and lists, transport failures become the engine's error classes (transports.http) and a
SOAP fault becomes a SoapFault with its code, for the connector to interpret. The SOAP encoding
schema that RPC/encoded WSDLs import is served from a local copy, since a server's WSDL must load
on a machine that cannot reach w3.org.

Both styles are read the same way, the WSDL saying which one a server speaks: RPC/encoded
(parameters as parts, arrays as SOAP-encoded arrays) and document/literal (parameters wrapped in
one element, which zeep builds from the same positional arguments; the answer's wrapper and its
one `result` unwrapped by zeep; arrays as a type holding one repeated element, made lists here).
"""

from __future__ import annotations

import datetime
import os
import re
import warnings
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import requests
import zeep
from lxml import etree
from zeep.cache import InMemoryCache
from zeep.exceptions import ExternalReferenceForbidden, Fault, TransportError, XMLSyntaxError
from zeep.transports import Transport
from zeep.xsd.elements import Element
from zeep.xsd.valueobjects import AnyObject, CompoundValue

from integrations.engine.errors import (
    GarbledAnswer,
    NotSupported,
    RemoteError,
    RemoteTimeout,
    TransientError,
    Unreachable,
    UnreadableAnswer,
)
from integrations.engine.retry import DEFAULT_DELAYS, with_retries
from integrations.transports.http import (
    DEFAULT_CALL_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES,
    AnswerTooLarge,
    CallDeadlineExceeded,
    GuardedSession,
    OriginRefused,
    RedirectRefused,
    classify_exception,
    classify_status,
    host_of,
    origin_of,
    redact,
    root_cause,
    server_date,
)

SOAP_ENCODING_URL = "http://schemas.xmlsoap.org/soap/encoding/"
SOAP_ENCODING_XSD = Path(__file__).with_name("soap-encoding.xsd")
# What libxml2 says when an answer is beyond its safety limits (xml_huge_tree stays off): a text node
# over 10 MB, nesting too deep. The same answer says it again on every try.
_PARSER_LIMIT = re.compile(r"Resource limit exceeded[^\n),]*|[^\n(]*huge text node|[^\n(,]*XML_PARSE_HUGE")


class SoapFault(RemoteError):
    """A SOAP fault from the server, with its code (the part after any namespace prefix)."""

    def __init__(self, code: str, message: str, operation: str) -> None:
        self.code, self.message, self.operation = code, message, operation
        super().__init__(f"The server answered {operation} with fault {code}: {message}")


class DatedTransport(Transport):
    """A zeep transport that remembers the server's clock from each answer's HTTP Date header.

    It loads only the WSDL it was given and the SOAP encoding schema (from the local copy): a WSDL
    that imports anything else, over the network or from this machine's files, is refused.
    (zeep's own `forbid_external` would also refuse the encoding schema RPC/encoded WSDLs import.)
    Its session is a GuardedSession: the origins it may reach, redirects, size cap and deadline.
    """

    server_date: datetime.datetime | None = None

    def __init__(self, *args, wsdl_url: str, session: GuardedSession, **kwargs) -> None:
        super().__init__(*args, session=session, **kwargs)
        self._close_session = True  # the session is this transport's alone
        # zeep mounts file:// on the session; a store that redirects there must not reach this machine's files.
        session.adapters.pop("file://", None)
        self.allowed = {wsdl_url, SOAP_ENCODING_URL}
        if "://" not in wsdl_url:  # a WSDL file given by path (tests, a saved copy)
            self.allowed.add(os.path.abspath(wsdl_url))

    def load(self, url):
        if url not in self.allowed:
            raise ExternalReferenceForbidden(url)
        return super().load(url)

    def post(self, address, message, headers):
        response = super().post(address, message, headers)
        self.server_date = server_date(response) or self.server_date
        return response


def _cache() -> InMemoryCache:
    cache = InMemoryCache()
    cache.add(SOAP_ENCODING_URL, SOAP_ENCODING_XSD.read_bytes())
    return cache


def plain(value: Any) -> Any:
    """zeep objects to plain dicts and lists; arrays of either style become lists.

    A SOAP-encoded array is zeep's `_value_1`. A literal one is a type whose one element repeats
    (`<result><complexObjectArray>..</complexObjectArray>..</result>`): its members, a single one
    as a one-item list, and none (`<result/>`, `<addresses/>`, which zeep reads as None) as [].
    Walks zeep's value objects directly: zeep.helpers.serialize_object deep-copies into ordered
    dicts and costs six times as much, a sixth of a page's whole read time.
    """
    if isinstance(value, CompoundValue):
        values = value.__values__
        xsd_type = getattr(value, "_xsd_type", None)
        if len(values) == 1:
            if "_value_1" in values:
                return plain(values["_value_1"]) or []
            member = literal_array_member(xsd_type)
            if member is not None:
                members = values.get(member)
                if members is None:
                    return []
                return plain(members if isinstance(members, list) else [members])
        record = {key: plain(item) for key, item in values.items()}
        for name in _literal_array_fields(xsd_type):
            if record.get(name) is None:
                record[name] = []
        return record
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, AnyObject):
        return plain(value.value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


# Per zeep type, what plain() asks of it: weak keys, so that a client's types go with the client.
_ARRAY_MEMBERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_ARRAY_FIELDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_NONE = ""  # the cached "not a literal array"


def literal_array_member(xsd_type: Any) -> str | None:
    """The repeated element's name if `xsd_type` is a literal array (a sequence of one named element
    that repeats), else None. SOAP-encoded arrays (zeep's `_value_1` any-content) are not."""
    if xsd_type is None:
        return None
    try:
        found = _ARRAY_MEMBERS.get(xsd_type)
    except TypeError:  # a type that cannot be weakly referenced: not one of zeep's complex types
        return None
    if found is None:
        found = _NONE
        elements = getattr(xsd_type, "elements", None) or []
        if len(elements) == 1:
            name, element = elements[0]
            max_occurs = getattr(element, "max_occurs", 1)
            repeats = max_occurs == "unbounded" or (isinstance(max_occurs, int) and max_occurs > 1)
            if repeats and isinstance(element, Element) and not name.startswith("_value"):
                found = name
        _ARRAY_MEMBERS[xsd_type] = found
    return found or None


def _literal_array_fields(xsd_type: Any) -> frozenset[str]:
    """The fields of a struct type that are literal arrays."""
    if xsd_type is None:
        return frozenset()
    try:
        found = _ARRAY_FIELDS.get(xsd_type)
    except TypeError:
        return frozenset()
    if found is None:
        elements = getattr(xsd_type, "elements", None) or []
        found = frozenset(name for name, element in elements if literal_array_member(getattr(element, "type", None)))
        _ARRAY_FIELDS[xsd_type] = found
    return found


class SoapClient:
    """Calls to one SOAP server: its WSDL loaded once, transient failures retried, faults raised.

    `wsdl_hint` ends the messages of a URL that is no WSDL of the expected kind (where such a URL
    usually points); `required_operation` is an operation every WSDL of that kind has.
    """

    system = ""  # the kind of server, for messages: "Not a <system> WSDL"
    wsdl_hint = ""
    required_operation = ""
    # Ends the message that refuses a service address on another host: which setting allows one.
    api_origins_hint = ""

    def __init__(
        self,
        *,
        wsdl_url: str,
        connect_timeout: float = 10,
        operation_timeout: float = 60,
        retry_delays: tuple[float, ...] = DEFAULT_DELAYS,
        log: Callable[[str], None] | None = None,
        api_origins: Iterable[str] = (),
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        deadline: float = DEFAULT_CALL_DEADLINE,
    ) -> None:
        self.wsdl_url = wsdl_url
        self.shown_url = redact(wsdl_url)  # what messages show of the URL: no user or password
        self.host = host_of(wsdl_url)
        self.retry_delays = retry_delays
        self.log = log or (lambda message: None)
        self.connect_timeout = connect_timeout
        self.api_origins = [found for found in (origin_of(o) for o in api_origins) if found]
        self.session = GuardedSession(
            origins=[wsdl_url, *self.api_origins], max_response_bytes=max_response_bytes, deadline=deadline
        )
        self.transport = DatedTransport(
            cache=_cache(),
            timeout=connect_timeout,
            # Connecting is bounded by the connect timeout, each wait for a byte of an answer by the
            # operation timeout, and the whole call by the session's deadline.
            operation_timeout=(connect_timeout, operation_timeout),
            wsdl_url=wsdl_url,
            session=self.session,
        )
        self._client: zeep.Client | None = None
        self._addresses_checked = False
        self._literal_results: dict[str, bool] = {}

    @property
    def client(self) -> zeep.Client:
        if self._client is None:
            # A WSDL cut mid-way or a 5xx is as transient as any call's failure: retried the same way.
            self._client = with_retries(
                self._load_wsdl, what="loading the WSDL", delays=self.retry_delays, log=self.log
            )
        return self._client

    def _load_wsdl(self) -> zeep.Client:
        # force_https: a WSDL read over https sends its calls over https, whatever scheme its service
        # address names (real stores serve http://HOST/api.php in a WSDL fetched over https).
        settings = zeep.Settings(
            strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True, force_https=True
        )
        host, hint = self.host, f" {self.wsdl_hint}" if self.wsdl_hint else ""
        kind = f"{self.system} WSDL" if self.system else "WSDL"
        try:
            with warnings.catch_warnings():
                # Real WSDLs carry parts zeep cannot type; it warns for each one on every load,
                # which says nothing to an admin.
                warnings.simplefilter("ignore", UserWarning)
                client = zeep.Client(self.wsdl_url, transport=self.transport, settings=settings)
        except (
            AnswerTooLarge,
            CallDeadlineExceeded,
            RedirectRefused,
            OriginRefused,
            requests.exceptions.ChunkedEncodingError,
        ) as exc:
            raise classify_exception(exc, host=host, what="the WSDL request") from exc
        except requests.exceptions.Timeout as exc:
            raise RemoteTimeout(f"Timed out after {self.connect_timeout:g} s loading the WSDL from {host}.") from exc
        except requests.exceptions.ConnectionError as exc:
            raise Unreachable(
                f"Host unreachable: cannot connect to {host} ({root_cause(exc)}). Check the WSDL URL."
            ) from exc
        except requests.exceptions.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            transient = classify_status(status, host=host, what="the WSDL request")
            if isinstance(transient, TransientError):
                raise transient from exc
            raise NotSupported(f"The WSDL URL answered {redact(str(exc))}. Check the WSDL URL.") from exc
        except (XMLSyntaxError, etree.XMLSyntaxError) as exc:
            raise NotSupported(f"Not a {kind}: {host} did not answer the WSDL URL with XML.{hint}") from exc
        except ExternalReferenceForbidden as exc:
            raise NotSupported(
                f"Refused to load the WSDL at {host}: {redact(str(exc))}. "
                f"A {kind} imports nothing but the SOAP encoding schema."
            ) from exc
        except Exception as exc:
            raise NotSupported(
                f"Not a {kind}: {self.shown_url} cannot be read as a WSDL ({redact(str(exc))})."
            ) from exc
        if self.required_operation and self.required_operation not in self.operations_of(client):
            raise NotSupported(f"Not a {kind}: {self.shown_url} has no '{self.required_operation}' operation.{hint}")
        return client

    def check_addresses(self) -> None:
        """Refuse a WSDL whose service address is on another origin than the WSDL URL's.

        The address is where every call goes, the login with its key first: a WSDL must not be
        able to send the key to a host that the admin never named. Checked before the first call,
        not on loading, since reading a WSDL (its operations, its style) sends nothing. A WSDL read
        from a file (no origin) is trusted with its addresses.
        """
        if self._addresses_checked:
            return
        addresses = [
            port.binding_options["address"]
            for service in self.client.wsdl.services.values()
            for port in service.ports.values()
            if (port.binding_options or {}).get("address")
        ]
        wsdl_origin = origin_of(self.wsdl_url)
        if wsdl_origin is None:
            self.session.origins.update(filter(None, map(origin_of, addresses)))
            addresses = []
        allowed = {wsdl_origin, *self.api_origins}
        for address in addresses:
            if origin_of(address) not in allowed:
                hint = f" {self.api_origins_hint}" if self.api_origins_hint else ""
                named = f" or {', '.join(self.api_origins)}" if self.api_origins else ""
                raise NotSupported(
                    f"The WSDL at {self.host} sends its calls to {origin_of(address) or redact(address)}, "
                    f"not to {wsdl_origin}{named}: oroint calls only the hosts the settings name, so that "
                    f"the credentials go nowhere else.{hint}"
                )
        self._addresses_checked = True

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
    def style(self) -> str | None:
        """ "rpc" or "document": how the WSDL's operations are called (that of `required_operation`)."""
        if self.required_operation:
            return self.style_of(self.required_operation)
        return next((found.style for found in self._bound_operations()), None)

    def _bound_operations(self) -> Iterable[Any]:
        for service in self.client.wsdl.services.values():
            for port in service.ports.values():
                yield from port.binding._operations.values()

    def style_of(self, operation: str) -> str | None:
        """ "rpc" or "document" for an operation of the WSDL; None if it has no such operation."""
        for service in self.client.wsdl.services.values():
            for port in service.ports.values():
                found = port.binding._operations.get(operation)
                if found is not None:
                    return found.style
        return None

    @property
    def server_now(self) -> datetime.datetime:
        return self.transport.server_date or datetime.datetime.now(datetime.UTC)

    def call_raw(self, operation: str, *args: Any, retry: bool = True) -> Any:
        """Call an operation; transient failures are retried with backoff, faults are raised."""
        method = getattr(self.client.service, operation)
        delays = self.retry_delays if retry else ()
        return with_retries(lambda: self.once(method, operation, args), what=operation, delays=delays, log=self.log)

    def once(self, method, operation: str, args: tuple) -> Any:
        self.check_addresses()
        try:
            result = method(*args)
        except Fault as fault:
            code = str(fault.code or "").rsplit(":", 1)[-1].strip()
            raise self.fault(SoapFault(code, (fault.message or "").strip(), operation)) from None
        except requests.RequestException as exc:
            raise classify_exception(exc, host=self.host, what=operation) from exc
        except TransportError as exc:
            if exc.status_code == 200:  # zeep's word for an answer that is not SOAP
                self._refuse_oversized(exc, operation)
                raise GarbledAnswer(f"{self.host} answered {operation} with something that is not SOAP") from exc
            raise (classify_status(exc.status_code, host=self.host, what=operation) or RemoteError(str(exc))) from exc
        except (XMLSyntaxError, etree.XMLSyntaxError) as exc:
            self._refuse_oversized(exc, operation)
            raise GarbledAnswer(f"{self.host} answered {operation} with something that is not XML") from exc
        if result is None and self._returns_literal_array(operation):
            return []  # `<result/>`: an empty list, which zeep reads as None
        return result

    def _returns_literal_array(self, operation: str) -> bool:
        """Whether a document/literal operation's `result` is a literal array."""
        if operation not in self._literal_results:
            found = False
            for bound in self._bound_operations():
                if bound.name == operation and bound.style == "document" and bound.output is not None:
                    elements = getattr(getattr(bound.output.body, "type", None), "elements", None) or []
                    found = len(elements) == 1 and literal_array_member(elements[0][1].type) is not None
                    break
            self._literal_results[operation] = found
        return self._literal_results[operation]

    def _refuse_oversized(self, exc: Exception, operation: str) -> None:
        """An answer beyond the parser's limits is not retried (it would be the same), nor kept: zeep's
        error holds the whole answer, which must not reach a log or a run's message."""
        found = _PARSER_LIMIT.search(str(exc).split("\nContent:", 1)[0])
        if found:
            raise UnreadableAnswer(
                f"{self.host} answered {operation} with a value larger than oroint reads "
                f"(over 10 MB in one field, or nested too deep; the XML parser says: {found.group(0).strip()[:160]})."
            ) from None

    def fault(self, fault: SoapFault) -> RemoteError:
        """What a fault means for this kind of server (a subclass maps its codes)."""
        return fault
