"""The input guard: one place that refuses hostile request input for every view.

Before a view runs (process_view, so after the session, language and user are known) it checks,
with the rules of civicgrid.core.inputs / civicgrid.core.text:

- the query string of every request (keys and values: control characters, lone surrogates,
  the name rule for name parameters, integers beyond 64 bits, impossible or out-of-range dates);
- the body of every view that does not parse it with the guarded DRF parsers
  (civicgrid.core.parsers): form and multipart fields (the web front, Open311's form-encoded
  POST, the admin, the login) and JSON bodies (Open311, the phone pages' fetch calls);
- for the API views themselves only what the parsers may never see because a view does not
  read its body: JSON nested too deeply.

A refusal answers in the shape of the channel, in the request's language: the Open311 error list
[{"code": 400, "description": "…"}] under /open311/ (registered by that app, see
CHANNEL_REFUSALS), DRF's JSON ({"field": ["…"]} or
{"detail": "…"}) for the API, and an HTML page for the web front and the admin.
"""

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.views import APIView

from civicgrid.core import inputs
from civicgrid.core.api import out_of_range_message
from civicgrid.core.parsers import GuardedParser
from civicgrid.core.text import text_problem

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _drf_view(view_func):
    cls = getattr(view_func, "cls", None)
    return cls if isinstance(cls, type) and issubclass(cls, APIView) else None


def _guarded_by_parsers(view_func) -> bool:
    cls = _drf_view(view_func)
    if cls is None:
        return False
    initkwargs = getattr(view_func, "initkwargs", None) or {}
    parser_classes = initkwargs.get("parser_classes", cls.parser_classes)
    return bool(parser_classes) and all(
        isinstance(p, type) and issubclass(p, GuardedParser) for p in parser_classes
    )


def _too_many_fields() -> inputs.InputError:
    return inputs.InputError(_("提交的字段或文件过多"))


def check_form(request) -> None:
    try:
        data, files = request.POST, request.FILES
    except RequestDataTooBig:
        raise inputs.too_large() from None
    except (TooManyFieldsSent, TooManyFilesSent):
        raise _too_many_fields() from None
    inputs.check_querydict(data)
    for field, uploads in files.lists():
        for upload in uploads:
            problem = text_problem(upload.name or "", name=True)
            if problem is not None:
                raise inputs.InputError(problem.messages[0], field=field)


def check_body(request, view_func) -> None:
    if request.method not in BODY_METHODS:
        return
    content_type = request.content_type or ""
    guarded = _guarded_by_parsers(view_func)
    if content_type in FORM_TYPES:
        if content_type != "multipart/form-data":
            inputs.check_content_length(request.META)
        if not guarded:
            check_form(request)
        return
    if guarded and inputs.body_limit() is not None:
        if inputs.content_length(request.META) > inputs.body_limit():
            return  # the parser refuses it when the view reads it (a 400 through DRF)
    else:
        inputs.check_content_length(request.META)
    if not inputs.content_length(request.META):
        return
    try:
        raw = request.body
    except RequestDataTooBig:
        raise inputs.too_large() from None
    if not (content_type.endswith("json") or inputs.looks_like_json(raw)):
        return
    if guarded:
        # The parser does the rest when the view reads the body; a view that never reads it
        # still gets no body the parser would refuse as too deep.
        if inputs.json_too_deep(raw.decode("utf-8", "replace")):
            raise inputs.too_deep()
        return
    try:
        inputs.load_json(raw, request.encoding or "utf-8")
    except inputs.NotJSON:
        return  # not JSON at all: the view answers that in its own words


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            inputs.check_querydict(request.GET)
            check_body(request, view_func)
        except inputs.InputError as error:
            return refusal(request, view_func, view_kwargs, error)
        return None

    def process_exception(self, request, exception):
        # A number or date from the request that arithmetic or the database cannot hold and no
        # check caught (the API views answer these in core.api.exception_handler): a 400.
        if not isinstance(exception, OverflowError):
            return None
        match = request.resolver_match
        return refusal(
            request,
            match.func if match else None,
            match.kwargs if match else {},
            inputs.InputError(out_of_range_message()),
        )


# Channels that answer refused input in their own shape, by path prefix: prefix →
# render(request, view_kwargs, error) -> HttpResponse. An app registers its channel in its
# AppConfig.ready() (open311 does), so core needs to know none of them.
CHANNEL_REFUSALS: dict[str, Callable] = {}


def register_channel_refusal(prefix: str, render: Callable) -> None:
    CHANNEL_REFUSALS[prefix] = render


def refusal(request, view_func, view_kwargs, error: inputs.InputError):
    for prefix, render_channel in CHANNEL_REFUSALS.items():
        if request.path.startswith(prefix):
            return render_channel(request, view_kwargs, error)
    if _drf_view(view_func) is not None or request.path.startswith("/api/"):
        body = {error.field: [error.message]} if error.field else {"detail": error.message}
        return JsonResponse(body, status=error.status, json_dumps_params={"ensure_ascii": False})
    return render(
        request,
        "core/bad_request.html",
        {"message": error.text(), "too_large": error.code == "too_large"},
        status=error.status,
    )
