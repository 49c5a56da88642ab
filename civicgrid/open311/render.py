"""GeoReport v2 responses: the same data as JSON or XML, and the spec's error format."""

import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse, JsonResponse

FORMATS = ("json", "xml")

# XML element name of the items of each list (GeoReport v2 examples).
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
}


# Characters XML 1.0 does not allow anywhere in a document (NUL and the other C0 controls but
# tab, LF and CR; lone surrogates; U+FFFE, U+FFFF). ElementTree escapes &, < and > but writes
# these as they are, and no client can parse the result: they are left out.
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """`value` with every character XML 1.0 forbids removed."""
    return NOT_XML.sub("", value)


def _xml_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_text(str(value))


def _append(parent: ET.Element, name: str, value) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(element, ITEM_NAMES.get(name, "item"), item)
    else:
        element.text = _xml_value(value)


def to_xml(root: str, data) -> bytes:
    """`data` (a list or a dict) as a GeoReport XML document with root element `root`."""
    element = ET.Element(root)
    if isinstance(data, list):
        for item in data:
            _append(element, ITEM_NAMES.get(root, "item"), item)
    else:
        for key, value in data.items():
            _append(element, key, value)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, data, root: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(
            to_xml(root, data), status=status, content_type="text/xml; charset=utf-8"
        )
    return JsonResponse(
        data,
        status=status,
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )


def errors(fmt: str, status: int, messages) -> HttpResponse:
    """The spec's error body: [{"code": <status>, "description": "..."}], one per message."""
    if isinstance(messages, str):
        messages = [messages]
    body = [{"code": status, "description": str(m)} for m in messages]
    return respond(fmt if fmt in FORMATS else "json", body, "errors", status)


def parse_json(raw: bytes):
    return json.loads(raw.decode("utf-8"))
