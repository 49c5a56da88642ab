"""Open311 service definitions and the one write: a POSTed service request becomes a case.

`submit_request` validates everything an Open311 client can send, then creates the case through
the loop's own intake (cases.services.do_report via the adapter) and the Open311Request beside it
in one transaction: any bad field is a ValidationError keyed by its Open311 name, nothing written.
"""

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.core.text import field_text
from civicgrid.open311 import adapter
from civicgrid.open311.models import ApiClient, Open311Request

MAX_FIELD = 200
MAX_URL = 500

# The loop's field names → the Open311 parameter a client has to fix.
FIELD_NAMES = {
    "category": "service_code",
    "lon": "long",
    "lat": "lat",
    "address": "address_string",
    "reporter_name": "first_name",
    "reporter_phone": "phone",
    "description": "description",
    "source": "api_key",
}


def attributes_for(category) -> list[dict]:
    """The service definition's attributes (GeoReport v2 ServiceAttribute) of a category."""
    return [
        {
            "variable": True,
            "code": "request_type",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("从列表中选择一项"),
            "order": 1,
            "description": _("诉求类型（参照12345热线分类）"),
            "values": [
                {"key": value, "name": str(label)} for value, label in adapter.REQUEST_TYPES.choices
            ],
        },
        {
            "variable": True,
            "code": "photo_url",
            "datatype": "string",
            "required": False,
            "datatype_description": _("以 http:// 或 https:// 开头的链接"),
            "order": 2,
            "description": _("现场照片链接（可另外提供 media_url）"),
        },
        {
            "variable": False,
            "code": "handling_limit",
            "datatype": "text",
            "required": False,
            "datatype_description": None,
            "order": 3,
            "description": adapter.limit_text(category),
        },
    ]


def service_notice(category) -> str:
    return _("已受理，将定位到网格并按时限处置：%(limit)s") % {
        "limit": adapter.limit_text(category)
    }


def _text(data, field, label, max_length=MAX_FIELD) -> str:
    value = data.get(field)
    # A client's number or list where GeoReport wants text is refused, not turned into its repr.
    if value is not None and not isinstance(value, str):
        raise ValidationError({field: _("%(label)s必须是文本") % {"label": label}})
    return field_text(value, field, label, max_length)


def _url(value: str, field: str, label: str) -> str:
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValidationError(
            {field: _("%(label)s不是有效的 http/https 链接") % {"label": label}}
        ) from None
    return value


def _clean_attributes(category, raw: dict) -> dict:
    definitions = {a["code"]: a for a in attributes_for(category) if a["variable"]}
    cleaned = {}
    for code, value in raw.items():
        field = f"attribute[{code}]"
        definition = definitions.get(code)
        if definition is None:
            raise ValidationError({field: _("服务没有扩展属性“%(code)s”") % {"code": code}})
        if not isinstance(value, str):
            raise ValidationError({field: _("扩展属性的值必须是文本")})
        value = value.strip()
        if len(value) > MAX_URL:
            raise ValidationError({field: _("扩展属性的值不能超过%(n)s个字") % {"n": MAX_URL}})
        if not value:
            continue
        if definition["datatype"] == "singlevaluelist":
            keys = {v["key"] for v in definition["values"]}
            if value not in keys:
                raise ValidationError(
                    {
                        field: _("“%(value)s”不是可选值，可选：%(keys)s")
                        % {"value": value, "keys": ", ".join(sorted(keys))}
                    }
                )
        if code == "photo_url":
            _url(value, field, _("现场照片链接"))
        cleaned[code] = value
    for code, definition in definitions.items():
        if definition["required"] and code not in cleaned:
            raise ValidationError({f"attribute[{code}]": _("请填写此扩展属性")})
    return cleaned


def _open311_error(error: ValidationError) -> ValidationError:
    """Rename the loop's field names in a ValidationError to the Open311 parameters."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {FIELD_NAMES.get(field, field): messages for field, messages in error.message_dict.items()}
    )


def submit_request(
    client: ApiClient, data: dict, attributes: dict, key=None
) -> tuple[Open311Request, bool]:
    """A POSTed service request → a case (source Open311) and its Open311Request, atomically:
    (request, created).

    `data` maps the GeoReport parameters to strings; `attributes` the `attribute[code]` values.
    `key` is the case key of the request's Idempotency-Key (adapter.idempotency_key): a request
    with the key of an earlier one answers the earlier request and writes nothing, or raises
    adapter.IdempotencyConflict if its payload differs. Raises ValidationError (keys are Open311
    parameter names) or PermissionDenied.
    """
    code = _text(data, "service_code", "service_code", 50)
    if not code:
        raise ValidationError({"service_code": _("请提供 service_code")})
    category = adapter.category_for(code)
    if category is None:
        raise ValidationError({"service_code": _("服务“%(code)s”不存在") % {"code": code}})

    lat = _text(data, "lat", _("纬度"), 40)
    lon = _text(data, "long", _("经度"), 40)
    address = _text(data, "address_string", _("地址"))
    address_id = _text(data, "address_id", "address_id", 100)
    if not (lat or lon or address or address_id):
        raise ValidationError(
            {"lat": _("请提供位置：lat 和 long，或 address_string，或 address_id")}
        )
    email = _text(data, "email", _("电子邮箱"), 254)
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise ValidationError({"email": _("电子邮箱格式不正确")}) from None
    first_name = _text(data, "first_name", _("名"), 25)
    last_name = _text(data, "last_name", _("姓"), 25)
    phone = _text(data, "phone", _("联系电话"), 32)
    device_id = _text(data, "device_id", "device_id", 100)
    media_url = _url(_text(data, "media_url", "media_url", MAX_URL), "media_url", "media_url")
    cleaned_attributes = _clean_attributes(category, attributes)
    description = data.get("description")
    if not isinstance(description, str | None):
        raise ValidationError({"description": _("问题描述必须是文本")})

    # Chinese names are written family name first, without a space.
    if (first_name + last_name).isascii():
        name = " ".join(part for part in (first_name, last_name) if part)
    else:
        name = f"{last_name}{first_name}"
    fields = {
        "user": client.user,
        "category": category,
        "description": description,
        "lon": lon or None,
        "lat": lat or None,
        "address": address or (address_id and _("地址编号 %(id)s") % {"id": address_id}),
        "reporter_name": name,
        "reporter_phone": phone,
        "reporter_email": email,
        "is_anonymous": not name,
    }
    try:
        with transaction.atomic():
            if key is None:
                case, created = adapter.report(**fields), True
            else:
                # What the client sent (its key aside): the same request again is a retry.
                sent = {k: v for k, v in data.items() if k != "api_key"}
                fingerprint = adapter.payload_fingerprint({"data": sent, "attributes": attributes})
                case, created = adapter.report_once(
                    client_key=key, fingerprint=fingerprint, **fields
                )
            if not created:
                return Open311Request.objects.get(case=case), False
            return Open311Request.objects.create(
                case=case,
                client=client,
                media_url=media_url,
                attributes=cleaned_attributes,
                email=email,
                device_id=device_id,
                address_id=address_id,
            ), True
    except ValidationError as error:
        raise _open311_error(error) from None
