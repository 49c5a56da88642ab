"""Every change of a case: one function per action of the loop (see cases.workflow).

Each `do_*` runs in one transaction, locks the case row (select_for_update), checks the
transition table and the actor's role and scope (cases.permissions), writes one immutable
CaseEvent, sets status, timestamps and deadlines, and schedules notifications after commit.
An illegal transition raises IllegalTransition, a role or scope problem PermissionDenied, bad
input ValidationError (field → Chinese message); in every case nothing is written.

`user=None` means a trusted caller (a management command, a data generator).

Deadlines (workcalendar, working days and hours; the conventions are in workcalendar.engine):
- filing (立案+派遣): from the report, the category's filing limit in minutes — wall-clock for
  urgent categories (an emergency does not wait for office hours), working time otherwise;
- handling: from dispatch, the category's handling limit, or for a 12345 ticket with a request
  type the type's limit (咨询/建议 1, 督办 3, 求助/投诉 5, 复杂 15 working days);
- verification (核查): 1 working hour from the handler's feedback.
Suspension stops the running clocks: on resume each pending deadline moves out by the working
time paused before it (wall-clock time for an urgent filing limit).
"""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import Department
from civicgrid.cases import notifications
from civicgrid.cases.choices import (
    HOTLINE_LIMIT_DAYS,
    OPEN_STATUSES,
    CallInStatus,
    CaseAction,
    CaseSource,
    ExtensionStatus,
    HotlineRequestType,
    LimitUnit,
    Rating,
)
from civicgrid.cases.models import (
    CallIn,
    Case,
    CaseEvent,
    CaseNumberCounter,
    Category,
    ExtensionRequest,
)
from civicgrid.cases.permissions import handled_by, may_act_on, on_handling_side
from civicgrid.cases.workflow import TRANSITIONS
from civicgrid.grids.models import Grid
from civicgrid.workcalendar.services import (
    Deadline,
    add_working_days,
    add_working_hours,
    working_hours_between,
)

MAX_DESCRIPTION = 2000
MAX_NOTE = 2000
MAX_EXTENSION_DAYS = 30
VERIFICATION_LIMIT_HOURS = 1
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{5,19}$")

# Sources each role may report from; the first is the default.
SOURCES_BY_ROLE = {
    Role.RESIDENT: [CaseSource.RESIDENT],
    Role.GRID_WORKER: [CaseSource.GRID_PATROL],
    Role.GRID_LEADER: [CaseSource.GRID_PATROL],
    Role.COMMUNITY_STAFF: [CaseSource.GRID_PATROL, CaseSource.RESIDENT],
    Role.DEPT_HANDLER: [CaseSource.DEPARTMENT],
    Role.OPERATOR: [
        CaseSource.RESIDENT,
        CaseSource.HOTLINE_12345,
        CaseSource.SUPERVISION,
        CaseSource.GRID_PATROL,
        CaseSource.DEPARTMENT,
    ],
}
SOURCES_BY_ROLE[Role.ADMIN] = [*SOURCES_BY_ROLE[Role.OPERATOR], CaseSource.OPEN311]


