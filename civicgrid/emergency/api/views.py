"""Flood duty's REST endpoints (防汛应急): the flood-prone points, responses (raise, change the
level, lift), tasks (mine or in my scope; mark one done), flooded-point reports, and the board's
figures. Every list is scoped by emergency.services; every write is a service."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from civicgrid.emergency import services
from civicgrid.emergency.api import serializers as s
from civicgrid.emergency.filters import PointFilter, ReportFilter, ResponseFilter, TaskFilter
from civicgrid.emergency.models import FloodPoint, FloodReport, FloodWork, Response, Task


class EmergencyReaders(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看防汛应急")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and services.may_view(request.user)


class PointViewSet(viewsets.ReadOnlyModelViewSet):
    """易积水点 with their works (强排泵, 小包围, drains)."""

    permission_classes = [EmergencyReaders]
    serializer_class = s.EmergencyPointSerializer
    filterset_class = PointFilter

    def get_queryset(self):
        qs = (
            FloodPoint.objects.filter(is_active=True)
            .select_related("community", "micro_grid")
            .prefetch_related(Prefetch("works", queryset=FloodWork.objects.order_by("pk")))
            .order_by("community__code", "name", "pk")
        )
        return services.scope_points(qs, self.request.user)


class ResponseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """应急响应: raised (POST), its level changed, lifted."""

    permission_classes = [EmergencyReaders]
    serializer_class = s.EmergencyResponseSerializer
    filterset_class = ResponseFilter
    queryset = Response.objects.order_by("-started_at", "-pk")

    @extend_schema(
        request=s.EmergencyRaiseSerializer, responses={201: s.EmergencyResponseSerializer}
    )
    def create(self, request):
        """启动应急响应: the plan's tasks are given out and everyone concerned is told."""
        body = s.EmergencyRaiseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        raised = services.do_raise(request.user, **body.validated_data)
        return ApiResponse(
            s.EmergencyResponseSerializer(raised.response).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=s.EmergencyLevelSerializer, responses={200: s.EmergencyResponseSerializer}
    )
    @action(detail=True, methods=["post"])
    def level(self, request, pk=None, format=None):
        """调整响应等级."""
        body = s.EmergencyLevelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        raised = services.do_change_level(request.user, self.get_object(), **body.validated_data)
        return ApiResponse(s.EmergencyResponseSerializer(raised.response).data)

    @extend_schema(
        request=s.EmergencyNoteSerializer, responses={200: s.EmergencyResponseSerializer}
    )
    @action(detail=True, methods=["post"])
    def lift(self, request, pk=None, format=None):
        """解除应急响应: the open tasks are cancelled."""
        body = s.EmergencyNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        response = self.get_object()
        services.do_lift(request.user, response, **body.validated_data)
        response.refresh_from_db()
        return ApiResponse(s.EmergencyResponseSerializer(response).data)


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    """应急任务: the desk sees all, others theirs and their points'."""

    permission_classes = [EmergencyReaders]
    serializer_class = s.EmergencyTaskSerializer
    filterset_class = TaskFilter

    def get_queryset(self):
        qs = Task.objects.select_related("point").order_by("state", "due_at", "pk")
        return services.scope_tasks(qs, self.request.user)

    @extend_schema(request=s.EmergencyNoteSerializer, responses={200: s.EmergencyTaskSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None, format=None):
        """Mark the task done (a patrol schedules the next round)."""
        body = s.EmergencyNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = services.do_complete_task(request.user, self.get_object(), **body.validated_data)
        return ApiResponse(s.EmergencyTaskSerializer(task).data)


class ReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """积水报告: each opens a 积水 case (photos go through the phone page)."""

    permission_classes = [EmergencyReaders]
    serializer_class = s.EmergencyReportSerializer
    filterset_class = ReportFilter

    def get_queryset(self):
        qs = FloodReport.objects.select_related("case").order_by("-at", "-pk")
        return services.scope_points(qs, self.request.user, prefix="point__")

    @extend_schema(
        request=s.EmergencyReportInputSerializer, responses={201: s.EmergencyReportSerializer}
    )
    def create(self, request):
        body = s.EmergencyReportInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        point = services.scope_points(FloodPoint.objects, request.user).filter(pk=data.pop("point"))
        found = point.first()
        if found is None:
            raise exceptions.ValidationError({"point": [gettext_lazy("点位不存在")]})
        report = services.do_report_flooding(request.user, found, **data)
        return ApiResponse(s.EmergencyReportSerializer(report).data, status=status.HTTP_201_CREATED)


class BoardView(APIView):
    """The board's figures (the active response, or none): what the tile shows."""

    permission_classes = [EmergencyReaders]

    @extend_schema(responses={200: s.EmergencyBoardSerializer})
    def get(self, request, format=None):
        return ApiResponse(
            s.EmergencyBoardSerializer(services.tile(None, None, None, timezone.now())).data
        )
