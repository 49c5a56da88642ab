"""Every change of the garbage-sorting ledger (生活垃圾分类).

Each `do_*` is atomic, locks the row it changes (select_for_update), checks the transition table
(sorting.workflow) and the user's role (accounts.policy) and scope (sorting.scoping), writes its
history row where the thing has one, and returns what it did. `user=None` is a trusted caller (a
command, the demo). Bad input raises ValidationError (field → Chinese message) and nothing is
written; a wrong state raises IllegalTransition; a role or scope problem PermissionDenied.

A failed inspection opens a case for the estate's 物业 through cases.services.do_report
(category 垃圾分类, source 督查) and is due a re-inspection within 5 working days
(workcalendar); the next inspection of that estate is its re-inspection. Green-account points
are posted as journal entries (PointsEntry): each carries both legs, so the ledger sums to zero
by construction.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.access import require_role
from civicgrid.accounts.policy import (
    SORTING_EDIT_ROLES,
    SORTING_GUIDE_ROLES,
    SORTING_INSPECT_ROLES,
    SORTING_TEMPLATE_ROLES,
)
from civicgrid.cases.choices import CaseSource, CategoryFamily
from civicgrid.cases.models import Category
from civicgrid.cases.services import IllegalTransition, do_report
from civicgrid.cases.services import photos as step_photos
from civicgrid.core.text import field_text as _text
from civicgrid.estates.models import Estate
from civicgrid.grids.choices import GridLevel
from civicgrid.meetings.workflow import HELD_STATES
from civicgrid.sorting import photos as inspection_photos
from civicgrid.sorting.choices import (
    AccountKind,
    CardColour,
    EntryReason,
    GuideKind,
    PointKind,
    PointState,
    ShiftState,
    UnitKind,
    WasteCategory,
)
from civicgrid.sorting.models import (
    FULL_SCORE,
    PASS_SCORE,
    Baseline,
    Card,
    Convention,
    DropOffPoint,
    DropOffWindow,
    Guide,
    GuideShift,
    Inspection,
    InspectionScore,
    InspectionTemplate,
    Pledge,
    PointChange,
    PointsAccount,
    PointsEntry,
    Reward,
    ShiftEvent,
    SortingUnit,
    TemplateItem,
    VolunteerTeam,
    Weighing,
)
from civicgrid.sorting.scoping import may_see_community
from civicgrid.sorting.workflow import POINT_TRANSITIONS, SHIFT_TRANSITIONS
from civicgrid.workcalendar.services import add_working_days

SORTING_CATEGORY = (CategoryFamily.COMMUNITY, "0110")  # 社区扩展 01 社区治理 › 0110 垃圾分类
REINSPECT_WORKING_DAYS = 5
YELLOW_AFTER, RED_AFTER = 2, 3  # fails in a row
MAX_KG = Decimal("100000")  # one load: a 40-tonne lorry is 40,000 kg; more is a typing error
MAX_WINDOWS = 6
CHECK_IN_EARLY = datetime.timedelta(minutes=30)
MAX_POINTS_PER_ENTRY = 10_000
MAX_SHIFT_DAYS = 62


# --- checks ----------------------------------------------------------------------------------


def _scope(user, community_id):
    if user is not None and not may_see_community(user, community_id):
        raise PermissionDenied(_("该居村不在您的管辖范围内"))


def _may_edit(user, community_id):
    require_role(user, SORTING_EDIT_ROLES, _("您的角色不能维护垃圾分类台账"))
    _scope(user, community_id)


def _kg(value, errors, field="kg"):
    try:
        kg = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = _("重量须为数字（公斤）")
        return None
    if not kg.is_finite() or kg <= 0:
        errors[field] = _("重量须大于 0 公斤")
        return None
    if kg > MAX_KG:
        errors[field] = _("重量不能超过 %(max)s 公斤") % {"max": f"{MAX_KG:,.0f}"}
        return None
    return kg


def _subject(estate, unit, errors):
    """(estate, unit, community_id) of exactly one subject."""
    if (estate is None) == (unit is None):
        errors["estate"] = _("请选择一个小区或一个单位")
        return None, None, None
    if estate is not None and not isinstance(estate, Estate):
        errors["estate"] = _("小区不存在")
        return None, None, None
    if unit is not None and not isinstance(unit, SortingUnit):
        errors["unit"] = _("单位不存在")
        return None, None, None
    return estate, unit, (estate or unit).community_id


def _lock(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


# --- units and points ------------------------------------------------------------------------


def do_save_unit(user, *, name, kind, micro_grid, address="", unit=None) -> SortingUnit:
    """A 单位 (school, office, market …) that is weighed and inspected on its own."""
    errors = {}
    name = _text(name, "name", _("单位名称"), 100, required=True, errors=errors)
    address = _text(address, "address", _("地址"), 200, errors=errors)
    if kind not in UnitKind.values:
        errors["kind"] = _("请选择单位类型")
    if micro_grid is None or micro_grid.level != GridLevel.MICRO_GRID:
        errors["micro_grid"] = _("请选择所在微网格")
    if errors:
        raise ValidationError(errors)
    _may_edit(user, micro_grid.parent_id)
    with transaction.atomic():
        unit = _lock(SortingUnit, unit) if unit is not None else SortingUnit()
        if unit.pk and unit.community_id != micro_grid.parent_id:
            _scope(user, unit.community_id)
        unit.name, unit.kind, unit.address = name, kind, address
        unit.micro_grid, unit.community_id = micro_grid, micro_grid.parent_id
        clash = SortingUnit.objects.filter(community_id=unit.community_id, name=name)
        if clash.exclude(pk=unit.pk).exists():
            raise ValidationError({"name": _("本居村已有名为“%(n)s”的单位") % {"n": name}})
        unit.save()
    return unit


def _point_fields(fields: dict, errors: dict) -> dict:
    out = {}
    out["name"] = _text(
        fields.get("name"), "name", _("点位名称"), 100, required=True, errors=errors
    )
    out["note"] = _text(fields.get("note"), "note", _("备注"), 200, errors=errors)
    kind = fields.get("kind")
    if kind not in PointKind.values:
        errors["kind"] = _("请选择点位类型")
    out["kind"] = kind
    for name, label, low, high in (("lon", _("经度"), -180, 180), ("lat", _("纬度"), -90, 90)):
        value = fields.get(name)
        if value in (None, ""):
            out[name] = None
            continue
        try:
            value = float(value)
        except (TypeError, ValueError):
            errors[name] = _("%(label)s须为数字") % {"label": label}
            continue
        if not low <= value <= high:
            errors[name] = _("%(label)s超出范围") % {"label": label}
        out[name] = value
    if (out.get("lon") is None) != (out.get("lat") is None) and "lon" not in errors:
        errors["lon"] = _("经度和纬度须同时填写")
    for name in ("households_served", "bins_recyclable", "bins_hazardous", "bins_wet", "bins_dry"):
        value = fields.get(name, 0)
        try:
            value = int(value or 0)
        except (TypeError, ValueError):
            errors[name] = _("须为整数")
            continue
        limit = 100_000 if name == "households_served" else 100
        if not 0 <= value <= limit:
            errors[name] = _("须在 0 到 %(n)d 之间") % {"n": limit}
        out[name] = value
    out["rebuilt_on"] = fields.get("rebuilt_on")
    return out


def do_save_point(user, *, point=None, estate=None, unit=None, micro_grid=None, **fields):
    """Set up a drop-off point (规划中) of an estate or a unit, or change one's particulars.
    `micro_grid` defaults to the estate's first micro-grid or the unit's."""
    require_role(user, SORTING_EDIT_ROLES, _("您的角色不能维护垃圾分类台账"))
    errors = {}
    data = _point_fields(fields, errors)
    if point is None:
        estate, unit, community_id = _subject(estate, unit, errors)
    else:
        estate, unit, community_id = point.estate, point.unit, point.community_id
    if community_id is not None:
        if micro_grid is None:
            micro_grid = (
                point.micro_grid
                if point is not None
                else unit.micro_grid
                if unit is not None
                else estate.micro_grids.order_by("code").first()
            )
        if micro_grid is None or micro_grid.level != GridLevel.MICRO_GRID:
            errors["micro_grid"] = _("请选择点位所在微网格")
        elif micro_grid.parent_id != community_id:
            errors["micro_grid"] = _("点位所在微网格须属于该小区或单位所在居村")
    if errors:
        raise ValidationError(errors)
    _may_edit(user, community_id)
    now = timezone.now()
    with transaction.atomic():
        creating = point is None
        if creating:
            point = DropOffPoint(estate=estate, unit=unit, community_id=community_id)
        else:
            point = _lock(DropOffPoint, point)
            if point.state == PointState.MERGED:
                raise IllegalTransition(_("已撤并的点位不能再修改"))
        for name, value in data.items():
            setattr(point, name, value)
        point.micro_grid = micro_grid
        point.save()
        PointChange.objects.create(
            point=point,
            action="create" if creating else "update",
            to_state=point.state if creating else "",
            by=user,
            at=now,
        )
    return point


def _time(value, field, errors):
    if isinstance(value, datetime.time):
        return value
    try:
        return datetime.time.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        errors[field] = _("时间“%(v)s”格式不正确，请按 07:00 填写") % {"v": value}
        return None


def do_set_windows(point, user, windows) -> list:
    """Replace a point's drop-off windows (投放时段), e.g. [("07:00", "09:00"), ("18:00",
    "20:00")]: each ends after it starts, none overlaps another."""
    errors = {}
    cleaned = []
    for i, pair in enumerate(windows or ()):
        try:
            start, end = pair
        except (TypeError, ValueError):
            errors["windows"] = _("每个时段须有开始和结束时间")
            break
        start, end = _time(start, "windows", errors), _time(end, "windows", errors)
        if start is None or end is None:
            break
        if end <= start:
            errors["windows"] = _("第%(n)d个时段的结束时间须晚于开始时间") % {"n": i + 1}
            break
        cleaned.append((start, end))
    cleaned.sort()
    if not errors and len(cleaned) > MAX_WINDOWS:
        errors["windows"] = _("每个点位最多 %(n)d 个投放时段") % {"n": MAX_WINDOWS}
    if not errors and any(a[1] > b[0] for a, b in zip(cleaned, cleaned[1:], strict=False)):
        errors["windows"] = _("投放时段不能重叠")
    if errors:
        raise ValidationError(errors)
    _may_edit(user, point.community_id)
    with transaction.atomic():
        point = _lock(DropOffPoint, point)
        if point.state == PointState.MERGED:
            raise IllegalTransition(_("已撤并的点位不能再修改"))
        point.windows.all().delete()
        rows = DropOffWindow.objects.bulk_create(
            DropOffWindow(point=point, start=s, end=e) for s, e in cleaned
        )
        PointChange.objects.create(
            point=point,
            action="windows",
            note="、".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in cleaned),
            by=user,
            at=timezone.now(),
        )
    return rows


def do_change_point_state(point, user, to_state, *, merged_into=None, note="", now=None):
    """启用 a planned point, or 撤并 a point into another one in use (its future shifts are
    cancelled)."""
    now = now or timezone.now()
    note = _text(note, "note", _("说明"), 200)
    _may_edit(user, point.community_id)
    with transaction.atomic():
        point = _lock(DropOffPoint, point)
        if (point.state, to_state) not in POINT_TRANSITIONS:
            raise IllegalTransition(
                _("点位“%(name)s”当前为“%(state)s”，不能改为“%(to)s”")
                % {
                    "name": point.name,
                    "state": point.get_state_display(),
                    "to": PointState(to_state).label if to_state in PointState.values else to_state,
                }
            )
        if to_state == PointState.MERGED:
            if merged_into is None:
                raise ValidationError({"merged_into": _("请选择并入的点位")})
            target = DropOffPoint.objects.filter(pk=merged_into.pk).first()
            if target is None or target.pk == point.pk or target.state != PointState.IN_USE:
                raise ValidationError({"merged_into": _("只能并入另一个使用中的点位")})
            if target.community_id != point.community_id:
                raise ValidationError({"merged_into": _("只能并入同一居村的点位")})
            point.merged_into = target
            cancelled = GuideShift.objects.filter(
                point=point, state=ShiftState.PLANNED, day__gte=timezone.localdate(now)
            )
            for shift in cancelled.select_for_update():
                shift.state = ShiftState.CANCELLED
                shift.save(update_fields=["state"])
                ShiftEvent.objects.create(
                    shift=shift, action="cancel", by=user, at=now, note=_("点位撤并")
                )
        from_state = point.state
        point.state = to_state
        point.save(update_fields=["state", "merged_into"])
        PointChange.objects.create(
            point=point,
            action="state",
            from_state=from_state,
            to_state=to_state,
            note=note,
            by=user,
            at=now,
        )
    return point


# --- guides and rosters ----------------------------------------------------------------------


def do_save_team(user, *, name, community, leader_name="", team=None) -> VolunteerTeam:
    errors = {}
    name = _text(name, "name", _("队伍名称"), 100, required=True, errors=errors)
    leader_name = _text(leader_name, "leader_name", _("队长"), 50, errors=errors)
    if community is None or community.level != GridLevel.COMMUNITY:
        errors["community"] = _("请选择居村")
    if errors:
        raise ValidationError(errors)
    _may_edit(user, community.pk)
    with transaction.atomic():
        team = _lock(VolunteerTeam, team) if team is not None else VolunteerTeam()
        if VolunteerTeam.objects.filter(name=name).exclude(pk=team.pk).exists():
            raise ValidationError({"name": _("已有名为“%(n)s”的志愿者队伍") % {"n": name}})
        team.name, team.community, team.leader_name = name, community, leader_name
        team.save()
    return team


def do_save_guide(user, *, name, kind, community, team=None, account=None, guide=None) -> Guide:
    """A guide (点位指导员): staff, a volunteer (of a team) or a 楼组长; `account` lets them check
    in on the phone."""
    errors = {}
    name = _text(name, "name", _("姓名"), 50, required=True, errors=errors)
    if kind not in GuideKind.values:
        errors["kind"] = _("请选择指导员身份")
    if community is None or community.level != GridLevel.COMMUNITY:
        errors["community"] = _("请选择居村")
    if kind == GuideKind.VOLUNTEER and team is None:
        errors["team"] = _("志愿者须属于一支志愿者队伍")
    if account is not None and account.effective_role not in SORTING_GUIDE_ROLES:
        errors["account"] = _("该账号的角色不能作为点位指导员签到")
    if errors:
        raise ValidationError(errors)
    _may_edit(user, community.pk)
    with transaction.atomic():
        guide = _lock(Guide, guide) if guide is not None else Guide()
        guide.name, guide.kind, guide.community, guide.team = name, kind, community, team
        guide.user = account
        try:
            with transaction.atomic():
                guide.save()
        except IntegrityError:
            raise ValidationError({"account": _("该账号已是另一位指导员的登录账号")}) from None
    return guide


def do_plan_shifts(point, user, *, first, last, guide=None, windows=None) -> list:
    """Shifts at `point` for each of its windows (or `windows`) on each day first..last; days that
    already have that shift are skipped. Only points in use."""
    if last < first:
        raise ValidationError({"last": _("结束日期不能早于开始日期")})
    if (last - first).days + 1 > MAX_SHIFT_DAYS:
        raise ValidationError({"last": _("一次最多排 %(n)d 天的班") % {"n": MAX_SHIFT_DAYS}})
    if guide is not None and (guide.community_id != point.community_id or not guide.is_active):
        raise ValidationError({"guide": _("指导员须是本居村在岗的指导员")})
    _may_edit(user, point.community_id)
    with transaction.atomic():
        point = _lock(DropOffPoint, point)
        if point.state != PointState.IN_USE:
            raise IllegalTransition(_("只有使用中的点位可以排班"))
        slots = (
            list(windows)
            if windows is not None
            else [(w.start, w.end) for w in point.windows.all()]
        )
        if not slots:
            raise ValidationError({"windows": _("该点位还没有投放时段，请先设置投放时段")})
        taken = set(
            GuideShift.objects.filter(point=point, day__range=(first, last)).values_list(
                "day", "start"
            )
        )
        rows = []
        day = first
        while day <= last:
            for start, end in slots:
                if (day, start) not in taken:
                    rows.append(
                        GuideShift(
                            point=point,
                            community_id=point.community_id,
                            day=day,
                            start=start,
                            end=end,
                            guide=guide,
                        )
                    )
            day += datetime.timedelta(days=1)
        return GuideShift.objects.bulk_create(rows)


def do_assign_guide(shift, user, guide, *, now=None) -> GuideShift:
    """Fill (or refill) a planned shift with a guide of the point's 居村."""
    now = now or timezone.now()
    _may_edit(user, shift.community_id)
    if guide is not None and (guide.community_id != shift.community_id or not guide.is_active):
        raise ValidationError({"guide": _("指导员须是本居村在岗的指导员")})
    with transaction.atomic():
        shift = _lock(GuideShift, shift)
        if shift.state != ShiftState.PLANNED:
            raise IllegalTransition(_("只能为待值守的班次安排指导员"))
        shift.guide = guide
        shift.save(update_fields=["guide"])
        ShiftEvent.objects.create(
            shift=shift, action="assign", by=user, at=now, note=guide.name if guide else ""
        )
    return shift


