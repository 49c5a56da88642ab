"""OpenAPI generation (drf-spectacular): the error answers every endpoint can give, documented.

drf-spectacular documents the success answer of each operation only. Clients (and the
conformance test, core/tests/test_openapi_conformance.py) also meet the errors, which have two
shapes (core.api.exception_handler):

- `Error` — `{"detail": "…"}`: not signed in or not allowed (403), unknown or invisible object
  (404), an action the case's state does not allow (409), throttled (429);
- `ValidationError` — field name → list of messages (`{"description": ["请填写问题描述"]}`);
  a whole-request error under `detail` or `non_field_errors`; nested for nested input.

AutoSchema adds those answers to each operation from what the operation is: a body or query
parameters → 400; any authentication → 403 (and 401 where DRF can answer a refused token with
a WWW-Authenticate challenge); a path parameter → 404; throttles → 429. A view documents any other error itself (`responses={409: ErrorSerializer}`) and what it
documents is kept.
"""

import re

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from drf_spectacular import authentication as drf_spectacular_authentication
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


class SessionScheme(drf_spectacular_authentication.SessionScheme):
    """drf-spectacular's `cookieAuth`, for DRF's session authentication and its subclasses
    (the built-in scheme matches the exact class only)."""

    match_subclasses = True
    priority = 0


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

    def _may_challenge(self) -> bool:
        """Whether a refused authentication can be a 401: DRF answers 401 when the view's first
        authentication class gives a WWW-Authenticate challenge for the request, else 403. The
        challenge may depend on the credentials sent, so each token keyword is tried too."""
        authenticators = self.view.get_authenticators()
        if not authenticators:
            return False
        probes = [self.view.request]
        for authenticator in authenticators:
            keyword = getattr(authenticator, "keyword", None)
            if keyword:
                probe = HttpRequest()
                probe.META["HTTP_AUTHORIZATION"] = f"{keyword} x"
                probes.append(probe)
        return any(authenticators[0].authenticate_header(probe) for probe in probes)

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
            errors["400"] = (_("请求内容有误（字段 → 错误信息）"), self._validation_error_ref())
        # Any authentication at all: a session without its CSRF token is refused with 403 even
        # where anonymous callers are welcome, and views refuse some signed-in roles.
        if any(operation.get("security", [])):
            errors["403"] = (_("未登录，或您的角色、范围无权进行此操作"), self._error_ref())
            if self._may_challenge():
                errors["401"] = (_("登录凭据（令牌）无效、过期或已撤销"), self._error_ref())
        if any(p.get("in") == "path" for p in parameters):
            errors["404"] = (_("对象不存在或不在您的范围内"), self._error_ref())
        if self.view.get_throttles():
            errors["429"] = (_("请求过于频繁，请稍后再试"), self._error_ref())
        return errors
