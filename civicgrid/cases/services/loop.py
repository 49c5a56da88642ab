"""The main loop: 立案 → 派遣 → 接单/退回 → 处置 → 核查 → 结案 → 评价."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import Department
from civicgrid.accounts.policy import RETURN_VISIT_ROLES
from civicgrid.cases.choices import (
    SATISFIED_RATINGS,
    CaseAction,
    CaseStatus,
    MediationOutcome,
    Rating,
    RatingChannel,
)
from civicgrid.cases.models import CaseEvent, CaseRating
from civicgrid.cases.services import photos as step_photos
from civicgrid.cases.services.checks import (
    VERIFICATION_LIMIT_HOURS,
    Done,
    IllegalTransition,
    _check,
    _check_separation,
    _lock,
    _optional_text,
    _required_text,
    _set_deadline,
    _step,
)
from civicgrid.cases.services.clocks import handling_deadline
from civicgrid.cases.services.control import (
    assign_co_handlers,
    cancel_open_co_handlings,
    check_co_handlers_done,
    chosen_co_departments,
)
from civicgrid.cases.services.hotline import queue_reply
from civicgrid.cases.services.intake import _resolve_category
from civicgrid.workcalendar.services import (
    add_working_hours,
)


def do_file(case, user, *, category=None, note: str = "", now=None) -> Done:
    """立案: the operator accepts the report as a case (may correct its category)."""
    note = _optional_text(note, "note", _("说明"))
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.FILE, user)
        data = {}
        if category not in (None, ""):
            new = _resolve_category(category)
            if new.pk != case.category_id:
                data["category"] = {"from": case.category.code, "to": new.code}
                case.category = new
        case.filed_at = now
        event = _step(case, CaseAction.FILE, user, note=note, data=data, at=now)
    return Done(case, event)


def do_refuse_filing(case, user, *, reason: str, now=None) -> Done:
    """不予立案, with the reason told to the reporter."""
    reason = _required_text(reason, "reason", _("不予立案理由"))
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.REFUSE_FILING, user)
        event = _step(case, CaseAction.REFUSE_FILING, user, note=reason, at=now)
    return Done(case, event)


def do_dispatch(
    case,
    user,
    *,
    department=None,
    to_grid: bool = False,
    note: str = "",
    co_departments=(),
    now=None,
) -> Done:
    """派遣 to a department (default: the category's) or to the grid itself; the clock starts.
    `co_departments` (协办) help the lead department (主办): each gives its own feedback before
    the lead's 处置反馈 (cases.services.control)."""
    note = _optional_text(note, "note", _("派遣说明"))
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.DISPATCH, user)
        if to_grid:
            if case.micro_grid_id is None:
                raise ValidationError({"to_grid": _("案件尚未定位到网格，不能派给网格处置")})
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
                    {"department": _("该类别没有默认处置部门，请指定处置部门或派给网格")}
                )
            if not department.is_active:
                raise ValidationError(
                    {"department": _("处置部门“%(d)s”已停用") % {"d": department}}
                )
            case.assigned_department = department
            case.handled_by_grid = False
            target = {"department": department.code}
        chosen = chosen_co_departments(co_departments, None if to_grid else department)
        if chosen:
            target["co_departments"] = assign_co_handlers(case, chosen, now)
        case.dispatched_at = now
        if case.hotline_deadline is None:
            _set_deadline(case, "handling_deadline", handling_deadline(case, now))
        # else: a 12345 ticket keeps the hotline's clock (cases.clock.HOTLINE); no restart.
        target["handling_deadline"] = case.handling_deadline.isoformat()
        event = _step(
            case,
            CaseAction.DISPATCH,
            user,
            note=note,
            data=target,
            at=now,
            notify_extra={"co_departments": [d.pk for d in chosen]} if chosen else None,
        )
    return Done(case, event)


def do_accept(case, user, *, note: str = "", now=None) -> Done:
    """接单: the department (or grid) takes the case on; 处置中."""
    note = _optional_text(note, "note", _("说明"))
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.ACCEPT, user)
        case.accepted_at = now
        event = _step(case, CaseAction.ACCEPT, user, note=note, at=now)
    return Done(case, event)


