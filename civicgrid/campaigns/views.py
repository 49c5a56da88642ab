"""Pages of the 创建/创评 programme: the staff's campaign overview (readiness, trend, items failing
repeatedly, rounds, actions and this week's plans, checkpoints), the one-page readiness report, a
round (its tasks, closing it), the 无违建 register, and the inspector's phone pages (the round's
checkpoints given to them, the checklist item by item with photos). Pages only call
campaigns.services; roles come from accounts.policy, scope from the services."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import (
    CAMPAIGNS_EDIT_ROLES,
    CAMPAIGNS_INSPECT_ROLES,
    CAMPAIGNS_KEEP_ROLES,
    CAMPAIGNS_VIEW_ROLES,
)
from civicgrid.campaigns import forms, services
from civicgrid.campaigns.choices import (
    CheckpointKind,
    CreationStatus,
    RoundKind,
    RoundState,
    StructureState,
)
from civicgrid.campaigns.filters import CheckpointFilter, StructureFilter
from civicgrid.campaigns.models import (
    Assignment,
    Campaign,
    Checkpoint,
    CommunityCreation,
    CreationEvent,
    IllegalStructure,
    InspectionPhoto,
    InspectionRound,
    StructurePhoto,
    WeeklyPlan,
)
from civicgrid.campaigns.workflow import STRUCTURE_TRANSITIONS
from civicgrid.core.pages import error_messages, run_action, run_form
from civicgrid.core.storedfiles import missing_file_is_404


@role_required(*CAMPAIGNS_VIEW_ROLES)
def index(request):
    """创建创评: every campaign with its latest readiness; the 无违建 figures per 居村."""
    campaigns = list(Campaign.objects.order_by("-is_active", "-starts_on"))
    rows = []
    for campaign in campaigns:
        trend = services.trend(campaign, request.user, limit=1)
        rows.append({"campaign": campaign, "latest": trend[-1] if trend else None})
    return render(
        request,
        "campaigns/index.html",
        {
            "rows": rows,
            "structures": services.structure_figures(request.user),
            "may_edit": services.may_edit(request.user),
            "may_keep": services.may_keep(request.user),
        },
    )


@role_required(*CAMPAIGNS_VIEW_ROLES)
def campaign_detail(request, pk):
    """A campaign: readiness by kind and item, trend, repeat failures, rounds, actions and this
    week's plans, the checkpoints (filtered)."""
    campaign = get_object_or_404(Campaign, pk=pk)
    user = request.user
    today = timezone.localdate()
    week = today - datetime.timedelta(days=today.weekday())
    checkpoints = services.scope_checkpoints(
        Checkpoint.objects.filter(campaign=campaign).select_related("community"), user
    )
    filterset = CheckpointFilter(request.GET or None, queryset=checkpoints, request=request)
    page = Paginator(filterset.qs.order_by("kind", "name", "pk"), 50).get_page(
        request.GET.get("page")
    )
    plans = (
        WeeklyPlan.objects.filter(action__campaign=campaign, week_start=week)
        .select_related("action")
        .order_by("action__order", "pk")
    )
    return render(
        request,
        "campaigns/campaign.html",
        {
            "campaign": campaign,
            "report": services.report(campaign, user, today=today),
            "map": services.checkpoint_map(campaign, user),
            "rounds": campaign.rounds.order_by("-number")[:12],
            "actions": campaign.actions.all(),
            "plans": plans,
            "week": week,
            "filter": filterset,
            "page": page,
            "may_edit": services.may_edit(user),
            "inspectors": services.eligible_inspectors() if services.may_edit(user) else [],
            "kinds": CheckpointKind.choices,
            "round_kinds": RoundKind.choices,
            "next_monday": week + datetime.timedelta(days=7),
            "may_keep": services.may_keep(user),
        },
    )


@role_required(*CAMPAIGNS_VIEW_ROLES)
def readiness_report(request, pk):
    """迎检准备情况: the one-page printable readiness report before an assessment date."""
    campaign = get_object_or_404(Campaign, pk=pk)
    return render(
        request,
        "campaigns/report.html",
        services.report(campaign, request.user),
    )