def _shift_bounds(shift) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(shift.day, shift.start, tzinfo=tz)
    end = datetime.datetime.combine(shift.day, shift.end, tzinfo=tz)
    return start, end


def shift_status(shift, now=None) -> str:
    """What a person reads of a shift: unfilled (缺岗), missed (漏岗) or its state."""
    now = now or timezone.now()
    if shift.state == ShiftState.PLANNED:
        if shift.guide_id is None:
            return "unfilled"
        if _shift_bounds(shift)[1] <= now:
            return "missed"
    return shift.state


STATUS_LABELS = {
    "unfilled": _("缺岗"),
    "missed": _("漏岗"),
}


def _acting_for(shift, user):
    """The user checks in/out either as the shift's guide or as 居委/street staff for them."""
    if user is None:
        return
    guide = shift.guide
    if guide is not None and guide.user_id == user.pk:
        require_role(user, SORTING_GUIDE_ROLES, _("您的角色不能作为点位指导员签到"))
        return
    if user.effective_role in SORTING_EDIT_ROLES:
        _scope(user, shift.community_id)
        return
    raise PermissionDenied(_("这不是您的值守班次"))


def do_check_in(shift, user, *, now=None) -> GuideShift:
    """签到: the guide arrives at the point — from 30 minutes before the window until its end."""
    now = now or timezone.now()
    _acting_for(shift, user)
    with transaction.atomic():
        shift = _lock(GuideShift, shift)
        before, after = SHIFT_TRANSITIONS["check_in"]
        if shift.state != before:
            raise IllegalTransition(
                _("该班次当前为“%(s)s”，不能签到") % {"s": shift.get_state_display()}
            )
        if shift.guide_id is None:
            raise IllegalTransition(_("该班次还没有安排指导员"))
        start, end = _shift_bounds(shift)
        if now < start - CHECK_IN_EARLY:
            raise ValidationError(
                {"shift": _("还没到值守时间（%(t)s 开始）") % {"t": f"{shift.start:%H:%M}"}}
            )
        if now >= end:
            raise ValidationError({"shift": _("该时段已结束，不能再签到")})
        shift.state, shift.checked_in_at = after, now
        shift.save(update_fields=["state", "checked_in_at"])
        ShiftEvent.objects.create(shift=shift, action="check_in", by=user, at=now)
    return shift


