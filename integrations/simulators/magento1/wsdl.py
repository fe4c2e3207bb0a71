"""The real store WSDLs the simulator serves, and what it reads from them.

Responses are shaped by the WSDL, as PHP's SoapServer shapes them: each complexType's elements
in declared order, with the declared `xsi:type`. Reading the types from the file a mode serves
keeps every answer parseable by a strict client of that same WSDL (the native WSDL lacks fields
that the bridge one has, e.g. `salesOrderEntity.coupon_code`).
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

WSDL_DIR = Path(__file__).resolve().parent / "wsdl"
MODES: dict[str, str] = {
    "bridge": "openmage-20.0.14-bridge-v2.wsdl",
    "native": "openmage-20.0.20-v2.wsdl",
}
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
    """A struct (`fields` in declared order) or a SOAP-encoded array (`item` type)."""

    name: str
    fields: tuple[tuple[str, TypeRef], ...]
    item: TypeRef | None = None

    def field_names(self) -> list[str]:
        return [name for name, _ in self.fields]


@dataclass(frozen=True)
class Operation:
    name: str
    inputs: tuple[tuple[str, TypeRef], ...]
    output: tuple[str, TypeRef]


@dataclass(frozen=True)
class WsdlModel:
    mode: str
    namespace: str
    source: bytes
    types: dict[str, ComplexType]
    operations: dict[str, Operation]

    def document(self, address: str) -> bytes:
        """The WSDL as the store serves it, with the service address pointing at `address`."""
        return _ADDRESS.sub(lambda m: m.group(1) + address.encode() + m.group(2), self.source, count=1)


@cache
def load(mode: str) -> WsdlModel:
    """Parse the WSDL of `mode` ("bridge" or "native") once per process."""
    source = (WSDL_DIR / MODES[mode]).read_bytes()
    root = etree.fromstring(source)
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
