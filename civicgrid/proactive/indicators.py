"""Found before any complaint (未诉先办): the share of the street's problems that its own people
found first.

- A **found** case is one the street's people reported: source 主动发现, 巡查上报, 走访 or 部门自查.
- A **complaint** is a case from residents, 12345 or Open311.
- Two cases are **at the same place** when both have a point and lie within
  CIVICGRID_PROACTIVE_FIRST_RADIUS_M (100 m) of each other, or, when either has no point, when
  they are in the same micro-grid.
- A found case was **found first** when no complaint of the same category at the same place was
  reported in the CIVICGRID_PROACTIVE_FIRST_WINDOW_DAYS (7) days before it (up to its own time).
- A complaint was **first reported by residents** when no found case of the same category at the
  same place was reported in the same window before it.
- The **share found first** of a grid and period = found first ÷ (found first + first reported
  by residents), both counted over the cases reported in the period; cases refused, merged,
  withdrawn or sent back are left out. None when there were neither.

The grid worker's 防范到位 (fieldwork.scorecard) counts the worker's own reports by the same rule
(`found_first`). The shares (`per_grid`, `per_month`, the dashboard's tile) read the answers
stored per case by proactive.first; `classify` is the rule on read, which its tests and
bench/first_tile.py compare them with. A scoped view counts a case by its answer among all the
street's cases (a complaint just across the scope's edge from an earlier found case is not
"first").
"""

import bisect
import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from civicgrid.cases.choices import CaseSource
from civicgrid.cases.duplicates import distance_m
from civicgrid.cases.models import Case
from civicgrid.proactive.hotspots import NOT_COUNTED

FOUND_SOURCES = (
    CaseSource.PROACTIVE,
    CaseSource.GRID_PATROL,
    CaseSource.VISIT,
    CaseSource.DEPARTMENT,
)
COMPLAINT_SOURCES = (CaseSource.RESIDENT, CaseSource.HOTLINE_12345, CaseSource.OPEN311)
FIELDS = ("pk", "source", "category_id", "lon", "lat", "micro_grid_id", "reported_at")


def window() -> datetime.timedelta:
    return datetime.timedelta(days=settings.CIVICGRID_PROACTIVE_FIRST_WINDOW_DAYS)


def same_place(a: dict, b: dict) -> bool:
    if None in (a["lon"], a["lat"], b["lon"], b["lat"]):
        return a["micro_grid_id"] is not None and a["micro_grid_id"] == b["micro_grid_id"]
    return (
        distance_m(a["lon"], a["lat"], b["lon"], b["lat"])
        <= settings.CIVICGRID_PROACTIVE_FIRST_RADIUS_M
    )


