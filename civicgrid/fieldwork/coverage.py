"""The 巡块 plan and its coverage (巡查覆盖率).

Seed 000 (桃浦): "每天上午和下午,都会拿着巡查记录表 … '巡块'". Each cadre's responsibility area
(PatrolArea) is walked twice every working day, so the plan of a day is, for every area in
force that day, one morning and one afternoon round — on working days of the working-day
calendar only (a holiday has no plan, a 调休 Saturday has one). The plan is derived, never
stored, so it always follows the calendar and the areas as they were on each day.

A round of the plan is

* **done** when the area's worker finished a patrol of the area's micro-grid that started in
  the round's window (morning: 0:00–12:00, afternoon: 12:00–24:00, local time);
* **missed** when its window is over and no such patrol exists;
* **pending** while its window is still open (not counted either way).

Patrol coverage = done ÷ (done + missed) over a period, per worker, per micro-grid and per 居村;
None when nothing was due yet.
"""

import bisect
import dataclasses
import datetime
from collections import defaultdict

from django.db.models import ExpressionWrapper, F, Field, Q
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.fieldwork.choices import PatrolShift, PatrolStatus
from civicgrid.fieldwork.models import Patrol, PatrolArea
from civicgrid.workcalendar.services import get_calendar

NOON = datetime.time(12, 0)
MAX_PERIOD_DAYS = 366


class Outcome:
    DONE = "done"
    MISSED = "missed"
    PENDING = "pending"


@dataclasses.dataclass
class Round:
    """One round of the plan: an area, a working day, a shift, and what became of it."""

    area: PatrolArea
    day: datetime.date
    shift: str
    start: datetime.datetime
    end: datetime.datetime
    outcome: str = Outcome.PENDING
    patrol_id: int | None = None

    @property
    def shift_label(self) -> str:
        return PatrolShift(self.shift).label


def window(day: datetime.date, shift: str) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of a shift's window on `day`, aware, local time."""
    midnight = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    noon = timezone.make_aware(datetime.datetime.combine(day, NOON))
    following = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    return (midnight, noon) if shift == PatrolShift.MORNING else (noon, following)


def shift_of(moment: datetime.datetime) -> str:
    return (
        PatrolShift.MORNING if timezone.localtime(moment).time() < NOON else PatrolShift.AFTERNOON
    )


