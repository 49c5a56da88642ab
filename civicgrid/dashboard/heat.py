"""报告热力图: where the reports of the dashboard's scope and period came from.

The reports are counted per cell of about 50 m (latitude and longitude × 2000, whole numbers) in
the database, so the answer is one grouped query and its size is bounded by the area, not by the
number of reports: a month of a busy street is a few thousand cells. The page draws them with
leaflet.heat on the grid polygons (web/map.js), below the dashboard's micro-grid map.
"""

import datetime

from django.db.models import Count, F, IntegerField
from django.db.models.functions import Cast
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import DASHBOARD_ROLES
from civicgrid.cases.models import Case
from civicgrid.dashboard import figures

CELLS_PER_DEGREE = 2000


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def report_cells(scope, first: datetime.date, last: datetime.date) -> list[list[float]]:
    """[[lat, lon, reports], …] of the cells with reports in the scope between the two days."""
    cases = Case.objects.filter(
        reported_at__gte=_day_start(first),
        reported_at__lt=_day_start(last + datetime.timedelta(days=1)),
        lat__isnull=False,
        lon__isnull=False,
    )
    if scope.micro_ids is not None:
        cases = cases.filter(micro_grid_id__in=scope.micro_ids)
    elif scope.node is not None and scope.node.parent_id is not None:
        cases = cases.filter(micro_grid__path__startswith=scope.node.path)
    cells = (
        cases.annotate(
            y=Cast(F("lat") * CELLS_PER_DEGREE, IntegerField()),
            x=Cast(F("lon") * CELLS_PER_DEGREE, IntegerField()),
        )
        .values("y", "x")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("y", "x", "n")
    )
    # The cell's centre: a whole number is the cell's corner on both databases' casts (SQLite
    # truncates, PostgreSQL rounds: either way within half a cell).
    return [
        [round((y + 0.5) / CELLS_PER_DEGREE, 6), round((x + 0.5) / CELLS_PER_DEGREE, 6), n]
        for y, x, n in cells
    ]


@require_GET
@role_required(*DASHBOARD_ROLES)
def heat(request):
    """GET /dashboard/heat.json?grid=&start=&end=: the report cells of the dashboard's scope and
    period as {"points": [[lat, lon, n]], "max", "total"}; a bad period or grid is a 400."""
    today = timezone.localdate()
    try:
        first, last = figures.parse_period(request.GET.get("start"), request.GET.get("end"), today)
        scope = figures.resolve_scope(request.user, request.GET.get("grid"))
    except (figures.PeriodError, figures.ScopeError) as error:
        return JsonResponse({"error": str(error)}, status=400)
    points = report_cells(scope, first, last)
    return JsonResponse(
        {
            "points": points,
            "max": max((p[2] for p in points), default=0),
            "total": sum(p[2] for p in points),
        }
    )
