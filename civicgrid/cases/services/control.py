"""The street's control of a dispatched case: 改派 (re-dispatch), 撤回 (recall), 催办 (hurry),
主办/协办 (a lead department with co-handlers and their feedback), 取消合并 (undo a merge), and
the bulk 立案/不予立案 of the queues (each case through its own service)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Department
from civicgrid.cases import warnings
from civicgrid.cases.choices import (
    OPEN_STATUSES,
    CaseAction,
    CoHandlingStatus,
    WarningLevel,
)
from civicgrid.cases.models import Case, CaseEvent, CoHandling
from civicgrid.cases.services import photos as step_photos
from civicgrid.cases.services.checks import (
    Done,
    IllegalTransition,
    _check,
    _lock,
    _optional_text,
    _record,
    _required_text,
    _set_deadline,
    _step,
)
from civicgrid.cases.services.clocks import handling_deadline
from civicgrid.workcalendar.services import get_calendar

# Most co-handling departments a case takes (a meeting of the whole street is a 基层约请).
MAX_CO_DEPARTMENTS = 10


def _department(value, field: str) -> Department:
    if isinstance(value, Department):
        department = value
    else:
        try:
            department = Department.objects.get(pk=int(value))
        except (TypeError, ValueError, Department.DoesNotExist):
            raise ValidationError({field: _("处置部门“%(d)s”不存在") % {"d": value}}) from None
    if not department.is_active:
        raise ValidationError({field: _("处置部门“%(d)s”已停用") % {"d": department}})
    return department


def chosen_co_departments(values, lead) -> list[Department]:
    """The co-handling departments as chosen (ids or Departments): active, none twice, not the
    lead department itself."""
    ids = []
    for value in values or []:
        if value in (None, ""):
            continue
        try:
            pk = value.pk if isinstance(value, Department) else int(value)
        except (TypeError, ValueError):
            raise ValidationError(
                {"co_departments": _("协办部门“%(d)s”不存在") % {"d": value}}
            ) from None
        if pk not in ids:
            ids.append(pk)
    if not ids:
        return []
    if len(ids) > MAX_CO_DEPARTMENTS:
        raise ValidationError(
            {"co_departments": _("协办部门最多%(n)s个") % {"n": MAX_CO_DEPARTMENTS}}
        )
    found = {d.pk: d for d in Department.objects.filter(pk__in=ids, is_active=True)}
    if len(found) != len(ids):
        raise ValidationError({"co_departments": _("协办部门不存在或已停用")})
    if lead is not None and lead.pk in found:
        raise ValidationError({"co_departments": _("主办部门不能同时是协办部门")})
    return [found[pk] for pk in ids]


def open_co_handlings(case) -> list[CoHandling]:
    """The co-handling parts of `case` still waiting for their feedback (prefetched rows when
    the page or the API loaded them)."""
    rows = getattr(case, "_prefetched_objects_cache", {}).get("co_handlings")
    if rows is not None:
        return [c for c in rows if c.status == CoHandlingStatus.OPEN]
    return list(case.co_handlings.filter(status=CoHandlingStatus.OPEN).select_related("department"))


def assign_co_handlers(case, departments, now) -> list[str]:
    """Open a part for each co-handling department (in the dispatch's transaction); the codes."""
    CoHandling.objects.bulk_create(
        [CoHandling(case=case, department=d, assigned_at=now) for d in departments]
    )
    return [d.code for d in departments]


def cancel_open_co_handlings(case) -> list[str]:
    """Close the parts still open (改派, 撤回, 退回: the case leaves the lead department)."""
    rows = list(
        case.co_handlings.select_for_update()
        .filter(status=CoHandlingStatus.OPEN)
        .select_related("department")
    )
    for row in rows:
        row.status = CoHandlingStatus.CANCELLED
        row.save(update_fields=["status"])
    return [row.department.code for row in rows]


def do_redispatch(
    case, user, *, department=None, reason: str = "", co_departments=(), now=None
) -> Done:
    """改派: the street moves a case in a department's hands to another department, with the
    reason. The old department loses it (its co-handlers' open parts are cancelled) and is told;
    the new one receives it as a new dispatch (已派遣, a fresh handling limit — a 12345 ticket
    keeps the hotline's clock)."""
    reason = _required_text(reason, "reason", _("改派理由"))
    if department in (None, ""):
        raise ValidationError({"department": _("请选择改派到的处置部门")})
    department = _department(department, "department")
    chosen = chosen_co_departments(co_departments, department)
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.REDISPATCH, user)
        if not case.handled_by_grid and case.assigned_department_id == department.pk:
            raise ValidationError({"department": _("案件已在该部门办理，请选择其他部门")})
        old = case.assigned_department
        previous = {
            "department": old.code if old is not None else None,
            "grid": case.micro_grid_id if case.handled_by_grid else None,
        }
        cancelled = cancel_open_co_handlings(case)
        case.assigned_department = department
        case.handled_by_grid = False
        case.dispatched_at = now
        case.accepted_at = None
        if case.hotline_deadline is None:
            _set_deadline(case, "handling_deadline", handling_deadline(case, now))
        data = {
            "from": previous,
            "department": department.code,
            "handling_deadline": case.handling_deadline.isoformat(),
        }
        if cancelled:
            data["co_cancelled"] = cancelled
        if chosen:
            data["co_departments"] = assign_co_handlers(case, chosen, now)
        event = _step(
            case,
            CaseAction.REDISPATCH,
            user,
            note=reason,
            data=data,
            at=now,
            notify_extra={
                "previous_department": old.pk if old is not None else None,
                "previous_grid": previous["grid"],
                "co_departments": [d.pk for d in chosen],
            },
        )
    return Done(case, event)


