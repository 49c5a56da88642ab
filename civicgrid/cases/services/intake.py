"""Intake (上报): validation, locating, numbering, the 12345 push."""

import datetime
import hashlib
import json
import secrets
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.choices import Role
from civicgrid.cases import category_cache
from civicgrid.cases.choices import (
    CaseAction,
    CaseSource,
    HotlineRequestType,
)
from civicgrid.cases.models import (
    Case,
    CaseNumberCounter,
    Category,
)
from civicgrid.cases.services import photos as step_photos
from civicgrid.cases.services.checks import (
    MAX_DESCRIPTION,
    PHONE_RE,
    SOURCES_BY_ROLE,
    Done,
    _optional_text,
    _record,
    _required_text,
    _set_deadline,
)
from civicgrid.cases.services.clocks import filing_deadline, handling_deadline
from civicgrid.cases.workflow import TRANSITIONS
from civicgrid.core.masking import normalize_phone
from civicgrid.grids.models import Grid
from civicgrid.workcalendar.services import get_calendar, revision_key_with

# The fields' names in do_report's messages: translated only when a message is made.
_DESCRIPTION = gettext_lazy("问题描述")
_ADDRESS = gettext_lazy("地址")
_LON = gettext_lazy("经度")
_LAT = gettext_lazy("纬度")
_REPORTER_NAME = gettext_lazy("上报人姓名")
_EXTERNAL_TICKET = gettext_lazy("外部工单号")


def _format_number(day, last: int) -> str:
    return f"{day:%Y%m%d}{last:05d}"


def _create_counter(day) -> None:
    CaseNumberCounter.objects.get_or_create(day=day)


def _bump_counter(day) -> int | None:
    """UPDATE … SET last = last + 1 … RETURNING last for the day's row; None if it has none."""
    meta = CaseNumberCounter._meta
    quote = connection.ops.quote_name
    last = quote(meta.get_field("last").column)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {last} = {last} + 1 "
        f"WHERE {quote(meta.get_field('day').column)} = %s RETURNING {last}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datefield_value(day)])
        row = cursor.fetchone()
    return row[0] if row else None


def _placeholder_number() -> str:
    """The stand-in `number` a report is inserted with: unique (the column is), never a real
    number's shape (13 digits), replaced by _number_late before the commit — no other
    transaction ever sees it."""
    return "~" + secrets.token_hex(9)


def _number_late(case, now) -> str:
    """YYYYMMDD + the day's 5-digit sequence, gap-free: bump the day's counter and write the
    number into the inserted case (on PostgreSQL in one statement, one round trip); returns
    the number. The counter's row lock, which serialises the day's intakes, is taken here — the
    intake's last statement — and held only to the commit. The day's first case creates the
    counter's row (a racing first intake's insert fails on the unique day inside
    get_or_create, which then reads the winner's row) and bumps it again."""
    day = timezone.localdate(now)
    bump = _bump_counter_into if connection.vendor == "postgresql" else _bump_counter_then_number
    number = bump(case.pk, day)
    if number is None:
        _create_counter(day)
        number = bump(case.pk, day)
    return number