class Earlier:
    """The cases of one kind, by category, place and time, to ask "was there one before this
    case at the same place?" without comparing every pair: a case with a point looks only in
    the cells (a little wider than the radius) around it and at the point-less cases of its
    micro-grid; a case without a point at the cases of its micro-grid."""

    def __init__(self, rows):
        radius = settings.CIVICGRID_PROACTIVE_FIRST_RADIUS_M
        # Degrees per cell: at least the radius in both directions up to 60° of latitude.
        self.dlat = radius / 111_320
        self.dlon = radius / (111_320 * 0.5)
        buckets = defaultdict(list)
        for row in sorted(rows, key=lambda r: r["reported_at"]):
            cat, micro = row["category_id"], row["micro_grid_id"]
            buckets[(cat, "grid", micro)].append(row)
            if self._has_point(row):
                buckets[(cat, "cell", self._cell(row))].append(row)
            else:
                buckets[(cat, "bare", micro)].append(row)
        self.rows = buckets
        self.times = {k: [r["reported_at"] for r in v] for k, v in buckets.items()}

    @staticmethod
    def _has_point(row) -> bool:
        return row["lon"] is not None and row["lat"] is not None

    def _cell(self, row):
        return (int(row["lon"] // self.dlon), int(row["lat"] // self.dlat))

    def _keys(self, case):
        cat, micro = case["category_id"], case["micro_grid_id"]
        if not self._has_point(case):
            return [(cat, "grid", micro)] if micro is not None else []
        x, y = self._cell(case)
        keys = [(cat, "cell", (x + i, y + j)) for i in (-1, 0, 1) for j in (-1, 0, 1)]
        if micro is not None:
            keys.append((cat, "bare", micro))
        return keys

    def any_before(self, case: dict) -> bool:
        for key in self._keys(case):
            rows, times = self.rows.get(key), self.times.get(key)
            if not rows:
                continue
            lo = bisect.bisect_left(times, case["reported_at"] - window())
            hi = bisect.bisect_right(times, case["reported_at"])
            if any(r["pk"] != case["pk"] and same_place(case, r) for r in rows[lo:hi]):
                return True
        return False

    def count_before(self, case: dict) -> int:
        """How many cases any_before would find (each lies in one of the case's keys only)."""
        count = 0
        for key in self._keys(case):
            rows, times = self.rows.get(key), self.times.get(key)
            if not rows:
                continue
            lo = bisect.bisect_left(times, case["reported_at"] - window())
            hi = bisect.bisect_right(times, case["reported_at"])
            count += sum(1 for r in rows[lo:hi] if r["pk"] != case["pk"] and same_place(case, r))
        return count


def found_first(case: dict, complaints: Earlier) -> bool:
    """A found case with no complaint of its category at its place in the window before."""
    return not complaints.any_before(case)


def _rows(micro_ids, start, end):
    cases = Case.objects.filter(
        reported_at__gte=start - window(),
        reported_at__lt=end,
        source__in=FOUND_SOURCES + COMPLAINT_SOURCES,
    ).exclude(status__in=NOT_COUNTED)
    if micro_ids is not None:
        cases = cases.filter(micro_grid_id__in=micro_ids)
    return list(cases.values(*FIELDS))


def _aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def classify(micro_ids, start, end) -> list[dict]:
    """The cases reported in [start, end) with "first": "found" (found first), "residents"
    (first reported by residents) or None (neither), in one query."""
    rows = _rows(micro_ids, start, end)
    found = Earlier(r for r in rows if r["source"] in FOUND_SOURCES)
    complaints = Earlier(r for r in rows if r["source"] in COMPLAINT_SOURCES)
    out = []
    for row in rows:
        if not start <= row["reported_at"] < end:
            continue
        if row["source"] in FOUND_SOURCES:
            row["first"] = "found" if found_first(row, complaints) else None
        else:
            row["first"] = "residents" if not found.any_before(row) else None
        out.append(row)
    return out


def tally_firsts(rows, first, months) -> tuple[dict, dict]:
    """classify's rows counted as the tile counts them: found first / first reported by residents
    per micro-grid from `first` on, and per month of `months` (the rule on read, which the stored
    answers are checked against)."""
    grid = defaultdict(lambda: {"found": 0, "residents": 0})
    month = {m: {"found": 0, "residents": 0} for m in months}
    for row in rows:
        if not row["first"]:
            continue
        day = timezone.localdate(row["reported_at"])
        if day >= first and row["micro_grid_id"] is not None:
            grid[row["micro_grid_id"]][row["first"]] += 1
        if day.replace(day=1) in month:
            month[day.replace(day=1)][row["first"]] += 1
    return dict(grid), month


def _share(found: int, residents: int) -> float | None:
    return None if found + residents == 0 else round(found / (found + residents), 4)


def _stored_first(micro_ids, start, end):
    """The cases reported in [start, end) that came first, from the stored answers
    (proactive.first keeps them by this module's rule; classify is the rule on read)."""
    from civicgrid.proactive.models import FirstReport

    rows = FirstReport.objects.filter(earlier=0, reported_at__gte=start, reported_at__lt=end)
    return rows if micro_ids is None else rows.filter(micro_grid_id__in=micro_ids)


def _counts(**bounds):
    from civicgrid.proactive.choices import FirstKind

    return {
        "found": Count("pk", filter=Q(kind=FirstKind.FOUND, **bounds)),
        "residents": Count("pk", filter=Q(kind=FirstKind.COMPLAINT, **bounds)),
    }


def per_grid(micro_ids, first: datetime.date, last: datetime.date) -> dict:
    """{micro_grid_id: {"found", "residents", "share"}} over the local days first..last (one
    aggregate over the stored answers)."""
    rows = (
        _stored_first(micro_ids, _aware(first), _aware(last + datetime.timedelta(days=1)))
        # A case still waiting to be located has no micro-grid to count under.
        .exclude(micro_grid_id=None)
        .values("micro_grid_id")
        .annotate(**_counts())
        .order_by()
    )
    return {
        r["micro_grid_id"]: {
            "found": r["found"],
            "residents": r["residents"],
            "share": _share(r["found"], r["residents"]),
        }
        for r in rows
    }


def month_starts(last: datetime.date, months: int) -> list[datetime.date]:
    first = last.replace(day=1)
    out = [first]
    for _i in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        out.append(first)
    return out[::-1]


def per_month(micro_ids, last: datetime.date, months: int = 6) -> list[dict]:
    """[{"month": first day, "found", "residents", "share"}] for the `months` months up to the
    one holding `last`, oldest first (one aggregate over the stored answers)."""
    starts = month_starts(last, months)
    bounds = [_aware(m) for m in starts] + [_aware(last + datetime.timedelta(days=1))]
    counts = {}
    for i in range(months):
        within = {"reported_at__gte": bounds[i], "reported_at__lt": bounds[i + 1]}
        counts.update({f"{key}{i}": c for key, c in _counts(**within).items()})
    row = _stored_first(micro_ids, bounds[0], bounds[-1]).aggregate(**counts)
    out = []
    for i, m in enumerate(starts):
        found, residents = row[f"found{i}"], row[f"residents{i}"]
        out.append(
            {"month": m, "found": found, "residents": residents, "share": _share(found, residents)}
        )
    return out
