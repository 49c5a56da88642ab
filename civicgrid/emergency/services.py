"""Every change of flood duty and emergencies (防汛应急) and the figures built on them.

Each `do_*` runs in one transaction (the row it changes locked), checks the role
(accounts.policy.EMERGENCY_*), the scope (grids.scoping, by the point's micro-grid) and the
transition tables (emergency.workflow) before writing, writes its immutable history row, writes
its notifications in the same transaction (messaging.outbox) and returns what it did. Bad input
raises ValidationError (field → Chinese message) and a refused user PermissionDenied; nothing is
written then. `user=None` is a trusted caller (a command, the demo builder).

Raising a level (`do_raise`, `do_change_level` to a higher one) reads the kind's plan for the
level: the points at or above its risk get a patrol task (and a pre-positioning task when the
plan asks for sandbags or pumps) for the grid staff posted to the point's micro-grid (the 值班长
on duty when nobody is), due within the plan's interval; a patrol done while the response is
active schedules the next round. The 值班长 and 带班领导 on the duty roster (civicgrid.duty), the
desk and every assignee are told. While a response is active a new 积水 case gets a short filing
and handling deadline (`flooding_deadline`, registered with cases.services.clocks in
EmergencyConfig.ready), so it jumps the queue.
"""

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.access import require, role_of
from civicgrid.accounts.policy import (
    EMERGENCY_COMMAND_ROLES,
    EMERGENCY_FIELD_ROLES,
    EMERGENCY_VIEW_ROLES,
    STREET_WIDE_ROLES,
)
from civicgrid.cases import services as cases
from civicgrid.cases.choices import CaseSource
from civicgrid.cases.models import Category
from civicgrid.core.masking import normalize_phone
from civicgrid.core.text import field_text
from civicgrid.duty.choices import DutyRole
from civicgrid.duty.services import on_duty
from civicgrid.emergency import workflow
from civicgrid.emergency.choices import (
    EmergencyKind,
    FindingOutcome,
    Level,
    PointKind,
    ResponseAction,
    ResponseState,
    Risk,
    Supply,
    TaskAction,
    TaskKind,
    TaskState,
    WorkAction,
    WorkKind,
    WorkState,
)
from civicgrid.emergency.models import (
    ContactPhoneView,
    Drill,
    DrillFinding,
    EmergencyPlan,
    Evacuation,
    FloodPoint,
    FloodReport,
    FloodWork,
    LevelPlan,
    PointContact,
    Response,
    ResponseEvent,
    StockBalance,
    StockMovement,
    Store,
    Task,
    TaskEvent,
    WorkChange,
)
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import scope_by_micro_grid
from civicgrid.messaging import outbox
from civicgrid.messaging.messages import Message, Recipient
from civicgrid.messaging.recipients import staff_users

FLOODING_CATEGORY = "积水"
MAX_NOTE = 300
MAX_DEPTH_CM = 300
MAX_STOCK_CHANGE = 100000
MAX_PEOPLE = 100000
PREPOSITION_MINUTES = 60
LINK_TASKS = "/emergency/m/"
LINK_BOARD = "/emergency/board/"


# --- who may do what ------------------------------------------------------------------------------


def may_view(user) -> bool:
    return user is None or (user.is_authenticated and role_of(user) in EMERGENCY_VIEW_ROLES)


def may_command(user) -> bool:
    if user is None:
        return True
    return (
        user.is_authenticated and not user.is_read_only and role_of(user) in EMERGENCY_COMMAND_ROLES
    )


def may_work(user) -> bool:
    if user is None:
        return True
    return (
        user.is_authenticated and not user.is_read_only and role_of(user) in EMERGENCY_FIELD_ROLES
    )


def scope_points(queryset, user, prefix: str = ""):
    """Points (or rows hanging off one through `prefix`, e.g. "point__") `user` may see."""
    if user is None:
        return queryset
    if not may_view(user):
        return queryset.none()
    return scope_by_micro_grid(queryset, user, field=f"{prefix}micro_grid")


def scope_tasks(queryset, user):
    """The desk and the street-wide roles see every task; others their own and those of the
    points they may see."""
    if user is None or role_of(user) in STREET_WIDE_ROLES | EMERGENCY_COMMAND_ROLES:
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    visible = scope_points(FloodPoint.objects.all(), user).values("pk")
    return queryset.filter(Q(assignee=user) | Q(point__in=visible))


def _check_point(user, point):
    if user is not None and not scope_points(FloodPoint.objects, user).filter(pk=point.pk).exists():
        raise PermissionDenied(_("该点位不在您的管辖范围内"))


# --- input ----------------------------------------------------------------------------------------


def _whole(value, field_name, label, low, high, *, required=True, errors=None):
    if value in (None, ""):
        if required:
            problem = _("请填写%(label)s") % {"label": label}
        else:
            return None
    else:
        try:
            if isinstance(value, bool):
                raise TypeError
            number = int(str(value).strip())
        except (TypeError, ValueError):
            problem = _("%(label)s须为整数") % {"label": label}
        else:
            if low <= number <= high:
                return number
            problem = _("%(label)s须在%(low)s到%(high)s之间") % {
                "label": label,
                "low": low,
                "high": high,
            }
    if errors is None:
        raise ValidationError({field_name: problem})
    errors[field_name] = problem
    return None


def _choice(value, choices, field_name, label, errors=None):
    if value in choices.values:
        return value
    problem = _("请选择%(label)s") % {"label": label}
    if errors is None:
        raise ValidationError({field_name: problem})
    errors[field_name] = problem
    return None


def _coordinate(value, field_name, label, low, high, errors):
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors[field_name] = _("%(label)s须为数字") % {"label": label}
        return None
    if not low <= number <= high:
        errors[field_name] = _("%(label)s超出范围") % {"label": label}
        return None
    return number


def _micro_grid(value, errors):
    if isinstance(value, Grid):
        grid = value
    else:
        grid = Grid.objects.filter(pk=value).first() if str(value or "").isdigit() else None
    if grid is None or grid.level != GridLevel.MICRO_GRID:
        errors["micro_grid"] = _("请选择点位所在的微网格")
        return None
    return grid


