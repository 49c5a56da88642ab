"""The dashboard pages: leaders' page, the 1920×1080 big screen, its JSON, a grid's cases, export.

Every page reads `figures` (rollups only, a few small queries whatever the history size). Scope:
leaders, operators and admins see the whole street, community staff their community; everyone
else gets the 403 page. `?grid=<code>` drills down (street → community → micro-grid), `?start=`
and `?end=` (YYYY-MM-DD, both included) choose the period; anything wrong is a 400 page (or JSON
`{"error": …}`) with a message saying what.
"""

import io

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import DASHBOARD_ROLES
from civicgrid.cases import clock
from civicgrid.cases.choices import OPEN_STATUSES
from civicgrid.dashboard import figures, shared
from civicgrid.grids.choices import GridLevel

REFRESH_SECONDS = 60


def overdue_now(now):
    """Open cases whose running clock (立案派遣 / 处置 / 核查) has run out — the map's 超期,
    cases.clock's one meaning of overdue."""
    return clock.overdue_q(now)


class BadRequest(Exception):
    pass


def _inputs(request):
    today = timezone.localdate()
    try:
        first, last = figures.parse_period(request.GET.get("start"), request.GET.get("end"), today)
        scope = figures.resolve_scope(request.user, request.GET.get("grid"))
    except (figures.PeriodError, figures.ScopeError) as error:
        raise BadRequest(str(error)) from None
    return scope, first, last


def _bad(request, message, *, json=False):
    if json:
        return JsonResponse({"error": message}, status=400)
    return render(request, "dashboard/error.html", {"message": message}, status=400)


def labels():
    """Chart and table labels, translated here so the scripts carry no text of their own."""
    return {
        "reported": _("上报"),
        "closed": _("结案"),
        "filed": _("立案"),
        "open": _("在办"),
        "overdue": _("超期"),
        "cases": _("件"),
        "byDay": _("按日趋势"),
        "byMonth": _("按月趋势"),
        "sources": _("来源"),
        "categories": _("类别"),
        "noData": _("暂无数据"),
        "colorOpen": _("按在办着色"),
        "colorOverdue": _("按超期着色"),
        "updated": _("更新于"),
    }


def _serialise(data):
    """Dates to text for JSON."""
    out = dict(data)
    for k in ("today", "first", "last"):
        out[k] = data[k].isoformat()
    return out


def _context(request, scope, first, last, data):
    node = scope.node
    crumbs = [{"code": a.code, "name": a.name} for a in scope.ancestors]
    if node is not None:
        crumbs.append({"code": node.code, "name": node.name})
    child_level = None
    if node is None or node.level in (GridLevel.STREET, GridLevel.AREA):
        child_level = _("居村")
    elif node.level == GridLevel.COMMUNITY:
        child_level = _("微网格")
    return {
        "scope": scope,
        "node": node,
        "crumbs": crumbs,
        "child_level": child_level,
        "is_micro_grid": node is not None and node.level == GridLevel.MICRO_GRID,
        "data": data,
        "chart_data": {**_serialise(data), "labels": labels()},
        "first": first,
        "last": last,
        "grid_code": node.code if node else "",
        "refresh_seconds": REFRESH_SECONDS,
    }


def _figures(kind, scope, first, last):
    """(the dashboard's figures with their "tiles", shared.Answer) of bundle "all" or "screen"."""
    answer = shared.bundle(kind, scope, first, last)
    bundle, _computed_at = answer
    return {**bundle["data"], "tiles": bundle["tiles"]}, answer


# The costliest way an answer was made first: a page of two bundles reports the slower.
HOW_ORDER = ("computed", "waited", "stale", "fresh")


def _how(response, *answers):
    """Tell the client how the figures were made (Server-Timing, as browsers' tools and load tests
    read it): `figures;desc=computed` marks the answers that paid for a computation."""
    how = min((answer.how for answer in answers), key=HOW_ORDER.index)
    response["Server-Timing"] = f"figures;desc={how}"
    return response


@require_GET
@role_required(*DASHBOARD_ROLES)
def index(request):
    try:
        scope, first, last = _inputs(request)
    except BadRequest as error:
        return _bad(request, str(error))
    answer = shared.bundle("all", scope, first, last)
    extras_answer = shared.bundle("extras", scope, first, last)
    context = _index_context(request, scope, first, last, answer, extras_answer)
    return _how(render(request, "dashboard/index.html", context), answer, extras_answer)


