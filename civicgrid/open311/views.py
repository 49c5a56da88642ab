"""GeoReport v2 endpoints (http://wiki.open311.org/GeoReport_v2/) at /open311/v2/.

GETs are public, as Open311 intends, and list only the cases the adapter publishes
(adapter.public_requests: public channels, public categories); they show no personal data (no
reporter name, phone or e-mail; description and address go through core.scrub) and no staff
text (status_notes is public wording of the state). POST requests.json needs an `api_key` of an
active ApiClient. No view here uses the session, so none needs CSRF protection: every method on
every path answers in the spec's format. Every error is the spec's list of {code, description}
with the matching HTTP status, in the request's language (Chinese unless Accept-Language asks for
English).
`jurisdiction_id` is accepted and ignored: this server is one jurisdiction.
"""

import datetime
import re
from functools import wraps

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    ValidationError,
)
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from civicgrid.core import ratelimit
from civicgrid.core.inputs import InputError, check_date
from civicgrid.open311 import adapter
from civicgrid.open311.models import ApiClient, Open311Request
from civicgrid.open311.render import FORMATS, errors, parse_json, respond
from civicgrid.open311.services import attributes_for, service_notice, submit_request

MAX_RESULTS = 1000
DEFAULT_WINDOW = datetime.timedelta(days=90)
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]+)\]$")
# "+08:00" in an unencoded query string arrives as " 08:00".
SPACE_OFFSET = re.compile(r" (\d\d:?\d\d)$")


