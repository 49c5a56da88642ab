"""The steps of proactive governance (主动治理). Each `do_*` is atomic, locks its row, checks the
transition table (proactive.workflow), writes its history row and returns what it did.

一弄一案 detection (`do_detect`), run by the periodic job and on demand:

1. The cases of the last max(WINDOW_DAYS, RECUR_DAYS) days not yet gathered by an item (cases
   refused, merged, withdrawn or sent back to 12345 are no problem of the street's and are left
   out) get three keys, most precise first: their address (normalised; none without an address),
   the building group their point lies in, and their micro-grid — each with the category key:
   the category's group (Category.group) when it has one, else the category itself.
2. A case whose key, at the most precise level where an item exists, belongs to an item:
   - not closed: it is gathered by the item;
   - closed, reported after closing and at most RECUR_DAYS later: 返潮 — gathered, the item
     goes back to 返潮 and its count of recurrences goes up;
   - closed longer ago: the case counts as a fresh case below.
3. The remaining cases reported within the last WINDOW_DAYS days (reported_at ≥ now − window,
   the edge included) are grouped by key, address level first: a group of at least THRESHOLD
   cases becomes an item (or brings back a closed item of that key as 返潮) and its cases are
   not counted again at the building-group or micro-grid level.
"""

import datetime
from collections import defaultdict

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.accounts.policy import (
    PROACTIVE_EDIT_ROLES,
    PROACTIVE_TASK_ROLES,
    PROACTIVE_VIEW_ROLES,
)
from civicgrid.cases import notifications
from civicgrid.cases import services as cases
from civicgrid.cases.choices import CaseSource
from civicgrid.cases.models import Case, Category
from civicgrid.cases.services import IllegalTransition
from civicgrid.core import locks
from civicgrid.core.text import field_text
from civicgrid.grids.locator import get_locator
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import scope_by_micro_grid, visible_micro_grids
from civicgrid.messaging.messages import Message, Recipient
from civicgrid.proactive.choices import PlaceKind, ProblemState, TaskOrigin
from civicgrid.proactive.hotspots import NOT_COUNTED
from civicgrid.proactive.models import (
    Anomaly,
    HotspotCell,
    PatrolTask,
    ProblemCase,
    ProblemEvent,
    StandingProblem,
    TaskEvent,
)
from civicgrid.proactive.workflow import PROBLEM_TRANSITIONS, TASK_TRANSITIONS
from civicgrid.registry.addresses import normalize_search_text

LEVELS = (PlaceKind.ADDRESS, PlaceKind.BUILDING_GROUP, PlaceKind.MICRO_GRID)


# ---------------------------------------------------------------------------------------------
# Scope and permissions


def scope_problems(user) -> QuerySet:
    return scope_by_micro_grid(StandingProblem.objects.all(), user)


def scope_tasks(user) -> QuerySet:
    # Grid staff see the tasks of their micro-grids (their own and their colleagues').
    return scope_by_micro_grid(PatrolTask.objects.all(), user)


def scope_hotspots(user) -> QuerySet:
    return scope_by_micro_grid(HotspotCell.objects.all(), user)


def scope_anomalies(user) -> QuerySet:
    return scope_by_micro_grid(Anomaly.objects.all(), user)


def may_view(user) -> bool:
    return user is not None and user.effective_role in PROACTIVE_VIEW_ROLES


def _may_see(user, micro_grid_id) -> bool:
    grids = visible_micro_grids(user)
    return grids is None or grids.filter(pk=micro_grid_id).exists()


def _may_edit(user, micro_grid_id) -> None:
    if user is None:
        return
    if user.effective_role not in PROACTIVE_EDIT_ROLES or not _may_see(user, micro_grid_id):
        raise PermissionDenied(_("您无权处理该网格的一弄一案"))


def _step(table, action, state):
    sources, target = table[action]
    if state not in sources:
        raise IllegalTransition(_("当前状态不能进行此操作"))
    return state if target is None else target


