"""Side paths: extension (延期), 人工定位, suspend/resume (挂起), merge (合并), call-in (吹哨)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Department
from civicgrid.cases import clock
from civicgrid.cases.choices import (
    OPEN_STATUSES,
    CallInStatus,
    CaseAction,
    ExtensionStatus,
)
from civicgrid.cases.models import (
    CallIn,
    Case,
    ExtensionRequest,
)
from civicgrid.cases.permissions import scope_cases
from civicgrid.cases.services.checks import (
    MAX_EXTENSION_DAYS,
    Done,
    IllegalTransition,
    _check,
    _lock,
    _lock_rows,
    _optional_text,
    _record,
    _required_text,
    _set_deadline,
    _step,
)
from civicgrid.cases.services.intake import _coordinate, _locate
from civicgrid.workcalendar.services import (
    add_working_days,
)


def do_request_extension(case, user, *, days, reason: str, now=None) -> Done:
    """延期申请 by the handler; one pending request at a time. Done.extension is the request."""
    reason = _required_text(reason, "reason", _("延期理由"))
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationError({"days": _("延期天数必须是整数")}) from None
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError(
            {"days": _("延期天数应在1到%(n)s个工作日之间") % {"n": MAX_EXTENSION_DAYS}}
        )
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.REQUEST_EXTENSION, user)
        if case.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise IllegalTransition(_("案件%(n)s已有待审批的延期申请") % {"n": case.number})
        request = ExtensionRequest.objects.create(
            case=case, requested_by=user, requested_at=now, days=days, reason=reason
        )
        event = _step(
            case,
            CaseAction.REQUEST_EXTENSION,
            user,
            note=reason,
            data={"extension": request.pk, "days": days},
            at=now,
        )
    return Done(case, event, extension=request)


def do_decide_extension(case, user, *, extension, approve: bool, note: str = "", now=None) -> Done:
    """延期审批: approval moves the handling deadline out by the requested working days.
    Done.extension is the request decided."""
    note = _optional_text(note, "note", _("审批意见"), 500)
    now = now or timezone.now()
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
            raise IllegalTransition(_("该延期申请已审批，不能重复审批"))
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
        event = _step(case, CaseAction.DECIDE_EXTENSION, user, note=note, data=data, at=now)
    return Done(case, event, extension=request)


def do_locate(case, user, *, lon, lat, note: str = "", now=None) -> Done:
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
        raise ValidationError({"lon": _("该位置不在任何网格内，请重新选点")})
    now = now or timezone.now()
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
        event = _step(
            case,
            CaseAction.LOCATE,
            user,
            note=note,
            data={"before": before, "lon": lon, "lat": lat, "micro_grid": located.code},
            at=now,
        )
    return Done(case, event)


def do_suspend(case, user, *, reason: str, now=None) -> Done:
    """挂起: the clocks stop (e.g. waiting for a court ruling or the owner's return)."""
    reason = _required_text(reason, "reason", _("挂起原因"), 500)
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.SUSPEND, user)
        case.is_suspended = True
        case.suspended_at = now
        case.suspension_reason = reason
        event = _step(case, CaseAction.SUSPEND, user, note=reason, at=now)
    return Done(case, event)


def do_resume(case, user, *, note: str = "", now=None) -> Done:
    """恢复: the pause is recorded and every running deadline moves out by the paused time."""
    note = _optional_text(note, "note", _("说明"))
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.RESUME, user)
        if not case.is_suspended:
            raise IllegalTransition(_("案件%(n)s未挂起，无需恢复") % {"n": case.number})
        now = now or timezone.now()
        start = case.suspended_at
        moved = {}
        for field, new in clock.pushed_deadlines(case, start, now).items():
            _set_deadline(case, field, new)
            moved[field] = new.at.isoformat()
        case.pauses = [*case.pauses, [start.isoformat(), now.isoformat()]]
        case.is_suspended = False
        case.suspended_at = None
        data = {"paused_from": start.isoformat(), "paused_to": now.isoformat(), **moved}
        event = _step(case, CaseAction.RESUME, user, note=note, data=data, at=now)
    return Done(case, event)


def _master_in_scope(master, user) -> Case:
    """The master case of a merge: a Case, or a case number as typed. The user must see it
    (cases.permissions.scope_cases); a master outside their scope is "not there", with the same
    words as a number that does not exist (no existence oracle)."""
    if isinstance(master, Case):
        number, query = master.number, {"pk": master.pk}
    else:
        number = str(master if master is not None else "").strip()
        if not number:
            raise ValidationError({"master": _("请填写主案件编号")})
        query = {"number": number}
    found = Case.objects.filter(**query)
    if user is not None:
        found = scope_cases(found, user)
    pk = found.values_list("pk", flat=True).first()
    if pk is None:
        raise ValidationError({"master": _("主案件“%(n)s”不存在") % {"n": number}})
    return pk


def do_merge(case, user, *, master, note: str = "", now=None) -> Done:
    """合并: a duplicate goes into its master case and stops; the master's history notes it.

    `master` is a Case or a case number; the user must see the master case (its scope, checked
    here for every channel). Done.case is the duplicate, Done.event its 合并 row."""
    note = _optional_text(note, "note", _("合并说明"))
    master_pk = _master_in_scope(master, user)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_rows(sorted({case.pk if isinstance(case, Case) else case, master_pk}))
        duplicate = locked.get(case.pk if isinstance(case, Case) else case)
        master = locked.get(master_pk)
        if duplicate is None or master is None:
            raise ValidationError({"master": _("主案件不存在")})
        if duplicate.pk == master.pk:
            raise ValidationError({"master": _("不能把案件合并到它自己")})
        _check(duplicate, CaseAction.MERGE, user)
        if master.status not in OPEN_STATUSES:
            raise IllegalTransition(
                _("主案件%(n)s状态为“%(s)s”，不能接收合并")
                % {"n": master.number, "s": master.get_status_display()}
            )
        duplicate.merged_into = master
        event = _step(
            duplicate, CaseAction.MERGE, user, note=note, data={"master": master.number}, at=now
        )
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
    return Done(duplicate, event)


def do_start_call_in(case, user, *, reason: str, departments, meeting_at=None, now=None) -> Done:
    """基层约请: the community escalates an overdue or cross-department case to the street.
    Done.call_in is the call-in."""
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
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.START_CALL_IN, user)
        if not (clock.is_overdue(case, now) or len(chosen) >= 2):
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
        event = _step(
            case,
            CaseAction.START_CALL_IN,
            user,
            note=reason,
            data={"call_in": call_in.pk, "departments": codes},
            at=now,
            notify_extra={"departments": sorted(d.pk for d in chosen)},
        )
    return Done(case, event, call_in=call_in)


def do_record_call_in_outcome(
    case, user, *, call_in, outcome: str, meeting_at=None, now=None
) -> Done:
    """The street records the meeting and its outcome; the call-in is concluded. Done.call_in
    is the call-in."""
    outcome = _required_text(outcome, "outcome", _("约请结果"))
    now = now or timezone.now()
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
        record.outcome = outcome
        record.meeting_at = meeting_at or record.meeting_at or now
        record.status = CallInStatus.CONCLUDED
        record.concluded_by = user
        record.concluded_at = now
        record.save()
        event = _step(
            case,
            CaseAction.RECORD_CALL_IN_OUTCOME,
            user,
            note=outcome,
            data={"call_in": record.pk},
            at=now,
        )
    return Done(case, event, call_in=record)
