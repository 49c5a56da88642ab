"""Shared REST plumbing: one error shape for every endpoint, one way to read a request's body."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def out_of_range_message() -> str:
    return _("数值或日期超出范围")


def validated_input(serializer_class, request, partial=False) -> dict:
    """The request's body checked by `serializer_class` (an input serializer): its validated
    data as a new dict the view may change (pop an `id`, add a default), or DRF's 400 with the
    fields' messages. `partial` for a PATCH: only the fields sent are checked and returned."""
    body = serializer_class(data=request.data, partial=partial)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def validated_query(serializer_class, request) -> dict:
    """The request's query string checked by `serializer_class`: its validated data as a new dict,
    or DRF's 400 with the parameters' messages."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


def exception_handler(exc, context):
    # Model/service validation errors become 400s instead of 500s, with the same shape DRF uses.
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    # A number or a date from the request that arithmetic or the database cannot hold (a date a
    # day past 9999-12-31, an integer beyond 64 bits) that no check caught: the caller's input,
    # so a 400, never a 500. (The input guard refuses the usual forms before the view runs.)
    elif isinstance(exc, OverflowError):
        exc = exceptions.ValidationError(detail={"detail": [out_of_range_message()]})
    return drf_exception_handler(exc, context)
