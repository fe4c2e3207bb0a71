"""SOAP 1.1 on the wire: reading calls, writing answers and faults as OpenMage does.

RPC/encoded (WS-I compliance off): requests are read by part name whatever the namespace prefix,
and by position as PHP's SoapServer falls back to; multi-ref (`href="#id"`) parameters from
Axis/.NET style clients are followed. Answers are built as strings from the WSDL types: every
value carries `xsi:type`, arrays are `SOAP-ENC:arrayType` with `<item>` members, null fields are
left out.

Document/literal (WS-I compliance on): the Body's first element is the operation's input wrapper
(`customerCustomerListRequestParam`), its children the parameters, read the same way. Answers are
`<ns1:{operation}ResponseParam><result>`, unqualified children without `xsi:type`, every array
a run of its repeated element (`complexObjectArray`) and an empty one `<result/>`; a null field
is left out where the schema allows it (minOccurs 0) and sent empty where it does not, as PHP's
SoapServer writes a literal null.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .filters import Condition
from .wsdl import TypeRef, WsdlModel

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


class SoapFault(Exception):
    """A fault the store answers with: a bare numeric code for Magento's own errors."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def fault_document(code: str, message: str) -> bytes:
    """The fault envelope exactly as Magento sends it: no namespace for ns1, no `detail`."""
    return (
        f'{_XML_DECLARATION}<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}"><SOAP-ENV:Body><SOAP-ENV:Fault>'
        f"<faultcode>{escape(code)}</faultcode><faultstring>{escape(message)}</faultstring>"
        "</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>\n"
    ).encode()


@dataclass
class SoapRequest:
    """One call: the operation (the Body's first element) and its parameter elements."""

    operation: str
    arguments: list[etree._Element]

    def argument(self, name: str, position: int) -> etree._Element | None:
        for element in self.arguments:
            if etree.QName(element).localname == name:
                return element
        return self.arguments[position] if position < len(self.arguments) else None


def parse_request(body: bytes, model: WsdlModel | None = None) -> SoapRequest:
    """Read a call; a body that is not a SOAP envelope is PHP's `Bad Request` client fault.

    With a document/literal `model`, the call's element is the operation's input wrapper.
    """
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as error:
        raise SoapFault("SOAP-ENV:Client", "Bad Request") from error
    envelope_body = root.find(f"{{{SOAP_ENV}}}Body") if etree.QName(root).localname == "Envelope" else None
    call = next(iter(_children(envelope_body)), None)
    if call is None or etree.QName(call).localname == "multiRef":
        raise SoapFault("SOAP-ENV:Client", "Bad Request")
    references = {}
    if b"href=" in body:
        references = {node.get("id"): node for node in envelope_body.iter() if node.get("id")}
    arguments = [_follow(child, references) for child in call if isinstance(child.tag, str)]
    name = etree.QName(call).localname
    if model is not None and model.wsi:
        # An element no operation takes still names what it meant to call, for the fault.
        name = model.input_elements.get(name) or name.removesuffix("Param").removesuffix("Request")
    return SoapRequest(name, arguments)


def _follow(element: etree._Element, references: dict[str, etree._Element]) -> etree._Element:
    seen = 0
    while (href := element.get("href")) and href.startswith("#") and seen < 32:
        element = references.get(href[1:], element)
        seen += 1
    return element


def _children(element: etree._Element | None) -> Iterable[etree._Element]:
    if element is None:
        return ()
    return (child for child in element if isinstance(child.tag, str))


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return next((child for child in _children(element) if etree.QName(child).localname == name), None)


def read_text(element: etree._Element | None) -> str | None:
    if element is None or element.get(_XSI_NIL) in ("true", "1"):
        return None
    return element.text or ""


def read_strings(element: etree._Element | None) -> list[str]:
    """An `ArrayOfString` parameter (absent or nil: empty)."""
    return [read_text(item) or "" for item in _children(element)]