def do_return(case, user, *, reason: str, now=None) -> Done:
    """退回: not ours — back to the operator for re-dispatch (co-handlers' open parts end). The
    handling clock keeps running in 待派遣 (cases.clock: a returned case is not forgotten); the
    re-dispatch starts a new one — a 12345 ticket keeps the hotline's throughout."""
    reason = _required_text(reason, "reason", _("退回理由"))
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.RETURN, user)
        data = {
            "department": case.assigned_department.code if case.assigned_department_id else None,
            "department_name": (
                case.assigned_department.name if case.assigned_department_id else None
            ),
            "grid": case.micro_grid_id if case.handled_by_grid else None,
        }
        cancelled = cancel_open_co_handlings(case)
        if cancelled:
            data["co_cancelled"] = cancelled
        case.returned_count += 1
        case.assigned_department = None
        case.handled_by_grid = False
        case.accepted_at = None
        event = _step(case, CaseAction.RETURN, user, note=reason, data=data, at=now)
    return Done(case, event)


def do_handle(
    case,
    user,
    *,
    result: str,
    mediation_outcome: str = "",
    photos=(),
    kind: str = step_photos.AFTER,
    now=None,
) -> Done:
    """处置反馈: the handler reports the result (with 处置后 photos); verification's clock
    starts. A case of a category that records a mediation (矛盾纠纷) needs its outcome (调解成功,
    调解不成功, 转办); other cases take none."""
    result = _required_text(result, "result", _("处置结果"))
    mediation_outcome = (mediation_outcome or "").strip()
    if mediation_outcome and mediation_outcome not in MediationOutcome.values:
        raise ValidationError(
            {"mediation_outcome": _("调解结果只能是：调解成功、调解不成功、转办")}
        )
    uploads = step_photos.prepared(photos)
    now = now or timezone.now()
    with step_photos.atomic():
        case = _lock(case)
        _check(case, CaseAction.HANDLE, user)
        check_co_handlers_done(case)
        if case.category.needs_mediation_outcome and not mediation_outcome:
            raise ValidationError({"mediation_outcome": _("矛盾纠纷须填写调解结果")})
        if mediation_outcome and not case.category.needs_mediation_outcome:
            raise ValidationError(
                {"mediation_outcome": _("“%(c)s”类案件不记录调解结果") % {"c": case.category.name}}
            )
        case.handled_at = now
        case.handling_result = result
        case.mediation_outcome = mediation_outcome
        _set_deadline(
            case, "verification_deadline", add_working_hours(now, VERIFICATION_LIMIT_HOURS)
        )
        on_time = case.handling_deadline is None or now <= case.handling_deadline
        data = {"on_time": on_time}
        if mediation_outcome:
            data["mediation_outcome"] = mediation_outcome
        event = _step(case, CaseAction.HANDLE, user, note=result, data=data, at=now)
        stored = step_photos.store(case, event, user, uploads, kind)
    return Done(case, event, photos=stored)


def _resolved(value, default):
    """是否解决 as given (True/False; None: `default`)."""
    if value is None or value == "":
        return default
    if not isinstance(value, bool):
        raise ValidationError({"resolved": _("“问题是否解决”只能填是或否")})
    return value


def do_verify_pass(
    case,
    user,
    *,
    note: str = "",
    resolved: bool | None = True,
    photos=(),
    kind: str = step_photos.OTHER,
    now=None,
) -> Done:
    """核查通过 → 已结案 (with photos of the site as found); the checker answers "问题是否解决"
    (default yes: a case can pass its check with the problem left, e.g. beyond the street's
    power); the reporter is told and invited to rate."""
    note = _optional_text(note, "note", _("核查意见"))
    resolved = _resolved(resolved, True)
    uploads = step_photos.prepared(photos)
    now = now or timezone.now()
    with step_photos.atomic():
        case = _lock(case)
        _check(case, CaseAction.VERIFY_PASS, user)
        case.closed_at = now
        case.resolved = resolved
        event = _step(
            case, CaseAction.VERIFY_PASS, user, note=note, data={"resolved": resolved}, at=now
        )
        queue_reply(case, now)
        stored = step_photos.store(case, event, user, uploads, kind)
    return Done(case, event, photos=stored)


