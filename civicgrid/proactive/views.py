"""Pages of proactive governance (主动治理): the staff's page (/proactive/: 一弄一案, hotspots,
anomalies, tasks, the share found first), an item's page (owner, plan, 销号, a patrol task), a
hotspot's and an anomaly's page (a patrol task from it), and the grid worker's phone pages
(/proactive/m/: my tasks, a task's finding → a case with source 主动发现). Pages only call
proactive.services."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.access import role_required
from civicgrid.accounts.models import User
from civicgrid.accounts.policy import (
    PROACTIVE_EDIT_ROLES,
    PROACTIVE_TASK_ROLES,
    PROACTIVE_VIEW_ROLES,
)
from civicgrid.cases.models import Category
from civicgrid.cases.permissions import openable_cases
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.inputs import posted_date, posted_id
from civicgrid.core.pages import error_messages
from civicgrid.grids.scoping import visible_micro_grids
from civicgrid.proactive import indicators, services
from civicgrid.proactive.choices import ProblemState, TaskState
from civicgrid.proactive.filters import ProblemFilter
from civicgrid.proactive.models import HotspotCell

ERRORS = (ValidationError, PermissionDenied, IllegalTransition)


def _micro_ids(user):
    grids = visible_micro_grids(user)
    return None if grids is None else list(grids.values_list("pk", flat=True))


def _may_edit(user) -> bool:
    return user.effective_role in PROACTIVE_EDIT_ROLES


@role_required(*PROACTIVE_VIEW_ROLES)
def index(request):
    """主动治理: the 一弄一案 items (filtered), the hotspots of the latest period, recent anomalies,
    open tasks and the share found first per grid and month; 立即检测 runs the detection."""
    user = request.user
    if request.method == "POST":
        if not _may_edit(user):
            raise PermissionDenied(_("您无权运行检测"))
        found = services.do_detect()
        messages.success(
            request,
            _("检测完成：新增一弄一案 %(c)d 项，归集案件 %(g)d 件，返潮 %(r)d 项")
            % {"c": found["created"], "g": found["gathered"], "r": found["recurred"]},
        )
        return redirect("proactive:index")
    problems = ProblemFilter(
        request.GET,
        queryset=services.scope_problems(user).select_related("micro_grid", "owner", "category"),
    )
    latest = HotspotCell.objects.order_by("-period_end").values_list("period_end", flat=True)
    latest = latest.first()
    hotspots = list(
        services.scope_hotspots(user)
        .filter(period_end=latest, category__isnull=True)
        .exclude(trend="")
        # The micro-grid's display name reads its 居村.
        .select_related("micro_grid__parent")
        .order_by("-z")[:30]
    )
    anomalies = list(
        services.scope_anomalies(user)
        .select_related("micro_grid__parent", "category")
        .order_by("-day")[:20]
    )
    tasks = list(
        services.scope_tasks(user)
        .filter(state=TaskState.OPEN)
        .select_related("micro_grid", "assignee")
        .order_by("due_on")[:30]
    )
    today = timezone.localdate()
    micro_ids = _micro_ids(user)
    return render(
        request,
        "proactive/index.html",
        {
            "problems": problems,
            "problem_rows": list(problems.qs[:100]),
            "hotspots": hotspots,
            "period_end": latest,
            "anomalies": anomalies,
            "tasks": tasks,
            "may_edit": _may_edit(user),
            "by_month": indicators.per_month(micro_ids, today),
            "by_grid": _grid_shares(micro_ids, today),
        },
    )


def _grid_shares(micro_ids, today):
    from civicgrid.grids.models import Grid

    shares = indicators.per_grid(micro_ids, today - datetime.timedelta(days=89), today)
    names = {
        g.pk: g.display_name for g in Grid.objects.filter(pk__in=shares).select_related("parent")
    }
    return sorted(
        ({"grid": names.get(pk, pk), **row} for pk, row in shares.items()),
        key=lambda r: (r["share"] is None, -(r["share"] or 0)),
    )


def _task_form(request, source_kwargs, micro_grid, default_category):
    """Create a task from a POST (assignee, look_for, place, category, due_on)."""
    assignee = (
        services.assignable_workers(micro_grid)
        .filter(pk=posted_id(request.POST, "assignee"))
        .first()
    )
    category = Category.objects.filter(pk=posted_id(request.POST, "category")).first()
    return services.do_create_task(
        request.user,
        assignee=assignee,
        look_for=request.POST.get("look_for", ""),
        place=request.POST.get("place", ""),
        category=category or default_category,
        due_on=posted_date(request.POST, "due_on"),
        **source_kwargs,
    )


@role_required(*PROACTIVE_VIEW_ROLES)
def problem(request, pk):
    """一弄一案: its cases, history and tasks; 落实 (owner and plan), 销号, a patrol task."""
    user = request.user
    item = get_object_or_404(
        services.scope_problems(user).select_related("micro_grid", "owner", "category"), pk=pk
    )
    errors = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "plan":
                owner = User.objects.filter(pk=posted_id(request.POST, "owner")).first()
                services.do_plan(item, user, owner=owner, plan=request.POST.get("plan", ""))
                messages.success(request, _("已落实责任人和整改方案"))
            elif action == "close":
                services.do_close(item, user, note=request.POST.get("note", ""))
                messages.success(request, _("已销号，返潮将继续跟踪"))
            elif action == "task":
                _task_form(request, {"problem": item}, item.micro_grid, item.category)
                messages.success(request, _("巡查任务已派发"))
            else:
                raise ValidationError({"action": _("未知的操作")})
            return redirect("proactive:problem", pk=item.pk)
        except ERRORS as error:
            errors = error_messages(error)
        except ValueError:
            errors = [_("日期格式不正确")]
    links = list(item.links.select_related("case", "case__category").order_by("case__reported_at"))
    return render(
        request,
        "proactive/problem.html",
        {
            "item": item,
            "links": links,
            "openable": openable_cases(user, [link.case for link in links]),
            "events": item.events.select_related("actor"),
            "tasks": item.tasks.select_related("assignee"),
            "errors": errors,
            "may_edit": _may_edit(user),
            "owners": _owners(item, user),
            "workers": services.assignable_workers(item.micro_grid),
            "default_place": item.address,
            "states": ProblemState,
        },
    )


def _owners(item, user):
    """Who may own an item: the grid staff of its micro-grid, its owner, and the user."""
    people = {u.pk: u for u in services.assignable_workers(item.micro_grid)}
    for extra in (item.owner, user):
        if extra is not None:
            people.setdefault(extra.pk, extra)
    return list(people.values())


def _source_page(request, obj, kwargs, template, category):
    errors = []
    if request.method == "POST":
        try:
            _task_form(request, kwargs, obj.micro_grid, category)
            messages.success(request, _("巡查任务已派发"))
            return redirect(request.path)
        except ERRORS as error:
            errors = error_messages(error)
        except ValueError:
            errors = [_("日期格式不正确")]
    return render(
        request,
        template,
        {
            "obj": obj,
            "errors": errors,
            "may_edit": _may_edit(request.user),
            "workers": services.assignable_workers(obj.micro_grid),
            "default_place": obj.micro_grid.display_name,
            "categories": Category.objects.filter(is_active=True, parent__isnull=False),
            "tasks": obj.patroltask_set.select_related("assignee"),
        },
    )


@role_required(*PROACTIVE_VIEW_ROLES)
def hotspot(request, pk):
    """A hotspot cell: its figures and a patrol task from it."""
    cell = get_object_or_404(
        services.scope_hotspots(request.user).select_related("micro_grid", "category"), pk=pk
    )
    return _source_page(request, cell, {"hotspot": cell}, "proactive/hotspot.html", cell.category)


@role_required(*PROACTIVE_VIEW_ROLES)
def anomaly(request, pk):
    """An anomaly: the day against its baseline and a patrol task from it."""
    found = get_object_or_404(
        services.scope_anomalies(request.user).select_related("micro_grid", "category"), pk=pk
    )
    return _source_page(
        request, found, {"anomaly": found}, "proactive/anomaly.html", found.category
    )


@role_required(*PROACTIVE_TASK_ROLES)
def my_tasks(request):
    """我的巡查任务 (phone): the worker's open tasks first, then the last done ones."""
    tasks = services.scope_tasks(request.user).filter(assignee=request.user)
    return render(
        request,
        "proactive/my_tasks.html",
        {
            "open": list(tasks.filter(state=TaskState.OPEN).select_related("category")),
            "done": list(
                tasks.exclude(state=TaskState.OPEN).select_related("category", "case")[:20]
            ),
        },
    )


@role_required(*(PROACTIVE_VIEW_ROLES | PROACTIVE_TASK_ROLES))
def task(request, pk):
    """A patrol task (phone): where and what to look for; the finding (a problem → a case with
    source 主动发现)."""
    item = get_object_or_404(
        services.scope_tasks(request.user).select_related("micro_grid", "category", "case"),
        pk=pk,
    )
    errors, values = [], {}
    if request.method == "POST":
        values = request.POST
        try:
            services.do_record_finding(
                item,
                request.user,
                finding=request.POST.get("finding", ""),
                found_problem=request.POST.get("found_problem") == "1",
                photos=request.FILES.getlist("photos"),
            )
            messages.success(request, _("巡查情况已反馈"))
            return redirect("proactive:task", pk=item.pk)
        except ERRORS as error:
            errors = error_messages(error)
    return render(
        request,
        "proactive/task.html",
        {
            "task": item,
            "errors": errors,
            "values": values,
            "mine": item.assignee_id == request.user.pk,
            # Back to the phone's list for those who patrol; the desk for those who send tasks.
            "back_to_mine": request.user.effective_role in PROACTIVE_TASK_ROLES,
        },
    )
