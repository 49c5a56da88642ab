"""Checks every value from a request passes before a view or a parser hands it on.

Used by the DRF parsers (civicgrid.core.parsers) and by the input guard middleware
(civicgrid.core.middleware) for query strings, forms, Open311 and the admin, so that hostile input
is a 4xx with a clear message in the user's language, never a 500:

- bodies over DATA_UPLOAD_MAX_MEMORY_SIZE are refused from their Content-Length, and read with a
  bound;
- JSON nested deeper than MAX_JSON_DEPTH is refused by a cheap scan before json.loads (which
  would hit RecursionError), and NaN/Infinity, numbers outside 64 bits and non-finite floats
  are refused after it;
- every string (JSON strings and keys, form and query values) follows civicgrid.core.text: no
  control characters, lone surrogates or non-characters, and the name rule for name fields;
- a value written as an integer must fit in 64 bits (SQLite and PostgreSQL raise on larger ones);
- a value written as a date (2026-11-23, 2026-11-23T10:00:00+08:00, 2026/11/23, 11/23/2026 …)
  must lie between EARLIEST_DATE and LATEST_DATE: 9999-12-31 plus a day, or 0001-01-01 in another time
  zone, is out of Python's range (9999-99-99 too). A date that is merely impossible
  (2026-02-30) is left to the field, which refuses it in its own words.
"""

import datetime
import json
import math
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from civicgrid.core.text import is_name_field, text_problem

MAX_JSON_DEPTH = 32
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
# 1901: before it Asia/Shanghai is local mean time (+08:05:43), which ISO 8601 offsets cannot say.
EARLIEST_DATE = datetime.date(1901, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)

_INTEGER = re.compile(r"[+-]?\d+")
# Dates as the parsers of DRF, django-filter and Django's forms read them (ISO 8601, the
# Chinese and English input formats); group "y" is the year.
_DATE_FORMS = [
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[T ](?P<t>.+))?"),
    re.compile(r"(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})(?: .*)?"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?(?: .*)?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})T.+"),
    re.compile(r"(?P<y>\d{4})-?W\d{2}(?:-?\d)?(?:T.+)?"),
    re.compile(r"\d{1,2}/\d{1,2}/(?P<y>\d{4})(?: .*)?"),
]
# A JSON string token (skipped: brackets inside strings do not nest) or a bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class InputError(Exception):
    """A refused request value: its message (already translated), the field or parameter it
    came from (None for the request as a whole), the HTTP status to answer with and a code (too_large …)."""

    def __init__(self, message, *, field=None, status=400, code="invalid"):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.status = status
        self.code = code

    def text(self) -> str:
        if not self.field:
            return self.message
        return _("%(field)s:%(message)s") % {"field": self.field, "message": self.message}


# --- size --------------------------------------------------------------------------------------


def body_limit() -> int | None:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large(limit: int | None = None) -> InputError:
    limit = body_limit() if limit is None else limit
    # 400 like every other refusal of the body (the API and Open311 have always answered so).
    return InputError(
        _("请求内容过大（上限 %(size)s）") % {"size": filesizeformat(limit)}, code="too_large"
    )


def content_length(meta) -> int:
    try:
        return max(0, int(meta.get("CONTENT_LENGTH") or 0))
    except (TypeError, ValueError):
        return 0


def check_content_length(meta) -> None:
    limit = body_limit()
    if limit is not None and content_length(meta) > limit:
        raise too_large(limit)


def read_limited(stream) -> bytes:
    """At most body_limit() bytes of `stream`; InputError(413) when it holds more."""
    limit = body_limit()
    if limit is None:
        return stream.read()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    return data


# --- single values -----------------------------------------------------------------------------


def _out_of_range(field) -> InputError:
    return InputError(
        _("数值超出范围（应在 %(min)s 到 %(max)s 之间）") % {"min": INT_MIN, "max": INT_MAX},
        field=field,
    )


