"""Pages of flood duty (防汛应急): the register and command page (raise, change, lift a level; the
stores; the plans; past responses and drills), a point, the live board (console and big screen,
refreshed by htmx), a response's summary report (and a notice drafted from it), a drill, and the
phone pages (my tasks, report a flooded point, pumps).

Pages only call emergency.services; scoping and roles are the services' and accounts.policy's."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import (
    EMERGENCY_COMMAND_ROLES,
    EMERGENCY_FIELD_ROLES,
    EMERGENCY_VIEW_ROLES,
)
from civicgrid.cases.permissions import openable_cases
from civicgrid.core.inputs import posted_id
from civicgrid.core.masking import mask_phone
from civicgrid.core.pages import error_messages, run_action, run_form
from civicgrid.emergency import services
from civicgrid.emergency.choices import (
    LEVEL_COLOURS,
    EmergencyKind,
    FindingOutcome,
    Level,
    Supply,
    TaskState,
    WorkKind,
    WorkState,
)
from civicgrid.emergency.filters import PointFilter, ResponseFilter
from civicgrid.emergency.forms import (
    ContactForm,
    FindingForm,
    LevelPlanForm,
    MoveForm,
    NewPlanForm,
    PlanForm,
    PointForm,
    StoreForm,
    WorkForm,
    WorkStateForm,
)
from civicgrid.emergency.models import (
    Drill,
    EmergencyPlan,
    FloodPoint,
    FloodWork,
    Response,
    StockBalance,
    Store,
    Task,
    WorkChange,
)

PAGE = 50


def _act(request, call, success=None):
    """A button's service call: a refusal (bad input or the role) is a message on the page it
    returns to, not a 403 page, since the buttons sit on pages every flood role opens."""
    return run_action(request, call, success, refused=(ValidationError, PermissionDenied))


def _points(user):
    return services.scope_points(
        FloodPoint.objects.filter(is_active=True).select_related("community", "micro_grid"), user
    )


# --- the register and command page ----------------------------------------------------------------


@require_GET
@role_required(*EMERGENCY_VIEW_ROLES)
def index(request):
    """防汛应急: the active response (and the desk's buttons), the flood-prone register with its
    works, the stores, the plans, past responses and drills."""
    user = request.user
    filterset = PointFilter(
        request.GET,
        queryset=_points(user).annotate(
            pumps=Count("works", filter=Q(works__kind=WorkKind.PUMP)),
            works_count=Count("works"),
        ),
        request=request,
    )
    page = Paginator(filterset.qs.order_by("community__code", "name", "pk"), PAGE).get_page(
        request.GET.get("page")
    )
    responses = ResponseFilter(
        request.GET, queryset=Response.objects.select_related("started_by"), request=request
    )
    return render(
        request,
        "emergency/index.html",
        {
            "filter": filterset,
            "page": page,
            "active": services.active_response(),
            "may_command": services.may_command(user),
            "kinds": EmergencyKind.choices,
            "levels": Level.choices,
            "supplies": Supply.choices,
            "stores": Store.objects.prefetch_related(
                Prefetch("balances", queryset=StockBalance.objects.order_by("supply"))
            ),
            "plans": EmergencyPlan.objects.prefetch_related("levels"),
            "responses": responses.qs[:20],
            "drills": Drill.objects.annotate(n=Count("participants"))[:20],
            "tile": services.tile(None, None, None, timezone.now()),
            "colours": LEVEL_COLOURS,
            "inactive": services.scope_points(
                FloodPoint.objects.filter(is_active=False).select_related("community"), user
            ).order_by("name", "pk")[:50],
        },
    )


@require_GET
@role_required(*EMERGENCY_VIEW_ROLES)
def point(request, pk):
    """易积水点: its works and their state changes (with dates), whom to call (phones masked; a
    commanding role may show one in full, logged), its reports; the desk's forms."""
    return _point_page(request, get_object_or_404(_points(request.user), pk=pk))


@require_POST
@role_required(*EMERGENCY_COMMAND_ROLES)
def raise_level(request):
    done = _act(
        request,
        lambda: services.do_raise(
            request.user,
            kind=request.POST.get("kind"),
            level=request.POST.get("level"),
            reason=request.POST.get("reason"),
        ),
        lambda raised: (
            _("已启动%(level)s应急响应，派发任务%(n)s项")
            % {"level": raised.response.get_level_display(), "n": len(raised.tasks)}
        ),
    )
    return redirect("emergency:board" if done else "emergency:index")


@require_POST
@role_required(*EMERGENCY_COMMAND_ROLES)
def change_level(request, pk):
    response = get_object_or_404(Response, pk=pk)
    _act(
        request,
        lambda: services.do_change_level(
            request.user, response, level=request.POST.get("level"), note=request.POST.get("note")
        ),
        lambda raised: (
            _("响应已调整为%(level)s，新派发任务%(n)s项")
            % {"level": raised.response.get_level_display(), "n": len(raised.tasks)}
        ),
    )
    return redirect("emergency:board")


@require_POST
@role_required(*EMERGENCY_COMMAND_ROLES)
def lift(request, pk):
    response = get_object_or_404(Response, pk=pk)
    if _act(
        request,
        lambda: services.do_lift(request.user, response, note=request.POST.get("note")),
        _("应急响应已解除"),
    ):
        return redirect("emergency:response", pk=response.pk)
    return redirect("emergency:board")


@require_POST
@role_required(*EMERGENCY_FIELD_ROLES)
def evacuate(request, pk):
    """转移安置 recorded on the board: people moved from a point to a shelter."""
    response = get_object_or_404(Response, pk=pk)
    value = str(request.POST.get("point", ""))
    found = _points(request.user).filter(pk=value).first() if value.isdigit() else None
    if found is None:
        messages.error(request, _("请选择积水点位"))
        return redirect("emergency:board")
    _act(
        request,
        lambda: services.do_record_evacuation(
            request.user,
            response,
            point=found,
            people=request.POST.get("people"),
            shelter=request.POST.get("shelter"),
        ),
        _("转移安置已登记"),
    )
    return redirect("emergency:board")


@require_POST
@role_required(*EMERGENCY_COMMAND_ROLES)
def move_stock(request, store_id):
    store = get_object_or_404(Store, pk=store_id)
    _act(
        request,
        lambda: services.do_move_stock(
            request.user,
            store,
            supply=request.POST.get("supply"),
            change=request.POST.get("change"),
            reason=request.POST.get("reason"),
        ),
        _("出入库已登记"),
    )
    return redirect(reverse("emergency:index") + "#stores")


# --- the live board -------------------------------------------------------------------------------


def _board_context(user):
    data = services.board()
    data["openable"] = openable_cases(user, [report.case for report in data.get("latest", [])])
    response = data["response"]
    data["colour"] = LEVEL_COLOURS.get(response.level) if response else None
    data["levels"] = Level.choices
    return data


@require_GET
@role_required(*EMERGENCY_VIEW_ROLES)
def board(request):
    """应急态势: the live board of the active response (refreshed every 30 seconds)."""
    context = _board_context(request.user)
    context["may_command"] = services.may_command(request.user)
    context["points"] = _points(request.user).order_by("name")
    return render(request, "emergency/board.html", context)


@require_GET
@role_required(*EMERGENCY_VIEW_ROLES)
def board_live(request):
    """The board's figures alone, for htmx's refresh."""
    return render(request, "emergency/_board.html", _board_context(request.user))


@require_GET
def banner(request):
    """The banner the console's queue loads (htmx): the active response and a link to the board,
    or nothing. The console may not import this app, so it asks for this fragment."""
    if not request.user.is_authenticated or not services.may_view(request.user):
        return HttpResponse("")
    tile = services.tile(None, None, None, timezone.now())
    return render(
        request,
        "emergency/_banner.html",
        {"tile": tile, "colour": LEVEL_COLOURS.get(tile.get("level_value"))},
    )


# --- after the event ------------------------------------------------------------------------------


def _notices():
    """The notices app's services when installed (a notice drafted from the summary)."""
    try:
        from civicgrid.notices import services as notices
    except ImportError:  # pragma: no cover - the app is part of the project
        return None
    return notices if hasattr(notices, "do_draft_notice") else None


@require_GET
@role_required(*EMERGENCY_VIEW_ROLES)
def response(request, pk):
    """事后总结: the response's timeline, reports per point, response times."""
    item = get_object_or_404(Response.objects.select_related("started_by", "lifted_by"), pk=pk)
    return render(
        request,
        "emergency/response.html",
        {
            "summary": services.summary(item),
            "response": item,
            "colour": LEVEL_COLOURS.get(item.highest_level),
            "may_draft": services.may_command(request.user) and _notices() is not None,
        },
    )


@require_POST
@role_required(*EMERGENCY_COMMAND_ROLES)
def draft_notice(request, pk):
    """A notice drafted from the summary (the notices app then takes it through its review)."""
    item = get_object_or_404(Response, pk=pk)
    notices = _notices()
    if notices is None:
        raise PermissionDenied(_("公告功能未安装"))
    _act(
        request,
        lambda: services.do_draft_summary_notice(request.user, item, notices=notices),
        lambda notice: _("已起草公告“%(t)s”") % {"t": notice.title},
    )
    return redirect("emergency:response", pk=pk)


FINDING_ROWS = 3


def _id(value) -> int:
    """A posted id, or 0 (matches nothing) when it is not a number."""
    value = str(value or "")
    return int(value) if value.isdigit() else 0


def _staff():
    from civicgrid.accounts.choices import Role
    from civicgrid.accounts.models import User

    return (
        User.objects.filter(is_active=True)
        .exclude(role=Role.RESIDENT)
        .order_by("last_name", "first_name", "username")
    )


@role_required(*EMERGENCY_COMMAND_ROLES)
def record_drill(request):
    """应急演练 recorded: kind, day, place, participants, and up to three findings, each a task
    for a person or a case at a point."""
    staff = _staff()
    points = _points(request.user).select_related("community").order_by("name")
    errors, values = [], {}
    if request.method == "POST":
        values = request.POST
        held_on = None
        try:
            held_on = datetime.date.fromisoformat(request.POST.get("held_on", ""))
        except ValueError:
            pass
        findings = []
        for i in range(FINDING_ROWS):
            text = (request.POST.get(f"finding_{i}") or "").strip()
            if not text:
                continue
            assignee = staff.filter(pk=_id(request.POST.get(f"assignee_{i}"))).first()
            point = points.filter(pk=_id(request.POST.get(f"point_{i}"))).first()
            findings.append(
                {
                    "text": text,
                    "outcome": request.POST.get(f"outcome_{i}"),
                    "assignee": assignee,
                    "point": point,
                }
            )
        try:
            made = services.do_record_drill(
                request.user,
                kind=request.POST.get("kind"),
                title=request.POST.get("title"),
                held_on=held_on,
                place=request.POST.get("place"),
                participants=staff.filter(
                    pk__in=[_id(v) for v in request.POST.getlist("participants")]
                ),
                others=request.POST.get("others") or 0,
                summary=request.POST.get("summary"),
                findings=findings,
            )
        except (ValidationError, PermissionDenied) as error:
            errors = error_messages(error)
        else:
            messages.success(request, _("演练已登记"))
            return redirect("emergency:drill", pk=made.pk)
    return render(
        request,
        "emergency/drill_form.html",
        {
            "staff": staff,
            "points": points,
            "kinds": EmergencyKind.choices,
            "outcomes": FindingOutcome.choices,
            "rows": range(FINDING_ROWS),
            "values": values,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _drill_page(request, item, *, form=None, status=200):
    may = services.may_command(request.user)
    findings = list(item.findings.select_related("task__assignee", "case"))
    return render(
        request,
        "emergency/drill.html",
        {
            "drill": item,
            "participants": item.participants.all(),
            "findings": findings,
            "openable": openable_cases(request.user, [finding.case for finding in findings]),
            "outcomes": FindingOutcome,
            "may_command": may,
            "form": form
            or (
                FindingForm(staff=_staff(), points=_points(request.user).order_by("name"))
                if may
                else None
            ),
        },
        status=status,
    )


@require_GET
@role_required(*EMERGENCY_VIEW_ROLES)
def drill(request, pk):
    return _drill_page(
        request, get_object_or_404(Drill.objects.select_related("recorded_by"), pk=pk)
    )


# --- phone pages ----------------------------------------------------------------------------------


@require_GET
@role_required(*EMERGENCY_FIELD_ROLES)
def my_tasks(request):
    """我的任务: the open tasks given to me, soonest due first."""
    tasks = (
        Task.objects.filter(assignee=request.user, state=TaskState.OPEN)
        .select_related("point", "response")
        .order_by("due_at", "pk")
    )
    done = (
        Task.objects.filter(assignee=request.user, state=TaskState.DONE)
        .select_related("point")
        .order_by("-done_at")[:10]
    )
    return render(
        request,
        "emergency/m_tasks.html",
        {
            "tasks": tasks,
            "done": done,
            "stores": Store.objects.all(),
            "active": services.active_response(),
            "now": timezone.now(),
        },
    )


@require_POST
@role_required(*EMERGENCY_FIELD_ROLES)
def complete_task(request, pk):
    task = get_object_or_404(Task, pk=pk)
    store = None
    if request.POST.get("store"):
        store = (
            Store.objects.filter(pk=request.POST["store"]).first()
            if request.POST["store"].isdigit()
            else None
        )
        if store is None:
            messages.error(request, _("请选择仓库"))
            return redirect("emergency:my_tasks")
    _act(
        request,
        lambda: services.do_complete_task(
            request.user, task, note=request.POST.get("note"), store=store
        ),
        _("任务已完成"),
    )
    return redirect("emergency:my_tasks")


@role_required(*EMERGENCY_FIELD_ROLES)
def report_flooding(request):
    """报告积水: the point, the depth, a photo."""
    points = _points(request.user).select_related("community").order_by("name")
    values, errors = {}, []
    if request.method == "POST":
        values = request.POST
        item = (
            points.filter(pk=posted_id(request.POST, "point")).first()
            if str(request.POST.get("point", "")).isdigit()
            else None
        )
        if item is None:
            errors = [_("请选择积水点位")]
        else:
            try:
                report = services.do_report_flooding(
                    request.user,
                    item,
                    depth_cm=request.POST.get("depth_cm"),
                    note=request.POST.get("note"),
                    photos=request.FILES.getlist("photos"),
                )
            except (ValidationError, PermissionDenied) as error:
                errors = error_messages(error)
            else:
                messages.success(
                    request,
                    _("已报告积水，案件%(n)s") % {"n": report.case.number if report.case else ""},
                )
                return redirect("emergency:my_tasks")
    return render(
        request,
        "emergency/m_report.html",
        {"points": points, "values": values, "errors": errors},
        status=400 if errors else 200,
    )


@require_GET
@role_required(*EMERGENCY_FIELD_ROLES)
def pumps(request):
    """泵站: the pumps of my points, running or not."""
    visible = _points(request.user).values("pk")
    works = (
        FloodWork.objects.filter(kind=WorkKind.PUMP, point__in=visible)
        .select_related("point")
        .order_by("point__name", "pk")
    )
    return render(request, "emergency/m_pumps.html", {"works": works})


@require_POST
@role_required(*EMERGENCY_FIELD_ROLES)
def switch_pump(request, pk):
    work = get_object_or_404(FloodWork.objects.select_related("point"), pk=pk)
    running = request.POST.get("running") == "1"
    _act(
        request,
        lambda: services.do_switch_pump(request.user, work, running=running),
        _("已开泵") if running else _("已停泵"),
    )
    return redirect("emergency:pumps")


# --- the register: points, their works and people to call -----------------------------------------


def _point_fields(data) -> dict:
    fields = dict(data)
    fields["households"] = fields.get("households") or 0
    return fields


@role_required(*EMERGENCY_COMMAND_ROLES)
def point_form(request, pk=None):
    """易积水点 registered or corrected: name, kind, micro-grid, estate, address, the map point."""
    item = get_object_or_404(_points(request.user), pk=pk) if pk else None
    if request.method == "POST":
        form = PointForm(request.POST)
        saved = run_form(
            form,
            lambda data: services.do_save_point(request.user, point=item, **_point_fields(data)),
        )
        if saved:
            messages.success(request, _("易积水点已保存"))
            return redirect("emergency:point", pk=saved.value.pk)
    else:
        form = PointForm(initial=PointForm.initial_for(item) if item else None)
    return render(
        request,
        "emergency/point_form.html",
        {"form": form, "point": item},
        status=400 if form.errors else 200,
    )


def _state_label(value) -> str:
    return str(WorkState(value).label) if value in WorkState.values else ""


def _point_page(request, item, *, status=200, revealed=None, **forms):
    may = services.may_command(request.user)
    works = list(item.works.all())
    shown = revealed or {}
    contacts = [(c, shown.get(c.pk) or mask_phone(c.phone)) for c in item.contacts.all()]
    reports = list(item.reports.select_related("case", "user")[:20])
    context = {
        "point": item,
        "works": works,
        "contacts": contacts,
        "reports": reports,
        "openable": openable_cases(request.user, [report.case for report in reports]),
        "changes": [
            (c, _state_label(c.from_state), _state_label(c.to_state))
            for c in WorkChange.objects.filter(work__point=item)
            .select_related("work", "user")
            .order_by("-at", "-pk")[:30]
        ],
        "work_states": WorkState.choices,
        "may_command": may,
        "may_reveal": services.may_see_contact_phones(request.user),
    }
    if may:
        context.update(
            contact_form=forms.get("contact_form") or ContactForm(),
            work_form=forms.get("work_form") or WorkForm(),
            state_form=forms.get("state_form") or WorkStateForm(),
            state_work=forms.get("state_work"),
        )
    return render(request, "emergency/point.html", context, status=status)


@require_POST
@role_required(*EMERGENCY_COMMAND_ROLES)
def add_contact(request, pk):
    item = get_object_or_404(_points(request.user), pk=pk)
    form = ContactForm(request.POST)
    if not run_form(form, lambda data: services.do_add_contact(request.user, item, **data)):
        return _point_page(request, item, status=400, contact_form=form)
    messages.success(request, _("联系人已添加"))
    return redirect("emergency:point", pk=item.pk)


@require_POST
@role_required(*EMERGENCY_COMMAND_ROLES)
def remove_contact(request, pk, contact_id):
    item = get_object_or_404(_points(request.user), pk=pk)
    contact = get_object_or_404(item.contacts, pk=contact_id)
    services.do_remove_contact(request.user, contact)
    messages.success(request, _("联系人已移除"))
    return redirect("emergency:point", pk=item.pk)


@require_POST
@role_required(*EMERGENCY_COMMAND_ROLES)
def reveal_phone(request, pk, contact_id):
    """The contact's full phone, shown on the point page once (the view is logged)."""
    item = get_object_or_404(_points(request.user), pk=pk)
    contact = get_object_or_404(item.contacts, pk=contact_id)
    phone = services.reveal_contact_phone(request.user, contact, channel="web")
    return _point_page(request, item, revealed={contact.pk: phone})


@require_POST
@role_required(*EMERGENCY_COMMAND_ROLES)
def add_work(request, pk):
    item = get_object_or_404(_points(request.user), pk=pk)
    form = WorkForm(request.POST)
    if not run_form(form, lambda data: services.do_add_work(request.user, item, **data)):
        return _point_page(request, item, status=400, work_form=form)
    messages.success(request, _("防汛设施已登记"))
    return redirect("emergency:point", pk=item.pk)


@require_POST
@role_required(*EMERGENCY_COMMAND_ROLES)
def change_work(request, pk, work_id):
    item = get_object_or_404(_points(request.user), pk=pk)
    work = get_object_or_404(item.works, pk=work_id)
    form = WorkStateForm(request.POST)
    if not run_form(form, lambda data: services.do_change_work_state(request.user, work, **data)):
        return _point_page(request, item, status=400, state_form=form, state_work=work)
    messages.success(request, _("设施状态已更新"))
    return redirect("emergency:point", pk=item.pk)


@require_POST
@role_required(*EMERGENCY_COMMAND_ROLES)
def point_active(request, pk):
    """A point taken off the register or put back (the register lists points in it)."""
    item = get_object_or_404(services.scope_points(FloodPoint.objects.all(), request.user), pk=pk)
    active = request.POST.get("active") == "1"
    run_action(
        request,
        lambda: services.do_set_point_active(request.user, item, active=active),
        _("已恢复在册") if active else _("已移出名册"),
    )
    return redirect("emergency:index")


# --- stores and stock -----------------------------------------------------------------------------


@role_required(*EMERGENCY_COMMAND_ROLES)
def store_new(request):
    """防汛物资仓库 added (the street's or a 居村's)."""
    form = StoreForm(request.POST or None)
    if request.method == "POST":
        made = run_form(form, lambda data: services.do_save_store(request.user, **data))
        if made:
            messages.success(request, _("仓库已添加"))
            return redirect("emergency:store", pk=made.value.pk)
    return render(
        request, "emergency/store_form.html", {"form": form}, status=400 if form.errors else 200
    )


@role_required(*EMERGENCY_VIEW_ROLES)
def store(request, pk):
    """A store: its stock (the sum of its movements) and every movement; the desk moves stock
    here (taking more than the store holds is refused, nothing moves)."""
    item = get_object_or_404(Store.objects.select_related("community"), pk=pk)
    may = services.may_command(request.user)
    form = MoveForm()
    if request.method == "POST":
        if not may:
            raise PermissionDenied(_("您的角色不能出入库防汛物资"))
        form = MoveForm(request.POST)
        if run_form(form, lambda data: services.do_move_stock(request.user, item, **data)):
            messages.success(request, _("出入库已登记"))
            return redirect("emergency:store", pk=item.pk)
    movements = Paginator(
        item.movements.select_related("user", "point", "response").order_by("-at", "-pk"), PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "emergency/store.html",
        {
            "store": item,
            "balances": item.balances.order_by("supply"),
            "movements": movements,
            "form": form,
            "may_command": may,
        },
        status=400 if form.errors else 200,
    )


# --- plans per kind and level ---------------------------------------------------------------------


@role_required(*EMERGENCY_COMMAND_ROLES)
def plan_new(request):
    """An emergency plan for a kind (防汛, 防台, 火灾, 燃气泄漏) that has none yet."""
    form = NewPlanForm(request.POST or None)
    if request.method == "POST":
        if (
            form.is_valid()
            and EmergencyPlan.objects.filter(kind=form.cleaned_data["kind"]).exists()
        ):
            form.add_error("kind", _("该种类已有预案，请在预案页修订"))
        made = run_form(form, lambda data: services.do_save_plan(request.user, **data))
        if made:
            messages.success(request, _("预案已保存"))
            return redirect("emergency:plan", kind=made.value.kind)
    return render(
        request, "emergency/plan_form.html", {"form": form}, status=400 if form.errors else 200
    )


@role_required(*EMERGENCY_VIEW_ROLES)
def plan(request, kind):
    """A kind's plan: its points, and per level who is on duty (the roster's 值班长 and 带班领导
    now), which points are patrolled how often, what is pre-positioned; the desk edits it."""
    item = get_object_or_404(EmergencyPlan, kind=kind)
    may = services.may_command(request.user)
    plan_form = PlanForm(initial={"title": item.title, "summary": item.summary})
    level_form = LevelPlanForm()
    if request.method == "POST":
        if not may:
            raise PermissionDenied(_("您的角色不能修订应急预案"))
        if request.POST.get("part") == "level":
            level_form = LevelPlanForm(request.POST)
            done = run_form(
                level_form, lambda data: services.do_set_level_plan(request.user, item, **data)
            )
        else:
            plan_form = PlanForm(request.POST)
            done = run_form(
                plan_form,
                lambda data: services.do_save_plan(request.user, kind=item.kind, **data),
            )
        if done:
            messages.success(request, _("预案已保存"))
            return redirect("emergency:plan", kind=item.kind)
    levels = list(item.levels.order_by("-level"))
    counts = dict(
        FloodPoint.objects.filter(is_active=True)
        .values_list("risk")
        .annotate(n=Count("pk"))
        .values_list("risk", "n")
    )
    rows = []
    for row in levels:
        points = sum(n for risk, n in counts.items() if risk <= row.patrol_risk)
        rows.append(
            {
                "plan": row,
                "points": points,
                "sandbags": points * row.sandbags_per_point,
                "pumps": points * row.pumps_per_point,
                "form": LevelPlanForm(
                    initial={
                        "level": row.level,
                        "patrol_risk": row.patrol_risk,
                        "patrol_every_minutes": row.patrol_every_minutes,
                        "sandbags_per_point": row.sandbags_per_point,
                        "pumps_per_point": row.pumps_per_point,
                        "instructions": row.instructions,
                    },
                    auto_id=f"level{row.level}_%s",
                ),
            }
        )
    return render(
        request,
        "emergency/plan.html",
        {
            "plan": item,
            "rows": rows,
            "duty": services.duty_now(),
            "stock": services.stock_totals(),
            "supplies": Supply.choices,
            "plan_form": plan_form,
            "level_form": level_form,
            "may_command": may,
        },
        status=400 if plan_form.errors or level_form.errors else 200,
    )


# --- a drill's findings written up afterwards ----------------------------------------------------


@require_POST
@role_required(*EMERGENCY_COMMAND_ROLES)
def add_finding(request, pk):
    """A finding of the drill turned into a task for a person or a case at a point."""
    item = get_object_or_404(Drill, pk=pk)
    form = FindingForm(request.POST, staff=_staff(), points=_points(request.user).order_by("name"))

    def call(data):
        due = data.pop("due_on", None)
        if due is not None:
            due = timezone.make_aware(datetime.datetime.combine(due, datetime.time(18)))
        return services.do_add_finding(request.user, item, due_at=due, **data)

    if not run_form(form, call):
        return _drill_page(request, item, form=form, status=400)
    messages.success(request, _("演练发现已登记"))
    return redirect("emergency:drill", pk=item.pk)
