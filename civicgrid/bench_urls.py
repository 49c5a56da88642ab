"""The URLconf of the benchmarks' servers: the production URLs plus two bench-only routes. Chosen by
CIVICGRID_URLCONF=civicgrid.bench_urls; the production URLconf (civicgrid.urls) has neither.

- GET /bench/hello: the same stack as the case API doing no work (civicgrid.core.views.bench_hello;
  bench/intake.py, bench/city.py).
- GET /bench/list/: bench/lists.py's yardstick, a page of cases "built by hand" but served by the
  same stack as the app's lists (see `handbuilt_list`).
"""

import json

from django.db import connection
from django.http import HttpResponse, HttpResponseForbidden
from django.urls import path
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from civicgrid.accounts.choices import Role
from civicgrid.core.views import bench_hello
from civicgrid.urls import handler403, handler404, handler500
from civicgrid.urls import urlpatterns as production

# The list's columns and joins (what a row of the API list and of the console's tables shows),
# newest first, LIMIT 50: the same statement bench/lists.py times in-process.
LIST_SQL = """
SELECT c.number, c.source, c.status, c.description, c.address, c.lon, c.lat,
       c.needs_manual_location, c.handled_by_grid, c.reporter_name, c.reporter_phone,
       c.is_anonymous, c.reported_at, c.filing_deadline, c.handling_deadline,
       c.calendar_published, c.is_suspended, c.warning_level, c.rating,
       k.code, k.name, k.family, g.code, g.name, d.name
FROM cases_case c
JOIN cases_category k ON k.id = c.category_id
LEFT JOIN grids_grid g ON g.id = c.micro_grid_id
LEFT JOIN accounts_department d ON d.id = c.assigned_department_id
WHERE {where}
ORDER BY c.reported_at DESC, c.id DESC
LIMIT 50
"""
LIST_KEYS = [
    "number",
    "source",
    "status",
    "description",
    "address",
    "lon",
    "lat",
    "needs_manual_location",
    "handled_by_grid",
    "reporter_name",
    "reporter_phone",
    "is_anonymous",
    "reported_at",
    "filing_deadline",
    "handling_deadline",
    "calendar_published",
    "is_suspended",
    "warning_level",
    "rating",
    "category_code",
    "category_name",
    "category_family",
    "micro_grid_code",
    "micro_grid_name",
    "department",
]


def scope_sql(user):
    """(SQL condition, params) of cases.permissions.scope_cases for the roles bench/lists.py
    times (street-wide roles, department handlers), written by hand; None for other roles."""
    if user.sees_whole_street:
        return "TRUE", []
    if user.effective_role == Role.DEPT_HANDLER and user.department_id:
        return (
            "(c.assigned_department_id = %s"
            " OR c.id IN (SELECT h.case_id FROM cases_cohandling h WHERE h.department_id = %s)"
            " OR c.reporter_user_id = %s)"
        ), [user.department_id, user.department_id, user.pk]
    return None


@require_GET
def handbuilt_list(request):
    """A page of 50 cases by hand, through the app's whole stack: every middleware (the session,
    the user, CSRF, the input guard, CSP …), the same authentication (the session's user; none is
    a 403 as on the app's pages) and the user's scope as cases.permissions.scope_cases has it; then
    one SQL query and json.dumps into an HttpResponse — no ORM, no forms, no template, no
    serializer. `?own=1` adds the department condition of bench/lists.py's department lists;
    `?at=<iso>&id=<pk>` starts after that row (keyset), as a deep page does.

    Why: the app's page is timed through a whole request; comparing it with a query run in-process
    (no request at all) charges the app for the framework every page pays. Against this page the
    ratio is what the app's own code costs: its ORM, filters, counts, rows and templates."""
    user = request.user
    if not user.is_authenticated:
        return HttpResponseForbidden()
    scope = scope_sql(user)
    if scope is None:
        return HttpResponseForbidden()
    where, params = scope
    if request.GET.get("own") and user.department_id:
        where += " AND c.assigned_department_id = %s"
        params = [*params, user.department_id]
    at = parse_datetime(request.GET.get("at", ""))
    if at is not None:
        where += " AND (c.reported_at, c.id) < (%s, %s)"
        at = connection.ops.adapt_datetimefield_value(at)  # SQLite compares text
        params = [*params, at, int(request.GET.get("id", "0"))]
    with connection.cursor() as cursor:
        cursor.execute(LIST_SQL.format(where=where), params)
        rows = [dict(zip(LIST_KEYS, row, strict=True)) for row in cursor.fetchall()]
    body = json.dumps({"results": rows}, default=str, ensure_ascii=False)
    return HttpResponse(body, content_type="application/json")


urlpatterns = [
    path("bench/hello", bench_hello, name="bench-hello"),
    path("bench/list/", handbuilt_list, name="bench-list"),
    *production,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