def _index_context(request, scope, first, last, answer, extras_answer) -> dict:
    """The leaders' page's context, its figures' markup (`content`) from the shared cache.

    `request` None: the periodic job rendering the street-wide default view's markup ahead of
    its readers (warm_index_markup); the markup then depends on nothing a request brings but
    the query, which is empty there."""
    (bundle, computed_at), (extras, extras_at) = answer, extras_answer
    # The chart data carries no tiles (the page renders them), as before the shared cache.
    data = dict(bundle["data"])
    context = _context(request, scope, first, last, data)
    context.update(extras)
    data["tiles"] = context["tiles"] = bundle["tiles"]
    context["updated_at"] = shared.updated_at(min(computed_at, extras_at))
    parts = (
        shared.key("all", scope, first, last),
        computed_at.isoformat(),
        extras_at.isoformat(),
        scope.label,
        tuple(c["code"] for c in context["crumbs"]),
        request.GET.urlencode() if request is not None else "",
    )
    # What the markup takes from the context processors, given here so that it is the same
    # markup with or without a request (of the request only its query: the links keep it).
    markup = {
        **context,
        "request": request if request is not None else HttpRequest(),
        "map_tile_url": settings.CIVICGRID_MAP_TILE_URL,
        "map_tile_attribution": settings.CIVICGRID_MAP_TILE_ATTRIBUTION,
    }
    context["content"] = shared.fragment(
        parts, lambda: render_to_string("dashboard/_index_content.html", markup, request)
    )
    return context


def warm_index_markup(scope=None) -> None:
    """After the figures of a default view (no grid, the default period) were recomputed off the
    request path — by the periodic job (shared.warm, the street-wide view) or by the refresh
    task (shared.refresh, the reader's scope) — its markup is rendered there too, so that no
    leader's request renders it after each computation (the one reader who did was the page's
    slowest answer in the city's day)."""
    scope = scope if scope is not None else figures.street_scope()
    first, last = figures.parse_period(None, None, timezone.localdate())
    answer = shared.bundle("all", scope, first, last)
    extras_answer = shared.bundle("extras", scope, first, last)
    _index_context(None, scope, first, last, answer, extras_answer)


@require_GET
@role_required(*DASHBOARD_ROLES)
def screen(request):
    try:
        scope, first, last = _inputs(request)
    except BadRequest as error:
        return _bad(request, str(error))
    data, answer = _figures("screen", scope, first, last)
    context = _context(request, scope, first, last, data)
    context["generated_at"] = shared.updated_at(answer[1])
    context["clock"] = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    return _how(render(request, "dashboard/screen.html", context), answer)


@require_GET
@role_required(*DASHBOARD_ROLES)
def data(request):
    """The figures as JSON: what the big screen fetches every minute (with tiles=screen)."""
    try:
        scope, first, last = _inputs(request)
    except BadRequest as error:
        return _bad(request, str(error), json=True)
    # The big screen asks for its own tiles only (tiles=screen) every minute; other readers get
    # every programme's tile.
    kind = "screen" if request.GET.get("tiles") == "screen" else "all"
    figures_, answer = _figures(kind, scope, first, last)
    result = _serialise(figures_)
    result["labels"] = labels()
    result["generated_at"] = shared.updated_at(answer[1])
    response = JsonResponse(result, json_dumps_params={"ensure_ascii": False, "default": str})
    return _how(response, answer)


@require_GET
@role_required(*DASHBOARD_ROLES)
def grid_cases(request, code):
    """Read-only list of one grid's cases (the map's click), newest first, 50 a page."""
    from civicgrid.cases.models import Case

    try:
        scope = figures.resolve_scope(request.user, code)
    except figures.ScopeError as error:
        return _bad(request, str(error))
    state = request.GET.get("state") or "open"
    if state not in ("open", "overdue", "all"):
        return _bad(request, _("状态筛选只能是 open、overdue 或 all"))
    cases = Case.objects.select_related("category", "assigned_department", "micro_grid")
    if scope.micro_ids is not None:
        cases = cases.filter(micro_grid_id__in=scope.micro_ids)
    elif scope.node is not None:
        cases = cases.filter(micro_grid__path__startswith=scope.node.path)
    if state in ("open", "overdue"):
        cases = cases.filter(status__in=list(OPEN_STATUSES))
    if state == "overdue":
        cases = cases.filter(overdue_now(timezone.now()))
    try:
        page_number = int(request.GET.get("page") or 1)
    except ValueError:
        return _bad(request, _("页码必须是正整数"))
    page = Paginator(cases.order_by("-reported_at", "-id"), 50).get_page(page_number)
    return render(
        request,
        "dashboard/grid_cases.html",
        {
            "node": scope.node,
            "crumbs": [{"code": a.code, "name": a.name} for a in scope.ancestors],
            "page_obj": page,
            "state": state,
            "states": [("open", _("在办")), ("overdue", _("红灯超期")), ("all", _("全部"))],
        },
    )