class IllegalTransition(Exception):
    """The action is not allowed from the case's current state (nothing was changed)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- helpers -------------------------------------------------------------------------------------


def _action_label(action: str) -> str:
    return str(CaseAction(action).label)


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("category")
        .get(pk=case.pk if isinstance(case, Case) else case)
    )


def _check(case: Case, action: str, user) -> None:
    """Transition table, suspension, role and scope — in that order, before any write."""
    rule = TRANSITIONS[action]
    if case.status not in rule.sources:
        raise IllegalTransition(
            _("案件%(number)s当前状态为“%(status)s”,不能%(action)s")
            % {
                "number": case.number,
                "status": case.get_status_display(),
                "action": _action_label(action),
            }
        )
    if case.is_suspended and not rule.while_suspended:
        raise IllegalTransition(
            _("案件%(number)s已挂起,请先恢复再%(action)s")
            % {"number": case.number, "action": _action_label(action)}
        )
    if user is None:
        return
    if user.effective_role not in rule.roles:
        raise PermissionDenied(
            _("您的角色(%(role)s)不能对案件执行“%(action)s”")
            % {"role": Role(user.effective_role).label, "action": _action_label(action)}
        )
    _check_separation(case, action, user)
    if not may_act_on(user, case, action):
        raise PermissionDenied(
            _("案件%(number)s不在您的处置范围内,不能%(action)s")
            % {"number": case.number, "action": _action_label(action)}
        )


def _check_separation(case: Case, action: str, user) -> None:
    """管监分离, with its own words: the handler never checks their own handling, and nobody on
    the handling side rates the case."""
    if user is None:
        return
    if action in (CaseAction.VERIFY_PASS, CaseAction.VERIFY_FAIL) and handled_by(user, case):
        raise PermissionDenied(
            _("管监分离:您处置了案件%(number)s,不能再核查它,请由其他人员核查")
            % {"number": case.number}
        )
    if action == CaseAction.RATE and on_handling_side(user, case):
        raise PermissionDenied(
            _("处置方工作人员不能评价案件%(number)s:评价只来自报告人或12345回访")
            % {"number": case.number}
        )


def _required_text(value, field: str, label: str, max_length: int = MAX_NOTE) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: _("请填写%(label)s") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError(
            {field: _("%(label)s不能超过%(n)s个字") % {"label": label, "n": max_length}}
        )
    return text


def _optional_text(value, field: str, label: str, max_length: int = MAX_NOTE) -> str:
    text = (value or "").strip()
    if len(text) > max_length:
        raise ValidationError(
            {field: _("%(label)s不能超过%(n)s个字") % {"label": label, "n": max_length}}
        )
    return text


def _record(case, action, user, from_status, note="", data=None, at=None) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        actor=user,
        at=at or timezone.now(),
        action=action,
        from_status=from_status,
        to_status=case.status,
        note=note,
        data=data or {},
    )


def _step(case, action, user, *, note="", data=None, at=None, notify_extra=None):
    """Move to the action's target state, write the history row, schedule the messages."""
    from_status = case.status
    target = TRANSITIONS[action].target
    if target is not None:
        case.status = target
    case.save()
    event = _record(case, action, user, from_status, note, data, at)
    notifications.schedule(notifications.messages_for(case, action, **(notify_extra or {})))
    return event


def _set_deadline(case, field: str, deadline: Deadline | None):
    if deadline is None:
        setattr(case, field, None)
        return
    setattr(case, field, deadline.at)
    # The running clock decides the flag: the latest deadline set is the one being watched.
    case.calendar_published = deadline.calendar_published