def do_check_out(shift, user, *, households_guided=0, wrong_drops=0, note="", now=None):
    """签退 with the shift's record: households guided, wrong drops corrected, what happened."""
    now = now or timezone.now()
    errors = {}
    counts = {}
    for name, value in (("households_guided", households_guided), ("wrong_drops", wrong_drops)):
        try:
            counts[name] = int(value or 0)
        except (TypeError, ValueError):
            errors[name] = _("须为整数")
            continue
        if not 0 <= counts[name] <= 10_000:
            errors[name] = _("须在 0 到 10000 之间")
    note = _text(note, "note", _("值守情况"), 300, errors=errors)
    if errors:
        raise ValidationError(errors)
    _acting_for(shift, user)
    with transaction.atomic():
        shift = _lock(GuideShift, shift)
        before, after = SHIFT_TRANSITIONS["check_out"]
        if shift.state != before:
            raise IllegalTransition(
                _("该班次当前为“%(s)s”，不能签退") % {"s": shift.get_state_display()}
            )
        shift.state, shift.checked_out_at, shift.note = after, now, note
        shift.households_guided = counts["households_guided"]
        shift.wrong_drops = counts["wrong_drops"]
        shift.save(
            update_fields=["state", "checked_out_at", "note", "households_guided", "wrong_drops"]
        )
        ShiftEvent.objects.create(shift=shift, action="check_out", by=user, at=now, note=note)
    return shift