def read_filters(element: etree._Element | None) -> list[Condition]:
    """The `filters` struct: `filter` entries are equalities, `complex_filter` carry an operator."""
    conditions: list[Condition] = []
    for group in _children(element):
        kind = etree.QName(group).localname
        for entry in _children(group):
            key = read_text(_child(entry, "key"))
            value = _child(entry, "value")
            if key is None:
                continue
            if kind == "filter":
                conditions.append(Condition(key, "eq", read_text(value)))
            elif kind == "complex_filter" and value is not None:
                operator = read_text(_child(value, "key")) or "eq"
                conditions.append(Condition(key, operator, read_text(_child(value, "value"))))
    return conditions


def read_pager(element: etree._Element | None) -> tuple[int, int] | None:
    """The bridge `pager` (page, pageSize as strings); None when there is none to apply."""
    if element is None:
        return None
    try:
        page = int(read_text(_child(element, "page")) or 1)
        size = int(read_text(_child(element, "pageSize")) or 0)
    except ValueError:
        return None
    if size <= 0:
        return None
    return max(page, 1), size


def escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _string(value: Any) -> str:
    return escape(value if type(value) is str else str(value))


def _int(value: Any) -> str:
    return str(value) if type(value) is int else str(int(value))


def _boolean(value: Any) -> str:
    return "true" if value and value != "0" else "false"


def _double(value: Any) -> str:
    return repr(float(value))


_SCALARS = {"string": _string, "int": _int, "boolean": _boolean, "double": _double, "long": _int}


class ResponseWriter:
    """Serialises operation results for one WSDL in its style: RPC/encoded or document/literal."""

    def __init__(self, model: WsdlModel) -> None:
        self.model = model
        self._writer = LiteralWriter(model) if model.wsi else EncodedWriter(model)

    def response(self, operation: str, value: Any) -> bytes:
        """The answer document of `operation` holding `value`."""
        return self._writer.response(operation, value)


class EncodedWriter:
    """RPC/encoded answers, with per-type write plans built once."""

    def __init__(self, model: WsdlModel) -> None:
        self.model = model
        self._plans: dict[str, list[tuple[str, str, str, Any, TypeRef | None]]] = {}
        self._head = (
            f'{_XML_DECLARATION}<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:ns1="{model.namespace}" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" '
            'SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><SOAP-ENV:Body>'
        )

    def response(self, operation: str, value: Any) -> bytes:
        """`<ns1:{operation}Response>` holding the WSDL's output part with `value`."""
        part, ref = self.model.operations[operation].output
        out = [self._head, f"<ns1:{operation}Response>"]
        self._write(out, part, ref, value)
        out.append(f"</ns1:{operation}Response></SOAP-ENV:Body></SOAP-ENV:Envelope>\n")
        return "".join(out).encode()

    def _write(self, out: list[str], name: str, ref: TypeRef, value: Any) -> None:
        if ref.builtin:
            out.append(f'<{name} xsi:type="xsd:{ref.name}">{_SCALARS.get(ref.name, _string)(value)}</{name}>')
            return
        complex_type = self.model.types[ref.name]
        if complex_type.item is not None:
            self._write_array(out, name, complex_type.name, complex_type.item, value)
            return
        out.append(f'<{name} xsi:type="ns1:{ref.name}">')
        self._write_fields(out, ref.name, value)
        out.append(f"</{name}>")

    def _write_array(self, out: list[str], name: str, type_name: str, item: TypeRef, values: Any) -> None:
        values = list(values)
        item_type = f"xsd:{item.name}" if item.builtin else f"ns1:{item.name}"
        out.append(f'<{name} SOAP-ENC:arrayType="{item_type}[{len(values)}]" xsi:type="ns1:{type_name}">')
        if item.builtin or self.model.types[item.name].item is not None:
            for value in values:
                self._write(out, "item", item, value)
        else:
            opening = f'<item xsi:type="ns1:{item.name}">'
            for value in values:
                out.append(opening)
                self._write_fields(out, item.name, value)
                out.append("</item>")
        out.append(f"</{name}>")

    def _write_fields(self, out: list[str], type_name: str, record: dict[str, Any]) -> None:
        plan = self._plans.get(type_name) or self._plan(type_name)
        append, get = out.append, record.get
        # The hot loop of every answer: strings (most fields) are escaped inline, only when needed.
        for field, opening, closing, convert, nested in plan:
            value = get(field)
            if value is None:
                continue
            if convert is None and nested is None:
                if type(value) is not str:
                    value = str(value)
                if "&" in value or "<" in value or ">" in value or "\r" in value:
                    value = escape(value)
                append(opening + value + closing)
            elif nested is None:
                append(opening + convert(value) + closing)
            else:
                self._write(out, field, nested, value)

    def _plan(self, type_name: str) -> list[tuple[str, str, str, Any, TypeRef | None]]:
        plan = []
        for field, ref in self.model.types[type_name].fields:
            if ref.builtin:
                convert = None if ref.name == "string" else _SCALARS.get(ref.name, _string)
                plan.append((field, f'<{field} xsi:type="xsd:{ref.name}">', f"</{field}>", convert, None))
            else:
                plan.append((field, "", "", None, ref))
        self._plans[type_name] = plan
        return plan


