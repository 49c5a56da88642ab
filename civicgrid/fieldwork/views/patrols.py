"""Patrols (巡块): start, the route, the checklist lines, a finding turned into a case, finish."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.accounts.choices import Role
from civicgrid.core.storedfiles import missing_file_is_404
from civicgrid.fieldwork import services
from civicgrid.fieldwork.choices import FindingResult, PatrolStatus
from civicgrid.fieldwork.forms import (
    FindingForm,
    FinishPatrolForm,
    StartPatrolForm,
)
from civicgrid.fieldwork.models import ChecklistItem, Patrol, PatrolFinding
from civicgrid.fieldwork.views.common import field_staff, grid_shapes
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.web.forms import add_service_errors

# --- patrols -------------------------------------------------------------------------------------


def _my_patrols(user):
    return Patrol.objects.filter(
        micro_grid__in=services.my_micro_grids(user).values("pk")
    ).select_related("micro_grid", "worker")


@require_http_methods(["GET", "POST"])
@field_staff
def patrols(request):
    user = request.user
    grids = Grid.objects.filter(pk__in=services.my_micro_grids(user).values("pk")).order_by("code")
    posted = request.POST.get("micro_grid", "")
    if (
        posted.isdigit()
        and Grid.objects.filter(pk=int(posted), level=GridLevel.MICRO_GRID).exists()
    ):
        # Somebody else's grid is a refusal with its reason (403), not a form error.
        services.check_grid(user, int(posted))
    form = StartPatrolForm(
        request.POST or None, grids=grids, initial={"shift": services.default_shift()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            patrol = services.start_patrol(
                user, form.cleaned_data["micro_grid"], shift=form.cleaned_data["shift"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("巡查已开始，请逐项检查"))
            return redirect("fieldwork:patrol", pk=patrol.pk)
    mine = (
        _my_patrols(user)
        .filter(worker=user)
        .annotate(
            problem_count=Count("findings", filter=Q(findings__result=FindingResult.PROBLEM)),
            case_count=Count("findings__case"),
        )
        .order_by("-started_at", "-id")
    )
    page = Paginator(mine, 20).get_page(request.GET.get("page"))
    running = (
        Patrol.objects.filter(worker=user, status=PatrolStatus.RUNNING)
        .select_related("micro_grid")
        .first()
    )
    # Grid leaders and community staff also see their grids' workers' rounds.
    others = []
    if user.effective_role != Role.GRID_WORKER:
        others = list(_my_patrols(user).exclude(worker=user).order_by("-started_at", "-id")[:10])
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "fieldwork/patrols.html",
        {
            "form": form,
            "page_obj": page,
            "running": running,
            "others": others,
            "has_grids": grids.exists(),
        },
        status=status,
    )


def _visible_patrol(request, pk) -> Patrol:
    patrol = get_object_or_404(Patrol.objects.select_related("micro_grid", "worker"), pk=pk)
    services.check_grid(request.user, patrol.micro_grid_id)
    # A route is where a person walked and when: a grid worker sees their own; grid leaders and
    # community staff see their grids' workers' rounds (they answer for them).
    user = request.user
    if user.effective_role == Role.GRID_WORKER and patrol.worker_id != user.pk:
        raise PermissionDenied(_("这是其他网格员的巡查记录，您只能查看自己的巡查"))
    return patrol


def _render_patrol(request, patrol, *, bound=None, status=200):
    findings = {
        f.item_id: f
        for f in PatrolFinding.objects.filter(patrol=patrol).select_related("case", "item")
    }
    items = list(ChecklistItem.objects.filter(Q(is_active=True) | Q(pk__in=list(findings))))
    rows = []
    for item in items:
        finding = findings.get(item.pk)
        if bound and bound[0] == item.pk:
            form = bound[1]
        else:
            initial = {"result": finding.result, "note": finding.note} if finding else {}
            form = FindingForm(initial=initial, prefix=f"item{item.pk}")
        rows.append({"item": item, "finding": finding, "form": form})
    running = patrol.status == PatrolStatus.RUNNING
    context = {
        "patrol": patrol,
        "rows": rows,
        # A line refused as 有问题 (its note missing) is not 正常: "其余全部正常" leaves it.
        "pending_problem": [bound[0]] if bound and _marked_problem(bound[1]) else [],
        "done_count": len(findings),
        "problem_count": sum(1 for f in findings.values() if f.result == FindingResult.PROBLEM),
        "editable": running and patrol.worker_id == request.user.pk,
        "finish_form": FinishPatrolForm(),
        "shapes": grid_shapes([patrol.micro_grid]),
        "route": [[p[0], p[1]] for p in patrol.route],
    }
    return render(request, "fieldwork/patrol.html", context, status=status)


@field_staff
def patrol_detail(request, pk):
    return _render_patrol(request, _visible_patrol(request, pk))


@require_POST
@field_staff
def patrol_points(request, pk):
    """The page posts the phone's positions here while the patrol runs (fetch, JSON)."""
    patrol = _visible_patrol(request, pk)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": _("请求不是有效的 JSON")}, status=400)
    points = body.get("points") if isinstance(body, dict) else None
    try:
        patrol = services.add_route_points(patrol, request.user, points)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"count": len(patrol.route)})


