"""The real store WSDLs the simulator serves, and what it reads from them.

Responses are shaped by the WSDL, as PHP's SoapServer shapes them: each complexType's elements
in declared order, with the declared `xsi:type`. Reading the types from the file a mode serves
keeps every answer parseable by a strict client of that same WSDL (the native WSDL lacks fields
that the bridge one has, e.g. `salesOrderEntity.coupon_code`).

A store with WS-I compliance on serves a document/literal WSDL instead: each operation's input
and output are one wrapper element (`customerCustomerListRequestParam`, `loginParam`,
`...ResponseParam` holding `result`), and an array is a sequence of one repeated element
(`complexObjectArray`). Both kinds load into the same model, its `style` telling them apart.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree

WSDL_DIR = Path(__file__).resolve().parent / "wsdl"
MODES: dict[str, str] = {
    "bridge": "openmage-20.0.14-bridge-v2.wsdl",
    "native": "openmage-20.0.20-v2.wsdl",
}
# The WSDL a mode serves with WS-I compliance on (no native store of that kind is on file).
WSI_MODES: dict[str, str] = {"bridge": "openmage-20.0.14-bridge-wsi.wsdl"}
_WSDL = "http://schemas.xmlsoap.org/wsdl/"
_XSD = "http://www.w3.org/2001/XMLSchema"
_ADDRESS = re.compile(rb'(<soap:address\s+location=")[^"]*(")')


@dataclass(frozen=True)
class TypeRef:
    """A WSDL type reference: `xsd:int` is (True, "int"), `typens:storeEntity` is (False, "storeEntity")."""

    builtin: bool
    name: str

    @classmethod
    def parse(cls, qualified: str) -> "TypeRef":
        prefix, _, name = qualified.rpartition(":")
        return cls(prefix == "xsd", name)


@dataclass(frozen=True)
class ComplexType:
    """A struct (`fields` in declared order) or an array of `item`s.

    A SOAP-encoded array has no fields; a literal one has its one repeated field, named
    `item_element`. `required` names the fields a literal answer must carry (minOccurs >= 1).
    """

    name: str
    fields: tuple[tuple[str, TypeRef], ...]
    item: TypeRef | None = None
    item_element: str = "item"
    required: frozenset[str] = frozenset()

    def field_names(self) -> list[str]:
        return [name for name, _ in self.fields]


@dataclass(frozen=True)
class Operation:
    """An operation's parameters and result; for document/literal, the elements wrapping them."""

    name: str
    inputs: tuple[tuple[str, TypeRef], ...]
    output: tuple[str, TypeRef]
    input_element: str = ""
    output_element: str = ""


@dataclass(frozen=True)
class WsdlModel:
    mode: str
    namespace: str
    source: bytes
    types: dict[str, ComplexType]
    operations: dict[str, Operation]
    style: str = "rpc"  # or "document" (WS-I compliance)
    # document/literal: the operation each input wrapper element calls.
    input_elements: dict[str, str] = field(default_factory=dict)

    @property
    def wsi(self) -> bool:
        return self.style == "document"

    def document(self, address: str) -> bytes:
        """The WSDL as the store serves it, with the service address pointing at `address`."""
        return _ADDRESS.sub(lambda m: m.group(1) + address.encode() + m.group(2), self.source, count=1)


@cache
def load(mode: str, wsi: bool = False) -> WsdlModel:
    """Parse the WSDL of `mode` ("bridge" or "native"), WS-I compliant or not, once per process."""
    files = WSI_MODES if wsi else MODES
    if mode not in files:
        raise ValueError(f"no {'WS-I compliant ' if wsi else ''}WSDL for mode {mode!r}: one of {', '.join(files)}")
    source = (WSDL_DIR / files[mode]).read_bytes()
    root = etree.fromstring(source)
    if wsi:
        return _load_document(mode, source, root)
    namespace = root.get("targetNamespace")
    types: dict[str, ComplexType] = {}
    for node in root.iter(f"{{{_XSD}}}complexType"):
        array = node.find(f".//{{{_XSD}}}attribute")
        array_type = array.get(f"{{{_WSDL}}}arrayType") if array is not None else None
        if array_type:
            types[node.get("name")] = ComplexType(node.get("name"), (), TypeRef.parse(array_type.removesuffix("[]")))
            continue
        fields = tuple(
            (element.get("name"), TypeRef.parse(element.get("type"))) for element in node.iter(f"{{{_XSD}}}element")
        )
        types[node.get("name")] = ComplexType(node.get("name"), fields)
    messages = {
        message.get("name"): tuple((part.get("name"), TypeRef.parse(part.get("type"))) for part in message)
        for message in root.findall(f"{{{_WSDL}}}message")
    }
    operations: dict[str, Operation] = {}
    for node in root.find(f"{{{_WSDL}}}portType"):
        if not isinstance(node.tag, str):
            continue
        request = node.find(f"{{{_WSDL}}}input").get("message").partition(":")[2]
        response = node.find(f"{{{_WSDL}}}output").get("message").partition(":")[2]
        name = node.get("name")
        operations[name] = Operation(name, messages[request], messages[response][0])
    return WsdlModel(mode, namespace, source, types, operations)


def _load_document(mode: str, source: bytes, root: etree._Element) -> WsdlModel:
    """A document/literal WSDL: named complexTypes, wrapper elements, operations by their wrappers."""
    schema = root.find(f"{{{_WSDL}}}types/{{{_XSD}}}schema")
    types: dict[str, ComplexType] = {}
    for node in schema.findall(f"{{{_XSD}}}complexType"):
        types[node.get("name")] = _literal_type(node.get("name"), node)
    wrappers = {
        node.get("name"): _literal_type(node.get("name"), node.find(f"{{{_XSD}}}complexType"))
        for node in schema.findall(f"{{{_XSD}}}element")
        if node.find(f"{{{_XSD}}}complexType") is not None
    }
    messages: dict[str, str] = {}
    for message in root.findall(f"{{{_WSDL}}}message"):
        parts = message.findall(f"{{{_WSDL}}}part")
        # A few of the store's messages (the wishlist ones) name types as elements: no wrapper, not callable.
        if len(parts) == 1 and parts[0].get("element", "").partition(":")[2] in wrappers:
            messages[message.get("name")] = parts[0].get("element").partition(":")[2]
    operations: dict[str, Operation] = {}
    for node in root.find(f"{{{_WSDL}}}portType"):
        if not isinstance(node.tag, str):
            continue
        request = messages.get(node.find(f"{{{_WSDL}}}input").get("message").partition(":")[2])
        response = messages.get(node.find(f"{{{_WSDL}}}output").get("message").partition(":")[2])
        if request is None or response is None or not wrappers[response].fields:
            continue
        name = node.get("name")
        operations[name] = Operation(name, wrappers[request].fields, wrappers[response].fields[0], request, response)
    inputs = {operation.input_element: operation.name for operation in operations.values()}
    return WsdlModel(mode, root.get("targetNamespace"), source, types, operations, "document", inputs)


def _literal_type(name: str, node: etree._Element) -> ComplexType:
    elements = node.findall(f"{{{_XSD}}}sequence/{{{_XSD}}}element")
    fields = tuple((element.get("name"), TypeRef.parse(element.get("type"))) for element in elements)
    required = frozenset(element.get("name") for element in elements if int(element.get("minOccurs", "1")) >= 1)
    if len(elements) == 1 and elements[0].get("maxOccurs") == "unbounded":
        return ComplexType(name, fields, fields[0][1], fields[0][0], required)
    return ComplexType(name, fields, None, "item", required)