# --- the register ---------------------------------------------------------------------------------


def do_save_point(
    user,
    *,
    name,
    kind,
    micro_grid,
    estate=None,
    address="",
    lon=None,
    lat=None,
    risk=Risk.MEDIUM,
    households=0,
    note="",
    point=None,
    now=None,
) -> FloodPoint:
    """易积水点 registered (or, given `point`, corrected); every bad field at once."""
    require(may_command(user), _("您的角色不能维护易积水点"))
    errors = {}
    name = field_text(name, "name", _("名称"), 100, required=True, errors=errors)
    kind = _choice(kind, PointKind, "kind", _("类型"), errors)
    grid = _micro_grid(micro_grid, errors)
    address = field_text(address, "address", _("位置"), 200, errors=errors)
    note = field_text(note, "note", _("说明"), MAX_NOTE, errors=errors)
    risk = _choice(risk, Risk, "risk", _("积水风险"), errors)
    households = _whole(households, "households", _("受影响户数"), 0, 100000, errors=errors) or 0
    lon = _coordinate(lon, "lon", _("经度"), -180, 180, errors)
    lat = _coordinate(lat, "lat", _("纬度"), -90, 90, errors)
    if (lon is None) != (lat is None) and "lon" not in errors and "lat" not in errors:
        errors["lon"] = _("经度和纬度须同时填写")
    if estate is not None and grid is not None and estate.community_id != grid.parent_id:
        errors["estate"] = _("小区不在该微网格所属的居村")
    if errors:
        raise ValidationError(errors)
    fields = {
        "name": name,
        "kind": kind,
        "micro_grid": grid,
        "community_id": grid.parent_id,
        "estate": estate,
        "address": address,
        "lon": lon,
        "lat": lat,
        "risk": risk,
        "households": households,
        "note": note,
    }
    taken = FloodPoint.objects.filter(community_id=grid.parent_id, name=name)
    if point is not None:
        taken = taken.exclude(pk=point.pk)
    if taken.exists():
        raise ValidationError({"name": _("该居村已登记同名的易积水点")})
    with transaction.atomic():
        if point is None:
            point = FloodPoint.objects.create(created_at=now or timezone.now(), **fields)
        else:
            point = FloodPoint.objects.select_for_update(of=("self",)).get(pk=point.pk)
            for key, value in fields.items():
                setattr(point, key, value)
            point.save()
    return point


def do_add_contact(user, point, *, name, title, phone, contact=None) -> PointContact:
    """A person to call about the point (the phone is kept as digits and shown masked); given
    `contact`, that person's entry corrected."""
    require(may_command(user), _("您的角色不能维护易积水点"))
    _check_point(user, point)
    if contact is not None and contact.point_id != point.pk:
        raise ValidationError({"contact": _("该联系人不属于此点位")})
    errors = {}
    name = field_text(name, "name", _("姓名"), 50, required=True, errors=errors)
    title = field_text(title, "title", _("身份"), 50, required=True, errors=errors)
    digits = normalize_phone(
        field_text(phone, "phone", _("电话"), 20, required=True, errors=errors)
    )
    if "phone" not in errors and not 7 <= len(digits) <= 12:
        errors["phone"] = _("电话号码格式不正确")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        FloodPoint.objects.select_for_update(of=("self",)).get(pk=point.pk)
        if contact is not None:
            contact = PointContact.objects.select_for_update(of=("self",)).get(pk=contact.pk)
            contact.name, contact.title, contact.phone = name, title, digits
            contact.save(update_fields=["name", "title", "phone"])
            return contact
        order = point.contacts.count()
        return PointContact.objects.create(
            point=point, name=name, title=title, phone=digits, order=order
        )


def do_remove_contact(user, contact) -> None:
    """A person no longer to call about the point (moved away, another 物业)."""
    require(may_command(user), _("您的角色不能维护易积水点"))
    _check_point(user, contact.point)
    with transaction.atomic():
        PointContact.objects.select_for_update(of=("self",)).filter(pk=contact.pk).delete()


def may_see_contact_phones(user) -> bool:
    """The commanding roles call the point's people during a response: they may see a full
    phone (each view logged); everyone else sees it masked."""
    return user is not None and may_command(user)


def reveal_contact_phone(user, contact, *, channel="web", now=None) -> str:
    """A contact's full phone for a commanding role, the view logged (ContactPhoneView)."""
    require(may_see_contact_phones(user), _("您的角色无权查看完整电话"))
    _check_point(user, contact.point)
    ContactPhoneView.objects.create(
        point_id=contact.point_id,
        contact_name=contact.name,
        user=user,
        channel=channel,
        at=now or timezone.now(),
    )
    return contact.phone


def do_set_point_active(user, point, *, active: bool) -> FloodPoint:
    """A point taken off the register (改造后不再积水) or put back; its history stays."""
    require(may_command(user), _("您的角色不能维护易积水点"))
    _check_point(user, point)
    with transaction.atomic():
        point = FloodPoint.objects.select_for_update(of=("self",)).get(pk=point.pk)
        if point.is_active == bool(active):
            raise ValidationError(
                {"is_active": _("该点位已在册") if active else _("该点位已移出名册")}
            )
        point.is_active = bool(active)
        point.save(update_fields=["is_active"])
    return point


def do_add_work(user, point, *, kind, name, state, capacity=None, now=None) -> FloodWork:
    """A work of the point (强排泵, 小包围, drains) in its present state, logged."""
    require(may_command(user), _("您的角色不能维护防汛设施"))
    errors = {}
    kind = _choice(kind, WorkKind, "kind", _("类型"), errors)
    name = field_text(name, "name", _("名称"), 100, required=True, errors=errors)
    state = _choice(state, WorkState, "state", _("状态"), errors)
    capacity = _whole(capacity, "capacity", _("排水能力"), 1, 100000, required=False, errors=errors)
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        work = FloodWork.objects.create(
            point=point, kind=kind, name=name, state=state, capacity=capacity, updated_at=now
        )
        WorkChange.objects.create(
            work=work, action=WorkAction.STATE, to_state=state, user=user, at=now
        )
    return work


