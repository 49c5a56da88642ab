"""The community projects' REST endpoints: campaigns (and 择优推荐), projects with their steps
(初筛, 听证, 评分, 开工, 验收, 移交, 结项), a resident's support, and a campaign's report. Staff
see the projects of their 居村 (projects.services.scope_projects); a resident sees the projects
open for support and supports them. Every write is a service."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from civicgrid.accounts.policy import PROJECTS_RESIDENT_ROLES, PROJECTS_VIEW_ROLES
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.openapi import ErrorSerializer
from civicgrid.projects import services
from civicgrid.projects.api import serializers as s
from civicgrid.projects.filters import ProjectFilter
from civicgrid.projects.models import Campaign, Criterion, Project


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


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """项目征集 with their quota and scoring template."""

    permission_classes = [Readers]
    serializer_class = s.ProjectCampaignSerializer

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
    return Project.objects.select_related("community", "estate").prefetch_related(
        "deliverables", "milestones"
    )


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """社区项目 of the reader's 居村 (a resident: those open for support)."""

    permission_classes = [Readers]
    serializer_class = s.CommunityProjectSerializer
    filterset_class = ProjectFilter

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
        body = s.ProjectScreenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(services.do_screen, **body.validated_data)

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
        body = s.ProjectScoreSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(services.do_score, points=body.validated_data["points"])

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
        body = s.ProjectHandOverSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(services.do_hand_over, **body.validated_data)

    @extend_schema(
        request=None, responses={200: s.CommunityProjectSerializer, 409: ErrorSerializer}
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, format=None):
        """结项."""
        return self._step(services.do_close)