def _problem_event(problem, action, source, user, now, note=""):
    return ProblemEvent.objects.create(
        problem=problem,
        action=action,
        from_state=source,
        to_state=problem.state,
        actor=user,
        at=now,
        note=note,
    )


def _task_event(task, action, source, user, now, note=""):
    return TaskEvent.objects.create(
        task=task,
        action=action,
        from_state=source,
        to_state=task.state,
        actor=user,
        at=now,
        note=note,
    )


# ---------------------------------------------------------------------------------------------
# 一弄一案: detection, gathering, 返潮


def category_key(category_id: int, group: str) -> str:
    return f"g:{group}" if group else f"c:{category_id}"


def _case_keys(rows: list[dict]) -> None:
    """Add the address, building-group and micro-grid keys to each case row (in place)."""
    locator = get_locator()
    with_point = [r for r in rows if r["lon"] is not None and r["lat"] is not None]
    groups = {}
    if with_point and locator.group_index is not None:
        found = locator.group_index.locate_many(
            np.array([r["lon"] for r in with_point]), np.array([r["lat"] for r in with_point])
        )
        for row, position in zip(with_point, found, strict=True):
            if position >= 0:
                groups[row["pk"]] = locator.group_refs[position]
    for row in rows:
        address = normalize_search_text(row["address"] or "")
        group = groups.get(row["pk"])
        ckey = category_key(row["category_id"], row["category__group"])
        row["keys"] = {
            PlaceKind.ADDRESS: (PlaceKind.ADDRESS, address, ckey) if address else None,
            PlaceKind.BUILDING_GROUP: (PlaceKind.BUILDING_GROUP, str(group.id), ckey)
            if group is not None
            else None,
            PlaceKind.MICRO_GRID: (PlaceKind.MICRO_GRID, str(row["micro_grid_id"]), ckey)
            if row["micro_grid_id"]
            else None,
        }
        row["group"] = group


def _title(kind, row, category) -> str:
    if kind == PlaceKind.ADDRESS:
        place = row["address"].strip()
    elif kind == PlaceKind.BUILDING_GROUP:
        place = row["group"].name
    else:
        place = Grid.objects.get(pk=row["micro_grid_id"]).display_name
    return f"{place} · {category.name}"[:200]


def _gather(problem, rows, now, *, recurrence: bool) -> None:
    ProblemCase.objects.bulk_create(
        [
            ProblemCase(problem=problem, case_id=r["pk"], added_at=now, is_recurrence=recurrence)
            for r in rows
        ]
    )
    problem.case_count = F("case_count") + len(rows)
    latest = max(r["reported_at"] for r in rows)
    if latest > problem.last_case_at:
        problem.last_case_at = latest
    problem.save(update_fields=["case_count", "last_case_at"])
    problem.refresh_from_db(fields=["case_count"])


def _numbers(rows) -> str:
    return "、".join(r["number"] for r in sorted(rows, key=lambda r: r["reported_at"]))


