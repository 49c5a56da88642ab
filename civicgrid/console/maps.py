"""案件地图: the operator's map of open cases by state, clustered, on the grid polygons.

The page draws the user's micro-grids as the base (no tile server offline: web/map.js) and fetches
the markers from `cases.json`, which is scoped and filtered like the queues (console.queries:
scope_cases, the one FilterSet) and narrowed to the open states ticked on the page. One query for
the markers whatever their number (tuples, no model instances), up to
CIVICGRID_CASE_MAP_MAX_MARKERS of them, newest first; the answer says when it was cut.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import CONSOLE_QUEUE_ROLES
from civicgrid.cases.choices import CaseStatus
from civicgrid.console import queries
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import visible_micro_grids

# The open states a marker may have, in the loop's order, each with its colour on the map.
MAP_STATES = [
    (CaseStatus.REPORTED, "#7f8c8d"),
    (CaseStatus.FILED, "#2980b9"),
    (CaseStatus.RETURNED, "#8e44ad"),
    (CaseStatus.DISPATCHED, "#d35400"),
    (CaseStatus.ACCEPTED, "#e67e22"),
    (CaseStatus.HANDLED, "#27ae60"),
]
_STATE_VALUES = [state.value for state, _colour in MAP_STATES]


def grid_outlines(user) -> dict:
    """The user's micro-grids as a GeoJSON FeatureCollection, named with their 居村."""
    micro = visible_micro_grids(user)
    if micro is None:
        micro = Grid.objects.filter(level=GridLevel.MICRO_GRID)
    features = [
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {"code": code, "name": f"{community} · {name}" if community else name},
        }
        for code, name, community, geometry in micro.filter(geometry__isnull=False)
        .order_by("code")
        .values_list("code", "name", "parent__name", "geometry")
    ]
    return {"type": "FeatureCollection", "features": features}


@require_GET
@role_required(*CONSOLE_QUEUE_ROLES)
def case_map(request):
    """GET /console/map/: the page (the markers come from case_map_data)."""
    states = [
        {"value": state.value, "label": state.label, "colour": colour}
        for state, colour in MAP_STATES
    ]
    return render(
        request,
        "console/case_map.html",
        {
            "states": states,
            "outlines": grid_outlines(request.user),
            "data_url": reverse("console:map-data"),
            "case_url": reverse("console:case", args=["__number__"]),
        },
    )


@require_GET
@role_required(*CONSOLE_QUEUE_ROLES)
def case_map_data(request):
    """GET /console/map/cases.json?status=<state>&…: markers of the open cases in scope.

    `status` (repeatable) picks open states (none: all of them); the queues' filters (q,
    community, micro_grid, category, source, department, dates) narrow as on the queues.
    Answer: {"cases": [{number, lat, lon, status, label, category, reported_at}], "count",
    "truncated"}; an unknown state is a 400 with {"error": …}.
    """
    chosen = request.GET.getlist("status")
    unknown = [s for s in chosen if s not in _STATE_VALUES]
    if unknown:
        return JsonResponse(
            {"error": _("未知的案件状态：%(s)s") % {"s": "、".join(unknown)}}, status=400
        )
    filtered, _filterset = queries.apply_filters(
        queries.list_queryset(request.user), request.GET, request
    )
    limit = settings.CIVICGRID_CASE_MAP_MAX_MARKERS
    rows = list(
        filtered.filter(status__in=chosen or _STATE_VALUES, lat__isnull=False, lon__isnull=False)
        .order_by("-reported_at", "-id")
        .values_list("number", "lat", "lon", "status", "category__name", "reported_at")[: limit + 1]
    )
    labels = dict(CaseStatus.choices)
    cases = [
        {
            "number": number,
            "lat": lat,
            "lon": lon,
            "status": status,
            "label": str(labels.get(status, status)),
            "category": category or "",
            "reported_at": timezone.localtime(reported_at).strftime("%Y-%m-%d %H:%M"),
        }
        for number, lat, lon, status, category, reported_at in rows[:limit]
    ]
    return JsonResponse(
        {"cases": cases, "count": len(cases), "truncated": len(rows) > limit},
        json_dumps_params={"ensure_ascii": False},
    )