def do_recall(case, user, *, reason: str, now=None) -> Done:
    """撤回: the street takes a dispatched case back to 待派遣 (with the returned cases), with
    the reason; the department loses it and is told. The handling clock keeps running (as for a
    退回), so the desk sees how long it has."""
    reason = _required_text(reason, "reason", _("撤回理由"))
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.RECALL, user)
        old = case.assigned_department
        data = {
            "department": old.code if old is not None else None,
            "department_name": old.name if old is not None else None,
            "grid": case.micro_grid_id if case.handled_by_grid else None,
        }
        cancelled = cancel_open_co_handlings(case)
        if cancelled:
            data["co_cancelled"] = cancelled
        case.assigned_department = None
        case.handled_by_grid = False
        case.accepted_at = None
        event = _step(
            case,
            CaseAction.RECALL,
            user,
            note=reason,
            data=data,
            at=now,
            notify_extra={
                "previous_department": old.pk if old is not None else None,
                "previous_grid": data["grid"],
            },
        )
    return Done(case, event)


def hurry_level(case, now=None) -> str:
    """The warning level that allows a 催办 now: yellow (80 % of the limit used) or red
    (overdue) of the running clock (cases.warnings), "" when the case is far from its deadline."""
    level = warnings.level_for(case, now or timezone.now(), get_calendar())
    return level if level in (WarningLevel.YELLOW, WarningLevel.RED) else ""


def do_hurry(case, user, *, note: str = "", now=None) -> Done:
    """催办: the street hurries the handler of a case near (yellow) or past (red) its deadline;
    the handler is told, the case counts it (hurry_count, and 催办件数 in the indicators). Not
    on a case far from its deadline."""
    note = _optional_text(note, "note", _("催办意见"), 500)
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.HURRY, user)
        level = hurry_level(case, now)
        if not level:
            raise IllegalTransition(
                _("案件%(n)s距处置期限尚远，临近期限（黄灯）或超期后才能催办") % {"n": case.number}
            )
        case.hurry_count += 1
        event = _step(
            case,
            CaseAction.HURRY,
            user,
            note=note,
            data={"level": level, "hurry_count": case.hurry_count},
            at=now,
            notify_extra={"level": level},
        )
    return Done(case, event)


def _own_part(case, user, department):
    """The open co-handling part the user answers for: their department's (a trusted caller or
    the keeper names the department)."""
    if user is not None and getattr(user, "department_id", None):
        department_id = user.department_id
    elif department not in (None, ""):
        department_id = department.pk if isinstance(department, Department) else department
    else:
        raise ValidationError({"department": _("请选择协办部门")})
    try:
        return (
            case.co_handlings.select_for_update(of=("self",))
            .select_related("department")
            .get(department_id=int(department_id), status=CoHandlingStatus.OPEN)
        )
    except (TypeError, ValueError, CoHandling.DoesNotExist):
        raise PermissionDenied(
            _("您的部门不是案件%(n)s待反馈的协办部门") % {"n": case.number}
        ) from None


