"""Every figure of the dashboard, from the rollups in a few small queries (any history size).

`resolve_scope(user, code)` decides which micro-grids a page covers (the user's scope, narrowed
by the drill-down `?grid=<code>`); `dashboard(scope, first, last)` builds everything the pages
show; `indicator_table(scope, first, last, group)` gives the 综合评价 rows in the shape of
`cases.indicators.compute` (used by the export and checked against it in the tests).

A scope without a micro-grid filter (street-wide roles, no drill-down) reads the street grains
A/K/E (a few rows per day); a filtered one reads S/C/D restricted to its micro-grids.
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Sum, TextField, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cases.choices import CaseSource
from civicgrid.cases.indicators import QUALITY_RATES, RATES, grade
from civicgrid.core.inputs import InputError, check_date
from civicgrid.dashboard.models import COHORT_COUNTERS, REPORT_COUNTERS, Rollup
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid, micro_grid_display_name
from civicgrid.grids.scoping import visible_micro_grids
from civicgrid.shops import services as shop_services
from civicgrid.sorting import reports as sorting_reports
from civicgrid.survey import services as survey_services

# The quality counts of cases.indicators the rollups keep (those its QUALITY_RATES need).
ROLLED_QUALITY_COUNTS = tuple(sorted({name for pair in QUALITY_RATES.values() for name in pair}))
MAX_PERIOD_DAYS = 3660
DEFAULT_DAYS = 30
TOP_RECURRING = 5
TOP_CATEGORIES = 10
MONTHS = 12


class PeriodError(ValueError):
    """A bad start/end; the message is for the user."""


class ScopeError(ValueError):
    """A grid the user may not see or that does not exist."""


@dataclass
class Scope:
    """Which micro-grids a dashboard covers. `micro_ids` None: everything (no filter)."""

    user: object
    node: Grid | None
    micro_ids: list | None
    label: str = ""
    ancestors: list = field(default_factory=list)
    # The 居村 of `micro_ids` when resolve_scope read them with the micro-grids (else None).
    communities: list | None = None

    @property
    def filtered(self) -> bool:
        return self.micro_ids is not None

    def rollups(self, daily: str, grid_grain: str):
        if self.micro_ids is None:
            return Rollup.objects.filter(grain=daily)
        return Rollup.objects.filter(grain=grid_grain, micro_grid__in=self.micro_ids)


def parse_period(start: str | None, end: str | None, today: datetime.date):
    """(first, last) local dates, both included; default the last 30 days up to today."""

    def parse(text, name):
        try:
            return check_date(datetime.date.fromisoformat(text.strip()))
        except ValueError:
            raise PeriodError(
                _("%(name)s“%(value)s”不是有效日期，请按 2026-11-01 的格式填写")
                % {"name": name, "value": text}
            ) from None
        except InputError as error:
            raise PeriodError(f"{name}:{error.message}") from None

    last = parse(end, _("结束日期")) if end else None
    first = parse(start, _("开始日期")) if start else None
    if last is None:
        last = max(today, first) if first else today
    if first is None:
        first = min(last, today) - datetime.timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise PeriodError(_("结束日期不能早于开始日期"))
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise PeriodError(_("统计区间最长 %(n)d 天") % {"n": MAX_PERIOD_DAYS})
    return first, last


def resolve_scope(user, code: str | None) -> Scope:
    """The user's scope narrowed to grid `code` (any level); ScopeError when not allowed."""
    visible = visible_micro_grids(user)
    # With their paths: the micro-grids below a node are then read from these, not queried again.
    visible_rows = None if visible is None else list(visible.values_list("pk", "path", "parent_id"))
    visible_ids = None if visible_rows is None else [row[0] for row in visible_rows]
    parent_of = {} if visible_rows is None else {pk: parent for pk, _path, parent in visible_rows}
    node = None
    if code:
        node = Grid.objects.filter(code=code.strip()).first()
        if node is None or node.level == GridLevel.BUILDING_GROUP:
            raise ScopeError(_("没有编码为“%(code)s”的网格") % {"code": code})
    elif visible_ids is not None:
        # Community staff start at their community, a 片区负责人 at their area.
        node = getattr(user, "community", None) or getattr(user, "area", None)
    if node is None:
        if visible_ids is None:
            return street_scope(user)
        return Scope(
            user, None, visible_ids, _("我的网格"), communities=_communities(visible_ids, parent_of)
        )
    if node.level == GridLevel.MICRO_GRID:
        under = [node.pk]
        parent_of[node.pk] = node.parent_id
    elif visible_rows is not None:
        under = [pk for pk, path, _parent in visible_rows if path.startswith(node.path)]
    else:
        rows = Grid.objects.filter(level=GridLevel.MICRO_GRID, path__startswith=node.path)
        parent_of = dict(rows.values_list("pk", "parent_id"))
        under = list(parent_of)
    if visible_ids is not None:
        allowed = set(visible_ids)
        under = [pk for pk in under if pk in allowed]
        if not under:
            raise ScopeError(_("网格“%(name)s”不在您的管辖范围内") % {"name": node.name})
    codes = [c for c in node.path.strip("/").split("/") if c and c != node.code]
    ancestors = list(Grid.objects.filter(code__in=codes).order_by("path")) if codes else []
    if visible_ids is not None:
        home = getattr(user, "community", None) or getattr(user, "area", None)
        ancestors = [a for a in ancestors if home and a.path.startswith(home.path)]
    single_root = node.parent_id is None and visible_ids is None
    if single_root and Grid.objects.filter(parent__isnull=True).count() == 1:
        under = None  # the only street is everything: read the street grains
    communities = None if under is None else _communities(under, parent_of)
    return Scope(user, node, under, node.name, ancestors, communities)