def _bump_counter_into(case_pk, day) -> str | None:
    """WITH n AS (UPDATE the day's counter … RETURNING last) UPDATE the case SET number = the
    day + last, zero-padded to 5 digits (more past 99,999, as _format_number); None when the
    day has no counter row yet (nothing is written then)."""
    counter, case = CaseNumberCounter._meta, Case._meta
    quote = connection.ops.quote_name
    last = quote(counter.get_field("last").column)
    number = quote(case.get_field("number").column)
    sql = (
        f"WITH n AS (UPDATE {quote(counter.db_table)} SET {last} = {last} + 1 "
        f"WHERE {quote(counter.get_field('day').column)} = %s RETURNING {last}) "
        f"UPDATE {quote(case.db_table)} SET {number} = "
        f"%s || lpad(n.{last}::text, greatest(5, length(n.{last}::text)), '0') "
        f"FROM n WHERE {quote(case.db_table)}.{quote(case.pk.column)} = %s "
        f"RETURNING {quote(case.db_table)}.{number}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datefield_value(day), f"{day:%Y%m%d}", case_pk])
        row = cursor.fetchone()
    return row[0] if row else None


def _bump_counter_then_number(case_pk, day) -> str | None:
    """_bump_counter_into in two statements, for a database without UPDATE inside WITH
    (SQLite, whose writers are serialised by the database's lock anyway)."""
    last = _bump_counter(day)
    if last is None:
        return None
    number = _format_number(day, last)
    Case._base_manager.filter(pk=case_pk).update(number=number)
    return number


def _resolve_category(category) -> Category:
    if category in (None, ""):
        raise ValidationError({"category": _("请选择问题类别")})
    if not isinstance(category, Category):
        # This process's copy (cases.category_cache), checked against its revision in the same
        # read of the shared cache as the calendar's revision: no query. The calendar's
        # revision comes with it: filing_deadline needs no query of its own (_calendar_of).
        calendar_key, cached = revision_key_with([category_cache.REVISION_KEY])
        try:
            found = category_cache.get(int(category), cached.get(category_cache.REVISION_KEY))
        except (TypeError, ValueError, OverflowError):
            found = None
        if found is None:
            raise ValidationError(
                {"category": _("问题类别“%(value)s”不存在") % {"value": category}}
            )
        category = found
        category.cal_revision, category.cal_token = calendar_key
    if not category.is_active:
        raise ValidationError({"category": _("问题类别“%(name)s”已停用") % {"name": category.name}})
    if not category.is_leaf:
        raise ValidationError(
            {"category": _("“%(name)s”是大类，请选择具体小类") % {"name": category.name}}
        )
    return category


def _calendar_of(category):
    """The calendar snapshot at the revision read with the category (_resolve_category), or None
    (a Category instance the caller passed: filing_deadline reads the revision itself)."""
    if not hasattr(category, "cal_revision"):
        return None
    return get_calendar(key=(category.cal_revision, category.cal_token))


def _coordinate(value, field, label, low, high):
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError({field: _("%(label)s必须是数字") % {"label": label}}) from None
    if not (low <= number <= high):  # also rejects NaN
        raise ValidationError(
            {
                field: _("%(label)s应在%(low)s到%(high)s之间")
                % {"label": label, "low": low, "high": high}
            }
        )
    return number


def _locate(lon, lat):
    """The locator's reference (id, code, name, level) of the micro-grid holding the point."""
    from civicgrid.grids.locator import locate_point

    if lon is None or lat is None:
        return None
    found = locate_point(lon, lat)
    return found.micro_grid if found else None


def _known_grid(ref, db) -> Grid:
    """The located micro-grid as a Grid with the fields the locator already holds (id, code,
    name, level) and the others deferred — read from the database only if something asks for
    them — so that the intake's answer needs no query for its grid."""
    known = {"id": ref.id, "code": ref.code, "name": ref.name, "level": ref.level}
    names = [f.attname for f in Grid._meta.concrete_fields if f.attname in known]
    return Grid.from_db(db, names, [known[name] for name in names])


def _reporter_email(value, user, source) -> str:
    """The address the reporter is told at (notifications' e-mail channel); a resident reporting
    under their own account is told at the account's address unless they give another."""
    value = (value or "").strip()
    if value:
        if len(value) > 254:
            raise ValidationError({"reporter_email": _("电子邮箱不能超过254个字符")})
        try:
            EmailValidator()(value)
        except ValidationError:
            raise ValidationError({"reporter_email": _("电子邮箱格式不正确")}) from None
        return value
    if source == CaseSource.RESIDENT and user is not None and user.effective_role == Role.RESIDENT:
        return user.email or ""
    return ""


def do_report(
    *,
    user,
    category,
    description,
    source: str = "",
    lon=None,
    lat=None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    is_anonymous: bool = False,
    external_ticket: str = "",
    hotline_request_type: str = "",
    hotline_dispatched_at=None,
    hotline_deadline=None,
    photos=(),
    kind: str = step_photos.BEFORE,
    client_key=None,
    client_fingerprint: str = "",
    micro_grid=None,
    now=None,
) -> Done:
    """Intake (受理): validate, locate to a micro-grid, number the case and start its clock;
    the reporter's photos (处置前) are stored with the report, all or nothing.

    The case is numbered last (_number_late): the receivers of case_changed and the photo store
    see it under a stand-in number (they go by its pk); the caller gets the real one.

    A point outside every grid (or no point) is accepted and flagged `needs_manual_location`,
    unless the desk picked the `micro_grid` itself (a caller who names the place, no point).
    `user=None` is a trusted caller (a visitor's web form, Open311, a data generator).
    """
    category = _resolve_category(category)
    description = _required_text(description, "description", _DESCRIPTION, MAX_DESCRIPTION)
    address = _optional_text(address, "address", _ADDRESS, 200)
    lon = _coordinate(lon, "lon", _LON, -180, 180)
    lat = _coordinate(lat, "lat", _LAT, -90, 90)
    if (lon is None) != (lat is None):
        raise ValidationError({"lon": _("经度和纬度须同时填写")})
    if user is not None:
        role = user.effective_role
        allowed = SOURCES_BY_ROLE.get(role, [])
        if role not in TRANSITIONS[CaseAction.REPORT].roles or not allowed:
            raise PermissionDenied(_("您的角色不能上报问题"))
        source = source or allowed[0]
        if source not in allowed:
            raise ValidationError(
                {"source": _("您的角色不能以“%(s)s”渠道上报") % {"s": CaseSource(source).label}}
                if source in CaseSource.values
                else {"source": _("未知的来源“%(s)s”") % {"s": source}}
            )
    elif source not in CaseSource.values:
        raise ValidationError({"source": _("未知的来源“%(s)s”") % {"s": source}})
    if hotline_request_type and hotline_request_type not in HotlineRequestType.values:
        raise ValidationError(
            {"hotline_request_type": _("未知的诉求类型“%(t)s”") % {"t": hotline_request_type}}
        )
    if hotline_request_type and source != CaseSource.HOTLINE_12345:
        raise ValidationError({"hotline_request_type": _("诉求类型只用于12345工单")})
    if (hotline_dispatched_at or hotline_deadline) and source != CaseSource.HOTLINE_12345:
        raise ValidationError({"dispatched_at": _("派单时间和办理期限只用于12345工单")})
    reporter_name = _optional_text(reporter_name, "reporter_name", _REPORTER_NAME, 50)
    reporter_phone = (reporter_phone or "").strip()
    if reporter_phone and not PHONE_RE.match(reporter_phone):
        raise ValidationError({"reporter_phone": _("联系电话格式不正确")})
    # Stored as digits (core.masking.normalize_phone): found, compared and masked one way.
    reporter_phone = normalize_phone(reporter_phone)
    if source == CaseSource.RESIDENT and user is not None and user.effective_role == Role.RESIDENT:
        if is_anonymous:
            reporter_name = ""
        elif not reporter_name:
            reporter_name = user.get_full_name() or user.username
        if not reporter_phone:
            reporter_phone = normalize_phone(user.phone)
    reporter_email = _reporter_email(reporter_email, user, source)
    if source == CaseSource.RESIDENT and is_anonymous and not reporter_phone:
        raise ValidationError({"reporter_phone": _("匿名反映请留下联系电话，以便反馈处理结果")})
    external_ticket = _optional_text(external_ticket, "external_ticket", _EXTERNAL_TICKET, 64)
    if external_ticket:
        taken = (
            Case.objects.filter(source=source, external_ticket=external_ticket)
            .values_list("number", flat=True)
            .first()
        )
        if taken is not None:
            raise ValidationError(
                {
                    "external_ticket": _("工单号%(t)s已登记为案件%(n)s，请勿重复登记")
                    % {"t": external_ticket, "n": taken}
                }
            )
    uploads = step_photos.prepared(photos)

    picked = _picked_micro_grid(micro_grid)
    now = now or timezone.now()
    located = _locate(lon, lat)
    micro_grid_id = located.id if located else None
    if micro_grid_id is None and picked is not None:
        micro_grid_id = picked.pk
    case = Case(
        source=source,
        external_ticket=external_ticket,
        category=category,
        hotline_request_type=hotline_request_type,
        description=description,
        lon=lon,
        lat=lat,
        address=address,
        micro_grid_id=micro_grid_id,
        needs_manual_location=micro_grid_id is None,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        reporter_email=reporter_email,
        reporter_user=user,
        is_anonymous=bool(is_anonymous),
        reported_at=now,
        client_key=_client_key(client_key),
        client_fingerprint=client_fingerprint or "",
    )
    _set_deadline(case, "filing_deadline", filing_deadline(category, now, _calendar_of(category)))
    _start_hotline_clock(case, hotline_dispatched_at, hotline_deadline, now)
    with step_photos.atomic():
        case.number = _placeholder_number()
        case.save()
        event = _record(
            case,
            CaseAction.REPORT,
            user,
            "",
            data={"source": source, "needs_manual_location": case.needs_manual_location},
            at=now,
        )
        stored = step_photos.store(case, event, user, uploads, kind)
        # The last statement of the intake's transaction: concurrent intakes queue on the
        # day's counter only from here to the commit. What ran before it (the receivers of
        # case_changed, the photos) saw the stand-in number.
        case.number = _number_late(case, now)
    if located is not None:
        case.micro_grid = _known_grid(located, case._state.db)
    return Done(case, event, photos=stored)


def _picked_micro_grid(value):
    """A micro-grid the desk picked (a Grid or its id), or None."""
    from civicgrid.grids.choices import GridLevel

    if value in (None, ""):
        return None
    try:
        pk = value.pk if isinstance(value, Grid) else int(value)
        return Grid.objects.only("pk", "level").get(pk=pk, level=GridLevel.MICRO_GRID)
    except (TypeError, ValueError, Grid.DoesNotExist):
        raise ValidationError({"micro_grid": _("微网格“%(g)s”不存在") % {"g": value}}) from None


def _client_key(value):
    """The phone's idempotency key of a report (a UUID), or None."""
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise ValidationError(
            {"client_key": _("提交标识格式不正确，请刷新页面后重新提交")}
        ) from None


# Idempotency-Key (IETF draft "The Idempotency-Key HTTP Header Field") on the API's and
# Open311's intake. The header's value is the client's string; the case stores a UUID derived
# from it and its sender (uuid5), so any string a client uses works, and two clients' keys
# never meet.
IDEMPOTENCY_NAMESPACE = uuid.UUID("5b0f3c2e-8a61-4c47-9d0e-6f1d2a7c9e34")
MAX_IDEMPOTENCY_KEY = 255


class IdempotencyConflict(Exception):
    """The Idempotency-Key of an earlier request, sent with another payload (HTTP 422)."""

    def __init__(self, case: Case):
        super().__init__(_("该 Idempotency-Key 已用于另一内容的上报，请为新的上报使用新的键"))
        self.case = case
        self.message = str(self.args[0])


def idempotency_key(value, sender: str):
    """The Case.client_key of an Idempotency-Key header `value` sent by `sender` ("api:<user
    id>", "open311:<client id>"), or None without a header. The value is printable ASCII of at
    most 255 characters (a structured-field string's quotes are taken off); anything else is a
    ValidationError keyed "Idempotency-Key"."""
    if value is None:
        return None
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value or len(value) > MAX_IDEMPOTENCY_KEY or not all(" " <= c <= "~" for c in value):
        raise ValidationError(
            {
                "Idempotency-Key": _(
                    "Idempotency-Key 须为1到%(n)s个可打印 ASCII 字符（建议使用 UUID）"
                )
                % {"n": MAX_IDEMPOTENCY_KEY}
            }
        )
    return uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{sender}\n{value}")


def payload_fingerprint(payload) -> str:
    """SHA-256 of a request's payload, keys sorted: the same request gives the same value."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def report_once(*, user, client_key, fingerprint: str = "", **fields) -> tuple[Case, bool]:
    """do_report for a report a client may send more than once (a phone's offline queue, an API
    or Open311 client retrying after a lost answer): (case, created). The same key again
    answers the case the first send created and writes nothing; a key without a case behaves as
    do_report. With a `fingerprint` (payload_fingerprint), the same key with another payload is
    an IdempotencyConflict.

    Two sends racing each other: the unique key lets one insert win; the other rolls back its
    savepoint and answers the winner's case. A key belongs to its sender: another account's
    key is refused rather than answered with somebody else's case.
    """
    key = _client_key(client_key)
    if key is None:
        return do_report(user=user, **fields).case, True

    def existing():
        case = Case.objects.filter(client_key=key).first()
        if case is None:
            return None
        if case.reporter_user_id != (user.pk if user else None):
            raise ValidationError({"client_key": _("提交标识已被使用，请刷新页面后重新提交")})
        if fingerprint and case.client_fingerprint and fingerprint != case.client_fingerprint:
            raise IdempotencyConflict(case)
        return case

    found = existing()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            case = do_report(
                user=user, client_key=key, client_fingerprint=fingerprint, **fields
            ).case
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found, False
    return case, True


def _start_hotline_clock(case, dispatched_at, deadline, now) -> None:
    """The hotline's clock of a 12345 ticket (cases.clock.HOTLINE): from the hotline's dispatch
    time to the deadline it pushed; a push with a dispatch time and no deadline gets the
    request type's limit from that time, one with a deadline and no dispatch time starts now."""
    if dispatched_at is None and deadline is None:
        return
    dispatched_at = dispatched_at or now
    if dispatched_at > now + datetime.timedelta(minutes=5):
        raise ValidationError({"dispatched_at": _("派单时间不能晚于当前时间")})
    if deadline is None:
        deadline = handling_deadline(case, dispatched_at).at
    elif deadline <= dispatched_at:
        raise ValidationError({"deadline": _("办理期限必须晚于派单时间")})
    case.hotline_dispatched_at = dispatched_at
    case.hotline_deadline = deadline
    case.handling_deadline = deadline


def intake_hotline(*, user, ticket: str, **fields) -> tuple[Case, bool]:
    """A 12345 push: (case, created). The same ticket again returns the same case, writes nothing
    (so there is no history row to return: not a `do_*`).

    Two pushes of one ticket racing each other: the unique (source, ticket) constraint lets one
    insert win; the other rolls back its savepoint and returns the winner's case.
    """
    ticket = (ticket or "").strip()
    if not ticket:
        raise ValidationError({"ticket": _("请提供12345工单号")})
    existing = Case.objects.filter(source=CaseSource.HOTLINE_12345, external_ticket=ticket).first()
    if existing is not None:
        return _hotline_clock_of_push(existing, user, fields), False
    try:
        with transaction.atomic():
            case = do_report(
                user=user, source=CaseSource.HOTLINE_12345, external_ticket=ticket, **fields
            ).case
    except (IntegrityError, ValidationError) as exc:
        if isinstance(exc, ValidationError) and "external_ticket" not in getattr(
            exc, "error_dict", {}
        ):
            raise
        existing = Case.objects.filter(
            source=CaseSource.HOTLINE_12345, external_ticket=ticket
        ).first()
        if existing is None:
            raise
        return existing, False
    return case, True


def _hotline_clock_of_push(case, user, fields) -> Case:
    """A push of a ticket the desk typed in by hand before the hotline's push arrived: the
    push's clock (dispatch time, deadline, request type) is written into that case once — a
    history row says so — and the case keeps everything else the desk entered. A ticket that
    already runs the hotline's clock is left alone (the same push again writes nothing)."""
    from civicgrid.cases.services.checks import _lock, _step

    dispatched_at = fields.get("hotline_dispatched_at")
    deadline = fields.get("hotline_deadline")
    request_type = fields.get("hotline_request_type") or ""
    new_type = bool(request_type) and not case.hotline_request_type
    if case.hotline_deadline is not None or not (dispatched_at or deadline or new_type):
        return case
    if request_type and request_type not in HotlineRequestType.values:
        raise ValidationError(
            {"hotline_request_type": _("未知的诉求类型“%(t)s”") % {"t": request_type}}
        )
    now = timezone.now()
    with transaction.atomic():
        case = _lock(case)
        if case.hotline_deadline is not None:
            return case
        data = {}
        if new_type:
            case.hotline_request_type = request_type
            data["hotline_request_type"] = request_type
        if dispatched_at or deadline:
            _start_hotline_clock(case, dispatched_at, deadline, now)
            data["hotline_dispatched_at"] = case.hotline_dispatched_at.isoformat()
            data["hotline_deadline"] = case.hotline_deadline.isoformat()
        _step(case, CaseAction.HOTLINE_CLOCK, user, data=data, at=now)
    return case
