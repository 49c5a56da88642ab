"""Estate REST endpoints: estates scoped by their 居村 (grids.scoping), writes through
estates.services, the registry's role rules (registry.permissions)."""

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from civicgrid.core.api import validated_input
from civicgrid.estates import services
from civicgrid.estates.api.serializers import (
    CommitteeSerializer,
    EstateSerializer,
    PropertyCompanySerializer,
)
from civicgrid.estates.filters import EstateFilter, PropertyCompanyFilter
from civicgrid.estates.models import Estate, PropertyCompany
from civicgrid.registry.permissions import RegistryPermission


class _EstateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [RegistryPermission]

    def perform_create(self, serializer):
        # Estate, its micro-grids and its ranges are one change: all or nothing.
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()


class EstateViewSet(_EstateViewSet):
    """小区 (村: 自然村/村民小组) with its 物业, address ranges and current 业委会."""

    serializer_class = EstateSerializer
    filterset_class = EstateFilter

    def get_queryset(self):
        qs = (
            Estate.objects.select_related("community", "property_company")
            .prefetch_related("micro_grids", "address_ranges")
            .annotate(address_count=Count("addresses", distinct=True))
        )
        qs = services.with_current_committee(qs, timezone.localdate())
        return services.scoped_estates(self.request.user, qs)

    @extend_schema(request=None, responses={200: CommitteeSerializer(many=True)})
    # Every term of one estate: a plain list, not a page.
    @action(
        detail=True,
        methods=["get"],
        url_path="committees",
        pagination_class=None,
        filterset_class=None,
    )
    def committees(self, request, pk=None, format=None):
        """Every 业委会 term of the estate, latest first."""
        estate = self.get_object()
        rows = estate.committees.prefetch_related("members").order_by("-term_start")
        return Response(CommitteeSerializer(rows, many=True).data)

    @extend_schema(request=CommitteeSerializer, responses={201: CommitteeSerializer})
    @committees.mapping.post
    def elect_committee(self, request, pk=None, format=None):
        """Record a 业委会 term (members, 党建联络员, 红色业委会)."""
        estate = self.get_object()
        data = validated_input(CommitteeSerializer, request)
        committee = services.do_elect_committee(
            estate,
            term_start=data["term_start"],
            term_end=data["term_end"],
            members=data.get("members", []),
            party_liaison=data.get("party_liaison", ""),
            is_red=data.get("is_red", False),
            user=request.user,
        )
        return Response(CommitteeSerializer(committee).data, status=status.HTTP_201_CREATED)


class PropertyCompanyViewSet(_EstateViewSet):
    """物业服务企业: the street's registry of property companies (contact phone masked)."""

    serializer_class = PropertyCompanySerializer
    filterset_class = PropertyCompanyFilter

    def get_queryset(self):
        return PropertyCompany.objects.annotate(estate_count=Count("estates"))