def do_co_feedback(
    case, user, *, feedback: str, photos=(), department=None, kind=step_photos.AFTER, now=None
) -> Done:
    """协办反馈: a co-handling department gives its part (text and optional photos) — once; the
    lead department's 处置反馈 waits for every part. Done.event is the feedback's history row."""
    feedback = _required_text(feedback, "feedback", _("协办反馈"))
    uploads = step_photos.prepared(photos)
    now = now or timezone.now()
    with step_photos.atomic():
        case = _lock(case)
        _check(case, CaseAction.CO_FEEDBACK, user)
        part = _own_part(case, user, department)
        event = _step(
            case,
            CaseAction.CO_FEEDBACK,
            user,
            note=feedback,
            data={"department": part.department.code, "co_handling": part.pk},
            at=now,
        )
        part.status = CoHandlingStatus.DONE
        part.feedback = feedback
        part.feedback_at = now
        part.feedback_by = user
        part.feedback_event = event
        part.save()
        stored = step_photos.store(case, event, user, uploads, kind)
    return Done(case, event, photos=stored)


def check_co_handlers_done(case) -> None:
    """The lead's 处置反馈 waits for every co-handling department's feedback."""
    waiting = list(
        case.co_handlings.filter(status=CoHandlingStatus.OPEN)
        .select_related("department")
        .order_by("department__code")
    )
    if waiting:
        raise IllegalTransition(
            _("协办部门尚未反馈：%(d)s。请待各协办部门反馈后再提交处置结果")
            % {"d": "、".join(c.department.name for c in waiting)}
        )


def do_unmerge(case, user, *, reason: str, now=None) -> Done:
    """取消合并 (the 值班长): a duplicate merged by mistake goes back to the state it was merged
    from, its clocks as they were; both cases' histories say so. Done.case is the duplicate."""
    reason = _required_text(reason, "reason", _("取消合并理由"))
    now = now or timezone.now()
    with transaction.atomic():
        duplicate = _lock(case)
        _check(duplicate, CaseAction.UNMERGE, user)
        merge = (
            CaseEvent.objects.filter(case=duplicate, action=CaseAction.MERGE)
            .order_by("-at", "-pk")
            .first()
        )
        master = duplicate.merged_into
        if merge is None or master is None or merge.from_status not in OPEN_STATUSES:
            raise IllegalTransition(_("案件%(n)s没有可取消的合并记录") % {"n": duplicate.number})
        master = Case.objects.select_for_update(of=("self",)).get(pk=master.pk)
        duplicate.status = merge.from_status
        duplicate.merged_into = None
        event = _step(
            duplicate,
            CaseAction.UNMERGE,
            user,
            note=reason,
            data={"master": master.number, "to_status": merge.from_status},
            at=now,
        )
        master.save(update_fields=["updated_at"])
        _record(
            master,
            CaseAction.UNMERGE_RECEIVE,
            user,
            master.status,
            note=reason,
            data={"duplicate": duplicate.number},
            at=now,
        )
    return Done(duplicate, event)


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk step did: the cases done, and those refused with the reason."""

    done: list
    failed: list  # [(number, message)]


def bulk(numbers, user, step) -> BulkOutcome:
    """Run `step(case)` (a do_* call) on each case number in the user's scope, each in its own
    transaction: a case refused does not undo the others."""
    from civicgrid.cases.permissions import scope_cases

    found = {c.number: c for c in scope_cases(Case.objects.all(), user).filter(number__in=numbers)}
    done, failed = [], []
    for number in dict.fromkeys(numbers):
        case = found.get(number)
        if case is None:
            failed.append((number, _("案件不存在或不在您的范围内")))
            continue
        try:
            step(case)
        except IllegalTransition as exc:
            failed.append((number, exc.message))
        except ValidationError as exc:
            failed.append((number, ";".join(exc.messages)))
        except PermissionDenied as exc:
            failed.append((number, str(exc)))
        else:
            done.append(number)
    return BulkOutcome(done, failed)