def do_change_work_state(user, work, *, state, note="", now=None) -> FloodWork:
    """A work's state changed by the table (待改造 → 改造中 → 完好 ⇄ 故障); a faulty pump stops."""
    require(may_command(user), _("您的角色不能维护防汛设施"))
    state = _choice(state, WorkState, "state", _("状态"))
    note = field_text(note, "note", _("说明"), MAX_NOTE)
    now = now or timezone.now()
    with transaction.atomic():
        work = FloodWork.objects.select_for_update(of=("self",)).get(pk=work.pk)
        if not workflow.may_change_work(work.state, state):
            raise ValidationError(
                {
                    "state": _("设施不能从“%(a)s”改为“%(b)s”")
                    % {"a": work.get_state_display(), "b": WorkState(state).label}
                }
            )
        before = work.state
        work.state = state
        work.is_running = False
        work.running_since = None
        work.updated_at = now
        work.save()
        WorkChange.objects.create(
            work=work,
            action=WorkAction.STATE,
            from_state=before,
            to_state=state,
            user=user,
            at=now,
            note=note,
            response=active_response(),
        )
    return work


def do_switch_pump(user, work, *, running: bool, note="", now=None) -> FloodWork:
    """A pump started (开泵) or stopped (停泵) from the phone; only a pump in working order runs."""
    require(may_work(user), _("您的角色不能操作泵站"))
    _check_point(user, work.point)
    note = field_text(note, "note", _("说明"), MAX_NOTE)
    now = now or timezone.now()
    with transaction.atomic():
        work = FloodWork.objects.select_for_update(of=("self",)).get(pk=work.pk)
        if work.kind != WorkKind.PUMP:
            raise ValidationError({"work": _("只有强排泵可以开泵或停泵")})
        if running and work.state != WorkState.READY:
            raise ValidationError(
                {"work": _("该泵站状态为“%(s)s”，不能开泵") % {"s": work.get_state_display()}}
            )
        if work.is_running == bool(running):
            raise ValidationError({"work": _("该泵站已在运行") if running else _("该泵站未在运行")})
        work.is_running = bool(running)
        work.running_since = now if running else None
        work.updated_at = now
        work.save(update_fields=["is_running", "running_since", "updated_at"])
        WorkChange.objects.create(
            work=work,
            action=WorkAction.START if running else WorkAction.STOP,
            from_state=work.state,
            to_state=work.state,
            user=user,
            at=now,
            note=note,
            response=active_response(),
        )
    return work


# --- stores ---------------------------------------------------------------------------------------


def do_save_store(user, *, name, community=None, address="") -> Store:
    require(may_command(user), _("您的角色不能维护防汛物资"))
    errors = {}
    name = field_text(name, "name", _("名称"), 100, required=True, errors=errors)
    address = field_text(address, "address", _("地址"), 200, errors=errors)
    if community is not None and community.level != GridLevel.COMMUNITY:
        errors["community"] = _("请选择居村")
    if "name" not in errors and Store.objects.filter(name=name).exists():
        errors["name"] = _("已有同名的仓库")
    if errors:
        raise ValidationError(errors)
    return Store.objects.create(name=name, community=community, address=address)