def _marked_problem(form) -> bool:
    """Whether a refused line was posted as 有问题."""
    return form.is_bound and form.data.get(form.add_prefix("result")) == FindingResult.PROBLEM


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _patrol_row(request, patrol, item, *, form=None, notice="", problem=""):
    """One checklist line (and the progress counter, out of band) for an htmx swap. Errors come
    back with 200 too: htmx swaps only successful answers, and the line shows them."""
    finding = PatrolFinding.objects.filter(patrol=patrol, item=item).select_related("case").first()
    if form is None:
        initial = {"result": finding.result, "note": finding.note} if finding else {}
        form = FindingForm(initial=initial, prefix=f"item{item.pk}")
    counts = PatrolFinding.objects.filter(patrol=patrol).aggregate(
        done=Count("id"), problems=Count("id", filter=Q(result=FindingResult.PROBLEM))
    )
    total = (
        ChecklistItem.objects.filter(Q(is_active=True) | Q(findings__patrol=patrol))
        .distinct()
        .count()
    )
    context = {
        "row": {"item": item, "finding": finding, "form": form},
        "patrol": patrol,
        "editable": patrol.status == PatrolStatus.RUNNING and patrol.worker_id == request.user.pk,
        "notice": notice,
        "problem": problem,
        "oob": True,
        "done_count": counts["done"],
        "problem_count": counts["problems"],
        "total": total,
    }
    return render(request, "fieldwork/includes/patrol_item.html", context)


@require_POST
@field_staff
def patrol_item(request, pk, item_id):
    patrol = _visible_patrol(request, pk)
    item = get_object_or_404(ChecklistItem, pk=item_id)
    form = FindingForm(request.POST, request.FILES, prefix=f"item{item.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_finding(
                patrol,
                request.user,
                item,
                result=data["result"],
                note=data["note"],
                photo=data["photo"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            notice = _("已记录：%(item)s %(result)s") % {
                "item": item.name,
                "result": FindingResult(data["result"]).label,
            }
            if _is_htmx(request):
                return _patrol_row(request, patrol, item, notice=notice)
            messages.success(request, notice)
            return redirect(reverse("fieldwork:patrol", args=[patrol.pk]) + f"#item-{item.pk}")
    if _is_htmx(request):
        return _patrol_row(request, patrol, item, form=form)
    return _render_patrol(request, patrol, bound=(item.pk, form), status=400)


@require_POST
@field_staff
def patrol_rest_ok(request, pk):
    patrol = _visible_patrol(request, pk)
    # Lines marked 有问题 on the page but not saved yet (their note still missing) stay open.
    skip = request.POST.getlist("skip")
    try:
        count = services.mark_rest_ok(patrol, request.user, skip=skip)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("其余 %(n)s 项已记为正常") % {"n": count})
        if skip:
            messages.warning(
                request,
                _("标为“有问题”的 %(n)s 项尚未保存，请填写情况说明后提交") % {"n": len(skip)},
            )
    return redirect("fieldwork:patrol", pk=patrol.pk)


@require_POST
@field_staff
def finding_case(request, pk):
    finding = get_object_or_404(PatrolFinding.objects.select_related("patrol", "item"), pk=pk)
    patrol = _visible_patrol(request, finding.patrol_id)
    notice = problem = ""
    try:
        case = services.finding_to_case(finding, request.user)
    except ValidationError as exc:
        problem = " ".join(exc.messages)
    else:
        notice = _("已转为案件，案件编号 %(number)s") % {"number": case.number}
    if _is_htmx(request):
        return _patrol_row(request, patrol, finding.item, notice=notice, problem=problem)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, notice)
    return redirect(reverse("fieldwork:patrol", args=[patrol.pk]) + f"#item-{finding.item_id}")


@field_staff
def finding_photo(request, pk):
    finding = get_object_or_404(PatrolFinding.objects.select_related("patrol"), pk=pk)
    services.check_grid(request.user, finding.patrol.micro_grid_id)
    if not finding.photo:
        raise Http404
    with missing_file_is_404(finding.photo):
        response = FileResponse(finding.photo.open("rb"))
    # Re-encoded by us (attachments.clean_image); the browser must not second-guess the type.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@field_staff
def patrol_finish(request, pk):
    patrol = _visible_patrol(request, pk)
    form = FinishPatrolForm(request.POST)
    if form.is_valid():
        try:
            services.finish_patrol(patrol, request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("fieldwork:patrol", pk=patrol.pk)
        messages.success(request, _("巡查已结束"))
        return redirect("fieldwork:patrols")
    messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("fieldwork:patrol", pk=patrol.pk)