def areas_in_force(areas, first: datetime.date, last: datetime.date):
    """The areas of `areas` in force on some day of [first, last], with what the plan reads."""
    return (
        areas.filter(start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .select_related("worker", "micro_grid", "micro_grid__parent")
        .order_by("micro_grid__code", "worker_id", "pk")
    )


def plan(areas, first: datetime.date, last: datetime.date, *, now=None) -> list[Round]:
    """Every round of the plan for the days [first, last] of `areas` (a PatrolArea queryset),
    each with its outcome. Three queries: the areas, the finished patrols of the period, the
    calendar's revision."""
    now = now or timezone.now()
    areas = list(areas_in_force(areas, first, last))
    if not areas:
        return []
    start, _ = window(first, PatrolShift.MORNING)
    _, end = window(last, PatrolShift.AFTERNOON)
    done: dict[tuple, int] = {}
    patrols = Patrol.objects.filter(
        status=PatrolStatus.FINISHED,
        started_at__gte=start,
        started_at__lt=end,
        worker_id__in={a.worker_id for a in areas},
        micro_grid_id__in={a.micro_grid_id for a in areas},
    ).values_list("pk", "worker_id", "micro_grid_id", "started_at")
    for pk, worker_id, micro_grid_id, started_at in patrols.order_by("started_at", "pk"):
        key = (worker_id, micro_grid_id, timezone.localdate(started_at), shift_of(started_at))
        done.setdefault(key, pk)
    rounds = []
    calendar = get_calendar()  # one snapshot: a revision check per day would be a query per day
    day = first
    while day <= last:
        if calendar.is_workday(day):
            for area in areas:
                if area.start_date > day or (area.end_date and area.end_date < day):
                    continue
                for shift in (PatrolShift.MORNING, PatrolShift.AFTERNOON):
                    w_start, w_end = window(day, shift)
                    r = Round(area=area, day=day, shift=shift, start=w_start, end=w_end)
                    r.patrol_id = done.get((area.worker_id, area.micro_grid_id, day, shift))
                    if r.patrol_id is not None:
                        r.outcome = Outcome.DONE
                    elif w_end <= now:
                        r.outcome = Outcome.MISSED
                    rounds.append(r)
        day += datetime.timedelta(days=1)
    return rounds


def display_name(user) -> str:
    """姓名 in Chinese order (surname first), else the username."""
    return f"{user.last_name}{user.first_name}".strip() or user.username


def rate(done: int, missed: int) -> float | None:
    """done ÷ (done + missed), None when no round was due."""
    due = done + missed
    return done / due if due else None


def _tally():
    return {"done": 0, "missed": 0, "pending": 0}


def _rows(table: dict, names: dict) -> list[dict]:
    rows = []
    for key, counts in table.items():
        rows.append(
            {
                "key": key,
                "name": names[key],
                "planned": counts["done"] + counts["missed"] + counts["pending"],
                **counts,
                "rate": rate(counts["done"], counts["missed"]),
            }
        )
    rows.sort(key=lambda row: (row["rate"] if row["rate"] is not None else 2, row["name"]))
    return rows


def scoped_areas(user):
    """The areas whose coverage `user` may read: a grid worker their own, a grid leader and 居委
    staff those of the micro-grids they oversee, the street-wide roles all of them."""
    from civicgrid.fieldwork.services import my_micro_grids

    areas = PatrolArea.objects.filter(micro_grid__in=my_micro_grids(user).values("pk"))
    if user.effective_role == Role.GRID_WORKER:
        areas = areas.filter(worker=user)
    return areas


def coverage(areas, first: datetime.date, last: datetime.date, *, now=None) -> dict:
    """Patrol coverage of [first, last]: totals and rows per worker, micro-grid and 居村 (each
    row: planned, done, missed, pending, rate), worst first."""
    rounds = plan(areas, first, last, now=now)
    total = _tally()
    by = {
        "workers": defaultdict(_tally),
        "grids": defaultdict(_tally),
        "communities": defaultdict(_tally),
    }
    names: dict[str, dict] = {"workers": {}, "grids": {}, "communities": {}}
    for r in rounds:
        worker = r.area.worker
        grid = r.area.micro_grid
        community = grid.parent
        keys = {
            "workers": (worker.pk, display_name(worker)),
            "grids": (grid.pk, grid.name),
            "communities": (community.pk, community.name) if community else (None, "—"),
        }
        total[r.outcome] += 1
        for level, (key, name) in keys.items():
            by[level][key][r.outcome] += 1
            names[level][key] = name
    return {
        "first": first,
        "last": last,
        "rounds": rounds,
        "total": {**total, "rate": rate(total["done"], total["missed"])},
        **{level: _rows(by[level], names[level]) for level in by},
    }


def _fixed_offset(start: datetime.datetime, end: datetime.datetime):
    """The local UTC offset over [start, end] (aware, local) when it stays the same (checked
    once a day: no zone changes its offset twice within a day), else None."""
    offset = start.utcoffset()
    zone = start.tzinfo
    moment = start
    while moment < end:
        moment = min(moment + datetime.timedelta(days=1), end)
        if moment.astimezone(zone).utcoffset() != offset:
            return None
    return offset


def community_tallies(areas, first: datetime.date, last: datetime.date, *, now=None):
    """What `coverage` counts per 居村 and in total, without building the rounds: (areas with a
    round, total tally, {community pk: tally}, {community pk: name}). The plan's rules exactly
    (a round per working day and shift while the area is in force; done when the worker
    finished a patrol of the grid in the window, missed once the window is over, else pending),
    counted per area from its days and its patrols: a few thousand set look-ups for a street,
    not a Round object each. Three queries: the areas, the finished patrols, the calendar."""
    now = now or timezone.now()
    rows = list(
        areas.filter(start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .values_list(
            "pk",
            "worker_id",
            "micro_grid_id",
            "start_date",
            "end_date",
            "micro_grid__parent_id",
            "micro_grid__parent__name",
        )
    )
    total, by_community, names = _tally(), defaultdict(_tally), {}
    if not rows:
        return 0, total, by_community, names
    start, _ = window(first, PatrolShift.MORNING)
    _, end = window(last, PatrolShift.AFTERNOON)
    offset = _fixed_offset(start, end)
    zone = timezone.get_current_timezone()
    done: dict[tuple, set] = defaultdict(set)
    patrols = Patrol.objects.filter(
        status=PatrolStatus.FINISHED,
        started_at__gte=start,
        started_at__lt=end,
        worker_id__in={r[1] for r in rows},
        micro_grid_id__in={r[2] for r in rows},
    )
    # The start as the database gives it, without Django's per-value converter (thousands of
    # rows): naive on SQLite, which stores UTC (USE_TZ), aware on PostgreSQL.
    started = ExpressionWrapper(F("started_at"), output_field=Field())
    for worker_id, micro_grid_id, started_at in patrols.values_list(
        "worker_id", "micro_grid_id", started
    ):
        if isinstance(started_at, str):
            started_at = datetime.datetime.fromisoformat(started_at)
        if started_at.tzinfo is None:
            started_at = started_at.replace(tzinfo=datetime.UTC)
        if offset is None:
            local = started_at.astimezone(zone)
        else:  # the local wall time, without a time-zone look-up per patrol
            local = started_at + (offset - started_at.utcoffset())
        shift = PatrolShift.MORNING if local.time() < NOON else PatrolShift.AFTERNOON
        done[(worker_id, micro_grid_id)].add((local.date(), shift))
    calendar = get_calendar()
    # The working days of the period, and the rounds whose window is not over yet.
    workdays = []
    open_rounds = []
    day = first
    while day <= last:
        if calendar.is_workday(day):
            workdays.append(day)
            for shift in (PatrolShift.MORNING, PatrolShift.AFTERNOON):
                if window(day, shift)[1] > now:
                    open_rounds.append((day, shift))
        day += datetime.timedelta(days=1)
    workday_set = set(workdays)
    planned_areas = 0
    for _pk, worker_id, micro_grid_id, start_date, end_date, community, name in rows:
        lo = max(first, start_date)
        hi = min(last, end_date) if end_date else last
        days = bisect.bisect_right(workdays, hi) - bisect.bisect_left(workdays, lo)
        if days <= 0:
            continue
        planned_areas += 1
        walked = done.get((worker_id, micro_grid_id), ())
        n_done = sum(1 for d, _shift in walked if lo <= d <= hi and d in workday_set)
        n_pending = sum(1 for d, shift in open_rounds if lo <= d <= hi and (d, shift) not in walked)
        counts = {"done": n_done, "pending": n_pending, "missed": 2 * days - n_done - n_pending}
        names[community] = name if community is not None else "—"
        for outcome, n in counts.items():
            total[outcome] += n
            by_community[community][outcome] += n
    return planned_areas, total, by_community, names


def dashboard_tile(micro_ids, first: datetime.date, last: datetime.date, now=None) -> dict:
    """巡查覆盖率 for the dashboard (registered with dashboard.tiles): the totals and the rows
    per 居村 of the areas on `micro_ids` (None: the whole street) over first..last (at most the
    last MAX_PERIOD_DAYS days of it), worst first, rates in percent — `coverage`'s figures,
    counted by `community_tallies`. Three queries."""
    first = max(first, last - datetime.timedelta(days=MAX_PERIOD_DAYS - 1))
    areas = PatrolArea.objects.all()
    if micro_ids is not None:
        areas = areas.filter(micro_grid_id__in=micro_ids)
    n_areas, total, by_community, names = community_tallies(areas, first, last, now=now)
    result = {
        "total": {**total, "rate": rate(total["done"], total["missed"])},
        "communities": _rows(by_community, names),
    }

    def percent(value):
        return None if value is None else round(100 * value, 1)

    return {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "areas": n_areas,
        "total": {**result["total"], "rate": percent(result["total"]["rate"])},
        "communities": [
            {k: row[k] for k in ("name", "planned", "done", "missed", "pending")}
            | {"rate": percent(row["rate"])}
            for row in result["communities"]
        ],
    }


def patrol_workers(micro_ids) -> dict:
    """{user id: micro-grid ids}: who walks a 巡块责任区 in force today on the micro-grids — told
    to grids.services.split_community (registered as a work source) so that a 居委 cadre whose
    areas all move with a split follows them to the new 居委."""
    today = timezone.localdate()
    out: dict = defaultdict(set)
    areas = PatrolArea.objects.filter(micro_grid_id__in=micro_ids, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    for worker_id, mg in areas.values_list("worker_id", "micro_grid_id"):
        out[worker_id].add(mg)
    return out