def do_move_stock(
    user, store, *, supply, change, reason, point=None, response=None, now=None
) -> StockMovement:
    """Supplies into (+) or out of (−) a store, with the balance after it. A store never holds
    less than nothing: taking more than it holds is refused and nothing moves."""
    require(may_command(user), _("您的角色不能出入库防汛物资"))
    errors = {}
    supply = _choice(supply, Supply, "supply", _("物资"), errors)
    change = _whole(change, "change", _("数量"), -MAX_STOCK_CHANGE, MAX_STOCK_CHANGE, errors=errors)
    if change == 0:
        errors["change"] = _("数量不能为零")
    reason = field_text(reason, "reason", _("事由"), 200, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        balance, _created = StockBalance.objects.select_for_update(of=("self",)).get_or_create(
            store=store, supply=supply
        )
        after = balance.quantity + change
        if after < 0:
            raise ValidationError(
                {
                    "change": _("%(store)s的%(supply)s只有%(n)s，不能出库%(m)s")
                    % {
                        "store": store.name,
                        "supply": Supply(supply).label,
                        "n": balance.quantity,
                        "m": -change,
                    }
                }
            )
        balance.quantity = after
        balance.save(update_fields=["quantity"])
        return StockMovement.objects.create(
            store=store,
            supply=supply,
            change=change,
            balance_after=after,
            reason=reason,
            point=point,
            response=response,
            user=user,
            at=now,
        )


def stock_totals() -> dict:
    """{supply: quantity} over every store (one query)."""
    totals = dict.fromkeys(Supply.values, 0)
    for supply, total in StockBalance.objects.values_list("supply").annotate(t=Sum("quantity")):
        totals[supply] = total or 0
    return totals


# --- plans ----------------------------------------------------------------------------------------


def do_save_plan(user, *, kind, title, summary="", now=None) -> EmergencyPlan:
    """The kind's plan (one per kind): created, or its title and summary revised."""
    require(may_command(user), _("您的角色不能修订应急预案"))
    errors = {}
    kind = _choice(kind, EmergencyKind, "kind", _("种类"), errors)
    title = field_text(title, "title", _("名称"), 100, required=True, errors=errors)
    summary = field_text(summary, "summary", _("要点"), 5000, errors=errors)
    if errors:
        raise ValidationError(errors)
    plan, _created = EmergencyPlan.objects.update_or_create(
        kind=kind,
        defaults={"title": title, "summary": summary, "updated_at": now or timezone.now()},
    )
    return plan


def do_set_level_plan(
    user,
    plan,
    *,
    level,
    patrol_risk=Risk.HIGH,
    patrol_every_minutes=120,
    sandbags_per_point=0,
    pumps_per_point=0,
    instructions="",
) -> LevelPlan:
    """What a level of the plan asks (one row per level, replaced)."""
    require(may_command(user), _("您的角色不能修订应急预案"))
    errors = {}
    level = _choice(level, Level, "level", _("等级"), errors)
    patrol_risk = _choice(patrol_risk, Risk, "patrol_risk", _("巡查点位"), errors)
    every = _whole(
        patrol_every_minutes, "patrol_every_minutes", _("巡查间隔"), 15, 1440, errors=errors
    )
    sandbags = _whole(
        sandbags_per_point, "sandbags_per_point", _("每点预置沙袋"), 0, 5000, errors=errors
    )
    pumps = _whole(pumps_per_point, "pumps_per_point", _("每点预置移动泵"), 0, 50, errors=errors)
    instructions = field_text(instructions, "instructions", _("值守要求"), 2000, errors=errors)
    if errors:
        raise ValidationError(errors)
    row, _created = LevelPlan.objects.update_or_create(
        plan=plan,
        level=level,
        defaults={
            "patrol_risk": patrol_risk,
            "patrol_every_minutes": every,
            "sandbags_per_point": sandbags,
            "pumps_per_point": pumps,
            "instructions": instructions,
        },
    )
    return row


def level_plan(kind: str, level: str) -> LevelPlan | None:
    return LevelPlan.objects.filter(plan__kind=kind, level=level).select_related("plan").first()


# --- responses ------------------------------------------------------------------------------------


def active_response() -> Response | None:
    return Response.objects.filter(state=ResponseState.ACTIVE).first()


@dataclass
class Raised:
    """What raising (or raising higher) did."""

    response: Response
    event: ResponseEvent
    tasks: list = field(default_factory=list)
    duty: list = field(default_factory=list)
    messages: int = 0


def duty_now(at=None) -> dict:
    """{"chief": [...], "leader": [...]}: the 值班长 and 带班领导 on the roster now."""
    return {
        "chief": list(on_duty(DutyRole.SHIFT_CHIEF, at)),
        "leader": list(on_duty(DutyRole.DUTY_LEADER, at)),
    }


def _patrolled_points(plan: LevelPlan):
    # Risk values rank "1" (high) before "3" (low): at or above the plan's risk.
    return (
        FloodPoint.objects.filter(is_active=True, risk__lte=plan.patrol_risk)
        .select_related("micro_grid")
        .order_by("pk")
    )


def _assignees(points, fallback) -> dict:
    """{point id: user}: the first current grid staff member of the point's micro-grid (one query
    per micro-grid), else `fallback`."""
    by_grid = {}
    out = {}
    for point in points:
        if point.micro_grid_id not in by_grid:
            by_grid[point.micro_grid_id] = (
                staff_users(Recipient(kind="grid", grid_id=point.micro_grid_id))
                .order_by("pk")
                .first()
            )
        out[point.pk] = by_grid[point.micro_grid_id] or fallback
    return out


def _plan_tasks(response, plan: LevelPlan, now, by_user, *, open_tasks=()) -> list:
    """The level's tasks for its points, but none a point already has open (`open_tasks`:
    (point id, kind) pairs) — raising IV → III adds the pre-positioning, not a second patrol."""
    points = list(_patrolled_points(plan))
    duty = duty_now(now)
    fallback = (duty["chief"] or [None])[0] or by_user
    assignees = _assignees(points, fallback)
    tasks = []
    due_patrol = now + datetime.timedelta(minutes=plan.patrol_every_minutes)
    due_preposition = now + datetime.timedelta(minutes=PREPOSITION_MINUTES)
    for point in points:
        assignee = assignees[point.pk]
        if assignee is None:
            continue
        if (point.pk, TaskKind.PATROL) not in open_tasks:
            tasks.append(
                Task(
                    kind=TaskKind.PATROL,
                    title=_("巡查%(point)s") % {"point": point.name},
                    response=response,
                    point=point,
                    assignee=assignee,
                    state=TaskState.OPEN,
                    due_at=due_patrol,
                    created_at=now,
                )
            )
        if (plan.sandbags_per_point or plan.pumps_per_point) and (
            point.pk,
            TaskKind.PREPOSITION,
        ) not in open_tasks:
            tasks.append(
                Task(
                    kind=TaskKind.PREPOSITION,
                    title=_("在%(point)s预置沙袋%(s)s袋、移动泵%(p)s台")
                    % {
                        "point": point.name,
                        "s": plan.sandbags_per_point,
                        "p": plan.pumps_per_point,
                    },
                    response=response,
                    point=point,
                    assignee=assignee,
                    state=TaskState.OPEN,
                    due_at=due_preposition,
                    created_at=now,
                )
            )
    Task.objects.bulk_create(tasks)
    TaskEvent.objects.bulk_create(
        [TaskEvent(task=t, action=TaskAction.ASSIGN, user=by_user, at=now) for t in tasks]
    )
    return tasks


def _tell(kind, text, users, *, operators=True, link=LINK_BOARD, data=None, now=None) -> int:
    seen = set()
    messages = []
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        messages.append(
            Message(
                kind=kind,
                case_number="",
                recipient=Recipient(kind="staff", user_id=user.pk, phone=user.phone or ""),
                text=text,
                link=link,
                data=data or {},
            )
        )
    if operators:
        messages.append(
            Message(
                kind=kind,
                case_number="",
                recipient=Recipient(kind="operator"),
                text=text,
                link=link,
                data=data or {},
            )
        )
    outbox.write(messages, at=now)
    return len(messages)


def _level_text(response, level) -> str:
    return _("街道启动%(kind)s%(level)s应急响应：%(reason)s") % {
        "kind": response.get_kind_display(),
        "level": Level(level).label,
        "reason": response.reason,
    }


def _notify_raise(response, level, tasks, duty, now) -> int:
    text = _level_text(response, level)
    count = _tell(
        "emergency_level",
        text,
        [*duty["chief"], *duty["leader"]],
        data={"response": response.pk, "level": level},
        now=now,
    )
    per_user = Counter(t.assignee_id for t in tasks)
    people = {t.assignee_id: t.assignee for t in tasks}
    for user_id, n in per_user.items():
        count += _tell(
            "emergency_tasks",
            text + _("。您有%(n)s项任务，请在手机上查看。") % {"n": n},
            [people[user_id]],
            operators=False,
            link=LINK_TASKS,
            data={"response": response.pk, "tasks": n},
            now=now,
        )
    return count


def do_raise(user, *, kind, level, reason, now=None) -> Raised:
    """启动应急响应: a response of `kind` at `level` for the street, its plan's tasks given out
    and everyone concerned told — all in one transaction."""
    require(may_command(user), _("您的角色不能启动应急响应"))
    errors = {}
    kind = _choice(kind, EmergencyKind, "kind", _("种类"), errors)
    level = _choice(level, Level, "level", _("响应等级"), errors)
    reason = field_text(reason, "reason", _("事由"), MAX_NOTE, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    plan = level_plan(kind, level)
    if plan is None:
        raise ValidationError(
            {
                "level": _("%(kind)s预案没有%(level)s的响应措施，请先完善预案")
                % {"kind": EmergencyKind(kind).label, "level": Level(level).label}
            }
        )
    now = now or timezone.now()
    if workflow.response_next("", ResponseAction.RAISE) is None:  # pragma: no cover - table
        raise ValidationError({"level": _("不能启动响应")})
    try:
        with transaction.atomic():
            if (
                Response.objects.select_for_update(of=("self",))
                .filter(state=ResponseState.ACTIVE)
                .exists()
            ):
                raise ValidationError({"level": _("已有应急响应在进行中，请调整其等级或先解除")})
            response = Response.objects.create(
                kind=kind,
                level=level,
                highest_level=level,
                state=ResponseState.ACTIVE,
                reason=reason,
                started_at=now,
                started_by=user,
            )
            event = ResponseEvent.objects.create(
                response=response,
                action=ResponseAction.RAISE,
                to_level=level,
                note=reason,
                user=user,
                at=now,
            )
            tasks = _plan_tasks(response, plan, now, user)
            duty = duty_now(now)
            sent = _notify_raise(response, level, tasks, duty, now)
    except IntegrityError:
        # Another desk raised one at the same moment (the one-active constraint).
        raise ValidationError({"level": _("已有应急响应在进行中，请调整其等级或先解除")}) from None
    return Raised(response, event, tasks, [*duty["chief"], *duty["leader"]], sent)


def _locked_active(response) -> Response:
    response = Response.objects.select_for_update(of=("self",)).get(pk=response.pk)
    if response.state != ResponseState.ACTIVE:
        raise ValidationError({"level": _("该应急响应已解除")})
    return response


def do_change_level(user, response, *, level, note="", now=None) -> Raised:
    """调整响应等级: raised higher, the new level's plan adds tasks for the points not yet
    patrolled; lowered, nothing is taken back. Everyone concerned is told."""
    require(may_command(user), _("您的角色不能调整应急响应"))
    level = _choice(level, Level, "level", _("响应等级"))
    note = field_text(note, "note", _("说明"), MAX_NOTE)
    now = now or timezone.now()
    with transaction.atomic():
        response = _locked_active(response)
        if workflow.response_next(response.state, ResponseAction.CHANGE) is None:
            raise ValidationError({"level": _("该应急响应不能调整")})
        if level == response.level:
            raise ValidationError({"level": _("响应已是%(level)s") % {"level": Level(level).label}})
        plan = level_plan(response.kind, level)
        if plan is None:
            raise ValidationError(
                {
                    "level": _("%(kind)s预案没有%(level)s的响应措施，请先完善预案")
                    % {"kind": response.get_kind_display(), "level": Level(level).label}
                }
            )
        before = response.level
        response.level = level
        if workflow.is_higher(level, response.highest_level):
            response.highest_level = level
        response.save(update_fields=["level", "highest_level"])
        event = ResponseEvent.objects.create(
            response=response,
            action=ResponseAction.CHANGE,
            from_level=before,
            to_level=level,
            note=note,
            user=user,
            at=now,
        )
        tasks = []
        if workflow.is_higher(level, before):
            covered = set(
                Task.objects.filter(response=response, state=TaskState.OPEN).values_list(
                    "point_id", "kind"
                )
            )
            tasks = _plan_tasks(response, plan, now, user, open_tasks=covered)
        duty = duty_now(now)
        text = _("应急响应由%(a)s调整为%(b)s") % {"a": Level(before).label, "b": Level(level).label}
        sent = _tell(
            "emergency_level",
            text,
            [*duty["chief"], *duty["leader"], *(t.assignee for t in tasks)],
            data={"response": response.pk, "level": level},
            now=now,
        )
    return Raised(response, event, tasks, [*duty["chief"], *duty["leader"]], sent)


def do_lift(user, response, *, note="", now=None) -> ResponseEvent:
    """解除应急响应: the open tasks are cancelled (logged), pumps keep their state (someone stops
    them on the spot), everyone concerned is told."""
    require(may_command(user), _("您的角色不能解除应急响应"))
    note = field_text(note, "note", _("说明"), MAX_NOTE)
    now = now or timezone.now()
    with transaction.atomic():
        response = _locked_active(response)
        if workflow.response_next(response.state, ResponseAction.LIFT) is None:
            raise ValidationError({"level": _("该应急响应不能解除")})
        response.state = ResponseState.LIFTED
        response.lifted_at = now
        response.lifted_by = user
        response.save(update_fields=["state", "lifted_at", "lifted_by"])
        event = ResponseEvent.objects.create(
            response=response,
            action=ResponseAction.LIFT,
            from_level=response.level,
            note=note,
            user=user,
            at=now,
        )
        open_tasks = list(
            Task.objects.select_for_update(of=("self",))
            .filter(response=response, state=TaskState.OPEN)
            .select_related("assignee")
        )
        Task.objects.filter(pk__in=[t.pk for t in open_tasks]).update(
            state=TaskState.CANCELLED, done_at=now
        )
        TaskEvent.objects.bulk_create(
            [
                TaskEvent(task=t, action=TaskAction.CANCEL, user=user, at=now, note=_("响应解除"))
                for t in open_tasks
            ]
        )
        duty = duty_now(now)
        _tell(
            "emergency_lift",
            _("街道%(kind)s应急响应已解除") % {"kind": response.get_kind_display()},
            [*duty["chief"], *duty["leader"], *(t.assignee for t in open_tasks)],
            data={"response": response.pk},
            now=now,
        )
    return event


# --- tasks ----------------------------------------------------------------------------------------


def do_complete_task(user, task, *, note="", store=None, now=None) -> Task:
    """A task done by its assignee (or the desk). A pre-positioning task given a `store` takes the
    plan's sandbags and pumps out of it (refused, with nothing done, if the store lacks them). A
    patrol done while its response is active schedules the next round."""
    require(may_work(user), _("您的角色不能办理应急任务"))
    note = field_text(note, "note", _("完成情况"), MAX_NOTE)
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the task's row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
        # outer join to its point.
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("point", "response")
            .get(pk=task.pk)
        )
        if user is not None and task.assignee_id != user.pk and not may_command(user):
            raise PermissionDenied(_("这不是您的任务"))
        if not workflow.may_change_task(task.state, TaskState.DONE):
            raise ValidationError({"task": _("该任务已%(s)s") % {"s": task.get_state_display()}})
        task.state = TaskState.DONE
        task.done_at = now
        task.note = note
        task.save(update_fields=["state", "done_at", "note"])
        TaskEvent.objects.create(task=task, action=TaskAction.DONE, user=user, at=now, note=note)
        response = task.response
        plan = level_plan(response.kind, response.level) if response is not None else None
        if task.kind == TaskKind.PREPOSITION and store is not None and plan is not None:
            for supply, count in (
                (Supply.SANDBAG, plan.sandbags_per_point),
                (Supply.PUMP, plan.pumps_per_point),
            ):
                if count:
                    do_move_stock(
                        None,
                        store,
                        supply=supply,
                        change=-count,
                        reason=_("预置到%(point)s") % {"point": task.point.name},
                        point=task.point,
                        response=response,
                        now=now,
                    )
        if (
            task.kind == TaskKind.PATROL
            and response is not None
            and response.state == ResponseState.ACTIVE
            and plan is not None
        ):
            following = Task.objects.create(
                kind=TaskKind.PATROL,
                title=task.title,
                response=response,
                point=task.point,
                assignee_id=task.assignee_id,
                state=TaskState.OPEN,
                due_at=now + datetime.timedelta(minutes=plan.patrol_every_minutes),
                created_at=now,
            )
            TaskEvent.objects.create(
                task=following, action=TaskAction.ASSIGN, user=None, at=now, note=_("下一轮巡查")
            )
    return task


# --- on the ground --------------------------------------------------------------------------------


def flooding_category() -> Category | None:
    return Category.objects.filter(name=FLOODING_CATEGORY, is_active=True).first()


def do_report_flooding(user, point, *, depth_cm, note="", photos=(), now=None) -> FloodReport:
    """积水报告 from the phone: the depth and a photo of a flooded point. It opens a 积水 case
    (the photo goes with the case), which jumps the queue while a response is active."""
    require(may_work(user), _("您的角色不能报告积水"))
    _check_point(user, point)
    errors = {}
    depth = _whole(depth_cm, "depth_cm", _("积水深度"), 1, MAX_DEPTH_CM, errors=errors)
    note = field_text(note, "note", _("情况"), MAX_NOTE, errors=errors)
    if errors:
        raise ValidationError(errors)
    category = flooding_category()
    if category is None:
        raise ValidationError({"depth_cm": _("未配置“积水”案件类别，请联系管理员")})
    now = now or timezone.now()
    description = _("积水：%(point)s，水深约%(d)s厘米。%(note)s") % {
        "point": point.name,
        "d": depth,
        "note": note,
    }
    reporter = (user.get_full_name() or user.username) if user is not None else ""
    with transaction.atomic():
        # A trusted intake (user=None): who may report was checked above (EMERGENCY_FIELD_ROLES,
        # the point in scope); the case is a patrol's report under the reporter's name.
        done = cases.do_report(
            user=None,
            category=category,
            description=description.strip(),
            source=CaseSource.GRID_PATROL,
            lon=point.lon,
            lat=point.lat,
            address=point.address or point.name,
            reporter_name=reporter[:50],
            micro_grid=point.micro_grid,
            photos=photos,
            now=now,
        )
        return FloodReport.objects.create(
            response=active_response(),
            point=point,
            depth_cm=depth,
            note=note,
            case=done.case,
            user=user,
            at=now,
        )


def do_record_evacuation(user, response, *, point, people, shelter, now=None) -> Evacuation:
    """转移安置: people moved from a point to a shelter during an active response."""
    require(may_work(user), _("您的角色不能登记转移安置"))
    _check_point(user, point)
    errors = {}
    people = _whole(people, "people", _("转移人数"), 1, MAX_PEOPLE, errors=errors)
    shelter = field_text(shelter, "shelter", _("安置点"), 200, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _locked_active(response)
        return Evacuation.objects.create(
            response=response,
            point=point,
            people=people,
            shelter=shelter,
            user=user,
            at=now or timezone.now(),
        )


# --- the queue: 积水 jumps it while a response is active ------------------------------------------


def flooding_deadline(kind, category, start, deadline):
    """cases.services.clocks' rule: a 积水 case reported while a response is active is filed
    within minutes and handled within an hour or two (emergency.workflow)."""
    from civicgrid.workcalendar.services import Deadline

    if category.name != FLOODING_CATEGORY:
        return None
    level = (
        Response.objects.filter(state=ResponseState.ACTIVE, started_at__lte=start)
        .values_list("level", flat=True)
        .first()
    )
    if level is None:
        return None
    if kind == "filing":
        delta = datetime.timedelta(minutes=workflow.FLOODING_FILING_MINUTES[Level(level)])
    else:
        delta = datetime.timedelta(hours=workflow.FLOODING_HANDLING_HOURS[Level(level)])
    return Deadline(start + delta, True)


# --- drills ---------------------------------------------------------------------------------------


def _clean_finding(finding, prefix, errors) -> dict:
    text = field_text(
        finding.get("text"), f"{prefix}text", _("问题"), MAX_NOTE, required=True, errors=errors
    )
    outcome = _choice(
        finding.get("outcome"), FindingOutcome, f"{prefix}outcome", _("处理方式"), errors
    )
    if outcome == FindingOutcome.TASK and finding.get("assignee") is None:
        errors[f"{prefix}assignee"] = _("转任务须指定负责人")
    if outcome == FindingOutcome.CASE and finding.get("point") is None:
        errors[f"{prefix}point"] = _("转案件须指定点位")
    return {**finding, "text": text, "outcome": outcome}


def _make_finding(user, drill, finding, category, now) -> DrillFinding:
    """The finding's task (for its assignee) or case (at its point's place), and its row."""
    task = case = None
    if finding["outcome"] == FindingOutcome.TASK:
        task = Task.objects.create(
            kind=TaskKind.FINDING,
            title=finding["text"],
            drill=drill,
            point=finding.get("point"),
            assignee=finding["assignee"],
            state=TaskState.OPEN,
            due_at=finding.get("due_at") or now + datetime.timedelta(days=7),
            created_at=now,
        )
        TaskEvent.objects.create(task=task, action=TaskAction.ASSIGN, user=user, at=now)
    else:
        point = finding["point"]
        case = cases.do_report(
            user=None,
            category=finding.get("category") or category,
            description=_("演练发现：%(t)s（%(d)s）") % {"t": finding["text"], "d": drill.title},
            source=CaseSource.SUPERVISION,
            lon=point.lon,
            lat=point.lat,
            address=point.address or point.name,
            micro_grid=point.micro_grid,
            now=now,
        ).case
    return DrillFinding.objects.create(
        drill=drill, text=finding["text"], outcome=finding["outcome"], task=task, case=case
    )


def do_add_finding(
    user, drill, *, text, outcome, assignee=None, point=None, due_at=None, now=None
) -> DrillFinding:
    """A finding written up after the drill (the review meeting): it becomes a task for a named
    person or a case at a point's place, like the findings recorded with the drill."""
    require(may_command(user), _("您的角色不能登记应急演练"))
    errors = {}
    now = now or timezone.now()
    finding = _clean_finding(
        {"text": text, "outcome": outcome, "assignee": assignee, "point": point, "due_at": due_at},
        "",
        errors,
    )
    if due_at is not None and due_at <= now:
        errors["due_at"] = _("完成时限须晚于现在")
    category = flooding_category()
    if finding["outcome"] == FindingOutcome.CASE and category is None:
        errors["outcome"] = _("未配置“积水”案件类别，请联系管理员")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        drill = Drill.objects.select_for_update(of=("self",)).get(pk=drill.pk)
        made = _make_finding(user, drill, finding, category, now)
        if made.task is not None:
            _tell(
                "emergency_drill",
                _("演练“%(t)s”的整改任务已派发") % {"t": drill.title},
                [made.task.assignee],
                operators=False,
                link=LINK_TASKS,
                now=now,
            )
    return made


def do_record_drill(
    user,
    *,
    kind,
    title,
    held_on,
    place,
    participants=(),
    others=0,
    summary="",
    findings=(),
    now=None,
) -> Drill:
    """应急演练 recorded with its participants and findings; each finding becomes a task for a
    named person (`{"text", "outcome": "task", "assignee", "due_at"}`) or a case at a point's
    place (`{"text", "outcome": "case", "point"}`). All or nothing."""
    require(may_command(user), _("您的角色不能登记应急演练"))
    errors = {}
    kind = _choice(kind, EmergencyKind, "kind", _("种类"), errors)
    title = field_text(title, "title", _("名称"), 100, required=True, errors=errors)
    place = field_text(place, "place", _("地点"), 200, required=True, errors=errors)
    summary = field_text(summary, "summary", _("演练情况"), 5000, errors=errors)
    others = _whole(others, "others", _("其他参演人数"), 0, 10000, errors=errors) or 0
    now = now or timezone.now()
    if not isinstance(held_on, datetime.date):
        errors["held_on"] = _("请填写演练日期")
    elif held_on > timezone.localdate(now):
        errors["held_on"] = _("演练日期不能晚于今天")
    participants = list(participants)
    if not participants and not others:
        errors["participants"] = _("请填写参演人员")
    cleaned = [
        _clean_finding(finding, f"findings.{i}.", errors) for i, finding in enumerate(findings)
    ]
    if errors:
        raise ValidationError(errors)
    category = flooding_category()
    with transaction.atomic():
        drill = Drill.objects.create(
            kind=kind,
            title=title,
            held_on=held_on,
            place=place,
            others=others,
            summary=summary,
            recorded_by=user,
            recorded_at=now,
        )
        drill.participants.set(participants)
        for finding in cleaned:
            _make_finding(user, drill, finding, category, now)
        if cleaned:
            _tell(
                "emergency_drill",
                _("演练“%(t)s”的整改任务已派发") % {"t": title},
                [f["assignee"] for f in cleaned if f["outcome"] == FindingOutcome.TASK],
                operators=False,
                link=LINK_TASKS,
                now=now,
            )
    return drill


# --- the board, the tile, the summary -------------------------------------------------------------


def board(response=None, now=None) -> dict:
    """The live board of a response (the active one by default): level, duty, flooded points,
    pumps running, people evacuated, tasks done; a fixed number of queries."""
    now = now or timezone.now()
    response = response or active_response()
    pumps = FloodWork.objects.filter(kind=WorkKind.PUMP).aggregate(
        running=Count("pk", filter=Q(is_running=True)),
        ready=Count("pk", filter=Q(state=WorkState.READY)),
        total=Count("pk"),
    )
    out = {"response": response, "pumps": pumps, "now": now}
    if response is None:
        out.update(active=False)
        return out
    reports = FloodReport.objects.filter(response=response)
    figures = reports.aggregate(
        n=Count("pk"),
        points=Count("point", distinct=True),
        deepest=Count("pk", filter=Q(depth_cm__gte=30)),
    )
    tasks = Task.objects.filter(response=response).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(state=TaskState.DONE)),
        open=Count("pk", filter=Q(state=TaskState.OPEN)),
        overdue=Count("pk", filter=Q(state=TaskState.OPEN, due_at__lt=now)),
    )
    evacuated = Evacuation.objects.filter(response=response).aggregate(n=Sum("people"))["n"] or 0
    latest = list(reports.select_related("point", "case").order_by("-at", "-id")[:10])
    duty = duty_now(now)
    out.update(
        active=response.state == ResponseState.ACTIVE,
        reports=figures["n"],
        flooded_points=figures["points"],
        deep_reports=figures["deepest"],
        tasks=tasks,
        evacuated=evacuated,
        latest=latest,
        chiefs=duty["chief"],
        leaders=duty["leader"],
        plan=level_plan(response.kind, response.level),
    )
    return out