@role_required(*CAMPAIGNS_VIEW_ROLES)
def round_detail(request, pk):
    """A 督查 round: its tasks (inspected or not, score, 复查), closing it."""
    round_ = get_object_or_404(InspectionRound.objects.select_related("campaign"), pk=pk)
    visible = services.scope_checkpoints(Checkpoint.objects.all(), request.user)
    assignments = list(
        Assignment.objects.filter(round=round_, checkpoint__in=visible)
        .select_related("checkpoint", "inspector", "inspection")
        .order_by("checkpoint__kind", "checkpoint__name")
    )
    may_change = services.may_edit(request.user) and round_.state == RoundState.PLANNED
    free = []
    if may_change:
        free = (
            Checkpoint.objects.filter(campaign=round_.campaign, is_active=True)
            .exclude(assignments__round=round_)
            .order_by("kind", "name")
        )
    return render(
        request,
        "campaigns/round.html",
        {
            "round": round_,
            "assignments": assignments,
            "may_close": may_change,
            "free": free,
            # What 改派 may move: the checkpoints not inspected yet.
            "movable": [a for a in assignments if not hasattr(a, "inspection")]
            if may_change
            else [],
            "inspectors": services.eligible_inspectors() if may_change else [],
            "events": _labelled(round_.events.select_related("user"), RoundState),
        },
    )


@require_POST
@role_required(*CAMPAIGNS_EDIT_ROLES)
def assign(request, pk):
    """Add a checkpoint to the open round, or give one to another inspector."""
    round_ = get_object_or_404(InspectionRound, pk=pk)
    run_action(
        request,
        lambda: services.do_assign(
            request.user,
            round_,
            checkpoint=request.POST.get("checkpoint", ""),
            inspector=request.POST.get("inspector", ""),
        ),
        _("督查任务已安排"),
    )
    return redirect("campaigns:round", pk=round_.pk)


@require_POST
@role_required(*CAMPAIGNS_EDIT_ROLES)
def plan_round(request, pk):
    """排定督查: the round's week, kind, the kinds of checkpoint and the inspectors."""
    campaign = get_object_or_404(Campaign, pk=pk)
    planned = run_action(
        request,
        lambda: services.do_plan_round_by_kind(
            request.user,
            campaign,
            starts_on=request.POST.get("starts_on", ""),
            kind=request.POST.get("kind", ""),
            checkpoint_kinds=request.POST.getlist("checkpoint_kinds"),
            inspectors=[i for i in request.POST.getlist("inspectors") if i.isdigit()],
        ),
        lambda round_: _("已排定%(round)s") % {"round": round_},
    )
    if not planned:
        return redirect("campaigns:campaign", pk=campaign.pk)
    return redirect("campaigns:round", pk=planned.value.pk)


@require_POST
@role_required(*CAMPAIGNS_EDIT_ROLES)
def close_round(request, pk):
    round_ = get_object_or_404(InspectionRound, pk=pk)
    run_action(
        request,
        lambda: services.do_close_round(request.user, round_, note=request.POST.get("note", "")),
        _("本轮督查已结束"),
    )
    return redirect("campaigns:round", pk=round_.pk)


@require_POST
@role_required(*CAMPAIGNS_KEEP_ROLES)
def plan_done(request, pk):
    plan = get_object_or_404(WeeklyPlan.objects.select_related("action"), pk=pk)
    run_action(
        request,
        lambda: services.do_mark_plan_done(request.user, plan, note=request.POST.get("note", "")),
        _("行动计划已标记完成"),
    )
    return redirect("campaigns:campaign", pk=plan.action.campaign_id)


