"""What the garbage-sorting ledger adds up to: kilograms by category, 减量率, pass rate and grade,
windows staffed and households pledged — per month and per 居村, estate or the whole street —
the map of points by their last score, and the dashboard tile. Computed, never stored; each
report is a fixed number of queries whatever the number of rows.

减量率 (reduction rate): over the days a subject (estate or unit) with a baseline had its dry
waste weighed, on or after its start date, baseline = kg per day × those days, reduction =
baseline − the dry kilograms weighed, 减量率 = reduction ÷ baseline. Days without a weighing are
left out on both sides, so a missing record never looks like a reduction. Loads refused as mixed
are not counted.

Pass rate and grade: each estate's last inspection in the period passes (≥ 90) or not; pass
rate = passing ÷ inspected estates; grade 优 ≥ 80 %, 良 ≥ 60 %, 中 ≥ 30 %, else 差.
"""

import calendar
import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.estates.models import Estate
from civicgrid.grids.models import Grid
from civicgrid.registry.models import Household
from civicgrid.sorting.choices import Grade, PointState, ShiftState, WasteCategory
from civicgrid.sorting.models import (
    PASS_SCORE,
    Baseline,
    DropOffPoint,
    GuideShift,
    Inspection,
    Pledge,
    Weighing,
)

GRADE_FLOORS = (
    (Decimal("0.8"), Grade.EXCELLENT),
    (Decimal("0.6"), Grade.GOOD),
    (Decimal("0.3"), Grade.FAIR),
)
GROUPS = ("street", "community", "estate")
TILE_DAYS = 30
CATEGORIES = list(WasteCategory.values)


def grade(share) -> str | None:
    """优 ≥ 80 %, 良 60–80 %, 中 30–60 %, 差 < 30 % of passing estates; None without any."""
    if share is None:
        return None
    share = Decimal(str(share))
    for floor, name in GRADE_FLOORS:
        if share >= floor:
            return name
    return Grade.POOR


def reduction_rate(baseline_kg, actual_kg) -> Decimal | None:
    """(baseline − actual dry) ÷ baseline, or None without a baseline."""
    baseline_kg, actual_kg = Decimal(baseline_kg or 0), Decimal(actual_kg or 0)
    if baseline_kg <= 0:
        return None
    return (baseline_kg - actual_kg) / baseline_kg


def _ratio(part, whole):
    return None if not whole else Decimal(part) / Decimal(whole)


def percent(value, places=1) -> str:
    if value is None:
        return "—"
    q = Decimal(1).scaleb(-places)
    return f"{(Decimal(value) * 100).quantize(q, ROUND_HALF_UP)}%"


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, month, 1), datetime.date(
        year, month, calendar.monthrange(year, month)[1]
    )