def do_cancel_shift(shift, user, *, note="", now=None) -> GuideShift:
    now = now or timezone.now()
    note = _text(note, "note", _("说明"), 300)
    _may_edit(user, shift.community_id)
    with transaction.atomic():
        shift = _lock(GuideShift, shift)
        before, after = SHIFT_TRANSITIONS["cancel"]
        if shift.state != before:
            raise IllegalTransition(_("只能取消待值守的班次"))
        shift.state = after
        shift.save(update_fields=["state"])
        ShiftEvent.objects.create(shift=shift, action="cancel", by=user, at=now, note=note)
    return shift


# --- pledges and conventions -----------------------------------------------------------------


def _household_place(household) -> tuple[int | None, int]:
    address = household.address
    return address.estate_id, address.micro_grid.parent_id


def do_record_pledge(household, user, *, signed_on=None) -> Pledge:
    """承诺书 of a household, once."""
    signed_on = signed_on or timezone.localdate()
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("签订日期不能晚于今天")})
    estate_id, community_id = _household_place(household)
    _may_edit(user, community_id)
    if Pledge.objects.filter(household=household).exists():
        raise ValidationError({"household": _("该户已签订承诺书")})
    try:
        with transaction.atomic():
            return Pledge.objects.create(
                household=household,
                estate_id=estate_id,
                community_id=community_id,
                signed_on=signed_on,
                recorded_by=user,
            )
    except IntegrityError:
        raise ValidationError({"household": _("该户已签订承诺书")}) from None


