"""Pages of the community projects: the street's report and list (/projects/: the funnel, by 居村
and kind, budget, progress, late milestones, the map), a project's page with its steps
(/projects/<id>/), and the residents' page (/projects/r/) where a resident supports projects
and proposes ideas. Pages only call projects.services; scoping and roles are the services' and
accounts.policy's."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import (
    PROJECTS_EDIT_ROLES,
    PROJECTS_RESIDENT_ROLES,
    PROJECTS_REVIEW_ROLES,
    PROJECTS_VIEW_ROLES,
)
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.inputs import posted_id
from civicgrid.core.pages import add_service_errors, error_messages
from civicgrid.core.storedfiles import missing_file_is_404
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.projects import services
from civicgrid.projects.filters import IdeaFilter, ProjectFilter
from civicgrid.projects.forms import (
    CampaignForm,
    IdeaAcceptForm,
    MilestoneForm,
    PhotoForm,
    ProjectForm,
)
from civicgrid.projects.models import Campaign, Idea, Milestone, Project, ProjectPhoto, Support


def _campaign(request):
    campaigns = list(Campaign.objects.order_by("-year", "-id"))
    chosen = request.GET.get("campaign")
    campaign = next((c for c in campaigns if str(c.pk) == chosen), None)
    return campaigns, campaign or (campaigns[0] if campaigns else None)


@role_required(*PROJECTS_VIEW_ROLES)
def index(request):
    """社区项目: a campaign's report and its projects over the user's 居村."""
    campaigns, campaign = _campaign(request)
    figures = services.report(request.user, campaign) if campaign else None
    projects = services.scope_projects(
        Project.objects.select_related("community", "estate"), request.user
    )
    if campaign:
        projects = projects.filter(campaign=campaign)
    listing = ProjectFilter(request.GET, queryset=projects.order_by("-score", "id"))
    return render(
        request,
        "projects/index.html",
        {
            "campaigns": campaigns,
            "campaign": campaign,
            "figures": figures,
            "filter": listing,
            "projects": listing.qs[:200],
            "may_edit": services.may_edit(request.user) and not request.user.is_read_only,
        },
    )


STEPS = {
    "screen_pass": (services.do_screen, {"passed": True}),
    "consult": (services.do_consult, {}),
    "start": (services.do_start, {}),
    "accept": (services.do_accept, {}),
    "close": (services.do_close, {}),
}


@role_required(*PROJECTS_VIEW_ROLES)
def detail(request, pk):
    """A project: its particulars, deliverables, milestones and progress, history and steps."""
    project = (
        services.scope_projects(
            Project.objects.select_related("campaign", "community", "estate"), request.user
        )
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404
    errors = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in STEPS:
                function, kwargs = STEPS[action]
                function(request.user, project, **kwargs)
            elif action == "screen_fail":
                services.do_screen(
                    request.user, project, passed=False, note=request.POST.get("note", "")
                )
            elif action == "hand_over":
                services.do_hand_over(
                    request.user, project, maintainer=request.POST.get("maintainer", "")
                )
            elif action in ("plan_milestone", "complete_milestone"):
                form = MilestoneForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("请填写日期。"))
                milestone = get_object_or_404(
                    Milestone, pk=form.cleaned_data["milestone"], project=project
                )
                if action == "plan_milestone":
                    services.do_plan_milestone(
                        request.user, milestone, due_on=form.cleaned_data["on"]
                    )
                else:
                    services.do_complete_milestone(
                        request.user, milestone, done_on=form.cleaned_data["on"]
                    )
            elif action == "photos":
                form = PhotoForm(request.POST)
                services.do_add_photos(
                    request.user,
                    project,
                    stage=form.data.get("stage", ""),
                    uploads=request.FILES.getlist("photos"),
                )
            elif action == "score":
                points = {}
                for criterion in project.campaign.template.criteria.all():
                    raw = request.POST.get(f"c{criterion.pk}", "").strip()
                    points[criterion.name] = int(raw) if raw.lstrip("-").isdigit() else None
                services.do_score(request.user, project, points=points)
            else:
                raise ValidationError(_("未知的操作。"))
        except (ValidationError, IllegalTransition, PermissionDenied) as error:
            errors = error_messages(error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("projects:detail", pk=project.pk)
    milestones = list(project.milestones.all())
    figures = services.progress(milestones, timezone.localdate())
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "errors": errors,
            "milestones": milestones,
            "progress": figures,
            "deliverables": project.deliverables.all(),
            "events": project.events.all(),
            "criteria": project.campaign.template.criteria.all(),
            "hearing_held": services.hearing_held(project),
            "photos": project.photos.all(),
            "cases": project.cases.only("pk", "number"),
            "photo_stages": PhotoForm().fields["stage"].choices,
            "may_edit": request.user.effective_role in PROJECTS_EDIT_ROLES
            and not request.user.is_read_only,
            "may_score": request.user.effective_role in PROJECTS_REVIEW_ROLES,
        },
    )


@role_required(*PROJECTS_RESIDENT_ROLES)
def resident(request):
    """The residents' page: projects open for support (支持, once each) and an idea (金点子)."""
    errors = []
    _campaigns, campaign = _campaign(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "support":
                project = (
                    services.open_for_support()
                    .filter(pk=posted_id(request.POST, "project"))
                    .first()
                )
                if project is None:
                    raise ValidationError(_("该项目已不在征集阶段。"))
                services.do_support(request.user, project)
                messages.success(request, _("感谢您的支持！"))
            elif action == "idea":
                community = Grid.objects.filter(
                    level=GridLevel.COMMUNITY, pk=posted_id(request.POST, "community")
                ).first()
                services.do_propose_idea(
                    request.user,
                    campaign=campaign,
                    community=community,
                    text=request.POST.get("text", ""),
                )
                messages.success(request, _("您的建议已提交，谢谢！"))
            else:
                raise ValidationError(_("未知的操作。"))
        except (ValidationError, IllegalTransition, PermissionDenied) as error:
            errors = error_messages(error)
        else:
            return redirect("projects:resident")
    projects = (
        services.open_for_support()
        .select_related("community", "estate")
        .annotate(
            supported=Exists(Support.objects.filter(project=OuterRef("pk"), user=request.user))
        )
        .order_by("community__name", "id")[:200]
    )
    return render(
        request,
        "projects/resident.html",
        {
            "projects": projects,
            "campaign": campaign,
            "errors": errors,
            "communities": Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("name"),
            "values": request.POST if errors else {},
            # The resident's own ideas with the desk's answer (采纳 → the project; 不采纳 → why).
            "my_ideas": Idea.objects.filter(user=request.user)
            .select_related("community", "decision", "decision__project")
            .order_by("-created_at", "-id")[:20],
        },
    )


@require_GET
@role_required(*PROJECTS_VIEW_ROLES)
def photo(request, pk):
    """A project's before/after photo, for users who may see the project."""
    photos = ProjectPhoto.objects.filter(
        project__in=services.scope_projects(Project.objects.all(), request.user)
    )
    item = get_object_or_404(photos, pk=pk)
    with missing_file_is_404(item.file):
        response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response


@role_required(*PROJECTS_EDIT_ROLES)
def campaign_form(request, pk=None):
    """Open or edit a call for projects (项目征集): level, dates, focus areas, quota, template."""
    campaign = get_object_or_404(Campaign, pk=pk) if pk else None
    initial = CampaignForm.initial_for(campaign) if campaign else {"quota": 8, "level": "town"}
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.do_save_campaign(
                request.user, campaign=campaign, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已保存。"))
            return redirect(f"{reverse('projects:index')}?campaign={campaign.pk}")
    return render(request, "projects/campaign_form.html", {"form": form, "campaign": campaign})


@role_required(*PROJECTS_EDIT_ROLES)
def project_form(request, pk=None):
    """Enter a proposal (申报) or edit a project: every particular of the issue (kind, place on the
    map, linked cases and hotspots, lead party organisation, partners, budget and funding,
    deliverables with quantities, maintainer after hand-over)."""
    project = None
    if pk:
        project = (
            services.scope_projects(Project.objects.select_related("campaign"), request.user)
            .filter(pk=pk)
            .first()
        )
        if project is None:
            raise Http404
    initial = ProjectForm.initial_for(project) if project else {"budget": 0}
    if project is None and request.GET.get("campaign"):
        initial["campaign"] = request.GET["campaign"]
    form = ProjectForm(
        request.user, request.POST or None, initial=initial, editing=project is not None
    )
    if request.method == "POST" and form.is_valid():
        try:
            if project is None:
                project = services.do_submit_project(
                    request.user, campaign=form.cleaned_data["campaign"], **form.service_fields()
                )
            else:
                services.do_edit_project(request.user, project, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        except (PermissionDenied, IllegalTransition) as error:
            form.add_error(None, error_messages(error))
        else:
            messages.success(request, _("已保存。"))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@role_required(*PROJECTS_EDIT_ROLES)
def ideas(request):
    """居民金点子: the residents' ideas of the user's 居村; each is taken into a project (采纳,
    a proposal of its campaign) or declined with the reason the resident is told."""
    errors = []
    if request.method == "POST":
        idea = (
            services.scope_ideas(Idea.objects.select_related("campaign", "community"), request.user)
            .filter(pk=posted_id(request.POST, "idea"))
            .first()
        )
        try:
            if idea is None:
                raise ValidationError({"idea": _("没有这条建议。")})
            if request.POST.get("action") == "accept":
                form = IdeaAcceptForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(
                        {f: e for f, e in form.errors.items()}  # field → messages
                    )
                decision = services.do_accept_idea(request.user, idea, **form.cleaned_data)
                messages.success(request, _("已采纳，转为项目申报。"))
                return redirect("projects:detail", pk=decision.project_id)
            services.do_decline_idea(request.user, idea, reason=request.POST.get("reason", ""))
            messages.success(request, _("已答复不采纳。"))
            return redirect(f"{reverse('projects:ideas')}?{request.GET.urlencode()}")
        except (ValidationError, IllegalTransition, PermissionDenied) as error:
            errors = error_messages(error)
    rows = services.scope_ideas(
        Idea.objects.select_related("campaign", "community", "decision", "decision__project"),
        request.user,
    ).order_by("-created_at", "-id")
    listing = IdeaFilter(request.GET, queryset=rows)
    page = Paginator(listing.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/ideas.html",
        {
            "filter": listing,
            "page": page,
            "errors": errors,
            "kinds": IdeaAcceptForm().fields["kind"].choices,
        },
    )