def _dt(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def pause_intervals(case: Case, now=None) -> list[tuple]:
    """The case's pause intervals; a suspension still running ends at `now`."""
    pairs = [(_dt(a), _dt(b)) for a, b in case.pauses]
    if case.is_suspended and case.suspended_at:
        pairs.append((case.suspended_at, now or timezone.now()))
    return pairs


# --- deadlines -----------------------------------------------------------------------------------


def filing_deadline(category: Category, start) -> Deadline:
    minutes = category.filing_limit_minutes
    if category.is_urgent:
        return Deadline(start + datetime.timedelta(minutes=minutes), True)
    return add_working_hours(start, minutes / 60)


def handling_limit(case: Case) -> tuple[int, str]:
    """(value, unit) of the handling limit: the 12345 request type's, else the category's."""
    if case.source == CaseSource.HOTLINE_12345 and case.hotline_request_type:
        return HOTLINE_LIMIT_DAYS[case.hotline_request_type], LimitUnit.WORKING_DAYS
    return case.category.handling_limit_value, case.category.handling_limit_unit


def handling_deadline(case: Case, start) -> Deadline:
    value, unit = handling_limit(case)
    if unit == LimitUnit.WORKING_HOURS:
        return add_working_hours(start, value)
    return add_working_days(start, value)


# --- intake --------------------------------------------------------------------------------------


def _next_number(now) -> str:
    """YYYYMMDD + the day's 5-digit sequence, from a per-day counter row locked for update.

    Called as the last step before the insert, so the row lock (which serialises intakes of
    the day) is held only until the commit that follows.
    """
    day = timezone.localdate(now)
    # One statement increments and reads the counter (and takes its row lock): one round trip
    # less while the lock that serialises the day's intakes is held.
    last = _bump_counter(day)
    if last is None:
        # The day's first case: create its row (a racing first intake's insert fails on the
        # unique day inside get_or_create, which then reads the winner's row), then bump it.
        CaseNumberCounter.objects.get_or_create(day=day)
        last = _bump_counter(day)
    return f"{day:%Y%m%d}{last:05d}"


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


def _resolve_category(category) -> Category:
    if category in (None, ""):
        raise ValidationError({"category": _("请选择问题类别")})
    if not isinstance(category, Category):
        try:
            category = Category.objects.get(pk=int(category))
        except (TypeError, ValueError, Category.DoesNotExist):
            raise ValidationError(
                {"category": _("问题类别“%(value)s”不存在") % {"value": category}}
            ) from None
    if not category.is_active:
        raise ValidationError({"category": _("问题类别“%(name)s”已停用") % {"name": category.name}})
    if not category.is_leaf:
        raise ValidationError(
            {"category": _("“%(name)s”是大类,请选择具体小类") % {"name": category.name}}
        )
    return category


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


def do_report(**fields) -> Case:
    """Intake (受理); see do_report_with_event, which also returns the history row written."""
    return do_report_with_event(**fields)[0]


def do_report_with_event(
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
    at=None,
) -> tuple[Case, CaseEvent]:
    """Intake (受理): validate, locate to a micro-grid, number the case and start its clock.

    A point outside every grid (or no point) is accepted and flagged `needs_manual_location`.
    """
    category = _resolve_category(category)
    description = _required_text(description, "description", _("问题描述"), MAX_DESCRIPTION)
    address = _optional_text(address, "address", _("地址"), 200)
    lon = _coordinate(lon, "lon", _("经度"), -180, 180)
    lat = _coordinate(lat, "lat", _("纬度"), -90, 90)
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
    reporter_name = _optional_text(reporter_name, "reporter_name", _("上报人姓名"), 50)
    reporter_phone = (reporter_phone or "").strip()
    if reporter_phone and not PHONE_RE.match(reporter_phone):
        raise ValidationError({"reporter_phone": _("联系电话格式不正确")})
    if source == CaseSource.RESIDENT and user is not None and user.effective_role == Role.RESIDENT:
        if is_anonymous:
            reporter_name = ""
        elif not reporter_name:
            reporter_name = user.get_full_name() or user.username
        if not reporter_phone:
            reporter_phone = user.phone
    reporter_email = _reporter_email(reporter_email, user, source)
    if source == CaseSource.RESIDENT and is_anonymous and not reporter_phone:
        raise ValidationError({"reporter_phone": _("匿名反映请留下联系电话,以便反馈处理结果")})
    external_ticket = _optional_text(external_ticket, "external_ticket", _("外部工单号"), 64)

    now = at or timezone.now()
    located = _locate(lon, lat)
    micro_grid_id = located.id if located else None
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
    )
    _set_deadline(case, "filing_deadline", filing_deadline(category, now))
    with transaction.atomic():
        case.number = _next_number(now)
        case.save()
        event = _record(
            case,
            CaseAction.REPORT,
            user,
            "",
            data={"source": source, "needs_manual_location": case.needs_manual_location},
            at=now,
        )
    if located is not None:
        case.micro_grid = _known_grid(located, case._state.db)
    return case, event


def intake_hotline(*, user, ticket: str, **fields) -> tuple[Case, bool]:
    """A 12345 push: (case, created). The same ticket again returns the same case, writes nothing.

    Two pushes of one ticket racing each other: the unique (source, ticket) constraint lets one
    insert win; the other rolls back its savepoint and returns the winner's case.
    """
    ticket = (ticket or "").strip()
    if not ticket:
        raise ValidationError({"ticket": _("请提供12345工单号")})
    existing = Case.objects.filter(source=CaseSource.HOTLINE_12345, external_ticket=ticket).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            case = do_report(
                user=user, source=CaseSource.HOTLINE_12345, external_ticket=ticket, **fields
            )
    except IntegrityError:
        existing = Case.objects.filter(
            source=CaseSource.HOTLINE_12345, external_ticket=ticket
        ).first()
        if existing is None:
            raise
        return existing, False
    return case, True


# --- the loop ------------------------------------------------------------------------------------


def do_file(case, user, *, category=None, note: str = "") -> Case:
    """立案: the operator accepts the report as a case (may correct its category)."""
    note = _optional_text(note, "note", _("说明"))
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.FILE, user)
        data = {}
        if category not in (None, ""):
            new = _resolve_category(category)
            if new.pk != case.category_id:
                data["category"] = {"from": case.category.code, "to": new.code}
                case.category = new
        if case.hotline_request_type == HotlineRequestType.COMPLEX:
            # Filing a complex 12345 ticket is the approval of its 15-working-day limit.
            data["complex_limit_approved"] = True
        case.filed_at = timezone.now()
        _step(case, CaseAction.FILE, user, note=note, data=data, at=case.filed_at)
    return case


