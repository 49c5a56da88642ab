"""Household visits (走访), their follow-ups and the weekly summary."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.fieldwork import services
from civicgrid.fieldwork.forms import (
    VisitForm,
    WorkPlanForm,
)
from civicgrid.fieldwork.models import FollowUp, Topic, Visit
from civicgrid.fieldwork.views.common import field_staff
from civicgrid.registry import services as registry_services
from civicgrid.web.forms import add_service_errors

# --- household visits ----------------------------------------------------------------------------


def _households_with_residents(queryset):
    from civicgrid.registry.models import Resident

    return queryset.select_related("address", "address__micro_grid").prefetch_related(
        Prefetch("residents", queryset=Resident.objects.order_by("id"))
    )


@field_staff
def visits(request):
    user = request.user
    mine = (
        Visit.objects.filter(worker=user, micro_grid__in=services.my_micro_grids(user).values("pk"))
        .select_related("household__address", "micro_grid", "case")
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=FollowUp.objects.select_related("case", "topic").order_by("id"),
            ),
            "needs",
        )
    )
    page = Paginator(mine, 20).get_page(request.GET.get("page"))
    open_count = FollowUp.objects.filter(visit__worker=user, is_done=False).count()
    return render(request, "fieldwork/visits.html", {"page_obj": page, "open_count": open_count})


@require_http_methods(["GET", "POST"])
@field_staff
def visit_new(request):
    user = request.user
    households = services.visible_households(user)
    query = (request.GET.get("q") or "").strip()[:100]
    household_id = request.POST.get("household") or request.GET.get("household")
    household = None
    if household_id:
        try:
            household = _households_with_residents(households.filter(pk=int(household_id))).first()
        except (TypeError, ValueError):
            household = None
        if household is None:
            raise PermissionDenied(_("该住户不在您的网格内"))
    if request.method == "POST":
        form = VisitForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_visit(
                    user,
                    data["household"],
                    visited_at=data["visited_at"],
                    topics=data["topics"],
                    follow_ups=form.follow_up_lines(),
                    needs=data["needs"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已登记对%(address)s的走访") % {"address": household.address.normalized},
                )
                return redirect("fieldwork:visits")
    else:
        form = VisitForm(initial={"household": household.pk}) if household else None
    results = []
    if household is None and query:
        # By address (full-width digits read as digits) or by the householder's name.
        results = list(
            _households_with_residents(
                registry_services.search_households(households, query)
            ).order_by("address__normalized", "id")[:20]
        )
    status = 400 if form is not None and form.is_bound else 200
    return render(
        request,
        "fieldwork/visit_new.html",
        {"form": form, "household": household, "query": query, "results": results},
        status=status,
    )


@require_POST
@field_staff
def follow_up_done(request, pk):
    follow_up = get_object_or_404(FollowUp, pk=pk)
    done = request.POST.get("done", "1") == "1"
    services.set_follow_up_done(follow_up, request.user, done=done)
    messages.success(request, _("跟进事项已完成") if done else _("跟进事项已重新打开"))
    target = request.POST.get("next") or ""
    # Only back to a page of ours (never an open redirect).
    if not target.startswith("/m/") or target.startswith("//"):
        target = reverse("fieldwork:visits")
    return redirect(target)


@field_staff
def visit_summary(request):
    try:
        weeks = max(1, min(26, int(request.GET.get("weeks", 8))))
    except ValueError:
        weeks = 8
    rows = services.weekly_summary(request.user, weeks=weeks)
    return render(request, "fieldwork/visit_summary.html", {"rows": rows, "weeks": weeks})


# --- a visit or a follow-up becomes a case; 难点 on the 专题会 agenda -----------------------------


def _back(request, default="fieldwork:visits"):
    target = request.POST.get("next") or ""
    if not target.startswith("/m/") or target.startswith("//"):
        target = reverse(default)
    return redirect(target)


def _refused(request, exc):
    for message in exc.messages:
        messages.error(request, message)
    return _back(request)


@require_POST
@field_staff
def visit_case(request, pk):
    visit = get_object_or_404(Visit, pk=pk)
    try:
        case = services.visit_to_case(visit, request.user, need=request.POST.get("need"))
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(request, _("已转为案件，案件编号 %(number)s") % {"number": case.number})
    return _back(request)


@require_POST
@field_staff
def follow_up_case(request, pk):
    follow_up = get_object_or_404(FollowUp, pk=pk)
    try:
        case = services.follow_up_to_case(follow_up, request.user, need=request.POST.get("need"))
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(request, _("已转为案件，案件编号 %(number)s") % {"number": case.number})
    return _back(request)


@require_POST
@field_staff
def follow_up_hard(request, pk):
    follow_up = get_object_or_404(FollowUp, pk=pk)
    try:
        services.mark_hard(follow_up, request.user)
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(request, _("已列为难点，提交专题会研究"))
    return _back(request)


@field_staff
def topics(request):
    rows = services.visible_topics(request.user).select_related("follow_up__visit__household")
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(request, "fieldwork/topics.html", {"page_obj": page, "form": WorkPlanForm()})


@require_POST
@field_staff
def topic_plan(request, pk):
    topic = get_object_or_404(Topic, pk=pk)
    form = WorkPlanForm(request.POST)
    if form.is_valid():
        try:
            services.record_work_plan(topic, request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已记录专题会工作方案"))
            return redirect("fieldwork:topics")
    errors = [m for field in form.errors.values() for m in field]
    return render(
        request,
        "fieldwork/topics.html",
        {"page_obj": None, "form": form, "topic": topic, "errors": errors},
        status=400,
    )


@field_staff
def visit_coverage(request):
    today = timezone.localdate()
    raw = (request.GET.get("quarter") or "").strip().upper()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    if raw:
        try:
            y, q = raw.split("Q")
            year, quarter = int(y), int(q)
            if not 2000 <= year <= 2100 or not 1 <= quarter <= 4:
                raise ValueError
        except ValueError:
            return render(
                request,
                "fieldwork/visit_coverage.html",
                {"error": _("季度格式应为 2026Q4")},
                status=400,
            )
    report = services.visit_coverage(request.user, year, quarter)
    return render(
        request,
        "fieldwork/visit_coverage.html",
        {"report": report, "year": year, "quarter": quarter},
    )