def do_verify_fail(
    case, user, *, reason: str, photos=(), kind: str = step_photos.OTHER, now=None
) -> Done:
    """核查不通过 → 返工 (with photos of what is still wrong): back to 处置中, counted; the
    handling deadline does not move."""
    reason = _required_text(reason, "reason", _("返工原因"))
    uploads = step_photos.prepared(photos)
    now = now or timezone.now()
    with step_photos.atomic():
        case = _lock(case)
        _check(case, CaseAction.VERIFY_FAIL, user)
        case.rework_count += 1
        case.verification_deadline = None
        event = _step(
            case,
            CaseAction.VERIFY_FAIL,
            user,
            note=reason,
            data={"rework_count": case.rework_count},
            at=now,
        )
        stored = step_photos.store(case, event, user, uploads, kind)
    return Done(case, event, photos=stored)


def _closures(case) -> int:
    """How many times the case has been closed (结案): rows entering 已结案 from another state."""
    return max(
        CaseEvent.objects.filter(case=case, to_status=CaseStatus.CLOSED)
        .exclude(from_status=CaseStatus.CLOSED)
        .count(),
        1,
    )


def _rating_channel(user) -> str:
    if user is None:
        return RatingChannel.LINK
    if user.effective_role == Role.RESIDENT:
        return RatingChannel.RESIDENT
    return RatingChannel.RETURN_VISIT


def do_rate(
    case,
    user,
    *,
    rating: str,
    comment: str = "",
    resolved: bool | None = None,
    token: str | None = None,
    now=None,
) -> Done:
    """评价 by the reporter (or the operator recording a call-back, or the holder of the case's
    public token). At the return visit (回访) the desk may also record whether the problem was
    solved (`resolved`; None keeps what the check said); the reporter's own rating does not.
    不满意 reopens the case once: back to 处置中 with a fresh handling deadline (a second history
    row, 重新处置; the Done's event is the rating's). Every rating is kept as a CaseRating of the
    closure it rates; the first of each closure counts in 满意率 (Case.rated_closures and
    satisfied_closures follow it for the dashboard's rollups)."""
    if rating not in Rating.values:
        raise ValidationError({"rating": _("评价只能是：满意、基本满意、不满意")})
    resolved = _resolved(resolved, None)
    comment = _optional_text(comment, "comment", _("评价意见"), 500)
    now = now or timezone.now()
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
                    raise PermissionDenied(_("工作人员不能通过查询码评价案件，评价只来自报告人"))
                user = None
        else:
            _check(case, CaseAction.RATE, user)
        if resolved is not None and (user is None or user.effective_role not in RETURN_VISIT_ROLES):
            raise PermissionDenied(_("问题是否解决由城运中心回访时记录"))
        if case.rating:
            raise IllegalTransition(_("案件%(n)s已评价，不能重复评价") % {"n": case.number})
        closure = _closures(case)
        counted = not CaseRating.objects.filter(case=case, closure=closure, counted=True).exists()
        case.rating = rating
        case.rating_comment = comment
        case.rated_at = now
        if counted:
            case.rated_closures += 1
            case.satisfied_closures += rating in SATISFIED_RATINGS
        data = {"rating": rating, "closure": closure}
        if resolved is not None:
            data["resolved"] = {"from": case.resolved, "to": resolved}
            case.resolved = resolved
        event = _step(case, CaseAction.RATE, user, note=comment, data=data, at=now)
        rater = user if user is not None and user.is_authenticated else None
        CaseRating.objects.create(
            case=case,
            closure=closure,
            rating=rating,
            comment=comment,
            resolved=resolved,
            counted=counted,
            channel=_rating_channel(rater),
            rated_by=rater,
            at=now,
        )
        if rating == Rating.UNSATISFIED and not case.reopened_once:
            case.reopened_once = True
            case.resolved = None  # asked again at the next 核查
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
    return Done(case, event)
