"""Rental houses' fire-safety REST endpoints (出租屋消防三色码): houses (code one, change its
particulars), the checklist, inspections (record one: the colour follows) and the report. Every
list is scoped by firesafety.services.scope_houses; every write is a service."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.core.api import validated_input
from civicgrid.core.openapi import ErrorSerializer
from civicgrid.firesafety import services
from civicgrid.firesafety.api import serializers as s
from civicgrid.firesafety.filters import HouseFilter, InspectionFilter
from civicgrid.firesafety.models import CheckItem, Finding, Inspection, RentalHouse
from civicgrid.registry.models import Household


class FireReaders(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看出租屋消防三色码")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and services.may_view(request.user)


class HouseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """出租屋 (一户一码) with their colour and dates; the landlord's phone masked."""

    permission_classes = [FireReaders]
    serializer_class = s.FireHouseSerializer
    filterset_class = HouseFilter

    def get_queryset(self):
        qs = RentalHouse.objects.select_related(
            "household__address", "community", "micro_grid", "case"
        ).order_by("community__code", "household__address__normalized", "pk")
        return services.scope_houses(qs, self.request.user)

    def get_serializer_class(self):
        return s.FireHouseDetailSerializer if self.action == "retrieve" else s.FireHouseSerializer

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {
            **self.get_serializer_context(),
            "occupants": services.occupants([h.household_id for h in rows]),
        }
        data = s.FireHouseSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(request=s.FireCodeSerializer, responses={201: s.FireHouseSerializer})
    def create(self, request):
        """一户一码: give a let household (出租/群租) of the reader's scope its code."""
        data = validated_input(s.FireCodeSerializer, request)
        found = Household.objects.filter(pk=data.pop("household")).first()
        if found is None:
            raise exceptions.ValidationError({"household": [gettext_lazy("户不存在")]})
        house = services.do_code_house(request.user, found, **data)
        return Response(s.FireHouseSerializer(house).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.FireParticularsSerializer, responses={200: s.FireHouseSerializer})
    @action(detail=True, methods=["post"])
    def particulars(self, request, pk=None, format=None):
        """Change the house's particulars (floors, area, structure, rooms, use)."""
        house = self.get_object()
        body = s.FireParticularsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        house = services.do_update_house(request.user, house, **body.validated_data)
        return Response(s.FireHouseSerializer(house).data)


class CheckItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The checklist: each hazard, 重大 (major) or 一般 (minor)."""

    permission_classes = [FireReaders]
    serializer_class = s.FireCheckItemSerializer
    pagination_class = None
    filterset_fields = ["is_active", "severity"]

    def get_queryset(self):
        return CheckItem.objects.all()


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """消防检查 of the houses the reader may see, newest first."""

    permission_classes = [FireReaders]
    serializer_class = s.FireInspectionSerializer
    filterset_class = InspectionFilter

    def get_queryset(self):
        qs = Inspection.objects.prefetch_related(
            Prefetch("findings", queryset=Finding.objects.select_related("item"))
        )
        return services.scope_houses(qs, self.request.user, prefix="house__")

    @extend_schema(
        request=s.FireInspectionCreateSerializer, responses={201: s.FireInspectionSerializer}
    )
    def create(self, request):
        """Record an inspection: the hazards found grade the house; a red opens a case."""
        data = validated_input(s.FireInspectionCreateSerializer, request)
        # The house is a field of the body: one not in the reader's scope is bad input (400).
        house = (
            services.scope_houses(RentalHouse.objects.all(), request.user)
            .filter(pk=data["house"])
            .first()
        )
        if house is None:
            raise exceptions.ValidationError(
                {"house": [gettext_lazy("该出租屋不在您的管辖范围内")]}
            )
        inspection = services.do_inspect(
            request.user,
            house,
            hazards={h["item"]: h.get("note", "") for h in data["hazards"]},
            landlord_acknowledged=data["landlord_acknowledged"],
            acknowledged_by=data.get("acknowledged_by", ""),
            note=data.get("note", ""),
        )
        inspection = self.get_queryset().get(pk=inspection.pk)
        return Response(s.FireInspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)


class ReportView(APIView):
    """The battle map's figures over the reader's scope."""

    permission_classes = [FireReaders]

    @extend_schema(responses={200: s.FireReportSerializer, 403: ErrorSerializer})
    def get(self, request):
        return Response(s.FireReportSerializer(services.report(request.user)).data)
