"""OpenAPI generation (drf-spectacular): the error answers every endpoint can give, documented.

drf-spectacular documents the success answer of each operation only. Clients (and the
conformance test, core/tests/test_openapi_conformance.py) also meet the errors, which have two
shapes (core.api.exception_handler):

- `Error` — `{"detail": "…"}`: not signed in or not allowed (403), unknown or invisible object
  (404), an action the case's state does not allow (409), throttled (429);
- `ValidationError` — field name → list of messages (`{"description": ["请填写问题描述"]}`);
  a whole-request error under `detail` or `non_field_errors`; nested for nested input.

AutoSchema adds those answers to each operation from what the operation is: a body or query
parameters → 400; signing in required → 403 (and 401 when the first authentication class
answers with a WWW-Authenticate challenge, as DRF does); a path parameter → 404; throttles →
429. A view documents any other error itself (`responses={409: ErrorSerializer}`) and what it
documents is kept.
"""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """`{"detail": "…"}`: the message, in the request's language."""

    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """DRF's validation errors: documented by ValidationErrorExtension (a free-form object)."""


VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Field name → list of messages (nested objects or lists for nested input); a whole-request "
        "error under `detail` or `non_field_errors`."
    ),
    "additionalProperties": {
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {}},
            {"type": "object", "additionalProperties": {}},
        ]
    },
}


class ValidationErrorExtension(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        return VALIDATION_ERROR_SCHEMA


def or_validation_error(name: str, serializer) -> PolymorphicProxySerializer:
    """A 400 that is either the view's own report (`serializer`) or a validation error of the
    request itself (a missing file, say): `responses={400: or_validation_error(...)}`."""
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[serializer, ValidationErrorSerializer],
        resource_type_field_name=None,
        many=False,
    )


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DIGITS_ONLY = frozenset({"[0-9]+", r"\d+"})


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        self._digit_only_path_parameters(operation)
        responses = operation["responses"]
        for code, (description, ref) in self._error_responses(operation).items():
            if code not in responses:
                responses[code] = {
                    "description": str(description),
                    "content": {"application/json": {"schema": ref}},
                }
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _digit_only_path_parameters(self, operation):
        """An integer path parameter the URL matches with digits only (`<int:pk>`,
        `(?P<pk>[0-9]+)`) is never negative: any other value gets Django's own 404 page, not
        this operation."""
        groups = dict(re.findall(r"\(\?P<(\w+)>([^()]*)\)", self.path_regex))
        groups.update((name, "[0-9]+") for name in re.findall(r"<int:(\w+)>", self.path_regex))
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter.get("in") != "path" or schema.get("type") != "integer":
                continue
            name = parameter["name"]
            pattern = groups.get(name, groups.get("pk") if name == "id" else None)
            if pattern in DIGITS_ONLY:
                schema["minimum"] = 0

    def _error_ref(self):
        return self.resolve_serializer(ErrorSerializer, "response").ref

    def _validation_error_ref(self):
        return self.resolve_serializer(ValidationErrorSerializer, "response").ref

    def _error_responses(self, operation) -> dict:
        parameters = operation.get("parameters", [])
        errors = {}
        if (
            "requestBody" in operation
            or self.method not in SAFE_METHODS
            or any(p.get("in") == "query" for p in parameters)
        ):
            errors["400"] = (_("请求内容有误(字段 → 错误信息)"), self._validation_error_ref())
        # Any authentication at all: a session without its CSRF token is refused with 403 even
        # where anonymous callers are welcome, and views refuse some signed-in roles.
        if any(operation.get("security", [])):
            errors["403"] = (_("未登录,或您的角色、范围无权进行此操作"), self._error_ref())
            authenticators = self.view.get_authenticators()
            if authenticators and authenticators[0].authenticate_header(self.view.request):
                errors["401"] = (_("未登录或登录凭据无效"), self._error_ref())
        if any(p.get("in") == "path" for p in parameters):
            errors["404"] = (_("对象不存在或不在您的范围内"), self._error_ref())
        if self.view.get_throttles():
            errors["429"] = (_("请求过于频繁,请稍后再试"), self._error_ref())
        return errors
