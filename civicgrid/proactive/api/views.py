"""The REST endpoints of proactive governance: 一弄一案 (plan, close, detect on demand), hotspot
cells, anomalies, patrol tasks (create from a source, the finding) and the share found first.
Rows are scoped by grids.scoping; every write is a service."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.accounts.models import User
from civicgrid.accounts.policy import PROACTIVE_EDIT_ROLES, PROACTIVE_VIEW_ROLES
from civicgrid.cases.models import Category
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.openapi import ErrorSerializer
from civicgrid.grids.scoping import visible_micro_grids
from civicgrid.proactive import indicators, services
from civicgrid.proactive.api import serializers as s
from civicgrid.proactive.filters import AnomalyFilter, HotspotFilter, ProblemFilter, TaskFilter


class Readers(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看主动治理")

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view)
            and request.user.effective_role in PROACTIVE_VIEW_ROLES
        )


def _conflict(error):
    return Response({"detail": str(error.message)}, status=status.HTTP_409_CONFLICT)


class ProblemViewSet(viewsets.ReadOnlyModelViewSet):
    """一弄一案 of the reader's micro-grids, with the cases they gather."""

    permission_classes = [Readers]
    filterset_class = ProblemFilter

    def get_queryset(self):
        return (
            services.scope_problems(self.request.user)
            .select_related("owner", "category")
            .prefetch_related("links__case")
            .order_by("-last_case_at", "-id")
        )

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ProactiveProblemDetailSerializer
        return s.ProactiveProblemSerializer

    def _answer(self, problem):
        obj = self.get_queryset().prefetch_related("events__actor").get(pk=problem.pk)
        return Response(s.ProactiveProblemDetailSerializer(obj).data)

    @extend_schema(
        request=s.ProactivePlanSerializer,
        responses={200: s.ProactiveProblemDetailSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def plan(self, request, pk=None, format=None):
        """落实: owner and plan."""
        body = s.ProactivePlanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        owner = User.objects.filter(pk=body.validated_data["owner"]).first()
        try:
            problem = services.do_plan(
                self.get_object(), request.user, owner=owner, plan=body.validated_data["plan"]
            )
        except IllegalTransition as error:
            return _conflict(error)
        return self._answer(problem)

    @extend_schema(
        request=s.ProactiveNoteSerializer,
        responses={200: s.ProactiveProblemDetailSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, format=None):
        """销号, with a note."""
        body = s.ProactiveNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            problem = services.do_close(
                self.get_object(), request.user, note=body.validated_data["note"]
            )
        except IllegalTransition as error:
            return _conflict(error)
        return self._answer(problem)

    @extend_schema(request=None, responses={200: s.ProactiveDetectSerializer, 403: ErrorSerializer})
    @action(detail=False, methods=["post"])
    def detect(self, request, format=None):
        """Run the 一弄一案 detection now (the periodic job does it every hour)."""
        if request.user.effective_role not in PROACTIVE_EDIT_ROLES:
            return Response(
                {"detail": str(gettext_lazy("您无权运行检测"))}, status=status.HTTP_403_FORBIDDEN
            )
        return Response(services.do_detect())


class HotspotViewSet(viewsets.ReadOnlyModelViewSet):
    """Hotspot cells (Gi* and trend) of the reader's micro-grids."""

    permission_classes = [Readers]
    serializer_class = s.ProactiveHotspotSerializer
    filterset_class = HotspotFilter

    def get_queryset(self):
        return (
            services.scope_hotspots(self.request.user)
            .select_related("micro_grid__parent")
            .order_by("-period_end", "-z", "id")
        )


class AnomalyViewSet(viewsets.ReadOnlyModelViewSet):
    """Anomalies of the reader's micro-grids."""

    permission_classes = [Readers]
    serializer_class = s.ProactiveAnomalySerializer
    filterset_class = AnomalyFilter

    def get_queryset(self):
        return services.scope_anomalies(self.request.user).order_by("-day", "-count", "id")


def _in(queryset, pk):
    return queryset.filter(pk=pk).first() if pk else None


class TaskViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Patrol tasks of the reader's micro-grids; create one from a hotspot, an anomaly or a
    一弄一案 item; the assignee reports the finding."""

    permission_classes = [Readers]
    serializer_class = s.ProactiveTaskSerializer
    filterset_class = TaskFilter

    def get_queryset(self):
        return (
            services.scope_tasks(self.request.user)
            .select_related("case")
            .order_by("state", "due_on", "-id")
        )

    @extend_schema(
        request=s.ProactiveTaskCreateSerializer,
        responses={201: s.ProactiveTaskSerializer},
    )
    def create(self, request, format=None):
        body = s.ProactiveTaskCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = request.user
        sources = {
            "hotspot": _in(services.scope_hotspots(user), data.get("hotspot")),
            "anomaly": _in(services.scope_anomalies(user), data.get("anomaly")),
            "problem": _in(services.scope_problems(user), data.get("problem")),
        }
        for name in sources:
            if data.get(name) and sources[name] is None:
                raise ValidationError({name: gettext_lazy("没有找到该来源")})
        task = services.do_create_task(
            user,
            assignee=User.objects.filter(pk=data["assignee"]).first(),
            look_for=data["look_for"],
            place=data.get("place", ""),
            category=_in(Category.objects.all(), data.get("category")),
            due_on=data.get("due_on"),
            **sources,
        )
        return Response(s.ProactiveTaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ProactiveFindingSerializer,
        responses={200: s.ProactiveTaskSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def finding(self, request, pk=None, format=None):
        """The assignee's finding; a problem becomes a case with source 主动发现."""
        body = s.ProactiveFindingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            task = services.do_record_finding(
                self.get_object(), request.user, **body.validated_data
            )
        except IllegalTransition as error:
            return _conflict(error)
        return Response(s.ProactiveTaskSerializer(self.get_queryset().get(pk=task.pk)).data)

    @extend_schema(
        request=s.ProactiveNoteSerializer,
        responses={200: s.ProactiveTaskSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None, format=None):
        """Cancel an open task (the reason is kept in its history)."""
        body = s.ProactiveNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            task = services.do_cancel_task(
                self.get_object(), request.user, note=body.validated_data["note"]
            )
        except IllegalTransition as error:
            return _conflict(error)
        return Response(s.ProactiveTaskSerializer(self.get_queryset().get(pk=task.pk)).data)


class ShareView(APIView):
    """The share found first (proactive.indicators) per micro-grid over the last 90 days and
    per month over the last six months, over the reader's micro-grids."""

    permission_classes = [Readers]

    @extend_schema(responses={200: s.ProactiveShareSerializer(many=True)})
    def get(self, request, format=None):
        grids = visible_micro_grids(request.user)
        micro_ids = None if grids is None else list(grids.values_list("pk", flat=True))
        today = timezone.localdate()
        rows = [
            {"micro_grid": pk, "month": None, **row}
            for pk, row in sorted(
                indicators.per_grid(micro_ids, today - datetime.timedelta(days=89), today).items()
            )
        ]
        rows += [{"micro_grid": None, **row} for row in indicators.per_month(micro_ids, today)]
        return Response(s.ProactiveShareSerializer(rows, many=True).data)