def do_record_pledges(households, *, signed_on) -> list:
    """Many households' pledges at once (a trusted caller: the demo, an import); households that
    have one already are skipped."""
    households = list(households)
    signed = set(
        Pledge.objects.filter(household__in=households).values_list("household_id", flat=True)
    )
    rows = []
    for household in households:
        if household.pk in signed:
            continue
        estate_id, community_id = _household_place(household)
        rows.append(
            Pledge(
                household=household,
                estate_id=estate_id,
                community_id=community_id,
                signed_on=signed_on,
            )
        )
    return Pledge.objects.bulk_create(rows)


def do_adopt_convention(
    estate, user, *, title, text, adopted_on=None, adopted_at="", meeting=None
) -> Convention:
    """A new version of an estate's 居民公约 (the earlier ones stay as they were adopted). When
    the 三会 meeting that adopted it is given, it must have been held in the estate's 居村; its
    day and title stand for the adoption date and meeting unless they are given."""
    errors = {}
    title = _text(title, "title", _("标题"), 100, required=True, errors=errors)
    text = _text(text, "text", _("公约内容"), 5000, required=True, errors=errors)
    adopted_at = _text(adopted_at, "adopted_at", _("通过会议"), 200, errors=errors)
    if meeting is not None:
        if meeting.community_id != estate.community_id or (
            meeting.estate_id not in (None, estate.pk)
        ):
            errors["meeting"] = _("该会议不属于本小区所在居村")
        elif meeting.state not in HELD_STATES:
            errors["meeting"] = _("该会议尚未召开，不能作为公约的通过会议")
        else:
            adopted_on = adopted_on or timezone.localdate(meeting.starts_at)
            adopted_at = adopted_at or meeting.title[:200]
    if adopted_on is None or adopted_on > timezone.localdate():
        errors.setdefault("adopted_on", _("请填写不晚于今天的通过日期"))
    if errors:
        raise ValidationError(errors)
    _may_edit(user, estate.community_id)
    with transaction.atomic():
        Estate.objects.select_for_update().get(pk=estate.pk)
        last = Convention.objects.filter(estate=estate).aggregate(v=Max("version"))["v"] or 0
        return Convention.objects.create(
            estate=estate,
            community_id=estate.community_id,
            version=last + 1,
            title=title,
            text=text,
            adopted_on=adopted_on,
            adopted_at=adopted_at,
            meeting=meeting,
            recorded_by=user,
        )


# --- baseline and weighings ------------------------------------------------------------------


def do_set_baseline(user, *, estate=None, unit=None, kg_per_day, start_date, note="") -> Baseline:
    """The dry/mixed kilograms per day before sorting started (减量基数) and the start date."""
    errors = {}
    estate, unit, community_id = _subject(estate, unit, errors)
    kg = _kg(kg_per_day, errors, "kg_per_day")
    note = _text(note, "note", _("测算说明"), 200, errors=errors)
    if not isinstance(start_date, datetime.date):
        errors["start_date"] = _("请填写分类起始日期")
    if errors:
        raise ValidationError(errors)
    _may_edit(user, community_id)
    with transaction.atomic():
        lookup = {"estate": estate} if estate is not None else {"unit": unit}
        baseline = Baseline.objects.select_for_update().filter(**lookup).first() or Baseline(
            **lookup
        )
        baseline.community_id = community_id
        baseline.kg_per_day, baseline.start_date, baseline.note = kg, start_date, note
        baseline.save()
    return baseline


def _weighing(
    user, now, *, estate=None, unit=None, day, category, kg, hauler, refused_mixed=False, note=""
):
    errors = {}
    estate, unit, community_id = _subject(estate, unit, errors)
    if not isinstance(day, datetime.date):
        errors["day"] = _("请填写称重日期")
    elif day > timezone.localdate(now):
        errors["day"] = _("称重日期不能晚于今天")
    if category not in WasteCategory.values:
        errors["category"] = _("请选择垃圾类别")
    kg = _kg(kg, errors)
    hauler = _text(hauler, "hauler", _("清运单位"), 100, required=True, errors=errors)
    note = _text(note, "note", _("备注"), 200, errors=errors)
    if errors:
        raise ValidationError(errors)
    return Weighing(
        day=day,
        estate=estate,
        unit=unit,
        community_id=community_id,
        category=category,
        kg=kg,
        hauler=hauler,
        refused_mixed=bool(refused_mixed),
        note=note,
        recorded_by=user,
        recorded_at=now,
    )


def do_record_weighing(user, *, now=None, **fields) -> Weighing:
    """One load: day, estate or unit, category, kilograms (> 0), hauler; `refused_mixed` keeps a
    load the hauler refused as mixed (混装拒收), which is never counted."""
    now = now or timezone.now()
    require_role(user, SORTING_EDIT_ROLES, _("您的角色不能维护垃圾分类台账"))
    weighing = _weighing(user, now, **fields)
    _may_edit(user, weighing.community_id)
    weighing.save()
    return weighing