def tile(micro_ids, first, last, now) -> dict:
    """The dashboard's and big screen's tile: the active response (or none) with its figures,
    over the whole street (a response is the street's); 2 queries, with or without one."""
    row = (
        Response.objects.filter(state=ResponseState.ACTIVE)
        .values("pk", "kind", "level", "started_at")
        .annotate(
            reports=Count("reports", distinct=True),
            done=Count("tasks", filter=Q(tasks__state=TaskState.DONE), distinct=True),
            tasks=Count("tasks", distinct=True),
        )
        .first()
    )
    points = FloodPoint.objects.filter(is_active=True).aggregate(
        n=Count("pk"), high=Count("pk", filter=Q(risk=Risk.HIGH))
    )
    out = {"active": row is not None, "points": points["n"], "high_risk": points["high"]}
    if row is None:
        return out
    out.update(
        response_id=row["pk"],
        kind=str(EmergencyKind(row["kind"]).label),
        level=str(Level(row["level"]).label),
        level_value=row["level"],
        started_at=row["started_at"].isoformat(),
        reports=row["reports"],
        done=row["done"],
        tasks=row["tasks"],
    )
    return out


def _minutes(delta) -> float:
    return round(delta.total_seconds() / 60, 1)


def summary(response) -> dict:
    """After the event (事后总结): the timeline (levels, reports, pumps, evacuations, tasks), the
    reports per point, and response times (report → case filed/handled, task given → done)."""
    events = list(response.events.select_related("user"))
    reports = list(response.reports.select_related("point", "case", "user").order_by("at", "id"))
    evacuations = list(response.evacuations.select_related("point").order_by("at", "id"))
    pumps = list(response.work_changes.select_related("work__point").order_by("at", "id"))
    tasks = list(response.tasks.select_related("point", "assignee"))
    timeline = []
    for e in events:
        label = e.get_action_display()
        if e.to_level:
            label += f" {Level(e.to_level).label}"
        timeline.append((e.at, label, e.note))
    for r in reports:
        timeline.append((r.at, _("积水报告"), f"{r.point.name} {r.depth_cm}cm"))
    for p in pumps:
        timeline.append((p.at, p.get_action_display(), p.work.name))
    for v in evacuations:
        timeline.append((v.at, _("转移安置"), f"{v.point.name} {v.people}"))
    timeline.sort(key=lambda row: row[0])
    filing = [_minutes(r.case.filed_at - r.at) for r in reports if r.case and r.case.filed_at]
    handling = [_minutes(r.case.handled_at - r.at) for r in reports if r.case and r.case.handled_at]
    done = [_minutes(t.done_at - t.created_at) for t in tasks if t.state == TaskState.DONE]
    by_point = defaultdict(lambda: {"reports": 0, "deepest": 0})
    for r in reports:
        row = by_point[r.point.name]
        row["reports"] += 1
        row["deepest"] = max(row["deepest"], r.depth_cm)
    end = response.lifted_at or timezone.now()
    states = Counter(t.state for t in tasks)
    return {
        "response": response,
        "hours": round((end - response.started_at).total_seconds() / 3600, 1),
        "timeline": timeline,
        "reports": len(reports),
        "by_point": sorted(by_point.items(), key=lambda kv: -kv[1]["deepest"]),
        "evacuated": sum(v.people for v in evacuations),
        "pump_starts": sum(1 for p in pumps if p.action == WorkAction.START),
        "tasks": len(tasks),
        "tasks_done": states.get(TaskState.DONE, 0),
        "tasks_cancelled": states.get(TaskState.CANCELLED, 0),
        "filing_median": statistics.median(filing) if filing else None,
        "handling_median": statistics.median(handling) if handling else None,
        "task_median": statistics.median(done) if done else None,
    }


