"""The GeoReport v2 JSON schemas (validate a response body) and the spec's error body."""

import json
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

# The GeoReport v2 JSON schemas published by the Open311 project, copied unchanged into the repo
# (schemas/README.md), so the tests need nothing beside the clone.
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        if path.name == "swagger.json":
            continue
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, Resource.from_contents(contents, DRAFT7)))
    assert {name for name, _ in resources} >= {
        "services.json",
        "service.json",
        "service-definition.json",
        "requests.json",
        "request.json",
    }, f"GeoReport schemas missing in {SCHEMA_DIR}"
    return Registry().with_resources(resources)


# The optional format packages of jsonschema are not installed; check the two formats the
# GeoReport schemas use ourselves, strictly.
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("date-time without an offset")
    return True


@FORMATS.checks("uri")
def _uri(value):
    if not isinstance(value, str):
        return True
    parts = urlparse(value)
    return bool(parts.scheme and parts.netloc)


REGISTRY = _registry()


def validate(data, schema_name: str):
    """Validate `data` against one of the GeoReport schemas, $refs between files resolved."""
    validator = Draft7Validator({"$ref": schema_name}, registry=REGISTRY, format_checker=FORMATS)
    validator.validate(data)
    return data


ERRORS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "additionalProperties": False,
    },
}


def assert_error(response, status: int, *fragments):
    """The spec's error body with the right code, containing each fragment in a description."""
    assert response.status_code == status, response.content
    body = response.json()
    Draft7Validator(ERRORS_SCHEMA).validate(body)
    assert all(item["code"] == status for item in body)
    text = " ".join(item["description"] for item in body)
    for fragment in fragments:
        assert fragment in text, text
    return body