def do_detect(*, now=None) -> dict:
    """Find the 一弄一案 items (module docstring): {"created", "gathered", "recurred"}."""
    now = now or timezone.now()
    window = datetime.timedelta(days=settings.CIVICGRID_PROACTIVE_WINDOW_DAYS)
    recur = datetime.timedelta(days=settings.CIVICGRID_PROACTIVE_RECUR_DAYS)
    threshold = settings.CIVICGRID_PROACTIVE_THRESHOLD
    out = {"created": 0, "gathered": 0, "recurred": 0}
    with transaction.atomic():
        # Runs take turns (the periodic job, 「立即检测」, a double click): each reads the cases not
        # yet gathered, and a run reading them before the other's commit would gather them twice.
        locks.hold("proactive.detect")
        rows = list(
            Case.objects.filter(
                reported_at__gte=now - max(window, recur),
                reported_at__lte=now,
                micro_grid__isnull=False,
            )
            .exclude(status__in=NOT_COUNTED)
            .exclude(pk__in=ProblemCase.objects.values("case_id"))
            .values(
                "pk",
                "number",
                "category_id",
                "category__group",
                "address",
                "lon",
                "lat",
                "micro_grid_id",
                "reported_at",
            )
            .order_by("reported_at", "pk")
        )
        if not rows:
            return out
        _case_keys(rows)
        items = {
            (p.place_kind, p.place_key, p.category_key): p
            for p in StandingProblem.objects.select_for_update(of=("self",))
        }
        # Step 2: cases of existing items.
        to_item: dict[int, list] = defaultdict(list)
        recurring: dict[int, list] = defaultdict(list)
        fresh = []
        for row in rows:
            item = next((items[k] for k in row["keys"].values() if k in items), None)
            if item is None:
                fresh.append(row)
            elif item.state != ProblemState.CLOSED:
                to_item[item.pk].append(row)
            elif item.closed_at < row["reported_at"] <= item.closed_at + recur:
                recurring[item.pk].append(row)
            else:
                fresh.append(row)
        by_pk = {p.pk: p for p in items.values()}
        for pk, gathered in to_item.items():
            problem = by_pk[pk]
            _step(PROBLEM_TRANSITIONS, "gather", problem.state)
            _gather(problem, gathered, now, recurrence=problem.state == ProblemState.RECURRED)
            _problem_event(problem, "gather", problem.state, None, now, _numbers(gathered))
            out["gathered"] += len(gathered)
        for pk, gathered in recurring.items():
            _recur(by_pk[pk], gathered, now)
            out["recurred"] += 1
        # Step 3: new items from the cases within the window.
        left = [r for r in fresh if r["reported_at"] >= now - window]
        for kind in LEVELS:
            grouped = defaultdict(list)
            for row in left:
                if row["keys"][kind] is not None:
                    grouped[row["keys"][kind]].append(row)
            used = set()
            for key, group in grouped.items():
                if len(group) < threshold:
                    continue
                existing = items.get(key)
                if existing is not None:
                    _recur(existing, group, now)
                    out["recurred"] += 1
                else:
                    items[key] = _create(kind, key, group, now)
                    out["created"] += 1
                used.update(r["pk"] for r in group)
            left = [r for r in left if r["pk"] not in used]
    return out


def _create(kind, key, group, now) -> StandingProblem:
    first = group[0]
    category = Category.objects.get(pk=first["category_id"])
    problem = StandingProblem.objects.create(
        title=_title(kind, first, category),
        place_kind=kind,
        place_key=key[1],
        address=first["address"].strip()
        if kind == PlaceKind.ADDRESS
        else _title(kind, first, category).split(" · ")[0],
        micro_grid_id=first["micro_grid_id"],
        building_group_id=first["group"].id if kind == PlaceKind.BUILDING_GROUP else None,
        category_key=key[2],
        category=category,
        detected_at=now,
        last_case_at=first["reported_at"],
    )
    _gather(problem, group, now, recurrence=False)
    _problem_event(
        problem,
        "detect",
        "",
        None,
        now,
        _("%(n)d 次：%(numbers)s") % {"n": len(group), "numbers": _numbers(group)},
    )
    return problem


def _recur(problem, gathered, now) -> None:
    source = problem.state
    problem.state = _step(PROBLEM_TRANSITIONS, "recur", source)
    problem.recurrences = F("recurrences") + 1
    problem.save(update_fields=["state", "recurrences"])
    problem.refresh_from_db(fields=["recurrences"])
    _gather(problem, gathered, now, recurrence=True)
    _problem_event(problem, "recur", source, None, now, _numbers(gathered))


def _lock_problem(problem) -> StandingProblem:
    return StandingProblem.objects.select_for_update(of=("self",)).get(pk=problem.pk)


