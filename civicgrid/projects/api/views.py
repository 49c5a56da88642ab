"""The community projects' REST endpoints: campaigns (and 择优推荐), projects with their steps
(初筛, 听证, 评分, 开工, 验收, 移交, 结项), a resident's support, and a campaign's report. Staff
see the projects of their 居村 (projects.services.scope_projects); a resident sees the projects
open for support and supports them. Every write is a service."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from civicgrid.accounts.policy import (
    PROJECTS_EDIT_ROLES,
    PROJECTS_RESIDENT_ROLES,
    PROJECTS_VIEW_ROLES,
)
from civicgrid.cases.models import Case
from civicgrid.cases.permissions import scope_cases
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.api import validated_input
from civicgrid.core.openapi import ErrorSerializer, ValidationErrorSerializer
from civicgrid.estates.models import Estate
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.projects import services
from civicgrid.projects.api import serializers as s
from civicgrid.projects.filters import IdeaFilter, ProjectFilter
from civicgrid.projects.models import Campaign, Criterion, Idea, Milestone, Project


class Readers(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看社区项目")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and (
            request.user.effective_role in PROJECTS_VIEW_ROLES | PROJECTS_RESIDENT_ROLES
        )


def _is_resident(user) -> bool:
    return user.effective_role in PROJECTS_RESIDENT_ROLES


def _conflict(error):
    return Response({"detail": str(error.message)}, status=status.HTTP_409_CONFLICT)


class Desk(permissions.IsAuthenticated):
    """The 居委 and the street's desk keep campaigns, projects and ideas."""

    message = gettext_lazy("您无权办理社区项目")

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view)
            and request.user.effective_role in PROJECTS_EDIT_ROLES
            and not request.user.is_read_only
        )


def _field_error(field, message):
    raise exceptions.ValidationError({field: [str(message)]})


class CampaignViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """项目征集 with their quota and scoring template; the desk opens and edits them."""

    permission_classes = [Readers]
    serializer_class = s.ProjectCampaignSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        if self.action in ("create", "partial_update"):
            return [Desk()]
        return super().get_permissions()

    def _save(self, request, campaign=None):
        data = validated_input(s.ProjectCampaignWriteSerializer, request)
        saved = services.do_save_campaign(request.user, campaign=campaign, **data)
        return self.get_queryset().get(pk=saved.pk)

    @extend_schema(
        request=s.ProjectCampaignWriteSerializer,
        responses={201: s.ProjectCampaignSerializer, 400: ValidationErrorSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Open a campaign."""
        campaign = self._save(request)
        return Response(s.ProjectCampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ProjectCampaignWriteSerializer,
        responses={200: s.ProjectCampaignSerializer, 400: ValidationErrorSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        """Edit a campaign (every field is sent: the form's whole state)."""
        campaign = self._save(request, self.get_object())
        return Response(s.ProjectCampaignSerializer(campaign).data)

    def update(self, request, *args, **kwargs):  # PUT is not offered (http_method_names)
        raise exceptions.MethodNotAllowed(request.method)

    def get_queryset(self):
        return Campaign.objects.select_related("template").prefetch_related(
            Prefetch("template__criteria", queryset=Criterion.objects.order_by("order", "id"))
        )

    @extend_schema(
        request=None, responses={200: s.CommunityProjectSerializer(many=True), 409: ErrorSerializer}
    )
    @action(detail=True, methods=["post"])
    def recommend(self, request, pk=None, format=None):
        """择优推荐: the best scored projects, at most the quota (ties: residents' support)."""
        try:
            chosen = services.do_recommend(request.user, self.get_object())
        except IllegalTransition as error:
            return _conflict(error)
        return Response(
            s.CommunityProjectSerializer(
                _projects().filter(pk__in=[p.pk for p in chosen]), many=True
            ).data
        )

    @extend_schema(responses={200: s.ProjectsReportSerializer})
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None, format=None):
        """The funnel, by 居村 and kind, budget, progress and late milestones (reader's 居村)."""
        if _is_resident(request.user):
            raise exceptions.PermissionDenied(gettext_lazy("您的角色无权查看社区项目"))
        figures = services.report(request.user, self.get_object())
        body = s.ProjectsReportSerializer(
            {
                "funnel": figures["funnel"],
                "by_community": figures["by_community"],
                "by_kind": figures["by_kind"],
                "budget": figures["budget"],
                "progress": [
                    {
                        "project": row["project"].pk,
                        "title": row["project"].title,
                        "percent": row["percent"],
                    }
                    for row in figures["rows"]
                ],
                "late": [
                    {"project": p.pk, "milestone": m.kind, "due_on": m.due_on}
                    for p, m in figures["late"]
                ],
            }
        )
        return Response(body.data)


def _projects():
    return Project.objects.select_related(
        "community", "estate", "lead_party_organisation"
    ).prefetch_related("deliverables", "milestones")


def _project_fields(user, data: dict) -> dict:
    """Body values → the services' arguments: the 居村 and estate by id, cases by number (only
    those the writer may see)."""
    fields = dict(data)
    if "community" in fields:
        community = Grid.objects.filter(level=GridLevel.COMMUNITY, pk=fields["community"]).first()
        if community is None:
            _field_error("community", gettext_lazy("请选择居村。"))
        fields["community"] = community
    if "estate" in fields:
        estate = None
        if fields["estate"] is not None:
            estate = Estate.objects.filter(pk=fields["estate"]).first()
            if estate is None:
                _field_error("estate", gettext_lazy("小区不存在。"))
        fields["estate"] = estate
    if "cases" in fields:
        numbers = set(fields["cases"])
        cases = list(scope_cases(Case.objects.filter(number__in=numbers), user))
        if len(cases) != len(numbers):
            _field_error("cases", gettext_lazy("有案件不存在或不在您的管辖范围内。"))
        fields["cases"] = cases
    if "deliverables" in fields:
        fields["deliverables"] = [
            (row["item"], row["quantity"], row["unit"]) for row in fields["deliverables"]
        ]
    return fields


class ProjectViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """社区项目 of the reader's 居村 (a resident: those open for support); the desk enters and
    edits them, plans and finishes milestones and adds before/after photos."""

    permission_classes = [Readers]
    serializer_class = s.CommunityProjectSerializer
    filterset_class = ProjectFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        if self.action in (
            "create",
            "partial_update",
            "milestone_plan",
            "milestone_done",
            "photos",
        ):
            return [Desk()]
        return super().get_permissions()

    @extend_schema(
        request=s.CommunityProjectWriteSerializer,
        responses={201: s.CommunityProjectSerializer, 400: ValidationErrorSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Enter a proposal (申报) with every particular."""
        body = s.CommunityProjectWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = _project_fields(request.user, body.validated_data)
        project = services.do_submit_project(request.user, **fields)
        return Response(
            s.CommunityProjectSerializer(_projects().get(pk=project.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=s.CommunityProjectWriteSerializer,
        responses={
            200: s.CommunityProjectSerializer,
            400: ValidationErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def partial_update(self, request, *args, **kwargs):
        """Edit a project: the fields given change (one history row names them)."""
        project = self.get_object()
        body = s.CommunityProjectWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fields = _project_fields(request.user, body.validated_data)
        if "campaign" in fields:
            _field_error("campaign", gettext_lazy("项目的征集不能修改。"))
        try:
            services.do_edit_project(request.user, project, **fields)
        except IllegalTransition as error:
            return _conflict(error)
        return Response(s.CommunityProjectSerializer(_projects().get(pk=project.pk)).data)

    def update(self, request, *args, **kwargs):  # PUT is not offered (http_method_names)
        raise exceptions.MethodNotAllowed(request.method)

    def _milestone(self, request, function, argument):
        project = self.get_object()
        body = s.ProjectMilestoneDateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        milestone = Milestone.objects.filter(
            project=project, pk=body.validated_data["milestone"]
        ).first()
        if milestone is None:
            _field_error("milestone", gettext_lazy("该项目没有这个节点。"))
        try:
            function(request.user, milestone, **{argument: body.validated_data["on"]})
        except IllegalTransition as error:
            return _conflict(error)
        return Response(s.CommunityProjectSerializer(_projects().get(pk=project.pk)).data)

    @extend_schema(
        request=s.ProjectMilestoneDateSerializer,
        responses={
            200: s.CommunityProjectSerializer,
            400: ValidationErrorSerializer,
            409: ErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"], url_path="milestone-plan")
    def milestone_plan(self, request, pk=None, format=None):
        """Plan a milestone's due date; a milestone past it and not done is late."""
        return self._milestone(request, services.do_plan_milestone, "due_on")

    @extend_schema(
        request=s.ProjectMilestoneDateSerializer,
        responses={
            200: s.CommunityProjectSerializer,
            400: ValidationErrorSerializer,
            409: ErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"], url_path="milestone-done")
    def milestone_done(self, request, pk=None, format=None):
        """A milestone is done (设计、招标、施工, while the works run)."""
        return self._milestone(request, services.do_complete_milestone, "done_on")

    @extend_schema(
        request={"multipart/form-data": s.ProjectPhotosSerializer},
        responses={201: s.ProjectPhotoSerializer(many=True), 400: ValidationErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def photos(self, request, pk=None, format=None):
        """Before/after photos (改造前/后), cleaned like a case's photos."""
        project = self.get_object()
        stored = services.do_add_photos(
            request.user,
            project,
            stage=request.data.get("stage", ""),
            uploads=request.FILES.getlist("photos"),
        )
        return Response(
            s.ProjectPhotoSerializer(stored, many=True).data, status=status.HTTP_201_CREATED
        )

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        if _is_resident(user):
            queryset = _projects().filter(pk__in=services.open_for_support().values("pk"))
        else:
            queryset = services.scope_projects(_projects(), user)
        return queryset.order_by("campaign_id", "id")

    def _step(self, function, **kwargs):
        project = self.get_object()
        try:
            function(self.request.user, project, **kwargs)
        except IllegalTransition as error:
            return _conflict(error)
        return Response(s.CommunityProjectSerializer(_projects().get(pk=project.pk)).data)

    @extend_schema(request=None, responses={201: None, 400: ErrorSerializer, 409: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def support(self, request, pk=None, format=None):
        """A resident supports the project (once)."""
        project = self.get_object()
        try:
            services.do_support(request.user, project)
        except IllegalTransition as error:
            return _conflict(error)
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ProjectScreenSerializer,
        responses={200: s.CommunityProjectSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def screen(self, request, pk=None, format=None):
        """初筛: on, or out (未入选) with a reason."""
        data = validated_input(s.ProjectScreenSerializer, request)
        return self._step(services.do_screen, **data)

    @extend_schema(
        request=None, responses={200: s.CommunityProjectSerializer, 409: ErrorSerializer}
    )
    @action(detail=True, methods=["post"])
    def consult(self, request, pk=None, format=None):
        """听证: its hearing held, the residents' support counted."""
        return self._step(services.do_consult)

    @extend_schema(
        request=s.ProjectScoreSerializer,
        responses={200: s.CommunityProjectSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None, format=None):
        """A panel member's points against the campaign's template."""
        data = validated_input(s.ProjectScoreSerializer, request)
        return self._step(services.do_score, points=data["points"])

    @extend_schema(
        request=None, responses={200: s.CommunityProjectSerializer, 409: ErrorSerializer}
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None, format=None):
        """开工 (after its hearing, when the campaign asks for one)."""
        return self._step(services.do_start)

    @extend_schema(
        request=None, responses={200: s.CommunityProjectSerializer, 409: ErrorSerializer}
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None, format=None):
        """验收."""
        return self._step(services.do_accept)

    @extend_schema(
        request=s.ProjectHandOverSerializer,
        responses={200: s.CommunityProjectSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request, pk=None, format=None):
        """移交 to whoever maintains the works."""
        data = validated_input(s.ProjectHandOverSerializer, request)
        return self._step(services.do_hand_over, **data)

    @extend_schema(
        request=None, responses={200: s.CommunityProjectSerializer, 409: ErrorSerializer}
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, format=None):
        """结项."""
        return self._step(services.do_close)


class IdeaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """居民金点子 of the desk's 居村: taken into a project (采纳) or declined with a reason."""

    permission_classes = [Desk]
    serializer_class = s.ProjectIdeaSerializer
    filterset_class = IdeaFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Idea.objects.none()
        return services.scope_ideas(
            Idea.objects.select_related("community", "decision"), self.request.user
        ).order_by("-created_at", "-id")

    def _answer(self, function, **kwargs):
        idea = self.get_object()
        try:
            function(self.request.user, idea, **kwargs)
        except IllegalTransition as error:
            return _conflict(error)
        return Response(s.ProjectIdeaSerializer(self.get_queryset().get(pk=idea.pk)).data)

    @extend_schema(
        request=s.ProjectIdeaAcceptSerializer,
        responses={
            200: s.ProjectIdeaSerializer,
            400: ValidationErrorSerializer,
            409: ErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None, format=None):
        """采纳: the idea becomes a proposal of its campaign in its 居村."""
        data = validated_input(s.ProjectIdeaAcceptSerializer, request)
        return self._answer(services.do_accept_idea, **data)

    @extend_schema(
        request=s.ProjectIdeaDeclineSerializer,
        responses={
            200: s.ProjectIdeaSerializer,
            400: ValidationErrorSerializer,
            409: ErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None, format=None):
        """不采纳, with the reason the resident is told."""
        data = validated_input(s.ProjectIdeaDeclineSerializer, request)
        return self._answer(services.do_decline_idea, **data)
