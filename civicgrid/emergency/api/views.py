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

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.core.api import validated_input
from civicgrid.emergency import services
from civicgrid.emergency.api import serializers as s
from civicgrid.emergency.filters import PointFilter, ReportFilter, ResponseFilter, TaskFilter
from civicgrid.emergency.models import (
    Drill,
    DrillFinding,
    EmergencyPlan,
    FloodPoint,
    FloodReport,
    FloodWork,
    LevelPlan,
    PointContact,
    Response,
    StockBalance,
    Store,
    Task,
)
from civicgrid.estates.models import Estate
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid


class EmergencyReaders(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看防汛应急")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and services.may_view(request.user)


def _found(queryset, pk, field, message):
    """The row `pk` of a (scoped) queryset, or a 400 naming the field."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise exceptions.ValidationError({field: [message]})
    return found


class PointViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """易积水点 with their works (强排泵, 小包围, drains): registered (POST), corrected (PATCH),
    their people to call, works and the works' state."""

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

    def _save(self, request, point=None, partial=False):
        data = validated_input(s.EmergencyPointInputSerializer, request, partial=partial)
        if point is not None:
            current = s.EmergencyPointInputSerializer(
                {
                    **{k: getattr(point, k) for k in ("name", "kind", "address", "lon", "lat")},
                    **{k: getattr(point, k) for k in ("risk", "households", "note")},
                    "micro_grid": point.micro_grid_id,
                    "estate": point.estate_id,
                }
            ).data
            data = {**current, **data}
        grid = Grid.objects.filter(pk=data.pop("micro_grid")).first()
        estate = _found(
            Estate.objects.all(), data.pop("estate", None), "estate", gettext_lazy("小区不存在")
        )
        return services.do_save_point(
            request.user, point=point, micro_grid=grid, estate=estate, **data
        )

    @extend_schema(
        request=s.EmergencyPointInputSerializer, responses={201: s.EmergencyPointSerializer}
    )
    def create(self, request):
        point = self._save(request)
        return ApiResponse(s.EmergencyPointSerializer(point).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.EmergencyPointInputSerializer, responses={200: s.EmergencyPointSerializer}
    )
    def partial_update(self, request, pk=None):
        point = self._save(request, self.get_object(), partial=True)
        return ApiResponse(s.EmergencyPointSerializer(point).data)

    @extend_schema(
        methods=["get"],
        responses={200: s.EmergencyContactSerializer(many=True)},
        description="?full=1: phones in full (commanding roles; each view logged).",
    )
    @extend_schema(
        methods=["post"],
        request=s.EmergencyContactInputSerializer,
        responses={201: s.EmergencyContactSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def contacts(self, request, pk=None, format=None):
        point = self.get_object()
        if request.method == "POST":
            body = validated_input(s.EmergencyContactInputSerializer, request)
            contact = services.do_add_contact(request.user, point, **body)
            return ApiResponse(
                s.EmergencyContactSerializer(contact).data, status=status.HTTP_201_CREATED
            )
        rows = list(point.contacts.all())
        phones = {}
        if request.query_params.get("full") == "1":
            phones = {
                c.pk: services.reveal_contact_phone(request.user, c, channel="api") for c in rows
            }
        return ApiResponse(
            s.EmergencyContactSerializer(rows, many=True, context={"phones": phones}).data
        )

    @extend_schema(
        request=s.EmergencyWorkInputSerializer, responses={201: s.EmergencyWorkSerializer}
    )
    @action(detail=True, methods=["post"])
    def works(self, request, pk=None, format=None):
        body = validated_input(s.EmergencyWorkInputSerializer, request)
        work = services.do_add_work(request.user, self.get_object(), **body)
        return ApiResponse(s.EmergencyWorkSerializer(work).data, status=status.HTTP_201_CREATED)


class ContactViewSet(mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """联系人 of the points in scope, phones masked: corrected (PATCH) or removed (DELETE) by the
    commanding roles; added through the point (POST points/{id}/contacts/)."""

    permission_classes = [EmergencyReaders]
    serializer_class = s.EmergencyContactSerializer

    def get_queryset(self):
        qs = PointContact.objects.filter(point__is_active=True).order_by("point", "order", "pk")
        return services.scope_points(qs, self.request.user, prefix="point__")

    @extend_schema(
        request=s.EmergencyContactInputSerializer, responses={200: s.EmergencyContactSerializer}
    )
    def partial_update(self, request, pk=None):
        contact = self.get_object()
        body = validated_input(s.EmergencyContactInputSerializer, request, partial=True)
        data = {
            "name": contact.name,
            "title": contact.title,
            "phone": contact.phone,
            **body,
        }
        contact = services.do_add_contact(request.user, contact.point, contact=contact, **data)
        return ApiResponse(s.EmergencyContactSerializer(contact).data)

    def perform_destroy(self, instance):
        services.do_remove_contact(self.request.user, instance)


class WorkViewSet(viewsets.ReadOnlyModelViewSet):
    """防汛设施 of the points in scope; a work's state changed by the table (POST state/)."""

    permission_classes = [EmergencyReaders]
    serializer_class = s.EmergencyWorkSerializer

    def get_queryset(self):
        qs = FloodWork.objects.filter(point__is_active=True).order_by("point", "kind", "pk")
        return services.scope_points(qs, self.request.user, prefix="point__")

    @extend_schema(
        request=s.EmergencyWorkStateSerializer, responses={200: s.EmergencyWorkSerializer}
    )
    @action(detail=True, methods=["post"])
    def state(self, request, pk=None, format=None):
        body = validated_input(s.EmergencyWorkStateSerializer, request)
        work = services.do_change_work_state(request.user, self.get_object(), **body)
        return ApiResponse(s.EmergencyWorkSerializer(work).data)

    @extend_schema(responses={200: s.EmergencyWorkChangeSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def changes(self, request, pk=None, format=None):
        """The work's state changes and pump runs, with their dates."""
        rows = self.get_object().changes.order_by("-at", "-pk")[:200]
        return ApiResponse(s.EmergencyWorkChangeSerializer(rows, many=True).data)


class StoreViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """防汛物资仓库 with their stock; stock moves only by movements (POST move/), never below
    zero (400, nothing moves)."""

    permission_classes = [EmergencyReaders]
    serializer_class = s.EmergencyStoreSerializer

    def get_queryset(self):
        return Store.objects.prefetch_related(
            Prefetch("balances", queryset=StockBalance.objects.order_by("supply"))
        ).order_by("name", "pk")

    @extend_schema(
        request=s.EmergencyStoreInputSerializer, responses={201: s.EmergencyStoreSerializer}
    )
    def create(self, request):
        data = validated_input(s.EmergencyStoreInputSerializer, request)
        community = _found(
            Grid.objects.filter(level=GridLevel.COMMUNITY),
            data.pop("community", None),
            "community",
            gettext_lazy("请选择居村"),
        )
        store = services.do_save_store(request.user, community=community, **data)
        return ApiResponse(s.EmergencyStoreSerializer(store).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.EmergencyMoveInputSerializer, responses={201: s.EmergencyMovementSerializer}
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None, format=None):
        body = validated_input(s.EmergencyMoveInputSerializer, request)
        moved = services.do_move_stock(request.user, self.get_object(), **body)
        return ApiResponse(
            s.EmergencyMovementSerializer(moved).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: s.EmergencyMovementSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def movements(self, request, pk=None, format=None):
        """The store's latest movements (200 at most; the store page pages through all)."""
        rows = self.get_object().movements.order_by("-at", "-pk")[:200]
        return ApiResponse(s.EmergencyMovementSerializer(rows, many=True).data)


class PlanViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """应急预案, one per kind (looked up by kind): created (POST), revised (PATCH), and what a
    level asks set (POST levels/)."""

    permission_classes = [EmergencyReaders]
    serializer_class = s.EmergencyPlanSerializer
    queryset = EmergencyPlan.objects.prefetch_related(
        Prefetch("levels", queryset=LevelPlan.objects.order_by("-level"))
    ).order_by("kind")

    @extend_schema(
        request=s.EmergencyPlanInputSerializer, responses={201: s.EmergencyPlanSerializer}
    )
    def create(self, request):
        body = validated_input(s.EmergencyPlanInputSerializer, request)
        if EmergencyPlan.objects.filter(kind=body["kind"]).exists():
            raise exceptions.ValidationError({"kind": [gettext_lazy("该种类已有预案，请修订")]})
        plan = services.do_save_plan(request.user, **body)
        return ApiResponse(s.EmergencyPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.EmergencyPlanEditSerializer, responses={200: s.EmergencyPlanSerializer}
    )
    def partial_update(self, request, pk=None):
        plan = self.get_object()
        body = validated_input(s.EmergencyPlanEditSerializer, request, partial=True)
        data = {"title": plan.title, "summary": plan.summary, **body}
        plan = services.do_save_plan(request.user, kind=plan.kind, **data)
        return ApiResponse(s.EmergencyPlanSerializer(plan).data)

    @extend_schema(
        request=s.EmergencyLevelPlanInputSerializer,
        responses={200: s.EmergencyLevelPlanSerializer},
    )
    @action(detail=True, methods=["post"])
    def levels(self, request, pk=None, format=None):
        body = validated_input(s.EmergencyLevelPlanInputSerializer, request)
        row = services.do_set_level_plan(request.user, self.get_object(), **body)
        return ApiResponse(s.EmergencyLevelPlanSerializer(row).data)


def _staff():
    return User.objects.filter(is_active=True).exclude(role=Role.RESIDENT)


class DrillViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """应急演练 with participants and findings (each a task or a case): recorded (POST), a
    finding added afterwards (POST findings/)."""

    permission_classes = [EmergencyReaders]
    serializer_class = s.EmergencyDrillSerializer
    queryset = Drill.objects.prefetch_related(
        "participants",
        Prefetch("findings", queryset=DrillFinding.objects.select_related("task", "case")),
    ).order_by("-held_on", "-pk")

    def _finding(self, data, prefix=""):
        points = services.scope_points(FloodPoint.objects.filter(is_active=True), self.request.user)
        return {
            **data,
            "assignee": _found(
                _staff(), data.get("assignee"), f"{prefix}assignee", gettext_lazy("人员不存在")
            ),
            "point": _found(
                points, data.get("point"), f"{prefix}point", gettext_lazy("点位不存在")
            ),
        }

    @extend_schema(
        request=s.EmergencyDrillInputSerializer, responses={201: s.EmergencyDrillSerializer}
    )
    def create(self, request):
        data = validated_input(s.EmergencyDrillInputSerializer, request)
        ids = set(data.pop("participants"))
        people = list(_staff().filter(pk__in=ids))
        if len(people) != len(ids):
            raise exceptions.ValidationError({"participants": [gettext_lazy("人员不存在")]})
        findings = [self._finding(f, f"findings.{i}.") for i, f in enumerate(data.pop("findings"))]
        drill = services.do_record_drill(
            request.user, participants=people, findings=findings, **data
        )
        return ApiResponse(
            s.EmergencyDrillSerializer(self.get_queryset().get(pk=drill.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=s.EmergencyFindingInputSerializer, responses={201: s.EmergencyFindingSerializer}
    )
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None, format=None):
        body = validated_input(s.EmergencyFindingInputSerializer, request)
        made = services.do_add_finding(request.user, self.get_object(), **self._finding(body))
        return ApiResponse(s.EmergencyFindingSerializer(made).data, status=status.HTTP_201_CREATED)


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
        body = validated_input(s.EmergencyRaiseSerializer, request)
        raised = services.do_raise(request.user, **body)
        return ApiResponse(
            s.EmergencyResponseSerializer(raised.response).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=s.EmergencyLevelSerializer, responses={200: s.EmergencyResponseSerializer}
    )
    @action(detail=True, methods=["post"])
    def level(self, request, pk=None, format=None):
        """调整响应等级."""
        body = validated_input(s.EmergencyLevelSerializer, request)
        raised = services.do_change_level(request.user, self.get_object(), **body)
        return ApiResponse(s.EmergencyResponseSerializer(raised.response).data)

    @extend_schema(
        request=s.EmergencyNoteSerializer, responses={200: s.EmergencyResponseSerializer}
    )
    @action(detail=True, methods=["post"])
    def lift(self, request, pk=None, format=None):
        """解除应急响应: the open tasks are cancelled."""
        body = validated_input(s.EmergencyNoteSerializer, request)
        response = self.get_object()
        services.do_lift(request.user, response, **body)
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
        body = validated_input(s.EmergencyNoteSerializer, request)
        task = services.do_complete_task(request.user, self.get_object(), **body)
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
        data = validated_input(s.EmergencyReportInputSerializer, request)
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
