"""The dashboard's tile of proactive governance (dashboard.tiles hook): the hotspot map with the
trend of each micro-grid, the 一弄一案 items by state with the latest open ones, and the share
found first per micro-grid (the page's period, lowest first: where complaints come first) and
per month (the last six). Five queries, whatever the size of the street."""

import datetime
from collections import defaultdict

from django.db.models import Count, Q, Subquery
from django.urls import reverse

from civicgrid.grids.models import Grid, micro_grid_display_name
from civicgrid.proactive import indicators
from civicgrid.proactive.choices import FirstKind, ProblemState, Trend
from civicgrid.proactive.models import FirstReport, HotspotCell, StandingProblem

# Fill colour of a micro-grid on the hotspot map, by trend (hot-to-cool; none: no fill).
TREND_COLOURS = {
    Trend.NEW: "#e67e22",
    Trend.INTENSIFYING: "#c0392b",
    Trend.PERSISTENT: "#8e44ad",
    Trend.DIMINISHING: "#2e86c1",
}
LIST_SIZE = 8
MONTHS = 6
# The stored kind whose first cases each share counts: found first, first reported by residents.
KINDS = ((FirstKind.FOUND, "found"), (FirstKind.COMPLAINT, "residents"))


def _scoped(queryset, micro_ids):
    return queryset if micro_ids is None else queryset.filter(micro_grid_id__in=micro_ids)


def hotspot_map(micro_ids) -> dict:
    """A GeoJSON FeatureCollection of the micro-grids of the latest all-category period, each
    coloured by its trend, and the count of each trend (one query)."""
    latest = HotspotCell.objects.filter(category__isnull=True).order_by("-period_end")
    cells = _scoped(
        HotspotCell.objects.filter(
            category__isnull=True,
            period_end=Subquery(latest.values("period_end")[:1]),
        ),
        micro_ids,
    ).values_list(
        "pk",
        "period_end",
        "micro_grid__name",
        "micro_grid__parent__name",
        "micro_grid__geometry",
        "count",
        "z",
        "trend",
    )
    features, trends, period_end = [], defaultdict(int), None
    for pk, end, name, community, geometry, count, z, trend in cells:
        period_end = end
        if trend:
            trends[trend] += 1
        if geometry is None:
            continue
        label = micro_grid_display_name(name, community)
        properties = {"name": label, "label": f"{label}：{count}（Gi* {z:.2f}）"}
        if trend:
            properties["color"] = TREND_COLOURS[trend]
            properties["label"] += f" {Trend(trend).label}"
            properties["url"] = reverse("proactive:hotspot", args=[pk])
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {
        "period_end": period_end,
        "geojson": {"type": "FeatureCollection", "features": features},
        "trends": [
            {"trend": t, "label": Trend(t).label, "count": trends[t], "colour": TREND_COLOURS[t]}
            for t in TREND_COLOURS
        ],
    }


def problems(micro_ids) -> dict:
    """一弄一案 by state and the latest items not closed (two queries)."""
    items = _scoped(StandingProblem.objects.all(), micro_ids)
    counts = items.aggregate(
        **{state: Count("pk", filter=Q(state=state)) for state in ProblemState.values}
    )
    latest = list(
        items.exclude(state=ProblemState.CLOSED)
        .order_by("-last_case_at", "-id")
        .values(
            "pk",
            "title",
            "state",
            "case_count",
            "recurrences",
            "owner__last_name",
            "owner__first_name",
        )[:LIST_SIZE]
    )
    for row in latest:
        row["state_label"] = ProblemState(row["state"]).label
        row["owner"] = f"{row.pop('owner__last_name') or ''}{row.pop('owner__first_name') or ''}"
    by_state = [
        {"state": s, "label": ProblemState(s).label, "count": counts[s]}
        for s in ProblemState.values
    ]
    return {
        "by_state": by_state,
        "latest": latest,
        "total": sum(counts[s] for s in ProblemState.values),
    }


def shares(micro_ids, first, last) -> dict:
    """The share found first per micro-grid (first..last) and per month (six months up to
    `last`), from one aggregate over the stored answers (proactive.first) grouped by micro-grid:
    a count per kind for the period and for each month."""
    months = indicators.month_starts(last, MONTHS)
    bounds = [indicators._aware(m) for m in months]
    bounds.append(indicators._aware(last + datetime.timedelta(days=1)))
    since = indicators._aware(first)
    counts = {}
    for kind, key in KINDS:
        counts[f"p_{key}"] = Count("pk", filter=Q(kind=kind, reported_at__gte=since))
        for i in range(MONTHS):
            counts[f"m{i}_{key}"] = Count(
                "pk",
                filter=Q(kind=kind, reported_at__gte=bounds[i], reported_at__lt=bounds[i + 1]),
            )
    rows = (
        _scoped(FirstReport.objects.filter(earlier=0), micro_ids)
        .filter(reported_at__gte=min(since, bounds[0]), reported_at__lt=bounds[-1])
        .values("micro_grid_id")
        .annotate(**counts)
        .order_by()
    )
    grid = {}
    month = {m: {"found": 0, "residents": 0} for m in months}
    for row in rows:
        for i, m in enumerate(months):
            for _kind, key in KINDS:
                month[m][key] += row[f"m{i}_{key}"]
        # A case still waiting to be located has no micro-grid to count under.
        if row["micro_grid_id"] is not None and (row["p_found"] or row["p_residents"]):
            grid[row["micro_grid_id"]] = {key: row[f"p_{key}"] for _kind, key in KINDS}
    names = {
        pk: micro_grid_display_name(name, community)
        for pk, name, community in Grid.objects.filter(pk__in=list(grid)).values_list(
            "pk", "name", "parent__name"
        )
    }
    found = sum(g["found"] for g in grid.values())
    residents = sum(g["residents"] for g in grid.values())
    return {
        "share": indicators._share(found, residents),
        "found": found,
        "residents": residents,
        "by_grid": sorted(
            (
                {
                    "name": names.get(pk, ""),
                    **g,
                    "share": indicators._share(g["found"], g["residents"]),
                }
                for pk, g in grid.items()
            ),
            key=lambda g: (g["share"] is None, g["share"] or 0, g["name"]),
        ),
        "by_month": [
            {"month": m, **v, "share": indicators._share(v["found"], v["residents"])}
            for m, v in month.items()
        ],
    }


def dashboard_tile(micro_ids, first, last, now) -> dict:
    hot = hotspot_map(micro_ids)
    figures = problems(micro_ids)
    share = shares(micro_ids, first, last)
    return {
        "map": hot,
        "problems": figures,
        "share": share,
        "has_data": bool(
            hot["geojson"]["features"]
            or figures["total"]
            or any(m["found"] or m["residents"] for m in share["by_month"])
        ),
    }