@role_required(*CAMPAIGNS_VIEW_ROLES)
def structures(request):
    """无违建: the register of illegal structures (filtered) and each 居村's status."""
    user = request.user
    queryset = services.scope_structures(IllegalStructure.objects.select_related("community"), user)
    filterset = StructureFilter(request.GET or None, queryset=queryset, request=request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    for structure in page:
        structure.next_states = [
            (s, StructureState(s).label)
            for s in StructureState.values
            if s in STRUCTURE_TRANSITIONS[structure.state]
        ]
    return render(
        request,
        "campaigns/structures.html",
        {
            "filter": filterset,
            "page": page,
            "figures": services.structure_figures(user),
            "may_keep": services.may_keep(user),
        },
    )


@require_POST
@role_required(*CAMPAIGNS_KEEP_ROLES)
def move_structure(request, pk):
    structure = get_object_or_404(
        services.scope_structures(IllegalStructure.objects.all(), request.user), pk=pk
    )
    run_action(
        request,
        lambda: services.do_move_structure(
            request.user,
            structure,
            to_state=request.POST.get("to_state", ""),
            note=request.POST.get("note", ""),
        ),
        _("违法建筑状态已更新"),
    )
    if request.POST.get("back") == "detail":
        return redirect("campaigns:structure", pk=structure.pk)
    return redirect("campaigns:structures")


@role_required(*CAMPAIGNS_VIEW_ROLES)
def photo(request, pk):
    visible = services.scope_checkpoints(Checkpoint.objects.all(), request.user)
    item = get_object_or_404(
        InspectionPhoto.objects.filter(inspection__checkpoint__in=visible), pk=pk
    )
    with missing_file_is_404(item.file):
        response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --- the inspector's phone ------------------------------------------------------------------------


@role_required(*CAMPAIGNS_INSPECT_ROLES)
def my_round(request):
    """督查 on the phone: the checkpoints of open rounds given to me, those still to do first."""
    assignments = (
        Assignment.objects.filter(inspector=request.user, round__state=RoundState.PLANNED)
        .select_related("checkpoint", "round", "inspection")
        .order_by("round__number", "checkpoint__kind", "checkpoint__name")
    )
    todo = [a for a in assignments if not hasattr(a, "inspection")]
    done = [a for a in assignments if hasattr(a, "inspection")]
    return render(request, "campaigns/m_round.html", {"todo": todo, "done": done})


@role_required(*CAMPAIGNS_INSPECT_ROLES)
def inspect(request, pk):
    """Score one checkpoint item by item (合格/不合格 with what is wrong), photos, submit."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("checkpoint", "round__campaign"), pk=pk
    )
    if assignment.inspector_id != request.user.pk:
        raise PermissionDenied(_("该点位不是派给您的督查任务"))
    items = [
        i
        for i in assignment.round.campaign.items.filter(is_active=True)
        if i.kind == assignment.checkpoint.kind
    ]
    previous = services.previous_failures([assignment.checkpoint_id]).get(
        assignment.checkpoint_id, {}
    )
    errors, values, status = [], {}, 200
    if request.method == "POST":
        results = {}
        for item in items:
            verdict = request.POST.get(f"item_{item.pk}")
            note = request.POST.get(f"note_{item.pk}", "")
            values[item.pk] = (verdict, note)
            if verdict in ("pass", "fail"):
                results[item.pk] = {"passed": verdict == "pass", "note": note}
        try:
            inspection = services.do_inspect(
                request.user,
                assignment,
                results=results,
                note=request.POST.get("note", ""),
                photos=request.FILES.getlist("photos"),
            )
        except ValidationError as error:
            errors, status = error_messages(error), 400
        else:
            failed = inspection.item_count - inspection.passed_count
            if failed:
                messages.warning(
                    request,
                    _("督查已提交：%(n)d 项不合格，已转为案件交责任主体整改，下轮复查")
                    % {"n": failed},
                )
            else:
                messages.success(request, _("督查已提交：全部合格"))
            return redirect("campaigns:my_round")
    rows = [
        {
            "item": item,
            "verdict": values.get(item.pk, (None, ""))[0],
            "note": values.get(item.pk, (None, ""))[1],
            "failed_before": previous.get(item.pk),
        }
        for item in items
    ]
    return render(
        request,
        "campaigns/m_inspect.html",
        {
            "assignment": assignment,
            "checkpoint": assignment.checkpoint,
            "rows": rows,
            "errors": errors,
            "done": hasattr(assignment, "inspection"),
        },
        status=status,
    )


# --- the desk's forms: campaigns, 测评项, actions, checkpoints ---------------------------------------


def _form_page(request, form, title, back, *, map_fields=False, extra=None, status=200):
    return render(
        request,
        "campaigns/form.html",
        {"form": form, "title": title, "back": back, "map_fields": map_fields, **(extra or {})},
        status=status,
    )


@role_required(*CAMPAIGNS_EDIT_ROLES)
def campaign_form(request, pk=None):
    """新建 or 编辑 a campaign; its edit page also lists its 测评体系 (per kind), its actions with
    their owners, and the history of its edits."""
    campaign = get_object_or_404(Campaign, pk=pk) if pk else None
    initial = {}
    if campaign is not None:
        initial = {f: getattr(campaign, f) for f in forms.CampaignForm.base_fields}
    form = forms.CampaignForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        saved = run_form(
            form, lambda data: services.do_save_campaign(request.user, campaign=campaign, **data)
        )
        if saved:
            messages.success(request, _("创建活动已保存"))
            return redirect("campaigns:edit", pk=saved.value.pk)
        status = 400
    extra = {"campaign": campaign}
    if campaign is not None:
        extra.update(
            items=campaign.items.order_by("kind", "order", "pk"),
            actions=campaign.actions.order_by("order", "pk"),
            history=services.campaign_history(campaign),
        )
    return render(request, "campaigns/campaign_form.html", {"form": form, **extra}, status=status)


def _child_form(request, campaign, form, title, save, success, *, map_fields=False):
    if request.method == "POST":
        if run_form(form, save):
            messages.success(request, success)
            return None
        return _form_page(
            request,
            form,
            title,
            campaign,
            map_fields=map_fields,
            extra={"campaign": campaign},
            status=400,
        )
    return _form_page(
        request, form, title, campaign, map_fields=map_fields, extra={"campaign": campaign}
    )


@role_required(*CAMPAIGNS_EDIT_ROLES)
def item_form(request, pk, item_pk=None):
    """A line of the 测评体系: add one, or change (or retire) it."""
    campaign = get_object_or_404(Campaign, pk=pk)
    item = get_object_or_404(campaign.items, pk=item_pk) if item_pk else None
    initial = {f: getattr(item, f) for f in forms.ItemForm.base_fields} if item else {}
    form = forms.ItemForm(request.POST or None, initial=initial)
    page = _child_form(
        request,
        campaign,
        form,
        _("编辑测评项") if item else _("新增测评项"),
        lambda data: services.do_save_item(request.user, campaign, item=item, **data),
        _("测评项已保存"),
    )
    return page or redirect(f"{reverse('campaigns:edit', args=[campaign.pk])}#items")


@role_required(*CAMPAIGNS_EDIT_ROLES)
def action_form(request, pk, action_pk=None):
    """One of the 五大行动 and its 牵头单位."""
    campaign = get_object_or_404(Campaign, pk=pk)
    action = get_object_or_404(campaign.actions, pk=action_pk) if action_pk else None
    initial = {f: getattr(action, f) for f in forms.ActionForm.base_fields} if action else {}
    form = forms.ActionForm(request.POST or None, initial=initial)
    page = _child_form(
        request,
        campaign,
        form,
        _("编辑创建行动") if action else _("新增创建行动"),
        lambda data: services.do_save_action(request.user, campaign, action=action, **data),
        _("创建行动已保存"),
    )
    return page or redirect(f"{reverse('campaigns:edit', args=[campaign.pk])}#actions")


@role_required(*CAMPAIGNS_EDIT_ROLES)
def checkpoint_form(request, pk, checkpoint_pk=None):
    """A 点位: kind, name, place on the map (a tap fills 经纬度), 居村 and owner."""
    campaign = get_object_or_404(Campaign, pk=pk)
    checkpoint = (
        get_object_or_404(campaign.checkpoints, pk=checkpoint_pk) if checkpoint_pk else None
    )
    initial = {}
    if checkpoint is not None:
        initial = {f: getattr(checkpoint, f) for f in forms.CheckpointForm.base_fields}
    form = forms.CheckpointForm(request.POST or None, initial=initial, user=request.user)
    page = _child_form(
        request,
        campaign,
        form,
        _("编辑测评点位") if checkpoint else _("新增测评点位"),
        lambda data: services.do_save_checkpoint(
            request.user, campaign, checkpoint=checkpoint, **data
        ),
        _("测评点位已保存"),
        map_fields=True,
    )
    return page or redirect(f"{reverse('campaigns:campaign', args=[campaign.pk])}#checkpoints")


@require_POST
@role_required(*CAMPAIGNS_EDIT_ROLES)
def checkpoint_active(request, pk, checkpoint_pk):
    """停用 or 启用 a 点位."""
    campaign = get_object_or_404(Campaign, pk=pk)
    checkpoint = get_object_or_404(campaign.checkpoints, pk=checkpoint_pk)
    active = request.POST.get("is_active") == "1"
    run_action(
        request,
        lambda: services.do_set_checkpoint_active(request.user, checkpoint, is_active=active),
        _("点位已启用") if active else _("点位已停用"),
    )
    return redirect(f"{reverse('campaigns:campaign', args=[campaign.pk])}#checkpoints")


# --- 无违建: register a structure, its page, a 居村's status -----------------------------------------


def _labelled(events, choices) -> list:
    labels = dict(choices.choices)
    rows = list(events)
    for e in rows:
        before = getattr(e, "from_state", None) or getattr(e, "from_status", "")
        after = getattr(e, "to_state", None) or getattr(e, "to_status", "")
        e.from_label, e.to_label = labels.get(before, before), labels.get(after, after)
    return rows


@role_required(*CAMPAIGNS_KEEP_ROLES)
def structure_form(request):
    """登记违法建筑: 居村, address, area, what it is, where on the map, photos."""
    form = forms.StructureForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        made = run_form(form, lambda data: services.do_register_structure(request.user, **data))
        if made:
            messages.success(request, _("违法建筑已登记"))
            return redirect("campaigns:structure", pk=made.value.pk)
        status = 400
    return render(
        request,
        "campaigns/form.html",
        {
            "form": form,
            "title": _("登记违法建筑"),
            "map_fields": True,
            "multipart": True,
            "back_url": reverse("campaigns:structures"),
            "back_label": _("违法建筑台账"),
        },
        status=status,
    )


@role_required(*CAMPAIGNS_VIEW_ROLES)
def structure_detail(request, pk):
    """A structure: what and where, its photos, its next steps, its immutable history."""
    structure = get_object_or_404(
        services.scope_structures(
            IllegalStructure.objects.select_related("community"), request.user
        ),
        pk=pk,
    )
    next_states = [
        (s, StructureState(s).label)
        for s in StructureState.values
        if s in STRUCTURE_TRANSITIONS[structure.state]
    ]
    return render(
        request,
        "campaigns/structure.html",
        {
            "structure": structure,
            "photos": structure.photos.all(),
            "events": _labelled(structure.events.select_related("user"), StructureState),
            "next_states": next_states,
            "may_keep": services.may_keep(request.user),
        },
    )


@role_required(*CAMPAIGNS_VIEW_ROLES)
def structure_photo(request, pk):
    visible = services.scope_structures(IllegalStructure.objects.all(), request.user)
    item = get_object_or_404(StructurePhoto.objects.filter(structure__in=visible), pk=pk)
    with missing_file_is_404(item.file):
        response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response


@role_required(*CAMPAIGNS_KEEP_ROLES)
def creation_status(request):
    """A 居村's 无违建 status (创建中 → 已创建 → 复评通过) and the history of every change."""
    form = forms.CreationStatusForm(
        request.POST or None, initial={"community": request.GET.get("community")}, user=request.user
    )
    status = 200
    if request.method == "POST":
        if run_form(
            form,
            lambda data: services.do_set_creation_status(
                request.user, data["community"], status=data["status"], note=data["note"]
            ),
        ):
            messages.success(request, _("无违建创建状态已更新"))
            return redirect("campaigns:creation")
        status = 400
    events = (
        CreationEvent.objects.filter(
            creation__in=services.scope_creations(CommunityCreation.objects.all(), request.user)
        )
        .select_related("creation__community", "user")
        .order_by("-at", "-id")[:100]
    )
    return render(
        request,
        "campaigns/creation.html",
        {
            "form": form,
            "events": _labelled(events, CreationStatus),
            "figures": services.structure_figures(request.user),
        },
        status=status,
    )
