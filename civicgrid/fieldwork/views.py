"""The grid workers' phone pages (/m/): my grids and tasks, a case page with the grid's actions,
reporting, patrols (巡块) and household visits (走访).

Views stay thin: they pick the rows the user may see (grids.scoping through
fieldwork.services.my_micro_grids, cases.permissions.scope_cases), call one service per POST and
redirect (PRG) with a message. A service's ValidationError goes back onto the form next to its
field with what was typed; IllegalTransition is a message and nothing changed; a grid that is
not the user's raises PermissionDenied (the 403 page shows why).
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.accounts.access import role_required
from civicgrid.accounts.choices import Role
from civicgrid.accounts.policy import FIELDWORK_ROLES
from civicgrid.attachments.models import Attachment
from civicgrid.cases import services as cases
from civicgrid.cases.choices import CaseAction, CaseStatus
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.permissions import may_act_on, scope_cases
from civicgrid.cases.workflow import allowed_actions
from civicgrid.fieldwork import services
from civicgrid.fieldwork.choices import FindingResult, PatrolStatus
from civicgrid.fieldwork.forms import (
    AcceptForm,
    FindingForm,
    FinishPatrolForm,
    HandleForm,
    ReportForm,
    StartPatrolForm,
    VerifyForm,
    VisitForm,
)
from civicgrid.fieldwork.models import ChecklistItem, FollowUp, Patrol, PatrolFinding, Visit
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.grids.services import annotate_staffing, staffing_label
from civicgrid.web.forms import add_service_errors

field_staff = role_required(*FIELDWORK_ROLES)
LIST_LIMIT = 30


def _grid_shapes(grids, highlight=None) -> dict:
    """A FeatureCollection of micro-grid outlines for web/map.js."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": g.geometry,
                "properties": {
                    "name": g.name,
                    "code": g.code,
                    **({"color": "#f3c9a8"} if highlight and g.pk == highlight else {}),
                },
            }
            for g in grids
            if g.geometry
        ],
    }


def _my_grids(user):
    """The user's micro-grids with their "1+2+N" counts, read in one query.

    Staffing is annotated on a fresh queryset: the scoping filter joins the user's own posts,
    and counting through that join would count only those."""
    grids = annotate_staffing(
        Grid.objects.filter(pk__in=services.my_micro_grids(user).values("pk"))
    ).order_by("code")
    rows = list(grids)
    for g in rows:
        g.staffing = staffing_label(
            g.staff_leader, g.staff_full_time, g.staff_part_time, g.staff_pioneer
        )
    return rows


# --- my grids and my tasks -----------------------------------------------------------------------


@field_staff
def home(request):
    user = request.user
    grids = _my_grids(user)
    grid_ids = [g.pk for g in grids]
    in_grids = Case.objects.filter(micro_grid_id__in=grid_ids).select_related(
        "category", "micro_grid"
    )
    tasks = list(
        in_grids.filter(
            handled_by_grid=True, status__in=[CaseStatus.DISPATCHED, CaseStatus.ACCEPTED]
        ).order_by("handling_deadline", "id")[:LIST_LIMIT]
    )
    # 管监分离: what the worker handled themselves is checked by someone else.
    to_verify = list(
        in_grids.filter(status=CaseStatus.HANDLED)
        .exclude(
            pk__in=CaseEvent.objects.filter(action=CaseAction.HANDLE, actor=user).values("case")
        )
        .order_by("handled_at", "id")[:LIST_LIMIT]
    )
    running = (
        Patrol.objects.filter(worker=user, status=PatrolStatus.RUNNING)
        .select_related("micro_grid")
        .first()
    )
    return render(
        request,
        "fieldwork/home.html",
        {"grids": grids, "tasks": tasks, "to_verify": to_verify, "running": running},
    )


# --- the case page and its actions ---------------------------------------------------------------


def _visible_case(request, number) -> Case:
    case = get_object_or_404(
        Case.objects.select_related("category", "micro_grid", "assigned_department"),
        number=number,
    )
    if not scope_cases(Case.objects.filter(pk=case.pk), request.user).exists():
        raise PermissionDenied(_("案件%(number)s不在您的网格内") % {"number": case.number})
    return case


def _actions_for(user, case) -> set:
    return {
        action
        for action in allowed_actions(case.status, user.effective_role, suspended=case.is_suspended)
        if may_act_on(user, case, action)
    }