def months_back(day: datetime.date, n: int) -> list[tuple[int, int]]:
    """The n months up to and including day's month, oldest first."""
    index = day.year * 12 + day.month - 1
    return [((i // 12), (i % 12) + 1) for i in range(index - n + 1, index + 1)]


def _in_scope(queryset, communities, field="community"):
    if communities is None:
        return queryset
    return queryset.filter(**{f"{field}__in": communities})


def _key(group, community_id, estate_id):
    if group == "street":
        return "street"
    if group == "community":
        return community_id
    return estate_id


def report(communities, first, last, *, group="community", now=None) -> dict:
    """Figures for first..last (dates, inclusive) over `communities` (a queryset or list of 居村
    ids; None: the whole street), grouped by "street", "community" or "estate" (units are
    counted in street and 居村 figures, not in estate rows). Eight queries."""
    if group not in GROUPS:
        raise ValueError(group)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if communities is not None and not isinstance(communities, list):
        communities = list(communities.values_list("pk", flat=True))
    rows = defaultdict(
        lambda: {
            "kg": dict.fromkeys(CATEGORIES, Decimal(0)),
            "refused": 0,
            "baseline_kg": Decimal(0),
            "dry_kg": Decimal(0),
            "inspected": 0,
            "passed": 0,
            "shifts": 0,
            "staffed": 0,
            "unfilled": 0,
            "missed": 0,
            "households": 0,
            "pledged": 0,
        }
    )
    estate_only = group == "estate"

    # 1. kilograms by category and refused loads
    weighings = _in_scope(Weighing.objects.filter(day__range=(first, last)), communities)
    if estate_only:
        weighings = weighings.filter(estate__isnull=False)
    for community_id, estate_id, category, refused, kg, n in weighings.values_list(
        "community_id", "estate_id", "category", "refused_mixed"
    ).annotate(kg=Sum("kg"), n=Count("pk")):
        row = rows[_key(group, community_id, estate_id)]
        if refused:
            row["refused"] += n
        else:
            row["kg"][category] += kg

    # 2–3. reduction: baselines, and each subject's weighed dry days after its start
    baselines = {
        (b["estate_id"], b["unit_id"]): b
        for b in _in_scope(Baseline.objects.all(), communities).values(
            "estate_id", "unit_id", "community_id", "kg_per_day", "start_date"
        )
    }
    dry = weighings.filter(category=WasteCategory.DRY, refused_mixed=False)
    dry_days = defaultdict(lambda: [0, Decimal(0)])
    for estate_id, unit_id, day, kg in dry.values_list("estate_id", "unit_id", "day").annotate(
        kg=Sum("kg")
    ):
        base = baselines.get((estate_id, unit_id))
        if base is None or day < base["start_date"]:
            continue
        dry_days[(estate_id, unit_id)][0] += 1
        dry_days[(estate_id, unit_id)][1] += kg
    for subject, (days, kg) in dry_days.items():
        base = baselines[subject]
        row = rows[_key(group, base["community_id"], base["estate_id"])]
        row["baseline_kg"] += base["kg_per_day"] * days
        row["dry_kg"] += kg

    # 4. inspections: each estate's last one in the period
    start = datetime.datetime.combine(
        first, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    end = datetime.datetime.combine(
        last + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    inspections = _in_scope(
        Inspection.objects.filter(
            estate__isnull=False, inspected_at__gte=start, inspected_at__lt=end
        ),
        communities,
    )
    latest = {}
    for estate_id, community_id, passed in inspections.order_by("inspected_at", "id").values_list(
        "estate_id", "community_id", "passed"
    ):
        latest[estate_id] = (community_id, passed)
    for estate_id, (community_id, passed) in latest.items():
        row = rows[_key(group, community_id, estate_id)]
        row["inspected"] += 1
        row["passed"] += int(passed)

    # 5. windows staffed
    shifts = _in_scope(
        GuideShift.objects.filter(day__range=(first, min(last, today))).exclude(
            state=ShiftState.CANCELLED
        ),
        communities,
    )
    if estate_only:
        shifts = shifts.filter(point__estate__isnull=False)
    over = Q(day__lt=today) | Q(day=today, end__lte=timezone.localtime(now).time())
    planned = Q(state=ShiftState.PLANNED)
    for community_id, estate_id, total, staffed, unfilled, missed in shifts.values_list(
        "community_id", "point__estate_id"
    ).annotate(
        total=Count("pk"),
        staffed=Count("pk", filter=Q(state__in=[ShiftState.ON_DUTY, ShiftState.DONE])),
        unfilled=Count("pk", filter=planned & Q(guide__isnull=True)),
        missed=Count("pk", filter=planned & Q(guide__isnull=False) & over),
    ):
        row = rows[_key(group, community_id, estate_id)]
        row["shifts"] += total
        row["staffed"] += staffed
        row["unfilled"] += unfilled
        row["missed"] += missed

    # 6–7. households and pledges (as of the end of the period)
    households = Household.objects.all()
    if communities is not None:
        households = households.filter(address__micro_grid__parent__in=communities)
    if estate_only:
        households = households.filter(address__estate__isnull=False)
    for community_id, estate_id, n in households.values_list(
        "address__micro_grid__parent_id", "address__estate_id"
    ).annotate(n=Count("pk")):
        rows[_key(group, community_id, estate_id)]["households"] += n
    pledges = _in_scope(Pledge.objects.filter(signed_on__lte=last), communities)
    if estate_only:
        pledges = pledges.filter(estate__isnull=False)
    for community_id, estate_id, n in pledges.values_list("community_id", "estate_id").annotate(
        n=Count("pk")
    ):
        rows[_key(group, community_id, estate_id)]["pledged"] += n

    rows.pop(None, None)
    # 8. names
    names = {}
    if group == "community":
        names = dict(Grid.objects.filter(pk__in=list(rows)).values_list("pk", "name"))
    elif group == "estate":
        names = {
            pk: f"{community} · {name}"
            for pk, name, community in Estate.objects.filter(pk__in=list(rows)).values_list(
                "pk", "name", "community__name"
            )
        }
    else:
        names = {"street": _("全街道")}
    out = [_finish(key, names.get(key, ""), row) for key, row in rows.items()]
    out.sort(key=lambda r: r["name"])
    total = defaultdict(lambda: None)
    if out:
        total = _finish("total", _("合计"), _sum_rows(rows.values()))
    return {"first": first, "last": last, "group": group, "rows": out, "total": total}


def _sum_rows(rows):
    acc = {
        "kg": dict.fromkeys(CATEGORIES, Decimal(0)),
        **{
            k: 0
            for k in (
                "refused",
                "inspected",
                "passed",
                "shifts",
                "staffed",
                "unfilled",
                "missed",
                "households",
                "pledged",
            )
        },
        "baseline_kg": Decimal(0),
        "dry_kg": Decimal(0),
    }
    for row in rows:
        for c in CATEGORIES:
            acc["kg"][c] += row["kg"][c]
        for k, v in row.items():
            if k != "kg":
                acc[k] += v
    return acc


def _finish(key, name, row) -> dict:
    pass_rate = _ratio(row["passed"], row["inspected"])
    rate = reduction_rate(row["baseline_kg"], row["dry_kg"])
    return {
        "key": key,
        "name": name,
        "kg": row["kg"],
        "kg_total": sum(row["kg"].values()),
        "refused": row["refused"],
        "baseline_kg": row["baseline_kg"],
        "dry_kg": row["dry_kg"],
        "reduction_kg": row["baseline_kg"] - row["dry_kg"] if row["baseline_kg"] else None,
        "reduction_rate": rate,
        "inspected": row["inspected"],
        "passed": row["passed"],
        "pass_rate": pass_rate,
        "grade": grade(pass_rate),
        "grade_label": str(Grade(grade(pass_rate)).label) if pass_rate is not None else "—",
        "shifts": row["shifts"],
        "staffed": row["staffed"],
        "unfilled": row["unfilled"],
        "missed": row["missed"],
        "staffed_rate": _ratio(row["staffed"], row["shifts"]),
        "households": row["households"],
        "pledged": row["pledged"],
        "pledged_rate": _ratio(row["pledged"], row["households"]),
    }


def monthly(communities, months: list[tuple[int, int]], now=None) -> list[dict]:
    """Street-level figures per month (the half-year report's trend): one report per month."""
    series = []
    for year, month in months:
        first, last = month_bounds(year, month)
        figures = report(communities, first, last, group="street", now=now)
        row = figures["total"] if figures["rows"] else _finish("total", "", _sum_rows([]))
        label = f"{year}-{month:02d}"
        series.append({**row, "year": year, "month": month, "label": label, "name": label})
    return series


def points_map(points) -> dict:
    """GeoJSON of the points (with a position) coloured by the last inspection score of their
    estate or unit: green passed, amber 75–89, red below, grey never inspected. Two queries."""
    last_score = Inspection.objects.filter(
        Q(estate_id=OuterRef("estate_id"), estate__isnull=False)
        | Q(unit_id=OuterRef("unit_id"), unit__isnull=False)
    ).order_by("-inspected_at", "-id")
    rows = (
        points.filter(lon__isnull=False, lat__isnull=False)
        .exclude(state=PointState.MERGED)
        .annotate(last_score=Subquery(last_score.values("score")[:1]))
        .values("pk", "name", "kind", "state", "lon", "lat", "last_score", "households_served")
    )
    features = []
    for r in rows:
        score = r["last_score"]
        colour = (
            "#9aa5ad"
            if score is None
            else "#2e8b57"
            if score >= PASS_SCORE
            else "#e0a030"
            if score >= 75
            else "#c0392b"
        )
        label = r["name"] + (f" · {score}" if score is not None else "")
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                "properties": {
                    "id": r["pk"],
                    "name": r["name"],
                    "label": label,
                    "score": score,
                    "color": colour,
                    "state": r["state"],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def tile(communities, today=None, now=None) -> dict:
    """The dashboard tile: the last 30 days over the scope's 居村 (a month in progress is thin:
    weighings and inspections come a few times a month) — kilograms by category, 减量率,
    pass rate and grade, windows staffed, households pledged; and the points in use. At most nine
    queries."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    first = today - datetime.timedelta(days=TILE_DAYS - 1)
    figures = report(communities, first, today, group="street", now=now)
    total = figures["total"] if figures["rows"] else _finish("total", "", _sum_rows([]))
    points = DropOffPoint.objects.filter(state=PointState.IN_USE)
    if communities is not None:
        points = points.filter(community__in=communities)
    in_use = points.aggregate(
        n=Count("pk"), rebuilt=Count("pk", filter=Q(rebuilt_on__isnull=False))
    )
    return {
        "first": first,
        "last": today,
        "kg": [(WasteCategory(c).label, total["kg"][c]) for c in CATEGORIES],
        "kg_total": total["kg_total"],
        "reduction_rate": percent(total["reduction_rate"]),
        "pass_rate": percent(total["pass_rate"]),
        "grade": total["grade_label"],
        "inspected": total["inspected"],
        "staffed_rate": percent(total["staffed_rate"]),
        "missed": total["missed"],
        "unfilled": total["unfilled"],
        "pledged_rate": percent(total["pledged_rate"]),
        "points": in_use["n"],
        "rebuilt": in_use["rebuilt"],
    }


def overdue_reinspections(communities, now=None):
    """Failed inspections whose re-inspection is past due and not done."""
    now = now or timezone.now()
    rows = Inspection.objects.filter(
        passed=False, reinspections__isnull=True, reinspect_by__lt=now
    ).select_related("estate", "unit", "case")
    return _in_scope(rows, communities).order_by("reinspect_by")
