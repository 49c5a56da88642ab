"""Registry REST endpoints: scoped by role, masked personal data, full views logged."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.core.api import validated_input
from civicgrid.core.openapi import ErrorSerializer, or_validation_error
from civicgrid.grids.scoping import visible_grids
from civicgrid.registry import services
from civicgrid.registry.api.serializers import (
    AddressSerializer,
    FiguresSerializer,
    HouseholdSerializer,
    ImportSerializer,
    RentalSerializer,
    ResidentSerializer,
    RevealSerializer,
)
from civicgrid.registry.filters import AddressFilter, HouseholdFilter, ResidentFilter
from civicgrid.registry.imports import ImportFileError, import_residents, template_xlsx
from civicgrid.registry.models import Address, Household, RentalRegistration, Resident
from civicgrid.registry.permissions import RegistryPermission


class _RegistryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [RegistryPermission]
    model = None

    def get_queryset(self):
        return services.scoped(self.model, self.request.user, self.base_queryset())

    def perform_destroy(self, instance):
        services.delete_object(instance, user=self.request.user)


class AddressViewSet(_RegistryViewSet):
    model = Address
    serializer_class = AddressSerializer
    filterset_class = AddressFilter

    def base_queryset(self):
        return Address.objects.select_related("building_group", "micro_grid", "estate")


class HouseholdViewSet(_RegistryViewSet):
    model = Household
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter

    def base_queryset(self):
        return Household.objects.select_related("address").annotate(
            resident_count=Count("residents")
        )


class ResidentViewSet(_RegistryViewSet):
    model = Resident
    serializer_class = ResidentSerializer
    filterset_class = ResidentFilter

    def base_queryset(self):
        return Resident.objects.select_related("household__address__micro_grid")

    @extend_schema(
        request=RevealSerializer,
        responses={
            200: inline_serializer(
                "RevealedPersonalData",
                {
                    "id": serializers.IntegerField(),
                    "name": serializers.CharField(),
                    # Only the fields asked for in `which` (both by default), in full.
                    "id_number": serializers.CharField(required=False),
                    "phone": serializers.CharField(required=False),
                },
            )
        },
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None, format=None):  # format: the router's .json suffix
        """The full ID number/phone of one resident; allowed roles only, and logged."""
        resident = self.get_object()
        data = validated_input(RevealSerializer, request)
        fields = data.get("which") or services.PII_FIELDS
        values = services.reveal_personal_data(request.user, resident, fields, channel="api")
        return Response({"id": resident.pk, "name": resident.name, **values})


class RentalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """租赁登记 of let dwellings (use 出租/群租), scoped by the household's micro-grid."""

    permission_classes = [RegistryPermission]
    serializer_class = RentalSerializer
    filterset_fields = ["household"]

    def get_queryset(self):
        qs = RentalRegistration.objects.select_related("household__address").prefetch_related(
            "tenants"
        )
        return services.scoped(RentalRegistration, self.request.user, qs)


class FiguresView(APIView):
    """Households, registered and living people, households by housing type (001 style).

    `?grid=<code>` for one node of any level; without it, one row per visible community and
    micro-grid plus the total.
    """

    permission_classes = [RegistryPermission]

    @extend_schema(
        parameters=[OpenApiParameter("grid", str, description="网格编码(任意层级),不填则返回列表")],
        responses={
            # One grid's figures with ?grid=, the table (a list) without.
            200: PolymorphicProxySerializer(
                component_name="FiguresAnswer",
                serializers=[FiguresSerializer, FiguresSerializer(many=True)],
                resource_type_field_name=None,
                many=False,
            ),
            404: ErrorSerializer,
        },
    )
    def get(self, request):
        code = request.query_params.get("grid")
        if not code:
            rows = services.figures_table(request.user)
            return Response(
                [
                    {
                        "grid": row["grid"].code if row["grid"] else None,
                        "name": row["grid"].name if row["grid"] else _("合计"),
                        **{k: v for k, v in row.items() if k != "grid"},
                    }
                    for row in rows
                ]
            )
        grid = get_object_or_404(visible_grids(request.user), code=code)
        figures = services.grid_figures(grid, request.user)
        return Response({"grid": grid.code, "name": grid.name, "level": grid.level, **figures})


IMPORT_RESULT = inline_serializer(
    "ResidentImportResult",
    {
        "rows": serializers.IntegerField(),
        "errors": inline_serializer(
            "ResidentImportRowError",
            {
                "row": serializers.IntegerField(),
                "column": serializers.CharField(),
                "message": serializers.CharField(),
            },
            many=True,
        ),
        "addresses_created": serializers.IntegerField(),
        "households_created": serializers.IntegerField(),
        "residents_created": serializers.IntegerField(),
        "dry_run": serializers.BooleanField(),
        "saved": serializers.BooleanField(),
    },
)


class ImportView(APIView):
    """Upload an .xlsx/.csv of residents; 400 with every row error, nothing saved on error."""

    permission_classes = [RegistryPermission]

    @extend_schema(
        request={"multipart/form-data": ImportSerializer},
        responses={
            200: IMPORT_RESULT,
            # Row errors (nothing saved), or the file/form refused as a whole.
            400: or_validation_error("ResidentImportError", IMPORT_RESULT),
        },
    )
    def post(self, request):
        data = validated_input(ImportSerializer, request)
        upload = data["file"]
        try:
            result = import_residents(
                upload.read(),
                upload.name,
                user=request.user,
                dry_run=data["dry_run"],
            )
        except DjangoValidationError as exc:
            if isinstance(exc, ImportFileError):
                return Response({"file": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
            raise
        code = status.HTTP_400_BAD_REQUEST if result.errors else status.HTTP_200_OK
        return Response(result.as_dict(), status=code)


class ImportTemplateView(APIView):
    """The .xlsx import template (headers, an example row, a sheet explaining each column)."""

    permission_classes = [RegistryPermission]

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): (
                OpenApiTypes.BINARY
            )
        }
    )
    def get(self, request):
        response = HttpResponse(
            template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="residents_template.xlsx"'
        return response
