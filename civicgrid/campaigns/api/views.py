"""创建/创评 REST endpoints: campaigns (with their checklists, actions and readiness),
checkpoints, 督查 rounds, the inspector's own tasks (and scoring one), inspections, the 无违建
register. Lists are scoped by campaigns.services; every write is a service."""

from django.db.models import Count
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from civicgrid.accounts.policy import CAMPAIGNS_INSPECT_ROLES
from civicgrid.campaigns import services
from civicgrid.campaigns.api import serializers as s
from civicgrid.campaigns.choices import RoundState
from civicgrid.campaigns.filters import (
    CheckpointFilter,
    InspectionFilter,
    RoundFilter,
    StructureFilter,
)
from civicgrid.campaigns.models import (
    Assignment,
    Campaign,
    Checkpoint,
    IllegalStructure,
    Inspection,
    InspectionRound,
)


class CampaignReaders(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看创建创评")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and services.may_view(request.user)


class Inspectors(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色不能进行督查")

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view)
            and request.user.effective_role in CAMPAIGNS_INSPECT_ROLES
        )


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """创建活动 with their 测评体系 and actions (五大行动)."""

    permission_classes = [CampaignReaders]
    serializer_class = s.CampaignsCampaignSerializer
    queryset = Campaign.objects.prefetch_related("items", "actions").order_by("-starts_on", "id")

    @extend_schema(responses={200: s.CampaignsReadinessSerializer})
    @action(detail=True, methods=["get"])
    def readiness(self, request, pk=None, format=None):
        """Readiness over the reader's checkpoints: latest round per checkpoint and item, the
        trend by round, items failing repeatedly."""
        campaign = self.get_object()
        data = {
            **services.readiness(campaign, request.user),
            "trend": services.trend(campaign, request.user),
            "repeats": services.repeat_failures(campaign, request.user),
        }
        data.pop("below", None)
        return Response(s.CampaignsReadinessSerializer(data).data)


class CheckpointViewSet(viewsets.ReadOnlyModelViewSet):
    """测评点位 in the reader's 居村."""

    permission_classes = [CampaignReaders]
    serializer_class = s.CampaignsCheckpointSerializer
    filterset_class = CheckpointFilter

    def get_queryset(self):
        qs = Checkpoint.objects.select_related("community").order_by("campaign", "kind", "name")
        return services.scope_checkpoints(qs, self.request.user)


class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    """督查轮次 with their task and inspection counts."""

    permission_classes = [CampaignReaders]
    serializer_class = s.CampaignsRoundSerializer
    filterset_class = RoundFilter

    def get_queryset(self):
        return InspectionRound.objects.annotate(
            assignment_count=Count("assignments", distinct=True),
            inspection_count=Count("inspections", distinct=True),
        ).order_by("campaign", "-number")


class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's own 督查 tasks in open rounds; `inspect` scores one."""

    permission_classes = [Inspectors]
    serializer_class = s.CampaignsAssignmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assignment.objects.none()
        return (
            Assignment.objects.filter(inspector=self.request.user, round__state=RoundState.PLANNED)
            .select_related("checkpoint__community", "round", "inspection")
            .order_by("round__number", "checkpoint__kind", "checkpoint__name", "pk")
        )

    @extend_schema(
        request=s.CampaignsInspectInputSerializer, responses={201: s.CampaignsInspectionSerializer}
    )
    @action(detail=True, methods=["post"])
    def inspect(self, request, pk=None, format=None):
        """Score the checkpoint: every active item of its kind; a failure opens a case (督查)."""
        assignment = self.get_object()
        body = s.CampaignsInspectInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        inspection = services.do_inspect(
            request.user,
            assignment,
            results={
                r["item"]: {"passed": r["passed"], "note": r.get("note", "")}
                for r in data["results"]
            },
            note=data.get("note", ""),
        )
        inspection = Inspection.objects.prefetch_related("results__item", "results__case").get(
            pk=inspection.pk
        )
        return Response(
            s.CampaignsInspectionSerializer(inspection).data, status=status.HTTP_201_CREATED
        )


class InspectionViewSet(viewsets.ReadOnlyModelViewSet):
    """督查记录 of the reader's checkpoints, newest first, with each item's result and case."""

    permission_classes = [CampaignReaders]
    serializer_class = s.CampaignsInspectionSerializer
    filterset_class = InspectionFilter

    def get_queryset(self):
        visible = services.scope_checkpoints(Checkpoint.objects.all(), self.request.user)
        return (
            Inspection.objects.filter(checkpoint__in=visible)
            .prefetch_related("results__item", "results__case")
            .order_by("-inspected_at", "-id")
        )


class StructureViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """违法建筑台账 of the reader's 居村; register one, move it on (告知 → 拆除/整改 → 复核)."""

    permission_classes = [CampaignReaders]
    serializer_class = s.CampaignsStructureSerializer
    filterset_class = StructureFilter

    def get_queryset(self):
        qs = IllegalStructure.objects.select_related("community")
        return services.scope_structures(qs, self.request.user)

    @extend_schema(
        request=s.CampaignsStructureCreateSerializer,
        responses={201: s.CampaignsStructureSerializer},
    )
    def create(self, request):
        body = s.CampaignsStructureCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        structure = services.do_register_structure(request.user, **body.validated_data)
        return Response(
            s.CampaignsStructureSerializer(structure).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=s.CampaignsMoveSerializer, responses={200: s.CampaignsStructureSerializer}
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None, format=None):
        structure = self.get_object()
        body = s.CampaignsMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        structure = services.do_move_structure(request.user, structure, **body.validated_data)
        return Response(s.CampaignsStructureSerializer(structure).data)