def summary_text(response) -> str:
    """The summary as plain text (for a notice or the bulletin)."""
    s = summary(response)
    lines = [
        _("%(kind)s应急响应总结") % {"kind": response.get_kind_display()},
        _("启动：%(at)s，最高等级：%(level)s，历时%(h)s小时。")
        % {
            "at": timezone.localtime(response.started_at).strftime("%Y-%m-%d %H:%M"),
            "level": response.get_highest_level_display(),
            "h": s["hours"],
        },
        _("积水报告%(r)s起，转移安置%(e)s人，开泵%(p)s次，任务%(t)s项（完成%(d)s项）。")
        % {
            "r": s["reports"],
            "e": s["evacuated"],
            "p": s["pump_starts"],
            "t": s["tasks"],
            "d": s["tasks_done"],
        },
    ]
    return "\n".join(lines)


def do_draft_summary_notice(user, response, *, notices=None):
    """A 通报 drafted in the notices app from the summary of a lifted response (street-wide, for
    the notices' own review and publication). The 城运中心's command (值班长, 带班领导) may draft
    it (accounts.policy.NOTICES_SUMMARY_ROLES); drafting again returns the draft already made."""
    if notices is None:
        from civicgrid.notices import services as notices
    from civicgrid.notices.choices import NoticeKind, NoticeSource, ScopeLevel

    require(may_command(user), _("您的角色不能起草公告"))
    if response.state != ResponseState.LIFTED:
        raise ValidationError({"response": _("应急响应解除后才能起草总结通报")})
    key = f"emergency-response-{response.pk}"
    if found := notices.notice_for_source(key):
        return found
    street = Grid.objects.filter(level=GridLevel.STREET).order_by("pk").first()
    return notices.do_draft_notice(
        user,
        kind=NoticeKind.CIRCULAR,
        scope_level=ScopeLevel.STREET,
        grid=street,
        title=_("%(kind)s应急响应总结（%(day)s）")
        % {
            "kind": response.get_kind_display(),
            "day": timezone.localtime(response.started_at).strftime("%Y-%m-%d"),
        },
        body=summary_text(response),
        department_name=_("街道城运中心"),
        source=NoticeSource.EMERGENCY_SUMMARY,
        source_key=key,
    )