def do_refuse_filing(case, user, *, reason: str) -> Case:
    """不予立案, with the reason told to the reporter."""
    reason = _required_text(reason, "reason", _("不予立案理由"))
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.REFUSE_FILING, user)
        _step(case, CaseAction.REFUSE_FILING, user, note=reason)
    return case


def do_dispatch(case, user, *, department=None, to_grid: bool = False, note: str = "") -> Case:
    """派遣 to a department (default: the category's) or to the grid itself; the clock starts."""
    note = _optional_text(note, "note", _("派遣说明"))
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.DISPATCH, user)
        if to_grid:
            if case.micro_grid_id is None:
                raise ValidationError({"to_grid": _("案件尚未定位到网格,不能派给网格处置")})
            case.assigned_department = None
            case.handled_by_grid = True
            target = {"grid": case.micro_grid_id}
        else:
            if department in (None, ""):
                department = case.category.default_department
            elif not isinstance(department, Department):
                try:
                    department = Department.objects.get(pk=int(department))
                except (TypeError, ValueError, Department.DoesNotExist):
                    raise ValidationError(
                        {"department": _("处置部门“%(d)s”不存在") % {"d": department}}
                    ) from None
            if department is None:
                raise ValidationError(
                    {"department": _("该类别没有默认处置部门,请指定处置部门或派给网格")}
                )
            if not department.is_active:
                raise ValidationError(
                    {"department": _("处置部门“%(d)s”已停用") % {"d": department}}
                )
            case.assigned_department = department
            case.handled_by_grid = False
            target = {"department": department.code}
        now = timezone.now()
        case.dispatched_at = now
        _set_deadline(case, "handling_deadline", handling_deadline(case, now))
        target["handling_deadline"] = case.handling_deadline.isoformat()
        _step(case, CaseAction.DISPATCH, user, note=note, data=target, at=now)
    return case


def do_accept(case, user, *, note: str = "") -> Case:
    """接单: the department (or grid) takes the case on; 处置中."""
    note = _optional_text(note, "note", _("说明"))
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.ACCEPT, user)
        case.accepted_at = timezone.now()
        _step(case, CaseAction.ACCEPT, user, note=note, at=case.accepted_at)
    return case


def do_return(case, user, *, reason: str) -> Case:
    """退回: not ours — back to the operator for re-dispatch; the handling clock is dropped."""
    reason = _required_text(reason, "reason", _("退回理由"))
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.RETURN, user)
        data = {
            "department": case.assigned_department.code if case.assigned_department_id else None,
            "grid": case.micro_grid_id if case.handled_by_grid else None,
        }
        case.returned_count += 1
        case.assigned_department = None
        case.handled_by_grid = False
        case.handling_deadline = None
        _step(case, CaseAction.RETURN, user, note=reason, data=data)
    return case


def do_handle(case, user, *, result: str) -> Case:
    """处置反馈: the handler reports the result; verification's clock starts."""
    result = _required_text(result, "result", _("处置结果"))
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.HANDLE, user)
        now = timezone.now()
        case.handled_at = now
        case.handling_result = result
        _set_deadline(
            case, "verification_deadline", add_working_hours(now, VERIFICATION_LIMIT_HOURS)
        )
        on_time = case.handling_deadline is None or now <= case.handling_deadline
        _step(case, CaseAction.HANDLE, user, note=result, data={"on_time": on_time}, at=now)
    return case


def do_verify_pass(case, user, *, note: str = "") -> Case:
    """核查通过 → 已结案; the reporter is told and invited to rate."""
    note = _optional_text(note, "note", _("核查意见"))
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.VERIFY_PASS, user)
        case.closed_at = timezone.now()
        _step(case, CaseAction.VERIFY_PASS, user, note=note, at=case.closed_at)
    return case


def do_verify_fail(case, user, *, reason: str) -> Case:
    """核查不通过 → 返工: back to 处置中, counted; the handling deadline does not move."""
    reason = _required_text(reason, "reason", _("返工原因"))
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.VERIFY_FAIL, user)
        case.rework_count += 1
        case.verification_deadline = None
        _step(
            case,
            CaseAction.VERIFY_FAIL,
            user,
            note=reason,
            data={"rework_count": case.rework_count},
        )
    return case


