"""DRF parsers (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]) that refuse hostile bodies with a 4xx:
a body over DATA_UPLOAD_MAX_MEMORY_SIZE (from its Content-Length before reading, and by a
bounded read), JSON nested too deep (checked before json.loads), and every string, number and
date of the parsed data that civicgrid.core.inputs refuses — each a 400, keyed by the field's
path when there is one.
Views that name their own parser_classes use these too."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, parsers

from civicgrid.core import inputs
from civicgrid.core.text import text_problem


class RequestTooLarge(exceptions.ParseError):
    default_detail = gettext_lazy("请求内容过大")
    default_code = "request_too_large"


def as_api_error(error: inputs.InputError) -> exceptions.APIException:
    if error.code == "too_large":
        return RequestTooLarge(error.message)
    if error.field:
        return exceptions.ParseError({error.field: [error.message]})
    return exceptions.ParseError(error.message)


def too_many_fields() -> exceptions.APIException:
    return exceptions.ParseError(_("提交的字段或文件过多"))


class GuardedParser:
    """Marker: the input guard middleware leaves the body checks of views that only use
    parsers like these to the parsers (it still refuses an oversized or too deeply nested
    body, which a view might never read)."""


def _request_meta(parser_context) -> dict:
    request = (parser_context or {}).get("request")
    return getattr(request, "META", {}) if request is not None else {}


class JSONParser(GuardedParser, parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            inputs.check_content_length(_request_meta(parser_context))
            return inputs.load_json(inputs.read_limited(stream), encoding)
        except inputs.InputError as error:
            raise as_api_error(error) from None


class FormParser(GuardedParser, parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            inputs.check_content_length(_request_meta(parser_context))
            data = QueryDict(inputs.read_limited(stream), encoding=encoding)
            inputs.check_querydict(data)
        except inputs.InputError as error:
            raise as_api_error(error) from None
        except TooManyFieldsSent:
            raise too_many_fields() from None
        return data


class MultiPartParser(GuardedParser, parsers.MultiPartParser):
    """Django's multipart parser keeps its own limits (DATA_UPLOAD_MAX_MEMORY_SIZE for the
    fields; files are streamed to disk and capped by their view); the fields and the names of
    the uploaded files are checked like any text."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            result = super().parse(stream, media_type, parser_context)
        except RequestDataTooBig:
            raise as_api_error(inputs.too_large()) from None
        except (TooManyFieldsSent, TooManyFilesSent):
            raise too_many_fields() from None
        try:
            inputs.check_querydict(result.data)
            for field, files in result.files.lists():
                for upload in files:
                    problem = text_problem(upload.name or "", name=True)
                    if problem is not None:
                        raise inputs.InputError(problem.messages[0], field=field)
        except inputs.InputError as error:
            raise as_api_error(error) from None
        return result
