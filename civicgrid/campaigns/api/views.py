"""创建/创评 REST endpoints: campaigns (with their checklists, actions and readiness),
checkpoints, 督查 rounds, the inspector's own tasks (and scoring one), inspections, the 无违建
register. Lists are scoped by campaigns.services; every write is a service."""

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from civicgrid.accounts.access import require
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
    CommunityCreation,
    IllegalStructure,
    Inspection,
    InspectionRound,
)
from civicgrid.core.api import validated_input


class CampaignReaders(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看创建创评")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and services.may_view(request.user)


def _require_edit(request):
    require(services.may_edit(request.user), gettext_lazy("您的角色不能维护创建活动"))


def _require_keep(request):
    require(services.may_keep(request.user), gettext_lazy("您的角色不能维护无违建台账"))


class Inspectors(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色不能进行督查")

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view)
            and request.user.effective_role in CAMPAIGNS_INSPECT_ROLES
        )


class CampaignViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """创建活动 with their 测评体系 and actions (五大行动); the desk creates and edits them (each
    edit is a history row: `history`)."""

    permission_classes = [CampaignReaders]
    serializer_class = s.CampaignsCampaignSerializer
    queryset = Campaign.objects.prefetch_related("items", "actions").order_by("-starts_on", "id")

    def _out(self, campaign, code=status.HTTP_200_OK):
        campaign = self.get_queryset().get(pk=campaign.pk)
        return Response(s.CampaignsCampaignSerializer(campaign).data, status=code)

    @extend_schema(
        request=s.CampaignsCampaignInputSerializer, responses={201: s.CampaignsCampaignSerializer}
    )
    def create(self, request, *args, **kwargs):
        _require_edit(request)
        data = validated_input(s.CampaignsCampaignInputSerializer, request)
        return self._out(services.do_save_campaign(request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(
        request=s.CampaignsCampaignInputSerializer, responses={200: s.CampaignsCampaignSerializer}
    )
    def update(self, request, *args, **kwargs):
        campaign = self.get_object()
        _require_edit(request)
        current = {
            f: getattr(campaign, f) for f in s.CampaignsCampaignInputSerializer().fields.keys()
        }
        data = validated_input(
            s.CampaignsCampaignInputSerializer, request, partial=kwargs.get("partial")
        )
        return self._out(
            services.do_save_campaign(request.user, campaign=campaign, **{**current, **data})
        )

    @extend_schema(
        request=s.CampaignsItemInputSerializer,
        responses={200: s.CampaignsItemSerializer, 201: s.CampaignsItemSerializer},
    )
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None, format=None):
        """Add a 测评项 to the campaign's 测评体系, or change one (with `id`)."""
        campaign = self.get_object()
        _require_edit(request)
        data = validated_input(s.CampaignsItemInputSerializer, request)
        item_id = data.pop("id", None)
        item = get_object_or_404(campaign.items, pk=item_id) if item_id else None
        saved = services.do_save_item(request.user, campaign, item=item, **data)
        return Response(
            s.CampaignsItemSerializer(saved).data,
            status=status.HTTP_200_OK if item else status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=s.CampaignsActionInputSerializer,
        responses={200: s.CampaignsActionSerializer, 201: s.CampaignsActionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="actions")
    def campaign_actions(self, request, pk=None, format=None):
        """Add one of the campaign's actions (五大行动) with its 牵头单位, or change one."""
        campaign = self.get_object()
        _require_edit(request)
        data = validated_input(s.CampaignsActionInputSerializer, request)
        action_id = data.pop("id", None)
        found = get_object_or_404(campaign.actions, pk=action_id) if action_id else None
        saved = services.do_save_action(request.user, campaign, action=found, **data)
        return Response(
            s.CampaignsActionSerializer(saved).data,
            status=status.HTTP_200_OK if found else status.HTTP_201_CREATED,
        )

    @extend_schema(responses={200: s.CampaignsEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None, format=None):
        """The campaign's edits, newest first: what changed, by whom, when."""
        campaign = self.get_object()
        page = self.paginate_queryset(campaign.events.select_related("user").order_by("-at", "-id"))
        return self.get_paginated_response(s.CampaignsEventSerializer(page, many=True).data)

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


class CheckpointViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """测评点位 in the reader's 居村; the desk adds and edits them and stops (`active`) them."""

    permission_classes = [CampaignReaders]
    serializer_class = s.CampaignsCheckpointSerializer
    filterset_class = CheckpointFilter

    def get_queryset(self):
        qs = Checkpoint.objects.select_related("community").order_by("campaign", "kind", "name")
        return services.scope_checkpoints(qs, self.request.user)

    def _out(self, checkpoint, code=status.HTTP_200_OK):
        checkpoint = Checkpoint.objects.select_related("community").get(pk=checkpoint.pk)
        return Response(s.CampaignsCheckpointSerializer(checkpoint).data, status=code)

    @extend_schema(
        request=s.CampaignsCheckpointInputSerializer,
        responses={201: s.CampaignsCheckpointSerializer},
    )
    def create(self, request, *args, **kwargs):
        _require_edit(request)
        data = validated_input(s.CampaignsCheckpointInputSerializer, request)
        campaign_id = data.pop("campaign", None)
        campaign = Campaign.objects.filter(pk=campaign_id).first() if campaign_id else None
        if campaign is None:
            raise ValidationError({"campaign": gettext_lazy("请选择创建活动")})
        checkpoint = services.do_save_checkpoint(request.user, campaign, **data)
        return self._out(checkpoint, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.CampaignsCheckpointInputSerializer,
        responses={200: s.CampaignsCheckpointSerializer},
    )
    def update(self, request, *args, **kwargs):
        checkpoint = self.get_object()
        _require_edit(request)
        fields = [f for f in s.CampaignsCheckpointInputSerializer().fields if f != "campaign"]
        current = {f: getattr(checkpoint, f) for f in fields}
        current["community"] = checkpoint.community_id
        data = validated_input(
            s.CampaignsCheckpointInputSerializer, request, partial=kwargs.get("partial")
        )
        data.pop("campaign", None)
        saved = services.do_save_checkpoint(
            request.user, checkpoint.campaign, checkpoint=checkpoint, **{**current, **data}
        )
        return self._out(saved)

    @extend_schema(
        request=s.CampaignsActiveSerializer, responses={200: s.CampaignsCheckpointSerializer}
    )
    @action(detail=True, methods=["post"])
    def active(self, request, pk=None, format=None):
        """Stop (is_active false) or resume a checkpoint."""
        checkpoint = self.get_object()
        _require_edit(request)
        data = validated_input(s.CampaignsActiveSerializer, request)
        return self._out(
            services.do_set_checkpoint_active(request.user, checkpoint, is_active=data["is_active"])
        )


class RoundViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """督查轮次 with their task and inspection counts; the desk schedules one (checkpoints given
    to inspectors; last round's failures come in as 复查) and closes it."""

    permission_classes = [CampaignReaders]
    serializer_class = s.CampaignsRoundSerializer
    filterset_class = RoundFilter

    def get_queryset(self):
        return InspectionRound.objects.annotate(
            assignment_count=Count("assignments", distinct=True),
            inspection_count=Count("inspections", distinct=True),
        ).order_by("campaign", "-number")

    def _out(self, round_, code=status.HTTP_200_OK):
        return Response(
            s.CampaignsRoundSerializer(self.get_queryset().get(pk=round_.pk)).data, status=code
        )

    @extend_schema(
        request=s.CampaignsRoundInputSerializer, responses={201: s.CampaignsRoundSerializer}
    )
    def create(self, request, *args, **kwargs):
        _require_edit(request)
        data = validated_input(s.CampaignsRoundInputSerializer, request)
        campaign = Campaign.objects.filter(pk=data.pop("campaign")).first()
        if campaign is None:
            raise ValidationError({"campaign": gettext_lazy("请选择创建活动")})
        pairs = [(a["checkpoint"], a["inspector"]) for a in data.pop("assignments")]
        round_ = services.do_plan_round(request.user, campaign, assignments=pairs, **data)
        return self._out(round_, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.CampaignsAssignmentInputSerializer, responses={200: s.CampaignsRoundSerializer}
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None, format=None):
        """Add a checkpoint to the open round, or give one not yet inspected to another
        inspector."""
        round_ = self.get_object()
        _require_edit(request)
        data = validated_input(s.CampaignsAssignmentInputSerializer, request)
        services.do_assign(request.user, round_, **data)
        return self._out(round_)

    @extend_schema(request=s.CampaignsNoteSerializer, responses={200: s.CampaignsRoundSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, format=None):
        """End the round; what was not inspected stays 未检."""
        round_ = self.get_object()
        _require_edit(request)
        data = validated_input(s.CampaignsNoteSerializer, request)
        return self._out(services.do_close_round(request.user, round_, **data))


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
        data = validated_input(s.CampaignsInspectInputSerializer, request)
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

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.CampaignsStructureDetailSerializer
        return s.CampaignsStructureSerializer

    def get_queryset(self):
        qs = IllegalStructure.objects.select_related("community")
        if self.action == "retrieve":
            qs = qs.prefetch_related("events", "photos")
        return services.scope_structures(qs, self.request.user)

    @extend_schema(
        request=s.CampaignsStructureCreateSerializer,
        responses={201: s.CampaignsStructureSerializer},
    )
    def create(self, request):
        _require_keep(request)
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


class CreationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """无违建居村创建: each 居村's status with its history; POST changes a 居村's status."""

    permission_classes = [CampaignReaders]
    serializer_class = s.CampaignsCreationSerializer

    def get_queryset(self):
        qs = (
            CommunityCreation.objects.select_related("community")
            .prefetch_related("events")
            .order_by("community__code")
        )
        return services.scope_creations(qs, self.request.user)

    @extend_schema(
        request=s.CampaignsCreationInputSerializer, responses={200: s.CampaignsCreationSerializer}
    )
    def create(self, request):
        _require_keep(request)
        data = validated_input(s.CampaignsCreationInputSerializer, request)
        creation = services.do_set_creation_status(request.user, data.pop("community"), **data)
        return Response(s.CampaignsCreationSerializer(self.get_queryset().get(pk=creation.pk)).data)