def do_plan(problem, user, *, owner, plan, now=None) -> StandingProblem:
    """落实: the item's owner (a staff account) and its plan; the item is then 整改中."""
    now = now or timezone.now()
    errors = {}
    plan = field_text(plan, "plan", _("整改方案"), 2000, required=True, errors=errors)
    if owner is None or not owner.is_active or owner.effective_role == Role.RESIDENT:
        errors["owner"] = _("请选择在职的工作人员作为责任人")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        problem = _lock_problem(problem)
        _may_edit(user, problem.micro_grid_id)
        source = problem.state
        problem.state = _step(PROBLEM_TRANSITIONS, "plan", source)
        problem.owner, problem.plan = owner, plan
        problem.save(update_fields=["state", "owner", "plan"])
        _problem_event(
            problem, "plan", source, user, now, f"{owner.get_full_name() or owner}：{plan}"
        )
    return problem


def do_close(problem, user, *, note, now=None) -> StandingProblem:
    """销号: the problem is solved (a note says how); a case at the place within RECUR_DAYS brings
    it back as 返潮."""
    now = now or timezone.now()
    note = field_text(note, "note", _("销号说明"), 2000, required=True)
    with transaction.atomic():
        problem = _lock_problem(problem)
        _may_edit(user, problem.micro_grid_id)
        source = problem.state
        problem.state = _step(PROBLEM_TRANSITIONS, "close", source)
        problem.closed_at = now
        problem.save(update_fields=["state", "closed_at"])
        _problem_event(problem, "close", source, user, now, note)
    return problem


# ---------------------------------------------------------------------------------------------
# Patrol tasks


def _task_link(task) -> str:
    return reverse("proactive:task", args=[task.pk])


def do_create_task(
    user,
    *,
    assignee,
    look_for,
    hotspot=None,
    anomaly=None,
    problem=None,
    category=None,
    place="",
    due_on=None,
    now=None,
) -> PatrolTask:
    """A hotspot, an anomaly or a 一弄一案 item (exactly one) becomes a patrol task for a grid
    worker posted on its micro-grid; the worker is told (站内通知)."""
    now = now or timezone.now()
    sources = [(TaskOrigin.HOTSPOT, hotspot), (TaskOrigin.ANOMALY, anomaly)]
    sources.append((TaskOrigin.PROBLEM, problem))
    given = [(origin, obj) for origin, obj in sources if obj is not None]
    if len(given) != 1:
        raise ValidationError({"origin": _("请从一个热点、异常或一弄一案派发任务")})
    origin, obj = given[0]
    micro_grid = obj.micro_grid
    category = category or obj.category
    errors = {}
    look_for = field_text(look_for, "look_for", _("巡查重点"), 500, required=True, errors=errors)
    if not place and origin == TaskOrigin.PROBLEM:
        place = problem.address
    place = field_text(place or micro_grid.display_name, "place", _("巡查地点"), 200, errors=errors)
    if category is None:
        errors["category"] = _("请选择要巡查的问题类别")
    today = timezone.localdate(now)
    due_on = due_on or today + datetime.timedelta(days=3)
    if due_on < today:
        errors["due_on"] = _("完成期限不能早于今天")
    if (
        assignee is None
        or not assignee.is_active
        or assignee.effective_role not in PROACTIVE_TASK_ROLES
        or not _may_see(assignee, micro_grid.pk)
    ):
        errors["assignee"] = _("请选择在该微网格任职的网格员")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _may_edit(user, micro_grid.pk)
        task = PatrolTask.objects.create(
            origin=origin,
            hotspot=hotspot,
            anomaly=anomaly,
            problem=problem,
            micro_grid=micro_grid,
            category=category,
            place=place,
            look_for=look_for,
            assignee=assignee,
            due_on=due_on,
            created_by=user,
            created_at=now,
        )
        _task_event(task, "create", "", user, now, look_for)
        notifications.schedule(
            [
                Message(
                    kind="proactive_task",
                    case_number="",
                    recipient=Recipient(kind="staff", user_id=assignee.pk),
                    text=_("主动巡查任务：%(place)s，%(what)s，请于%(due)s前完成。")
                    % {"place": place, "what": look_for, "due": due_on.strftime("%m月%d日")},
                    link=_task_link(task),
                )
            ],
            at=now,
        )
    return task