def do_rate(case, user, *, rating: str, comment: str = "", token: str | None = None) -> Case:
    """评价 by the reporter (or the operator recording a call-back, or the holder of the case's
    public token). 不满意 reopens the case once: back to 处置中 with a fresh handling deadline."""
    if rating not in Rating.values:
        raise ValidationError({"rating": _("评价只能是:满意、基本满意、不满意")})
    comment = _optional_text(comment, "comment", _("评价意见"), 500)
    with transaction.atomic():
        case = _lock(case)
        if token is not None:
            if token != case.public_token:
                raise PermissionDenied(_("查询码不正确"))
            _check(case, CaseAction.RATE, None)
            # The link is the reporter's; a staff account holding it is not the reporter.
            if user is not None and user.is_authenticated and user.pk != case.reporter_user_id:
                if user.effective_role != Role.RESIDENT:
                    _check_separation(case, CaseAction.RATE, user)
                    raise PermissionDenied(_("工作人员不能通过查询码评价案件,评价只来自报告人"))
                user = None
        else:
            _check(case, CaseAction.RATE, user)
        if case.rating:
            raise IllegalTransition(_("案件%(n)s已评价,不能重复评价") % {"n": case.number})
        now = timezone.now()
        case.rating = rating
        case.rating_comment = comment
        case.rated_at = now
        _step(case, CaseAction.RATE, user, note=comment, data={"rating": rating}, at=now)
        if rating == Rating.UNSATISFIED and not case.reopened_once:
            case.reopened_once = True
            # The rating stays in the history; the case can be rated again after its next close.
            case.rating = ""
            case.rated_at = None
            case.closed_at = None
            case.handled_at = None
            case.verification_deadline = None
            case.dispatched_at = now
            _set_deadline(case, "handling_deadline", handling_deadline(case, now))
            _step(
                case,
                CaseAction.REOPEN,
                user,
                note=comment,
                data={"handling_deadline": case.handling_deadline.isoformat()},
                at=now,
            )
    return case


def do_request_extension(case, user, *, days, reason: str) -> ExtensionRequest:
    """延期申请 by the handler; one pending request at a time."""
    reason = _required_text(reason, "reason", _("延期理由"))
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationError({"days": _("延期天数必须是整数")}) from None
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError(
            {"days": _("延期天数应在1到%(n)s个工作日之间") % {"n": MAX_EXTENSION_DAYS}}
        )
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.REQUEST_EXTENSION, user)
        if case.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise IllegalTransition(_("案件%(n)s已有待审批的延期申请") % {"n": case.number})
        now = timezone.now()
        request = ExtensionRequest.objects.create(
            case=case, requested_by=user, requested_at=now, days=days, reason=reason
        )
        _step(
            case,
            CaseAction.REQUEST_EXTENSION,
            user,
            note=reason,
            data={"extension": request.pk, "days": days},
            at=now,
        )
    return request


def do_decide_extension(
    case, user, *, extension, approve: bool, note: str = ""
) -> ExtensionRequest:
    """延期审批: approval moves the handling deadline out by the requested working days."""
    note = _optional_text(note, "note", _("审批意见"), 500)
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.DECIDE_EXTENSION, user)
        try:
            request = case.extensions.select_for_update().get(
                pk=extension.pk if isinstance(extension, ExtensionRequest) else int(extension)
            )
        except (TypeError, ValueError, ExtensionRequest.DoesNotExist):
            raise ValidationError({"extension": _("该案件没有这个延期申请")}) from None
        if request.status != ExtensionStatus.PENDING:
            raise IllegalTransition(_("该延期申请已审批,不能重复审批"))
        now = timezone.now()
        request.decided_by = user
        request.decided_at = now
        request.decision_note = note
        data = {"extension": request.pk, "approved": bool(approve)}
        if approve:
            request.status = ExtensionStatus.APPROVED
            request.previous_deadline = case.handling_deadline
            base = case.handling_deadline or now
            _set_deadline(case, "handling_deadline", add_working_days(base, request.days))
            request.new_deadline = case.handling_deadline
            case.extension_count += 1
            data["handling_deadline"] = case.handling_deadline.isoformat()
        else:
            request.status = ExtensionStatus.REJECTED
        request.save()
        _step(case, CaseAction.DECIDE_EXTENSION, user, note=note, data=data, at=now)
    return request


