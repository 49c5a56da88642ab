"""已办结案件: a department handler searches its department's closed cases.

The same filters as the queues (cases.filters.CaseFilter through the console's form: number or
text, category, report dates …) over the department's closed cases within the handler's scope
(cases.permissions.scope_cases). The list is one paged query; the same list downloads as .xlsx
(console.export).
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import DEPARTMENT_INBOX_ROLES
from civicgrid.cases.choices import CaseStatus
from civicgrid.console import export, queries

PAGE_SIZE = 30


def closed_cases(request):
    """The handler's department's closed cases the request's filters keep, newest closure first;
    the filter (for its form)."""
    user = request.user
    base = queries.list_queryset(user).filter(status=CaseStatus.CLOSED, handled_by_grid=False)
    base = (
        base.filter(assigned_department_id=user.department_id)
        if user.department_id
        else base.none()
    )
    filtered, filterset = queries.apply_filters(base, request.GET, request)
    return filtered.order_by("-closed_at", "-id"), filterset


@require_GET
@role_required(*DEPARTMENT_INBOX_ROLES)
def history(request):
    cases, filterset = closed_cases(request)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/history.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "cases": page.object_list,
            "department": request.user.department,
            "export_url": reverse("console:history-export")
            + (f"?{query.urlencode()}" if query else ""),
        },
    )


@require_GET
@role_required(*DEPARTMENT_INBOX_ROLES)
def history_export(request):
    """The same list as .xlsx."""
    cases, _filterset = closed_cases(request)
    query = request.GET.urlencode()
    return export.respond(
        request,
        cases,
        title=_("%(d)s · 已办结案件") % {"d": getattr(request.user.department, "name", "—")},
        stem="closed-cases",
        back_url=reverse("console:history") + (f"?{query}" if query else ""),
    )