def _iso(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _bad_format(fmt: str):
    return errors("json", 404, _("不支持的格式“%(fmt)s”，请用 json 或 xml") % {"fmt": fmt})


def _validation_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{field}: {message}"
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [str(message) for message in error.messages]


# --- services --------------------------------------------------------------------------------------


def _service(category) -> dict:
    family = str(category.get_family_display())
    return {
        "service_code": adapter.service_code(category),
        "service_name": category.name,
        "description": f"{family} {category.parent.name} · {category.name}:"
        f"{adapter.limit_text(category)}",
        "metadata": bool(attributes_for(category)),
        "type": "realtime",
        "keywords": ",".join([category.name, category.parent.name, family]),
        "group": category.parent.name,
    }


def open311_view(view):
    """No CSRF check (nothing here uses the session cookie: without this, a DELETE or PUT got
    Django's HTML 403 page instead of the spec's error list) and an unknown format a spec 404."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, fmt, **kwargs):
        if fmt not in FORMATS:
            return _bad_format(fmt)
        return view(request, *args, fmt=fmt, **kwargs)

    return wrapper


@open311_view
def services_list(request, fmt):
    if fmt not in FORMATS:
        return _bad_format(fmt)
    if request.method != "GET":
        return _not_allowed(fmt, "GET")
    data = [_service(category) for category in adapter.services_queryset()]
    return respond(fmt, data, "services")


@open311_view
def service_definition(request, code, fmt):
    if fmt not in FORMATS:
        return _bad_format(fmt)
    if request.method != "GET":
        return _not_allowed(fmt, "GET")
    category = adapter.category_for(code)
    if category is None:
        return errors(fmt, 404, _("服务“%(code)s”不存在") % {"code": code})
    data = {"service_code": adapter.service_code(category), "attributes": attributes_for(category)}
    return respond(fmt, data, "service_definition")


# --- requests --------------------------------------------------------------------------------------


def _request_row(case) -> dict:
    extra = getattr(case, "open311_request", None)
    return {
        "service_request_id": case.number,
        "status": adapter.status_of(case),
        "status_notes": adapter.status_notes(case),
        "service_name": case.category.name,
        "service_code": adapter.service_code(case.category),
        "description": adapter.public_description(case),
        "agency_responsible": adapter.agency_responsible(case),
        "service_notice": service_notice(case.category),
        "requested_datetime": _iso(case.reported_at),
        "updated_datetime": _iso(adapter.updated_at(case)),
        "expected_datetime": _iso(case.handling_deadline),
        "address": adapter.public_address(case) or None,
        "address_id": (extra.address_id or None) if extra else None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": (extra.media_url or None) if extra else None,
    }


def _parse_when(value: str, field: str):
    value = SPACE_OFFSET.sub(r"+\1", value.strip())
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.datetime.combine(day, datetime.time.min) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError(
            {
                field: _("“%(value)s”不是 ISO 8601 日期时间（如 2026-11-23T10:00:00+08:00）")
                % {"value": value}
            }
        )
    try:
        check_date(moment, field)  # the 90-day window must not step past 9999-12-31
    except InputError as error:
        raise ValidationError({field: error.message}) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _filtered(params):
    """The requests a GET requests.json asks for (the spec's rules), or ValidationError."""
    queryset = adapter.public_requests()
    ids = (params.get("service_request_id") or "").strip()
    if ids:
        # Per the spec, ids override every other parameter.
        numbers = [n.strip() for n in ids.split(",") if n.strip()]
        if len(numbers) > MAX_RESULTS:
            raise ValidationError(
                {"service_request_id": _("一次最多查询%(n)s个编号") % {"n": MAX_RESULTS}}
            )
        return queryset.filter(number__in=numbers)
    code = (params.get("service_code") or "").strip()
    if code:
        category = adapter.category_for(code, active_only=False)
        if category is None:
            raise ValidationError({"service_code": _("服务“%(code)s”不存在") % {"code": code}})
        queryset = queryset.filter(category=category)
    statuses = {s.strip() for s in (params.get("status") or "").split(",") if s.strip()}
    unknown = statuses - {"open", "closed"}
    if unknown:
        raise ValidationError(
            {
                "status": _("状态只能是 open 或 closed，收到“%(s)s”")
                % {"s": ",".join(sorted(unknown))}
            }
        )
    if statuses == {"open"}:
        queryset = queryset.filter(status__in=adapter.OPEN)
    elif statuses == {"closed"}:
        queryset = queryset.exclude(status__in=adapter.OPEN)
    start = params.get("start_date")
    end = params.get("end_date")
    start = _parse_when(start, "start_date") if start else None
    end = _parse_when(end, "end_date") if end else None
    # The spec's default window is the last 90 days; a given range may not span more.
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - DEFAULT_WINDOW
    if end is None:
        end = start + DEFAULT_WINDOW
    if end < start:
        raise ValidationError({"end_date": _("end_date 不能早于 start_date")})
    if end - start > DEFAULT_WINDOW:
        raise ValidationError({"end_date": _("查询时间段不能超过90天")})
    return queryset.filter(reported_at__gte=start, reported_at__lte=end)


def _request_data(request):
    """(data, attributes) of a POST, form-encoded (the spec) or JSON; ValueError if unreadable."""
    if request.content_type == "application/json":
        payload = parse_json(request.body)
        if not isinstance(payload, dict):
            raise ValueError("not an object")
        items = list(payload.items())
    else:
        items = [(key, request.POST.get(key)) for key in request.POST]
    data, attributes = {}, {}
    for key, value in items:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = repr(value)
        if key == "attribute" and isinstance(value, dict):
            attributes.update(value)
            continue
        match = ATTRIBUTE_RE.match(key)
        if match:
            attributes[match[1]] = value
        else:
            data[key] = value
    return data, attributes


def _create(request, fmt):
    try:
        data, attributes = _request_data(request)
    except (RequestDataTooBig, TooManyFieldsSent):
        return errors(fmt, 400, _("请求内容过大"))
    except (ValueError, UnicodeDecodeError):
        return errors(fmt, 400, _("请求内容不是有效的 JSON 对象"))
    key = data.get("api_key") or request.GET.get("api_key")
    client = ApiClient.authenticate(key)
    if client is None:
        return errors(fmt, 403, _("api_key 无效或已停用"))
    # An extension: an Idempotency-Key header makes a retry answer the first request.
    try:
        case_key = adapter.idempotency_key(request.headers.get("Idempotency-Key"), client)
    except ValidationError as error:
        return errors(fmt, 400, _validation_messages(error))
    # A retry of a request that got through is answered, not counted by the rate limit.
    retry = case_key is not None and adapter.key_is_used(case_key)
    # The residents' intake limit, shared with the web form and the REST intake: counted per
    # client address (the api_key names an app, not a person), or per account when signed in.
    verdict = None if retry else ratelimit.hit_intake_limit(request)
    if verdict is not None and verdict.refused:
        response = errors(fmt, 429, ratelimit.refused_message(verdict))
        response["Retry-After"] = str(verdict.retry_after)
        return response
    try:
        created, is_new = submit_request(client, data, attributes, key=case_key)
    except ValidationError as error:
        return errors(fmt, 400, _validation_messages(error))
    except PermissionDenied as error:
        return errors(fmt, 403, str(error) or _("无权上报"))
    except adapter.IdempotencyConflict as error:
        return errors(fmt, 422, error.message)
    case = created.case
    body = [
        {
            "service_request_id": case.number,
            "token": created.token,
            "service_notice": service_notice(case.category),
            "account_id": None,
        }
    ]
    return respond(fmt, body, "service_requests", status=201 if is_new else 200)


@csrf_exempt  # authenticated by api_key, never by a session cookie
def requests_view(request, fmt):
    if fmt not in FORMATS:
        return _bad_format(fmt)
    if request.method == "POST":
        return _create(request, fmt)
    if request.method != "GET":
        return _not_allowed(fmt, "GET, POST")
    try:
        queryset = _filtered(request.GET)
    except ValidationError as error:
        return errors(fmt, 400, _validation_messages(error))
    data = [_request_row(case) for case in queryset[:MAX_RESULTS]]
    return respond(fmt, data, "service_requests")


@open311_view
def request_detail(request, number, fmt):
    if fmt not in FORMATS:
        return _bad_format(fmt)
    if request.method != "GET":
        return _not_allowed(fmt, "GET")
    case = adapter.public_requests().filter(number=number).first()
    if case is None:
        return errors(fmt, 404, _("服务请求“%(id)s”不存在") % {"id": number})
    return respond(fmt, [_request_row(case)], "service_requests")


@open311_view
def token_detail(request, token, fmt):
    if fmt not in FORMATS:
        return _bad_format(fmt)
    if request.method != "GET":
        return _not_allowed(fmt, "GET")
    found = Open311Request.objects.select_related("case").filter(token=token).first()
    if found is None:
        return errors(fmt, 404, _("令牌“%(token)s”不存在") % {"token": token})
    data = [{"service_request_id": found.case.number, "token": found.token}]
    return respond(fmt, data, "service_requests")


def _not_allowed(fmt, allow: str):
    response = errors(fmt, 405, _("不支持此请求方法"))
    response["Allow"] = allow
    return response
