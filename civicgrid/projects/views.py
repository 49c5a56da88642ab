"""Pages of the community projects: the street's report and list (/projects/: the funnel, by 居村
and kind, budget, progress, late milestones, the map), a project's page with its steps
(/projects/<id>/), and the residents' page (/projects/r/) where a resident supports projects
and proposes ideas. Pages only call projects.services; scoping and roles are the services' and
accounts.policy's."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import (
    PROJECTS_EDIT_ROLES,
    PROJECTS_RESIDENT_ROLES,
    PROJECTS_REVIEW_ROLES,
    PROJECTS_VIEW_ROLES,
)
from civicgrid.cases.services import IllegalTransition
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.projects import services
from civicgrid.projects.filters import ProjectFilter
from civicgrid.projects.models import Campaign, Project, Support


def _messages_of(error) -> list[str]:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return [m for msgs in error.message_dict.values() for m in msgs]
    if isinstance(error, IllegalTransition):
        return [error.message]
    return list(getattr(error, "messages", [str(error)]))


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
            elif action == "score":
                points = {}
                for criterion in project.campaign.template.criteria.all():
                    raw = request.POST.get(f"c{criterion.pk}", "").strip()
                    points[criterion.name] = int(raw) if raw.lstrip("-").isdigit() else None
                services.do_score(request.user, project, points=points)
            else:
                raise ValidationError(_("未知的操作。"))
        except (ValidationError, IllegalTransition, PermissionDenied) as error:
            errors = _messages_of(error)
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
                project = services.open_for_support().filter(pk=request.POST.get("project")).first()
                if project is None:
                    raise ValidationError(_("该项目已不在征集阶段。"))
                services.do_support(request.user, project)
                messages.success(request, _("感谢您的支持！"))
            elif action == "idea":
                community = Grid.objects.filter(
                    level=GridLevel.COMMUNITY, pk=request.POST.get("community") or 0
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
            errors = _messages_of(error)
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
        },
    )
