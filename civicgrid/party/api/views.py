"""The party app's REST endpoints: organisations (list, detail, create through the service),
members (phones masked), organisational life (list, record), star ratings, co-building
agreements, coverage and "三会一课" completion for the reader's grids, and the open service
points (public, like the map). Every write is a service; a bad body is a 400 with the field's
Chinese message and nothing saved."""

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.accounts.policy import PARTY_VIEW_ROLES
from civicgrid.grids.scoping import visible_micro_grids
from civicgrid.party import services
from civicgrid.party.api import serializers as s
from civicgrid.party.filters import LifeFilter, MemberFilter, OrganisationFilter, RatingFilter
from civicgrid.party.models import (
    CoBuilding,
    LifeMeeting,
    Member,
    Organisation,
    ServicePoint,
    StarRating,
)


class Readers(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看党组织信息")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and (
            request.user.effective_role in PARTY_VIEW_ROLES
        )


def _orgs(request):
    return services.scope_organisations(Organisation.objects.all(), request.user)


def _visible_org(request, pk, field):
    org = _orgs(request).filter(pk=pk).first()
    if org is None:
        raise exceptions.ValidationError(
            {field: [gettext_lazy("党组织不存在，或不在您的管辖范围内")]}
        )
    return org


class OrganisationViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """党组织 of the reader's grids (and the tree above them)."""

    permission_classes = [Readers]
    serializer_class = s.PartyOrganisationSerializer
    filterset_class = OrganisationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Organisation.objects.none()
        return (
            _orgs(self.request)
            .select_related("grid__parent", "secretary")
            .order_by("grid__code", "level", "name", "id")
        )

    @extend_schema(
        request=s.PartyOrganisationInputSerializer,
        responses={201: s.PartyOrganisationSerializer},
    )
    def create(self, request):
        """Set up an organisation (the one-organisation rule and the levels are checked)."""
        body = s.PartyOrganisationInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if data.get("parent"):
            data["parent"] = _visible_org(request, data["parent"], "parent")
        org = services.do_save_organisation(data, request.user)
        return Response(s.PartyOrganisationSerializer(org).data, status=status.HTTP_201_CREATED)


class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    """党员 of the reader's 居村 and micro-grids, phones masked."""

    permission_classes = [Readers]
    serializer_class = s.PartyMemberSerializer
    filterset_class = MemberFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Member.objects.none()
        return services.scope_members(Member.objects.all(), self.request.user).order_by(
            "organisation_id", "name", "id"
        )


class LifeViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """组织生活 of the reader's organisations; POST records one."""

    permission_classes = [Readers]
    serializer_class = s.PartyLifeSerializer
    filterset_class = LifeFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return LifeMeeting.objects.none()
        return LifeMeeting.objects.filter(organisation__in=_orgs(self.request)).order_by(
            "-held_on", "-id"
        )

    @extend_schema(request=s.PartyLifeInputSerializer, responses={201: s.PartyLifeSerializer})
    def create(self, request):
        """Record a meeting held (三会一课, 主题党日)."""
        body = s.PartyLifeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        org = _visible_org(request, data.pop("organisation"), "organisation")
        meeting = services.do_record_life(org, data, request.user)
        return Response(s.PartyLifeSerializer(meeting).data, status=status.HTTP_201_CREATED)


class RatingViewSet(viewsets.ReadOnlyModelViewSet):
    """星级评定 of the reader's organisations."""

    permission_classes = [Readers]
    serializer_class = s.PartyRatingSerializer
    filterset_class = RatingFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return StarRating.objects.none()
        return (
            StarRating.objects.filter(organisation__in=_orgs(self.request))
            .select_related("organisation")
            .order_by("-year", "-stars", "id")
        )


class CoBuildingViewSet(viewsets.ReadOnlyModelViewSet):
    """党建联建协议 of the reader's organisations."""

    permission_classes = [Readers]
    serializer_class = s.PartyCoBuildingSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return CoBuilding.objects.none()
        return CoBuilding.objects.filter(organisation__in=_orgs(self.request)).order_by(
            "-signed_on", "id"
        )


class ServicePointViewSet(viewsets.ReadOnlyModelViewSet):
    """Open service points of the "1+6+62+X" circle: public, as on the map."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    serializer_class = s.PartyServicePointSerializer
    filterset_fields = ["tier", "kind"]

    def get_queryset(self):
        return ServicePoint.objects.filter(is_active=True).order_by("tier", "name", "id")


class CoverageView(APIView):
    """One organisation per micro-grid over the reader's micro-grids: covered, uncovered (ids),
    网格长 mismatches (ids) and per 居村."""

    permission_classes = [Readers]

    @extend_schema(responses={200: s.PartyCoverageSerializer})
    def get(self, request):
        cover = services.coverage(visible_micro_grids(request.user))
        return Response(
            {
                "micro_grids": cover["micro_grids"],
                "covered": cover["covered"],
                "percent": cover["percent"],
                "uncovered": [g.pk for g in cover["uncovered"]],
                "head_mismatch": [g.pk for g in cover["head_mismatch"]],
                "head_rule": cover["head_rule"],
                "by_community": [
                    {
                        "community": row["community"].pk,
                        "community_name": row["community"].name,
                        "micro_grids": row["micro_grids"],
                        "covered": row["covered"],
                        "uncovered": [g.pk for g in row["uncovered"]],
                        "mismatched": row["mismatched"],
                    }
                    for row in cover["by_community"]
                ],
            }
        )


class CompletionView(APIView):
    """ "三会一课" completion of a year per organisation of the reader's grids."""

    permission_classes = [Readers]

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="年度（缺省为今年）")],
        responses={200: s.PartyCompletionRowSerializer(many=True)},
    )
    def get(self, request):
        today = timezone.localdate()
        raw = request.query_params.get("year") or str(today.year)
        if not raw.isdigit() or not 2000 <= int(raw) <= today.year:
            raise exceptions.ValidationError({"year": [gettext_lazy("年度应在 2000 年到今年之间")]})
        rows = services.life_completion(int(raw), _orgs(request))
        return Response(
            [
                {
                    "organisation": r["organisation"].pk,
                    "name": r["organisation"].name,
                    "met": r["met"],
                    "due": r["due"],
                    "percent": r["percent"],
                    "kinds": {k: list(v) for k, v in r["kinds"].items()},
                }
                for r in rows
            ]
        )