def do_locate(case, user, *, lon, lat, note: str = "") -> Case:
    """人工定位: the operator puts the case on the map — a report outside every grid or without a
    point (needs_manual_location), or a point that was wrong. The point must lie in a micro-grid;
    the case moves to that micro-grid (and so to its grid staff) and is no longer flagged. The
    history row keeps the old and the new place."""
    lon = _coordinate(lon, "lon", _("经度"), -180, 180)
    lat = _coordinate(lat, "lat", _("纬度"), -90, 90)
    if lon is None or lat is None:
        raise ValidationError({"lon": _("请在地图上选点或填写经度和纬度")})
    note = _optional_text(note, "note", _("说明"))
    located = _locate(lon, lat)
    if located is None:
        raise ValidationError({"lon": _("该位置不在任何网格内,请重新选点")})
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.LOCATE, user)
        before = {
            "lon": case.lon,
            "lat": case.lat,
            "micro_grid": case.micro_grid.code if case.micro_grid_id else None,
        }
        case.lon, case.lat = lon, lat
        case.micro_grid_id = located.id
        case.needs_manual_location = False
        _step(
            case,
            CaseAction.LOCATE,
            user,
            note=note,
            data={"before": before, "lon": lon, "lat": lat, "micro_grid": located.code},
        )
    return case


def do_suspend(case, user, *, reason: str) -> Case:
    """挂起: the clocks stop (e.g. waiting for a court ruling or the owner's return)."""
    reason = _required_text(reason, "reason", _("挂起原因"), 500)
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.SUSPEND, user)
        now = timezone.now()
        case.is_suspended = True
        case.suspended_at = now
        case.suspension_reason = reason
        _step(case, CaseAction.SUSPEND, user, note=reason, at=now)
    return case


def _push(deadline, start, end, *, wall_clock=False):
    """A pending deadline moved out by the time paused in [start, end) before it."""
    if deadline is None or start >= deadline:
        return None
    stop = min(end, deadline)
    if wall_clock:
        return Deadline(deadline + (stop - start), True)
    paused = working_hours_between(start, stop)
    if paused <= 0:
        return None
    return add_working_hours(deadline, paused)


def do_resume(case, user, *, note: str = "") -> Case:
    """恢复: the pause is recorded and every running deadline moves out by the paused time."""
    note = _optional_text(note, "note", _("说明"))
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.RESUME, user)
        if not case.is_suspended:
            raise IllegalTransition(_("案件%(n)s未挂起,无需恢复") % {"n": case.number})
        now = timezone.now()
        start = case.suspended_at
        running = [
            # The filing limit covers 立案 and 派遣: it runs until the dispatch.
            ("filing_deadline", case.dispatched_at is None, case.category.is_urgent),
            ("handling_deadline", case.handled_at is None, False),
            ("verification_deadline", case.closed_at is None, False),
        ]
        moved = {}
        for field, pending, wall_clock in running:
            if not pending:
                continue
            new = _push(getattr(case, field), start, now, wall_clock=wall_clock)
            if new is not None:
                _set_deadline(case, field, new)
                moved[field] = new.at.isoformat()
        case.pauses = [*case.pauses, [start.isoformat(), now.isoformat()]]
        case.is_suspended = False
        case.suspended_at = None
        data = {"paused_from": start.isoformat(), "paused_to": now.isoformat(), **moved}
        _step(case, CaseAction.RESUME, user, note=note, data=data, at=now)
    return case


def do_merge(case, user, *, master, note: str = "") -> Case:
    """合并: a duplicate goes into its master case and stops; the master's history notes it."""
    note = _optional_text(note, "note", _("合并说明"))
    master_pk = master.pk if isinstance(master, Case) else master
    with transaction.atomic():
        # Lock both rows in primary-key order so two merges can never deadlock.
        pks = sorted({case.pk if isinstance(case, Case) else case, master_pk})
        locked = {
            c.pk: c
            for c in Case.objects.select_for_update(of=("self",))
            .select_related("category")
            .filter(pk__in=pks)
            .order_by("pk")
        }
        duplicate = locked.get(case.pk if isinstance(case, Case) else case)
        master = locked.get(master_pk)
        if duplicate is None or master is None:
            raise ValidationError({"master": _("主案件不存在")})
        if duplicate.pk == master.pk:
            raise ValidationError({"master": _("不能把案件合并到它自己")})
        _check(duplicate, CaseAction.MERGE, user)
        if master.status not in OPEN_STATUSES:
            raise IllegalTransition(
                _("主案件%(n)s状态为“%(s)s”,不能接收合并")
                % {"n": master.number, "s": master.get_status_display()}
            )
        now = timezone.now()
        duplicate.merged_into = master
        _step(duplicate, CaseAction.MERGE, user, note=note, data={"master": master.number}, at=now)
        master.save(update_fields=["updated_at"])
        _record(
            master,
            CaseAction.MERGE_RECEIVE,
            user,
            master.status,
            note=note,
            data={"duplicate": duplicate.number},
            at=now,
        )
    return duplicate