def do_record_weighings(rows, *, now=None) -> list:
    """Many loads at once from a trusted caller (a hauler's export, the demo): each row checked
    like do_record_weighing, all written or none."""
    now = now or timezone.now()
    weighings = [_weighing(None, now, **row) for row in rows]
    with transaction.atomic():
        return Weighing.objects.bulk_create(weighings, batch_size=2000)


# --- inspections -----------------------------------------------------------------------------


def active_template():
    return (
        InspectionTemplate.objects.filter(is_active=True)
        .prefetch_related("items")
        .order_by("-version")
        .first()
    )


def do_save_template(user, *, name, items) -> InspectionTemplate:
    """A new version of the score sheet: items (name, max points, is bin purity) summing to 100
    with one bin-purity item; the old version stays with the inspections scored on it."""
    require_role(user, SORTING_TEMPLATE_ROLES, _("您的角色不能修改检查评分表"))
    errors = {}
    name = _text(name, "name", _("名称"), 100, required=True, errors=errors)
    cleaned = []
    for row in items or ():
        try:
            item, points, purity = row
            points = int(points)
        except (TypeError, ValueError):
            errors["items"] = _("每个评分项须有名称和分值")
            break
        item = _text(item, "items", _("评分项"), 100, required=True, errors=errors)
        if points <= 0:
            errors["items"] = _("评分项“%(n)s”的分值须大于 0") % {"n": item}
        cleaned.append((item, points, bool(purity)))
    if "items" not in errors:
        names = [c[0] for c in cleaned]
        if not cleaned:
            errors["items"] = _("评分表至少要有一个评分项")
        elif len(set(names)) != len(names):
            errors["items"] = _("评分项名称不能重复")
        elif sum(c[1] for c in cleaned) != FULL_SCORE:
            errors["items"] = _("各评分项分值合计须为 %(full)d 分（现为 %(n)d 分）") % {
                "full": FULL_SCORE,
                "n": sum(c[1] for c in cleaned),
            }
        elif sum(1 for c in cleaned if c[2]) != 1:
            errors["items"] = _("评分表须有且只有一项“桶内纯净度”")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        last = InspectionTemplate.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
        InspectionTemplate.objects.filter(is_active=True).update(is_active=False)
        template = InspectionTemplate.objects.create(name=name, version=last + 1, is_active=True)
        TemplateItem.objects.bulk_create(
            TemplateItem(template=template, name=n, max_points=p, is_purity=u, order=i)
            for i, (n, p, u) in enumerate(cleaned)
        )
    return template


@dataclass
class Inspected:
    inspection: Inspection
    case: object = None
    card: Card | None = None
    photos: list = field(default_factory=list)


def _clean_scores(template, scores) -> list:
    items = list(template.items.all())
    cleaned, missing = [], []
    for item in items:
        raw = scores.get(item.pk, scores.get(str(item.pk)))
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or not 0 <= value <= item.max_points:
            missing.append(f"{item.name}（0–{item.max_points}）")
        else:
            cleaned.append((item, value))
    if missing:
        raise ValidationError({"scores": _("请为每一项打分：%s") % "、".join(missing)})
    return cleaned


def fails_in_a_row(subject_filter: dict, *, before=None) -> int:
    """Failed inspections of a subject since its last pass (newest first)."""
    rows = Inspection.objects.filter(**subject_filter)
    if before is not None:
        rows = rows.filter(inspected_at__lte=before)
    count = 0
    for passed in rows.order_by("-inspected_at", "-id").values_list("passed", flat=True)[
        : RED_AFTER + 5
    ]:
        if passed:
            break
        count += 1
    return count


def _case_for(inspection, subject, point, now, uploads, failed_items):
    family, code = SORTING_CATEGORY
    category = Category.objects.filter(family=family, code=code, is_active=True).first()
    if category is None:
        raise ValidationError({"category": _("未找到“垃圾分类”案件类别，请先在后台启用")})
    company = getattr(subject, "property_company", None)
    owner = company.name if company is not None else _("无物业")
    description = _(
        "垃圾分类检查不达标：%(subject)s得分 %(score)d 分（达标线 %(pass)d 分）。"
        "扣分项：%(items)s。请%(owner)s于 %(due)s 前整改，届时复查。"
    ) % {
        "subject": subject.name,
        "score": inspection.score,
        "pass": PASS_SCORE,
        "items": "、".join(failed_items) or "—",
        "owner": _("物业（%(c)s）") % {"c": owner} if company is not None else _("责任单位"),
        "due": timezone.localtime(inspection.reinspect_by).strftime("%Y-%m-%d"),
    }
    if inspection.note:
        description += _("检查意见：%(n)s") % {"n": inspection.note}
    lon = lat = None
    if point is not None and point.lon is not None:
        lon, lat = point.lon, point.lat
    else:
        nearest = (
            DropOffPoint.objects.filter(
                **({"estate": subject} if isinstance(subject, Estate) else {"unit": subject}),
                lon__isnull=False,
            )
            .order_by("id")
            .first()
        )
        if nearest is not None:
            lon, lat = nearest.lon, nearest.lat
    return do_report(
        user=None,
        category=category,
        description=description[:1000],
        source=CaseSource.SUPERVISION,
        lon=lon,
        lat=lat,
        address=subject.name,
        photos=uploads,
        now=now,
    ).case