def street_scope(user=None) -> Scope:
    """The street-wide view (no drill-down) of a user who sees the whole street."""
    roots = list(Grid.objects.filter(parent__isnull=True).order_by("code")[:2])
    top = roots[0] if len(roots) == 1 else None
    return Scope(user, top, None, top.name if top else _("全部街镇"))


def _communities(micro_ids, parent_of) -> list:
    return sorted({parent_of[pk] for pk in micro_ids if parent_of.get(pk) is not None})


def month_start(day: datetime.date, back: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def _sums(names):
    return {n: Sum(n) for n in names}


def _overdue_sum(now):
    return Sum(Case(When(deadline__lt=now, then="open"), default=0, output_field=IntegerField()))


def indicator_row(c: dict, pend: dict | None = None) -> dict:
    """The 综合评价 counts and rates (cases.indicators definitions) from rollup sums.

    `c`: sums of the cohort counters; `pend`: sums over the P rows whose deadline has passed
    (unhandled cases that are due, hence overdue)."""
    p = pend or {}
    late = p.get("pending", 0) or 0
    counts = {
        "filed": c.get("filed") or 0,
        "due": (c.get("handled") or 0) + late,
        "handled": c.get("handled") or 0,
        "handled_on_time": c.get("handled_on_time") or 0,
        "closed": (c.get("closed") or 0) + (p.get("pending_closed") or 0),
        "closed_on_time": c.get("closed_on_time") or 0,
        "reworked": (c.get("reworked") or 0) + (p.get("pending_reworked") or 0),
        "overdue": (c.get("handled") or 0) - (c.get("handled_on_time") or 0) + late,
        "extended": c.get("extended") or 0,
        "rated": c.get("rated") or 0,
        "satisfied": c.get("satisfied") or 0,
        # cases.indicators' quality counts; its "reported" is a report whose filing is decided.
        "reported": c.get("reported_decided") or 0,
        "reported_filed": c.get("reported_filed") or 0,
        "verified": c.get("verified") or 0,
        "verified_on_time": c.get("verified_on_time") or 0,
        "resolution_answered": c.get("resolution_answered") or 0,
        "resolved": c.get("resolved") or 0,
        "hotline_tickets": c.get("hotline_tickets") or 0,
        "first_contact_on_time": c.get("first_contact_on_time") or 0,
    }
    row = dict(counts)
    for rate, (num, den) in (RATES | QUALITY_RATES).items():
        row[rate] = None if not counts[den] else round(100 * counts[num] / counts[den], 1)
    row["avg_handling_hours"] = None  # not kept in the rollups
    row["grade"] = grade(row["on_time_closure_rate"])
    return row


PENDING_SUMS = ("pending", "pending_reworked", "pending_closed")


def pending_due(scope: Scope, first, last, now):
    """P rows of the period whose handling deadline has passed: [{mg, cat, dept, src, sums}]."""
    qs = Rollup.objects.filter(grain="P", pending__gt=0, day__gte=first, day__lte=last)
    if scope.filtered:
        qs = qs.filter(micro_grid__in=scope.micro_ids)
    return list(
        qs.filter(deadline__lt=now)
        .values("micro_grid", "category", "department", "source")
        .annotate(**_sums(PENDING_SUMS))
    )


def _group_pending(rows, key):
    out = defaultdict(lambda: dict.fromkeys(PENDING_SUMS, 0))
    for r in rows:
        k = key(r)
        for n in PENDING_SUMS:
            out[k][n] += r[n] or 0
    return out


def _labels(group, keys):
    from civicgrid.accounts.models import Department
    from civicgrid.cases.models import Category

    keys = [k for k in keys if k]
    if group in ("area", "community", "micro_grid"):
        return {g.pk: (g.code, g.name) for g in Grid.objects.filter(pk__in=keys)}
    if group == "department":
        return {d.pk: (d.code, d.name) for d in Department.objects.filter(pk__in=keys)}
    if group == "category":
        return {
            c.pk: (f"{c.family}-{c.code}", c.name) for c in Category.objects.filter(pk__in=keys)
        }
    return {}


def micro_grid_names(keys) -> dict:
    """{micro-grid pk: "<居村> · <name>"}: a micro-grid's own name (第1网格) repeats across 居村."""
    grids = Grid.objects.filter(pk__in=[k for k in keys if k]).values_list(
        "pk", "name", "parent__name"
    )
    return {pk: f"{parent} · {name}" if parent else name for pk, name, parent in grids}


def indicator_table(scope: Scope, first, last, group="street", now=None, pending=None):
    """综合评价 rows like cases.indicators.compute (same keys; avg_handling_hours None)."""
    now = now or timezone.now()
    pending = pending_due(scope, first, last, now) if pending is None else pending
    period = {"day__gte": first, "day__lte": last}
    names = (*REPORT_COUNTERS[1:], *COHORT_COUNTERS)
    if group == "street":
        sums = scope.rollups("A", "S").filter(**period).aggregate(**_sums(names))
        pend = _group_pending(pending, lambda r: None)[None]
        groups = {None: (sums, pend)} if sums["filed"] else {}
    elif group in ("area", "community", "micro_grid"):
        rows = list(
            scope.rollups("G", "G")
            .filter(**period)
            .values("micro_grid")
            .annotate(**_sums(names))
            .filter(filed__gt=0)
        )
        parent = {}
        if group != "micro_grid":
            # The 居村 of each micro-grid, or (片区) the 居村's parent: cases.indicators' keys.
            up = "parent_id" if group == "community" else "parent__parent_id"
            ids = {r["micro_grid"] for r in rows} | {r["micro_grid"] for r in pending}
            parent = dict(Grid.objects.filter(pk__in=ids).values_list("pk", up))

        def key(mg):
            if not mg:
                return None
            return parent.get(mg) if group != "micro_grid" else mg

        groups = {}
        for r in rows:
            k = key(r["micro_grid"])
            acc = groups.setdefault(k, (dict.fromkeys(names, 0), None))[0]
            for n in names:
                acc[n] += r[n] or 0
        pend = _group_pending(pending, lambda r: key(r["micro_grid"]))
        groups = {k: (v[0], pend.get(k)) for k, v in groups.items()}
    elif group in ("department", "category"):
        field_name = group
        daily, grid = ("E", "D") if group == "department" else ("K", "C")
        rows = (
            scope.rollups(daily, grid)
            .filter(**period)
            .values(field_name)
            .annotate(**_sums(names))
            .filter(filed__gt=0)
        )
        pend = _group_pending(pending, lambda r: r[field_name] or None)
        groups = {(r[field_name] or None): (r, pend.get(r[field_name] or None)) for r in rows}
    else:
        raise ValueError(group)
    labels = _labels(group, groups.keys())
    out = []
    for k, (sums, pend) in groups.items():
        code, name = labels.get(k, (None, None))
        out.append(
            {"group": group, "key": k, "code": code, "name": name, **indicator_row(sums, pend)}
        )
    out.sort(key=lambda r: (r["code"] is None, r["code"] or ""))
    return out


def _ranked(rows):
    """Department ranking: 按期结案率, then 结案率, then fewer 超期, then 立案数; cases filed but
    not dispatched (no department) come last."""

    def key(r):
        return (
            r["key"] is None,
            -(r["on_time_closure_rate"] if r["on_time_closure_rate"] is not None else -1),
            -(r["closure_rate"] if r["closure_rate"] is not None else -1),
            r["overdue"],
            -r["filed"],
        )

    rows = sorted(rows, key=key)
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows


@dataclass
class _Frame:
    """What every section of `dashboard` works from: the scope, the period, now."""

    scope: Scope
    first: datetime.date
    last: datetime.date
    now: datetime.datetime
    today: datetime.date
    this_month: datetime.date
    m_first: datetime.date

    @property
    def period(self) -> dict:
        return {"day__gte": self.first, "day__lte": self.last}

    def in_scope(self, qs):
        return qs.filter(micro_grid__in=self.scope.micro_ids) if self.scope.filtered else qs


# The counters every daily figure sums.
DAILY_NAMES = (*REPORT_COUNTERS, *COHORT_COUNTERS)
# What the intake figures (today, this month, by source) read of them.
INTAKE = ("reported",)


def _add(acc, row, keys=DAILY_NAMES):
    for n in keys:
        acc[n] = acc.get(n, 0) + (row.get(n) or 0)


def _open_now(f: _Frame) -> list:
    """Open and overdue now (cases.clock: the running deadline before now), by micro-grid and
    department."""
    return list(
        f.in_scope(Rollup.objects.filter(grain="O", open__gt=0))
        .values("micro_grid", "department")
        .annotate(open_n=Sum("open"), overdue_n=_overdue_sum(f.now))
    )


def _open_by(open_rows, key: str) -> dict:
    """{micro_grid or department: [open, overdue]}."""
    out = defaultdict(lambda: [0, 0])
    for r in open_rows:
        out[r[key]][0] += r["open_n"] or 0
        out[r[key]][1] += r["overdue_n"] or 0
    return out


@dataclass(frozen=True)
class _GridRow:
    """What the sections read of a grid (a micro-grid, its 居村, the 居村's parent): plain values
    read with `values_list`, not model instances (a street has hundreds of micro-grids)."""

    pk: int
    code: str
    name: str
    level: str
    parent: "_GridRow | None" = None
    geometry: dict | None = None

    @property
    def parent_id(self):
        return self.parent.pk if self.parent is not None else None

    @property
    def display_name(self) -> str:
        """Grid.display_name for a micro-grid: with its 居村."""
        return micro_grid_display_name(self.name, self.parent.name if self.parent else None)


# Decoded outlines by their JSON text: the same outline is decoded once per process, not on every
# page (a street's outlines are ~200 kB of GeoJSON). Content-addressed, so never stale; shared,
# so read-only. Bounded: cleared when it holds more than OUTLINES_KEPT.
_OUTLINES: dict[str, dict] = {}
OUTLINES_KEPT = 5_000


def _outline(text):
    if text is None:
        return None
    outline = _OUTLINES.get(text)
    if outline is None:
        if len(_OUTLINES) >= OUTLINES_KEPT:
            _OUTLINES.clear()
        outline = _OUTLINES[text] = json.loads(text)
    return outline


def _micro_grids(f: _Frame) -> list:
    """The micro-grids below the node (with outlines and their community and its parent), by
    code."""
    micro_qs = Grid.objects.filter(level=GridLevel.MICRO_GRID)
    if f.scope.micro_ids is not None:
        micro_qs = micro_qs.filter(pk__in=f.scope.micro_ids)
    elif f.scope.node is not None:
        micro_qs = micro_qs.filter(path__startswith=f.scope.node.path)
    rows = micro_qs.annotate(outline=Cast("geometry", TextField())).values_list(
        "pk",
        "code",
        "name",
        "outline",
        "parent_id",
        "parent__code",
        "parent__name",
        "parent__level",
        "parent__parent_id",
        "parent__parent__code",
        "parent__parent__name",
        "parent__parent__level",
    )
    parents: dict = {}
    out = []
    for pk, code, name, outline, p_pk, p_code, p_name, p_level, *grand in rows:
        parent = None
        if p_pk is not None:
            parent = parents.get(p_pk)
            if parent is None:
                up = _GridRow(*grand) if grand[0] is not None else None
                parent = parents[p_pk] = _GridRow(p_pk, p_code, p_name, p_level, up)
        out.append(_GridRow(pk, code, name, GridLevel.MICRO_GRID, parent, _outline(outline)))
    return out


# --- the eight sections ------------------------------------------------------------------------


def _section_kpis(f: _Frame, series, pending, open_rows) -> tuple[dict, dict]:
    """1. The headline figures (today, this month, the period, open and overdue now) and the
    period's 综合评价 indicators."""
    today_sum, month_sum, period_sum = {}, {}, {}
    for r in series:
        d = r["day"]
        if d == f.today:
            _add(today_sum, r, INTAKE)
        if f.this_month <= d <= f.today:
            _add(month_sum, r, INTAKE)
        if f.first <= d <= f.last:
            _add(period_sum, r)
    kpi = indicator_row(period_sum, _group_pending(pending, lambda r: None)[None])
    return {
        "today_reported": today_sum.get("reported", 0),
        "month_reported": month_sum.get("reported", 0),
        "period_reported": period_sum.get("reported", 0),
        "open": sum(r["open_n"] or 0 for r in open_rows),
        "overdue": sum(r["overdue_n"] or 0 for r in open_rows),
        "on_time_closure_rate": kpi["on_time_closure_rate"],
        "satisfaction_rate": kpi["satisfaction_rate"],
        "closure_rate": kpi["closure_rate"],
        "grade": kpi["grade"],
        "filed": kpi["filed"],
        **{rate: kpi[rate] for rate in QUALITY_RATES},
    }, kpi


def _section_trend_day(f: _Frame, series) -> dict:
    """2. Reported and closed by day over the period."""
    by_day = defaultdict(dict)
    for r in series:
        if f.first <= r["day"] <= f.last:
            _add(by_day[r["day"]], r, ("reported", "closed"))
    days = []
    d = f.first
    while d <= f.last:
        days.append(d)
        d += datetime.timedelta(days=1)
    return {
        "labels": [d.strftime("%m-%d") for d in days],
        "reported": [by_day[d].get("reported", 0) for d in days],
        "closed": [by_day[d].get("closed", 0) for d in days],
    }


def _section_trend_month(f: _Frame, series) -> dict:
    """3. Reported and filed by month, the twelve months up to the period's end."""
    by_month = defaultdict(dict)
    for r in series:
        d = r["day"]
        if f.m_first <= d <= f.last:
            _add(by_month[(d.year, d.month)], r, ("reported", "filed"))
    months = [month_start(f.last, back) for back in range(MONTHS - 1, -1, -1)]
    return {
        "labels": [m.strftime("%Y-%m") for m in months],
        "reported": [by_month[(m.year, m.month)].get("reported", 0) for m in months],
        "filed": [by_month[(m.year, m.month)].get("filed", 0) for m in months],
    }


def _section_sources(f: _Frame, series) -> list:
    """4. Intake of the period by source, largest first."""
    by_source = defaultdict(dict)
    for r in series:
        if f.first <= r["day"] <= f.last:
            _add(by_source[r["source"]], r, INTAKE)
    labels = dict(CaseSource.choices)
    return [
        {"key": k, "name": str(labels.get(k, k)), "n": v.get("reported", 0)}
        for k, v in sorted(by_source.items(), key=lambda kv: -kv[1].get("reported", 0))
        if v.get("reported")
    ]


def _section_categories(f: _Frame, categories) -> tuple[list, int]:
    """5. Second-level categories by intake of the period: the top N and the rest's total."""
    rows = list(
        f.scope.rollups("K", "C").filter(**f.period).values("category").annotate(**_sums(INTAKE))
    )
    cats = []
    for r in sorted(rows, key=lambda r: (-(r["reported"] or 0), r["category"])):
        if not r["reported"]:
            continue
        cat = categories.get(r["category"])
        cats.append({"id": r["category"], "name": cat.name if cat else "—", "n": r["reported"]})
    return cats[:TOP_CATEGORIES], sum(c["n"] for c in cats[TOP_CATEGORIES:])


def _section_departments(f: _Frame, pending, open_rows) -> list:
    """6. Departments ranked by the standard indicators of the period, with open/overdue now."""
    from civicgrid.accounts.models import Department

    rows = (
        f.scope.rollups("E", "D")
        .filter(**f.period)
        .values("department")
        .annotate(**_sums(DAILY_NAMES))
        .filter(filed__gt=0)
    )
    names = dict(Department.objects.values_list("pk", "name"))
    dept_pend = _group_pending(pending, lambda r: r["department"])
    dept_open = _open_by(open_rows, "department")
    ranking = []
    for r in rows:
        k = r["department"]
        row = indicator_row(r, dept_pend.get(k))
        row.update(
            key=k or None,
            name=names.get(k, _("未派遣")),
            open=dept_open[k][0],
            overdue_now=dept_open[k][1],
        )
        ranking.append(row)
    return _ranked(ranking)


def _section_recurring(f: _Frame, categories, micro) -> list:
    """7. The most recurring problems of the period: category × micro-grid."""
    recurring = list(
        f.in_scope(Rollup.objects.filter(grain="C", **f.period))
        .exclude(micro_grid=0)
        .values("micro_grid", "category")
        .annotate(n=Sum("reported"))
        .order_by("-n", "micro_grid", "category")[:TOP_RECURRING]
    )
    grid_names = {g.pk: g for g in micro}
    top = []
    for r in recurring:
        g = grid_names.get(r["micro_grid"])
        cat = categories.get(r["category"])
        label = g.display_name if g is not None else str(r["micro_grid"])
        top.append(
            {
                "grid_id": r["micro_grid"],
                "category_id": r["category"],
                "grid_code": g.code if g else "",
                "grid": label,
                "category": cat.name if cat else "—",
                "n": r["n"],
            }
        )
    return top


def _section_children(f: _Frame, micro, per_mg, mg_open, pending) -> list:
    """8a. One row per child of the node (communities of a street, micro-grids of a community):
    the period's indicators, intake, open and overdue now."""
    mg_pend = _group_pending(pending, lambda r: r["micro_grid"])
    node_level = f.scope.node.level if f.scope.node else None
    children = {}
    for g in micro:
        if node_level in (GridLevel.STREET, GridLevel.AREA, None):
            code, name, pk = g.parent.code, g.parent.name, g.parent_id
        else:
            code, name, pk = g.code, g.name, g.pk
        ch = children.setdefault(pk, {"pk": pk, "code": code, "name": name, "sums": {}, "pend": {}})
        if node_level in (GridLevel.STREET, None):
            # A street's 居村 are grouped by their 片区 (a 居村 straight under the street: none).
            area = g.parent.parent if g.parent.parent.level == GridLevel.AREA else None
            ch["area"] = (area.pk, area.code, area.name) if area else None
        ch.setdefault("open", 0)
        ch.setdefault("overdue_now", 0)
        if g.pk in per_mg:
            _add(ch["sums"], per_mg[g.pk])
        if g.pk in mg_pend:
            _add(ch["pend"], mg_pend[g.pk], PENDING_SUMS)
        ch["open"] += mg_open[g.pk][0]
        ch["overdue_now"] += mg_open[g.pk][1]
    rows = []
    for ch in children.values():
        row = indicator_row(ch["sums"], ch["pend"])
        row.update(
            key=ch["pk"],
            code=ch["code"],
            name=ch["name"],
            reported=ch["sums"].get("reported", 0),
            open=ch["open"],
            overdue_now=ch["overdue_now"],
            area=ch.get("area"),
        )
        rows.append(row)
    rows.sort(key=lambda r: r["code"])
    return rows


def _section_areas(micro, per_mg, mg_open, pending, children) -> list:
    """8c. A street's 居村 grouped by 片区: each 片区 with its indicators (summed over its
    micro-grids, as for a 居村) and its 居村 rows; [] below the street or without 片区."""
    if not any(r.get("area") for r in children):
        return []
    mg_pend = _group_pending(pending, lambda r: r["micro_grid"])
    groups = {}
    for g in micro:
        area = g.parent.parent if g.parent.parent.level == GridLevel.AREA else None
        key = area.pk if area else None
        acc = groups.setdefault(
            key,
            {
                "key": key,
                "code": area.code if area else "",
                "name": area.name if area else _("未划片区"),
                "sums": {},
                "pend": {},
                "open": 0,
                "overdue_now": 0,
            },
        )
        if g.pk in per_mg:
            _add(acc["sums"], per_mg[g.pk])
        if g.pk in mg_pend:
            _add(acc["pend"], mg_pend[g.pk], PENDING_SUMS)
        acc["open"] += mg_open[g.pk][0]
        acc["overdue_now"] += mg_open[g.pk][1]
    out = []
    for acc in sorted(groups.values(), key=lambda a: (a["key"] is None, a["code"])):
        total = indicator_row(acc["sums"], acc["pend"])
        total.update(
            reported=acc["sums"].get("reported", 0),
            open=acc["open"],
            overdue_now=acc["overdue_now"],
        )
        rows = [r for r in children if (r["area"] or (None,))[0] == acc["key"]]
        out.append(
            {
                "key": acc["key"],
                "code": acc["code"],
                "name": acc["name"],
                "total": total,
                "rows": rows,
            }
        )
    return out


def _section_map(micro, per_mg, mg_open) -> dict:
    """8b. The micro-grids' outlines with open, overdue now and the period's intake."""
    features = []
    for g in micro:
        if not g.geometry:
            continue
        o, od = mg_open[g.pk]
        features.append(
            {
                "type": "Feature",
                "geometry": g.geometry,
                "properties": {
                    "code": g.code,
                    "name": g.display_name,
                    "open": o,
                    "overdue": od,
                    "reported": (per_mg.get(g.pk) or {}).get("reported") or 0,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def dashboard(scope: Scope, first: datetime.date, last: datetime.date, now=None) -> dict:
    """Everything the dashboard pages show for `scope` and the period first..last: a few small
    rollup queries shared by the sections (KPIs, day and month trends, sources, categories,
    departments, recurring problems, children and map), each built by its own function."""
    from civicgrid.cases.models import Category

    now = now or timezone.now()
    today = timezone.localdate(now)
    f = _Frame(scope, first, last, now, today, month_start(today), month_start(last, MONTHS - 1))
    lo, hi = min(first, f.m_first, f.this_month), max(last, today)
    # Shared by several sections: intake and cohort counters by day and source; the period's
    # unhandled cases past their deadline; open and overdue now; names; per micro-grid sums.
    series = list(
        scope.rollups("A", "S")
        .filter(day__gte=lo, day__lte=hi)
        .values("day", "source")
        .annotate(**_sums(DAILY_NAMES))
    )
    pending = pending_due(scope, first, last, now)
    open_rows = _open_now(f)
    categories = {c.pk: c for c in Category.objects.all()}
    micro = _micro_grids(f)
    grid_rows = f.in_scope(Rollup.objects.filter(grain="G", **f.period))
    per_mg = {
        r["micro_grid"]: r for r in grid_rows.values("micro_grid").annotate(**_sums(DAILY_NAMES))
    }
    mg_open = _open_by(open_rows, "micro_grid")

    kpi, indicators = _section_kpis(f, series, pending, open_rows)
    children = _section_children(f, micro, per_mg, mg_open, pending)
    cats_top, cats_other = _section_categories(f, categories)
    return {
        "today": today,
        "first": first,
        "last": last,
        "kpi": kpi,
        "indicators": indicators,
        "trend_day": _section_trend_day(f, series),
        "trend_month": _section_trend_month(f, series),
        "sources": _section_sources(f, series),
        "categories": cats_top,
        "categories_other": cats_other,
        "departments": _section_departments(f, pending, open_rows),
        "recurring": _section_recurring(f, categories, micro),
        "children": children,
        "areas": _section_areas(micro, per_mg, mg_open, pending, children),
        "map": _section_map(micro, per_mg, mg_open),
    }


def survey_results(scope: Scope, today: datetime.date | None = None) -> dict | None:
    """The latest residents' satisfaction survey (居民满意度测评) for the tile: averages of its
    items (获得感, 幸福感, 满意度) and answer counts per 居村, limited to the 居村 of the scope's
    micro-grids; None when there is no survey yet. Five queries."""
    survey = survey_services.latest_survey(today)
    if survey is None:
        return None
    communities = None
    if scope.micro_ids is not None:
        communities = Grid.objects.filter(pk__in=scope.micro_ids).values("parent_id")
    result = survey_services.results(survey, communities)

    def as_floats(averages):
        return {k: None if v is None else float(v) for k, v in averages.items()}

    return {
        "title": survey.title,
        "start": survey.start_date.isoformat(),
        "end": survey.end_date.isoformat(),
        "items": result["items"],
        "answers": result["answers"],
        "averages": as_floats(result["averages"]),
        "communities": [
            {
                "name": row["community"],
                "answers": row["answers"],
                "averages": [as_floats(row["averages"]).get(name) for name in result["items"]],
            }
            for row in result["communities"]
        ],
        "overall": [as_floats(result["averages"]).get(name) for name in result["items"]],
    }


def sorting_tile(scope: Scope, today: datetime.date | None = None) -> dict:
    """垃圾分类 over the last 30 days and the 居村 of the scope's micro-grids (sorting.reports.tile):
    kilograms by category, 减量率, pass rate and grade, windows staffed, households pledged,
    points in use. At most nine queries."""
    communities = scope.communities
    if communities is None and scope.micro_ids is not None:
        communities = list(
            Grid.objects.filter(pk__in=scope.micro_ids)
            .values_list("parent_id", flat=True)
            .distinct()
        )
    return sorting_reports.tile(communities, today=today)


def shop_roll(scope: Scope, today: datetime.date | None = None) -> dict:
    """The 沿街商铺 tile: blocks refreshed this half-month ÷ blocks (fresh, yellow, red), shops in
    the roll and this month's 门责 pass rate, over the scope's 居村. Four queries."""
    return shop_services.tile(scope.micro_ids, today)