def check_date_text(value: str, field=None) -> None:
    """InputError when `value` is written as a date whose year lies outside
    EARLIEST_DATE..LATEST_DATE (9999-12-31, 9999-99-99, 0001-01-01); anything else, impossible
    dates within the range included, is left to the field."""
    text = value.strip()
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match is not None:
            break
    else:
        return
    if not EARLIEST_DATE.year <= int(match.group("y")) <= LATEST_DATE.year:
        raise InputError(
            _("日期超出范围（应在 %(min)s 至 %(max)s 之间）")
            % {"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()},
            field=field,
        )


def check_date(value, field=None):
    """`value` (a date or datetime already parsed) when within EARLIEST_DATE..LATEST_DATE;
    InputError otherwise. For parsers that read forms the text rules above do not know."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    if isinstance(day, datetime.date) and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise InputError(
            _("日期超出范围（应在 %(min)s 至 %(max)s 之间）")
            % {"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()},
            field=field,
        )
    return value


def validate_date_range(value):
    """Form/serializer validator: Django's ValidationError for a date out of range."""
    try:
        check_date(value)
    except InputError as error:
        raise ValidationError(error.message, code="date_out_of_range") from None


def check_string(value: str, field=None) -> None:
    """The text rule (the name rule for name fields), then integers and dates written as text."""
    problem = text_problem(value, name=is_name_field(field))
    if problem is not None:
        raise InputError(problem.messages[0], field=field)
    stripped = value.strip()
    if not stripped or not (stripped[0].isdigit() or stripped[0] in "+-"):
        return
    if len(stripped) > 18 and _INTEGER.fullmatch(stripped):
        digits = stripped.lstrip("+-")
        if len(digits) > 19 or not INT_MIN <= int(stripped) <= INT_MAX:
            raise _out_of_range(field)
    check_date_text(stripped, field)


def check_number(value, field=None) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise _out_of_range(field)
    elif isinstance(value, float) and not math.isfinite(value):
        raise InputError(_("数值超出范围"), field=field)


def check_querydict(data) -> None:
    """Every key and value of a QueryDict (query string or form body)."""
    for key, values in data.lists():
        problem = text_problem(key)
        if problem is not None:
            raise InputError(problem.messages[0], field=repr(key)[1:-1][:40])
        for value in values:
            if isinstance(value, str):
                check_string(value, key)


def check_data(data, field=None, *, depth=0) -> None:
    """Parsed JSON (dicts, lists, strings, numbers), recursively; the field of an error is its
    path (points[3][0], household.address)."""
    if depth > MAX_JSON_DEPTH:
        raise too_deep()
    if isinstance(data, str):
        check_string(data, field)
    elif isinstance(data, dict):
        for key, value in data.items():
            key_text = str(key)
            path = f"{field}.{key_text}" if field else key_text
            problem = text_problem(key_text)
            if problem is not None:
                raise InputError(problem.messages[0], field=field or None)
            # A string under a name key (…name) follows the name rule: is_name_field(path).
            check_data(value, path, depth=depth + 1)
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            check_data(value, f"{field or ''}[{index}]", depth=depth + 1)
    else:
        check_number(data, field)


# --- JSON --------------------------------------------------------------------------------------


def too_deep() -> InputError:
    return InputError(_("JSON 嵌套层数过多（最多 %(n)s 层）") % {"n": MAX_JSON_DEPTH})


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays/objects in `text` nest deeper than `limit` — a scan of the brackets
    outside strings, without parsing (json.loads recurses once per level)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def looks_like_json(raw: bytes) -> bool:
    return raw.lstrip()[:1] in (b"[", b"{")


class NotJSON(InputError):
    """A body that is not JSON at all (a view may answer that in its own words)."""


class _Constant(Exception):
    pass


def _constant(name):
    raise _Constant(name)


def load_json(raw: bytes | str, encoding: str = "utf-8"):
    """json.loads with every check above; InputError for anything refused."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise NotJSON(_("请求内容不是有效的 UTF-8 文本")) from None
    else:
        text = raw
    if json_too_deep(text):
        raise too_deep()
    try:
        data = json.loads(text, parse_constant=_constant)
    except _Constant as exc:
        raise InputError(_("JSON 中不能有 %(name)s") % {"name": exc.args[0]}) from None
    except ValueError as exc:
        raise NotJSON(_("请求内容不是有效的 JSON:%(error)s") % {"error": exc}) from None
    check_data(data)
    return data


def posted_id(data, name: str) -> int | None:
    """The id a form posts under `name` (a row's hidden field, a select), or None when it is
    missing or not a positive integer: a page looks it up in the user's scope and answers its own
    "no such …" message, where `.filter(pk="abc")` raised a ValueError (500)."""
    value = (data.get(name) or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value) or None


def form_date(value):
    """A date typed in a form field (YYYY-MM-DD), or None when it is empty or no real day
    (2025-02-30, which django.utils.dateparse refuses with a ValueError, a 500 if let through)."""
    try:
        return parse_date(value or "")
    except ValueError:
        return None


def posted_date(data, name: str):
    """The date a form posts under `name`, or None (form_date): the service then says the date
    is required or wrong, in the user's language."""
    return form_date((data.get(name) or "").strip())