class LiteralWriter:
    """Document/literal (WS-I) answers, with per-type write plans built once.

    Generic over the WSDL's types: every operation the WSDL declares is written from its output
    wrapper, its `result`'s type and that type's elements in declared order.
    """

    def __init__(self, model: WsdlModel) -> None:
        self.model = model
        self._plans: dict[str, list[tuple[str, str, str, Any, TypeRef | None, bool]]] = {}
        self._head = (
            f'{_XML_DECLARATION}<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:ns1="{model.namespace}">'
            "<SOAP-ENV:Body>"
        )

    def response(self, operation: str, value: Any) -> bytes:
        """`<ns1:{operation}ResponseParam><result>...</result>` with `value`."""
        found = self.model.operations[operation]
        part, ref = found.output
        out = [self._head, f"<ns1:{found.output_element}>"]
        self._write(out, part, ref, value)
        out.append(f"</ns1:{found.output_element}></SOAP-ENV:Body></SOAP-ENV:Envelope>\n")
        return "".join(out).encode()

    def _write(self, out: list[str], name: str, ref: TypeRef, value: Any) -> None:
        if value is None:
            out.append(f"<{name}/>")
            return
        if ref.builtin:
            out.append(f"<{name}>{_SCALARS.get(ref.name, _string)(value)}</{name}>")
            return
        complex_type = self.model.types[ref.name]
        if complex_type.item is not None:
            values = [value] if isinstance(value, dict) else list(value)
            if not values:
                out.append(f"<{name}/>")
                return
            out.append(f"<{name}>")
            for item in values:
                self._write(out, complex_type.item_element, complex_type.item, item)
            out.append(f"</{name}>")
            return
        out.append(f"<{name}>")
        self._write_fields(out, ref.name, value)
        out.append(f"</{name}>")

    def _write_fields(self, out: list[str], type_name: str, record: dict[str, Any]) -> None:
        plan = self._plans.get(type_name) or self._plan(type_name)
        append, get = out.append, record.get
        for field, opening, closing, convert, nested, required in plan:
            value = get(field)
            if value is None:
                if required:
                    append(f"<{field}/>")
                continue
            if nested is not None:
                self._write(out, field, nested, value)
                continue
            if convert is None:
                if type(value) is not str:
                    value = str(value)
                if "&" in value or "<" in value or ">" in value or "\r" in value:
                    value = escape(value)
                append(opening + value + closing)
            else:
                append(opening + convert(value) + closing)

    def _plan(self, type_name: str) -> list[tuple[str, str, str, Any, TypeRef | None, bool]]:
        complex_type = self.model.types[type_name]
        plan = []
        for field, ref in complex_type.fields:
            required = field in complex_type.required
            if ref.builtin:
                convert = None if ref.name == "string" else _SCALARS.get(ref.name, _string)
                plan.append((field, f"<{field}>", f"</{field}>", convert, None, required))
            else:
                plan.append((field, "", "", None, ref, required))
        self._plans[type_name] = plan
        return plan