def _lock_task(task) -> PatrolTask:
    return PatrolTask.objects.select_for_update(of=("self",)).get(pk=task.pk)


def do_record_finding(
    task,
    user,
    *,
    finding,
    found_problem: bool,
    category=None,
    lon=None,
    lat=None,
    address="",
    photos=(),
    now=None,
) -> PatrolTask:
    """巡查反馈: what the worker found at the task's place. A problem becomes a case with source
    主动发现 (in the same transaction: both or neither); a task for a 一弄一案 item adds the case
    to the item while it is open."""
    now = now or timezone.now()
    finding = field_text(finding, "finding", _("巡查情况"), 2000, required=True)
    with transaction.atomic():
        task = _lock_task(task)
        if user is not None and user.pk != task.assignee_id:
            raise PermissionDenied(_("只能反馈派给自己的巡查任务"))
        source = task.state
        task.state = _step(TASK_TRANSITIONS, "finding", source)
        case = None
        if found_problem:
            case = cases.do_report(
                user=user,
                category=category or task.category,
                description=finding,
                source=CaseSource.PROACTIVE,
                lon=lon,
                lat=lat,
                address=address or task.place,
                micro_grid=task.micro_grid if lon is None or lat is None else None,
                photos=photos,
                now=now,
            ).case
        task.finding, task.found_problem, task.case = finding, found_problem, case
        task.done_at = now
        task.save(update_fields=["state", "finding", "found_problem", "case", "done_at"])
        _task_event(task, "finding", source, user, now, finding)
        if case is not None and task.problem_id:
            problem = _lock_problem(task.problem)
            if problem.state != ProblemState.CLOSED:
                row = {"pk": case.pk, "number": case.number, "reported_at": case.reported_at}
                _gather(problem, [row], now, recurrence=problem.state == ProblemState.RECURRED)
                _problem_event(problem, "gather", problem.state, user, now, case.number)
    return task


def do_cancel_task(task, user, *, note, now=None) -> PatrolTask:
    now = now or timezone.now()
    note = field_text(note, "note", _("取消原因"), 500, required=True)
    with transaction.atomic():
        task = _lock_task(task)
        _may_edit(user, task.micro_grid_id)
        source = task.state
        task.state = _step(TASK_TRANSITIONS, "cancel", source)
        task.save(update_fields=["state"])
        _task_event(task, "cancel", source, user, now, note)
    return task


def assignable_workers(micro_grid) -> QuerySet:
    """Grid staff posted on the micro-grid today (the people a task may go to)."""
    today = timezone.localdate()
    from django.db.models import Q

    return (
        User.objects.filter(
            Q(staff_member__posts__end_date__isnull=True)
            | Q(staff_member__posts__end_date__gte=today),
            is_active=True,
            role__in=PROACTIVE_TASK_ROLES,
            staff_member__posts__micro_grid=micro_grid,
            staff_member__posts__start_date__lte=today,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# ---------------------------------------------------------------------------------------------
# The periodic job


def scan(now=None) -> dict:
    """The hourly job: 一弄一案 detection and 返潮, the hotspots of the periods ending yesterday,
    yesterday's anomalies (each warned once)."""
    from civicgrid.proactive import anomalies, hotspots

    now = now or timezone.now()
    yesterday = timezone.localdate(now) - datetime.timedelta(days=1)
    out = do_detect(now=now)
    out["hotspot_cells"] = hotspots.compute(yesterday)
    out["anomalies"] = len(anomalies.do_detect_anomalies(yesterday, now=now))
    return out