def do_inspect(
    user, *, estate=None, unit=None, point=None, scores, note="", photos=(), now=None
) -> Inspected:
    """Score an estate or a unit on the active score sheet (`scores`: item id → points). 90 or
    more passes. A fail opens a case for the 物业 (垃圾分类, with the photos) and is due a
    re-inspection within 5 working days; two fails in a row raise a yellow card, three or more a
    red one. The inspection after a fail is that fail's re-inspection."""
    now = now or timezone.now()
    require_role(user, SORTING_INSPECT_ROLES, _("您的角色不能进行垃圾分类检查"))
    errors = {}
    estate, unit, community_id = _subject(estate, unit, errors)
    note = _text(note, "note", _("检查意见"), 500, errors=errors)
    template = active_template()
    if template is None:
        errors["scores"] = _("还没有启用的检查评分表")
    cleaned = []
    if template is not None:
        try:
            cleaned = _clean_scores(template, scores or {})
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if point is not None and (
        (estate is not None and point.estate_id != estate.pk)
        or (unit is not None and point.unit_id != unit.pk)
    ):
        errors["point"] = _("该点位不属于被检查的小区或单位")
    try:
        uploads = inspection_photos.prepared(photos)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    _scope(user, community_id)
    subject = estate or unit
    lookup = {"estate": estate} if estate is not None else {"unit": unit}
    total = sum(points for _item, points in cleaned)
    passed = total >= PASS_SCORE
    with step_photos.atomic():
        # Inspections of one subject are serialised on its row: the re-inspection link and the
        # fails-in-a-row count must see the one before.
        type(subject).objects.select_for_update().get(pk=subject.pk)
        open_fail = (
            Inspection.objects.filter(**lookup, passed=False, reinspections__isnull=True)
            .order_by("-inspected_at", "-id")
            .first()
        )
        inspection = Inspection(
            **lookup,
            community_id=community_id,
            point=point,
            template=template,
            inspected_at=now,
            inspector=user,
            score=total,
            passed=passed,
            reinspection_of=open_fail,
            note=note,
        )
        case = None
        if not passed:
            inspection.reinspect_by = add_working_days(now, REINSPECT_WORKING_DAYS).at
            failed_items = [
                f"{item.name}（{points}/{item.max_points}）"
                for item, points in cleaned
                if points < item.max_points
            ]
            case = _case_for(inspection, subject, point, now, uploads, failed_items)
        inspection.case = case
        inspection.save()
        InspectionScore.objects.bulk_create(
            InspectionScore(
                inspection=inspection,
                item=item.name,
                max_points=item.max_points,
                points=points,
                is_purity=item.is_purity,
                order=item.order,
            )
            for item, points in cleaned
        )
        done = Inspected(inspection, case=case, photos=inspection_photos.store(inspection, uploads))
        if not passed:
            run = fails_in_a_row(lookup, before=now)
            if run >= YELLOW_AFTER:
                done.card = Card.objects.create(
                    **lookup,
                    community_id=community_id,
                    colour=CardColour.RED if run >= RED_AFTER else CardColour.YELLOW,
                    inspection=inspection,
                    fails_in_a_row=run,
                    issued_at=now,
                )
    return done


# --- green-account points (绿色账户) ---------------------------------------------------------


def street_account(kind) -> PointsAccount:
    account, _created = PointsAccount.objects.get_or_create(
        kind=kind, household=None, defaults={"opened_at": timezone.now()}
    )
    return account


def household_account(household) -> PointsAccount:
    account = PointsAccount.objects.filter(household=household).first()
    if account is None:
        _estate, community_id = _household_place(household)
        try:
            with transaction.atomic():
                account = PointsAccount.objects.create(
                    kind=AccountKind.HOUSEHOLD,
                    household=household,
                    community_id=community_id,
                    opened_at=timezone.now(),
                )
        except IntegrityError:
            account = PointsAccount.objects.get(household=household)
    return account


def balance(account) -> int:
    """Credits minus debits of one account."""
    credits = PointsEntry.objects.filter(credit=account).aggregate(s=Sum("amount"))["s"] or 0
    debits = PointsEntry.objects.filter(debit=account).aggregate(s=Sum("amount"))["s"] or 0
    return credits - debits


def ledger_sum() -> int:
    """The sum of every leg of every entry: always 0 (each entry is −amount and +amount)."""
    legs = PointsEntry.objects.aggregate(s=Sum("amount"))["s"] or 0
    return legs - legs


def _post(debit, credit, amount, reason, *, user, now, shift=None, note=""):
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        raise ValidationError({"amount": _("积分须为整数")}) from None
    if not 0 < amount <= MAX_POINTS_PER_ENTRY:
        raise ValidationError(
            {"amount": _("积分须在 1 到 %(n)d 之间") % {"n": MAX_POINTS_PER_ENTRY}}
        )
    if debit.pk == credit.pk:
        raise ValidationError({"amount": _("同一账户之间不能转积分")})
    return PointsEntry.objects.create(
        debit=debit,
        credit=credit,
        amount=amount,
        reason=reason,
        shift=shift,
        note=note,
        by=user,
        at=now,
    )


def do_award_points(household, user, *, amount=1, shift=None, note="", now=None) -> PointsEntry:
    """Points for a verified correct drop-off (正确投放), by the guide on duty at the point or by
    居委/street staff; posted from the street's issued account to the household's."""
    now = now or timezone.now()
    note = _text(note, "note", _("说明"), 200)
    _estate, community_id = _household_place(household)
    if user is not None:
        if shift is not None and shift.guide_id and shift.guide.user_id == user.pk:
            if shift.state != ShiftState.ON_DUTY:
                raise IllegalTransition(_("只有值守中的指导员可以记录积分"))
            if shift.community_id != community_id:
                raise PermissionDenied(_("该户不属于本点位所在居村"))
        else:
            _may_edit(user, community_id)
    with transaction.atomic():
        target = household_account(household)
        target = PointsAccount.objects.select_for_update().get(pk=target.pk)
        return _post(
            street_account(AccountKind.ISSUED),
            target,
            amount,
            EntryReason.EARN,
            user=user,
            now=now,
            shift=shift,
            note=note,
        )


