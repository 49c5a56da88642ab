"""Household visits (走访), their follow-ups and the weekly summary."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.fieldwork import services
from civicgrid.fieldwork.forms import (
    VisitForm,
)
from civicgrid.fieldwork.models import FollowUp, Visit
from civicgrid.fieldwork.views.common import field_staff
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
        .select_related("household__address", "micro_grid")
        .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.order_by("id")))
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
    if household is None and len(query) >= 2:
        results = list(
            _households_with_residents(
                households.filter(address__normalized__contains=query)
            ).order_by("address__normalized")[:20]
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