INDICATOR_COLUMNS = [
    "code",
    "name",
    "filed",
    "due",
    "handled",
    "handled_on_time",
    "closed",
    "closed_on_time",
    "reworked",
    "overdue",
    "extended",
    "rated",
    "satisfied",
    "closure_rate",
    "on_time_closure_rate",
    "handling_rate",
    "on_time_handling_rate",
    "rework_rate",
    "overdue_rate",
    "extension_rate",
    "satisfaction_rate",
    "grade",
    "reported",
    "reported_filed",
    "valid_report_rate",
    "verified",
    "verified_on_time",
    "on_time_verification_rate",
    "resolution_answered",
    "resolved",
    "resolution_rate",
    "hotline_tickets",
    "first_contact_on_time",
    "first_contact_rate",
]


def _column_label(key):
    labels = {
        "code": _("编码"),
        "name": _("名称"),
        "filed": _("立案数"),
        "due": _("应结案数"),
        "handled": _("处置数"),
        "handled_on_time": _("按期处置数"),
        "closed": _("结案数"),
        "closed_on_time": _("按期结案数"),
        "reworked": _("返工数"),
        "overdue": _("超期数"),
        "extended": _("延期数"),
        "rated": _("评价数"),
        "satisfied": _("满意数"),
        "closure_rate": _("结案率（%）"),
        "on_time_closure_rate": _("按期结案率（%）"),
        "handling_rate": _("处置率（%）"),
        "on_time_handling_rate": _("按期处置率（%）"),
        "rework_rate": _("返工率（%）"),
        "overdue_rate": _("超期率（%）"),
        "extension_rate": _("延期率（%）"),
        "satisfaction_rate": _("满意率（%）"),
        "grade": _("等级"),
        "reported": _("已判定上报数"),
        "reported_filed": _("有效上报数"),
        "valid_report_rate": _("有效上报率（%）"),
        "verified": _("核查次数"),
        "verified_on_time": _("按时核查次数"),
        "on_time_verification_rate": _("按时核实率（%）"),
        "resolution_answered": _("已答是否解决数"),
        "resolved": _("已解决数"),
        "resolution_rate": _("解决率（%）"),
        "hotline_tickets": _("12345工单数"),
        "first_contact_on_time": _("先行联系及时数"),
        "first_contact_rate": _("先行联系及时率（%）"),
    }
    return labels[key]


def sheet_titles():
    return {
        "street": _("街镇"),
        "area": _("片区"),
        "community": _("居村"),
        "micro_grid": _("微网格"),
        "department": _("部门"),
        "category": _("类别"),
    }


@require_GET
@role_required(*DASHBOARD_ROLES)
def export(request):
    """综合评价 tables of the scope and period as .xlsx: one sheet per grouping."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from civicgrid.core.csvsafe import safe_row, sheet_title

    try:
        scope, first, last = _inputs(request)
    except BadRequest as error:
        return _bad(request, str(error))
    now = timezone.now()
    pending = figures.pending_due(scope, first, last, now)
    book = Workbook()
    book.remove(book.active)
    for group, title in sheet_titles().items():
        rows = figures.indicator_table(scope, first, last, group, now=now, pending=pending)
        if group == "micro_grid":
            named = figures.micro_grid_names(r["key"] for r in rows)
            rows = [{**r, "name": named.get(r["key"], r["name"])} for r in rows]
        sheet = book.create_sheet(sheet_title(title))
        sheet.append([_("综合评价 %(first)s 至 %(last)s") % {"first": first, "last": last}])
        sheet.append([_column_label(k) for k in INDICATOR_COLUMNS])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for r in rows:
            if group == "street":
                r = {**r, "code": scope.node.code if scope.node else "", "name": scope.label}
            # Names come from people (grids, departments): never a formula in the spreadsheet.
            sheet.append(
                safe_row([r.get(k) if r.get(k) is not None else "" for k in INDICATOR_COLUMNS])
            )
        sheet.freeze_panes = "A3"
        sheet.column_dimensions["B"].width = 24
    out = io.BytesIO()
    book.save(out)
    name = f"dashboard-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