def _is_overdue(case, now) -> bool:
    if case.dispatched_at is None and case.filing_deadline and now > case.filing_deadline:
        return True
    return bool(case.handled_at is None and case.handling_deadline and now > case.handling_deadline)


def do_start_call_in(case, user, *, reason: str, departments, meeting_at=None) -> CallIn:
    """基层约请: the community escalates an overdue or cross-department case to the street."""
    reason = _required_text(reason, "reason", _("约请事由"))
    ids = []
    for value in departments or []:
        try:
            ids.append(value.pk if isinstance(value, Department) else int(value))
        except (TypeError, ValueError):
            raise ValidationError({"departments": _("部门“%(d)s”不存在") % {"d": value}}) from None
    chosen = list(Department.objects.filter(pk__in=ids, is_active=True))
    if not ids:
        raise ValidationError({"departments": _("请选择约请的部门")})
    if len(chosen) != len(set(ids)):
        raise ValidationError({"departments": _("约请的部门不存在或已停用")})
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.START_CALL_IN, user)
        now = timezone.now()
        if not (_is_overdue(case, now) or len(chosen) >= 2):
            raise ValidationError(
                {"departments": _("基层约请限于超期案件或需要两个以上部门协同的案件")}
            )
        if case.call_ins.filter(status=CallInStatus.OPEN).exists():
            raise IllegalTransition(_("案件%(n)s已有进行中的基层约请") % {"n": case.number})
        call_in = CallIn.objects.create(
            case=case, requested_by=user, requested_at=now, reason=reason, meeting_at=meeting_at
        )
        call_in.departments.set(chosen)
        codes = sorted(d.code for d in chosen)
        _step(
            case,
            CaseAction.START_CALL_IN,
            user,
            note=reason,
            data={"call_in": call_in.pk, "departments": codes},
            at=now,
            notify_extra={"departments": sorted(d.pk for d in chosen)},
        )
    return call_in


def do_record_call_in_outcome(case, user, *, call_in, outcome: str, meeting_at=None) -> CallIn:
    """The street records the meeting and its outcome; the call-in is concluded."""
    outcome = _required_text(outcome, "outcome", _("约请结果"))
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.RECORD_CALL_IN_OUTCOME, user)
        try:
            record = case.call_ins.select_for_update().get(
                pk=call_in.pk if isinstance(call_in, CallIn) else int(call_in)
            )
        except (TypeError, ValueError, CallIn.DoesNotExist):
            raise ValidationError({"call_in": _("该案件没有这个基层约请")}) from None
        if record.status != CallInStatus.OPEN:
            raise IllegalTransition(_("该基层约请已办结"))
        now = timezone.now()
        record.outcome = outcome
        record.meeting_at = meeting_at or record.meeting_at or now
        record.status = CallInStatus.CONCLUDED
        record.concluded_by = user
        record.concluded_at = now
        record.save()
        _step(
            case,
            CaseAction.RECORD_CALL_IN_OUTCOME,
            user,
            note=outcome,
            data={"call_in": record.pk},
            at=now,
        )
    return record


def reveal_reporter_phone(case, user, *, channel: str = "api") -> str:
    """The reporter's full phone for a call-back; roles with full personal-data view only, within
    their scope, and every view is logged in the case's history (action 查看上报人完整电话)."""
    from civicgrid.cases.permissions import scope_cases

    if user is None or not user.is_authenticated or not user.may_view_full_pii:
        raise PermissionDenied(_("您的角色无权查看上报人的完整电话"))
    if not scope_cases(Case.objects.filter(pk=case.pk), user).exists():
        raise PermissionDenied(_("案件%(n)s不在您的范围内") % {"n": case.number})
    with transaction.atomic():
        case = Case.objects.get(pk=case.pk)
        _record(case, CaseAction.REVEAL_PHONE, user, case.status, data={"channel": channel})
    return case.reporter_phone