def _render_case(request, case, *, forms=None, status=200):
    forms = forms or {}
    actions = _actions_for(request.user, case)
    events = list(CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id"))
    photos = list(Attachment.objects.filter(case=case).order_by("uploaded_at", "id"))
    context = {
        "case": case,
        "events": events,
        "photos": photos,
        "may_accept": CaseAction.ACCEPT in actions,
        "may_handle": CaseAction.HANDLE in actions,
        "may_verify": CaseAction.VERIFY_PASS in actions,
        "accept_form": forms.get("accept") or AcceptForm(),
        "handle_form": forms.get("handle") or HandleForm(),
        "verify_form": forms.get("verify") or VerifyForm(),
        "shapes": _grid_shapes([case.micro_grid]) if case.micro_grid_id else None,
    }
    return render(request, "fieldwork/case.html", context, status=status)


@field_staff
def case_detail(request, number):
    return _render_case(request, _visible_case(request, number))


def _case_step(request, case, run, success, form_key, form, field_map=None):
    """Run one case step: PRG on success; IllegalTransition → message; bad input → the page
    again with the form and its errors."""
    if not form.is_valid():
        return _render_case(request, case, forms={form_key: form}, status=400)
    try:
        run(form.cleaned_data)
    except cases.IllegalTransition as exc:
        messages.error(request, exc.message)
        return redirect("fieldwork:case", number=case.number)
    except PermissionDenied as exc:
        # Refused for this user (another unit's case, 管监分离): the page again, with the reason.
        messages.error(request, str(exc))
        return _render_case(request, case, status=403)
    except ValidationError as exc:
        add_service_errors(form, exc, field_map)
        return _render_case(request, case, forms={form_key: form}, status=400)
    messages.success(request, success)
    return redirect("fieldwork:case", number=case.number)


@require_POST
@field_staff
def case_accept(request, number):
    case = _visible_case(request, number)
    form = AcceptForm(request.POST)
    return _case_step(
        request,
        case,
        lambda data: cases.do_accept(case, request.user, note=data["note"]),
        _("已接单,请尽快处置"),
        "accept",
        form,
    )


@require_POST
@field_staff
def case_handle(request, number):
    case = _visible_case(request, number)
    form = HandleForm(request.POST, request.FILES)
    return _case_step(
        request,
        case,
        lambda data: services.handle_with_photos(
            case, request.user, result=data["result"], photos=data["photos"]
        ),
        _("处置结果已提交,等待核查"),
        "handle",
        form,
    )


@require_POST
@field_staff
def case_verify(request, number):
    case = _visible_case(request, number)
    form = VerifyForm(request.POST, request.FILES)

    def run(data):
        if data["decision"] == VerifyForm.PASS:
            services.verify_pass_with_photo(
                case, request.user, note=data["note"], photo=data["photo"]
            )
        else:
            services.verify_fail_with_photo(
                case, request.user, reason=data["note"], photo=data["photo"]
            )

    decision = request.POST.get("decision")
    return _case_step(
        request,
        case,
        run,
        _("核查通过,案件已结案") if decision == VerifyForm.PASS else _("已退回返工"),
        "verify",
        form,
        {"reason": "note"},
    )


# --- report a problem ----------------------------------------------------------------------------


def _recent_category_ids(user, limit=5):
    ids = []
    for category_id in (
        Case.objects.filter(reporter_user=user)
        .order_by("-reported_at")
        .values_list("category_id", flat=True)[:50]
    ):
        if category_id not in ids:
            ids.append(category_id)
            if len(ids) == limit:
                break
    return ids


@require_http_methods(["GET", "POST"])
@field_staff
def report(request):
    user = request.user
    recent = _recent_category_ids(user)
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, recent_ids=recent)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.report_with_photos(
                    user,
                    photos=data["photos"],
                    category=data["category"],
                    description=data["description"],
                    address=data["address"],
                    lon=data["lon"] or None,
                    lat=data["lat"] or None,
                )
            except ValidationError as exc:
                add_service_errors(form, exc, {"lon": "address", "lat": "address"})
            else:
                messages.success(request, _("已上报,案件编号 %(number)s") % {"number": case.number})
                return redirect("fieldwork:case", number=case.number)
    else:
        form = ReportForm(recent_ids=recent)
    status = 400 if form.is_bound else 200
    shapes = _grid_shapes(Grid.objects.filter(pk__in=services.my_micro_grids(user).values("pk")))
    return render(request, "fieldwork/report.html", {"form": form, "shapes": shapes}, status=status)


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
            messages.success(request, _("巡查已开始,请逐项检查"))
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
        raise PermissionDenied(_("这是其他网格员的巡查记录,您只能查看自己的巡查"))
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
        "done_count": len(findings),
        "problem_count": sum(1 for f in findings.values() if f.result == FindingResult.PROBLEM),
        "editable": running and patrol.worker_id == request.user.pk,
        "finish_form": FinishPatrolForm(),
        "shapes": _grid_shapes([patrol.micro_grid]),
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
            notice = _("已记录:%(item)s %(result)s") % {
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
    try:
        count = services.mark_rest_ok(patrol, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("其余 %(n)s 项已记为正常") % {"n": count})
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
        notice = _("已转为案件,案件编号 %(number)s") % {"number": case.number}
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