def do_redeem(household, user, *, amount, note="", now=None) -> PointsEntry:
    """Redeem a household's points for goods (兑换); never more than its balance."""
    now = now or timezone.now()
    note = _text(note, "note", _("兑换物品"), 200, required=True)
    _estate, community_id = _household_place(household)
    _may_edit(user, community_id)
    return _redeem(household, user, amount, note, now)


def _redeem(household, user, amount, note, now, *, field="amount") -> PointsEntry:
    # The account row is locked first: two redemptions of one household cannot both read the
    # balance before either is written.
    with transaction.atomic():
        account = PointsAccount.objects.select_for_update().filter(household=household).first()
        have = balance(account) if account is not None else 0
        try:
            wanted = int(amount)
        except (TypeError, ValueError):
            raise ValidationError({field: _("积分须为整数")}) from None
        if account is None or wanted > have:
            raise ValidationError(
                {
                    field: _("积分不足：现有 %(have)d 分，兑换需 %(want)d 分")
                    % {"have": have, "want": wanted}
                }
            )
        return _post(
            account,
            street_account(AccountKind.REDEEMED),
            wanted,
            EntryReason.REDEEM,
            user=user,
            now=now,
            note=note,
        )


# --- the goods list (兑换礼品) -----------------------------------------------------------------

MAX_REWARD_QUANTITY = 20


def do_save_reward(user, *, name, points, is_active=True, order=0, reward=None) -> Reward:
    """An item of the goods list with its price in points, or a change of one (a withdrawn item
    is made inactive, never deleted: statements name it)."""
    require_role(user, SORTING_TEMPLATE_ROLES, _("您的角色不能维护兑换礼品目录"))
    errors = {}
    name = _text(name, "name", _("礼品名称"), 50, required=True, errors=errors)
    try:
        points = int(points)
    except (TypeError, ValueError):
        errors["points"] = _("所需积分须为整数")
    else:
        if not 0 < points <= MAX_POINTS_PER_ENTRY:
            errors["points"] = _("所需积分须在 1 到 %(n)d 之间") % {"n": MAX_POINTS_PER_ENTRY}
    try:
        order = int(order or 0)
    except (TypeError, ValueError):
        errors["order"] = _("须为整数")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        reward = _lock(Reward, reward) if reward is not None else Reward()
        if Reward.objects.filter(name=name).exclude(pk=reward.pk).exists():
            raise ValidationError({"name": _("已有名为“%(n)s”的礼品") % {"n": name}})
        reward.name, reward.points, reward.is_active = name, points, bool(is_active)
        reward.order = max(0, min(order, 32767))
        reward.save()
    return reward


def active_rewards():
    return Reward.objects.filter(is_active=True).order_by("order", "points", "name")


def do_redeem_goods(household, user, *, items, now=None) -> PointsEntry:
    """Redeem a household's points for items of the goods list: `items` is (reward, quantity)
    pairs; the entry costs the sum of each item's current price times its quantity and names
    what was handed over (“环保袋×2、洗洁精×1”). Never more than the balance."""
    now = now or timezone.now()
    errors = {}
    wanted = {}
    for reward, quantity in items or ():
        try:
            quantity = int(quantity or 0)
        except (TypeError, ValueError):
            errors["items"] = _("数量须为整数")
            break
        if quantity == 0:
            continue
        if not 0 < quantity <= MAX_REWARD_QUANTITY:
            errors["items"] = _("每种礼品一次最多兑换 %(n)d 件") % {"n": MAX_REWARD_QUANTITY}
            break
        pk = getattr(reward, "pk", reward)
        wanted[pk] = wanted.get(pk, 0) + quantity
    if not errors and not wanted:
        errors["items"] = _("请选择要兑换的礼品和数量")
    # Prices as they are now, not as the caller read them.
    rewards = {r.pk: r for r in Reward.objects.filter(pk__in=wanted)} if not errors else {}
    if not errors:
        if len(rewards) != len(wanted):
            errors["items"] = _("所选礼品不存在")
        elif stopped := [r.name for r in rewards.values() if not r.is_active]:
            errors["items"] = _("以下礼品已停止兑换：%(n)s") % {"n": "、".join(stopped)}
        elif any(q > MAX_REWARD_QUANTITY for q in wanted.values()):
            errors["items"] = _("每种礼品一次最多兑换 %(n)d 件") % {"n": MAX_REWARD_QUANTITY}
    if errors:
        raise ValidationError(errors)
    chosen = sorted(rewards.values(), key=lambda r: (r.order, r.points, r.name))
    amount = sum(r.points * wanted[r.pk] for r in chosen)
    note = "、".join(f"{r.name}×{wanted[r.pk]}" for r in chosen)
    if amount > MAX_POINTS_PER_ENTRY:
        raise ValidationError(
            {"items": _("一次兑换最多 %(n)d 积分，请分次兑换") % {"n": MAX_POINTS_PER_ENTRY}}
        )
    if len(note) > 200:
        raise ValidationError({"items": _("一次兑换的礼品种类太多，请分次兑换")})
    _estate, community_id = _household_place(household)
    _may_edit(user, community_id)
    return _redeem(household, user, amount, note, now, field="items")
