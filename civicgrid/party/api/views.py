"""The party app's REST endpoints: organisations (list, detail, create through the service),
members (phones masked), organisational life (list, record), star ratings, co-building
agreements, coverage and "三会一课" completion for the reader's grids, and the open service
points (public, like the map). Every write is a service; a bad body is a 400 with the field's
Chinese message and nothing saved."""

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.accounts.policy import PARTY_VIEW_ROLES
from civicgrid.core.api import validated_input
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


def _visible_member(request, pk):
    member = (
        services.scope_members(Member.objects.all(), request.user)
        .select_related("organisation__grid")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise exceptions.NotFound(gettext_lazy("没有这名党员，或不在您的管辖范围内"))
    return member


def _visible_org(request, pk, field):
    org = _orgs(request).filter(pk=pk).first()
    if org is None:
        raise exceptions.ValidationError(
            {field: [gettext_lazy("党组织不存在，或不在您的管辖范围内")]}
        )
    return org


class OrganisationViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
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
        data = validated_input(s.PartyOrganisationInputSerializer, request)
        if data.get("parent"):
            data["parent"] = _visible_org(request, data["parent"], "parent")
        org = services.do_save_organisation(data, request.user)
        return Response(s.PartyOrganisationSerializer(org).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.PartyOrganisationUpdateSerializer,
        responses={200: s.PartyOrganisationSerializer},
    )
    def update(self, request, *args, partial=False, **kwargs):
        """Change an organisation (all its particulars; `secretary` sets or clears its head)."""
        org = self.get_object()
        data = validated_input(s.PartyOrganisationUpdateSerializer, request)
        if data.get("parent"):
            data["parent"] = _visible_org(request, data["parent"], "parent")
        org = services.do_keep_organisation(data, request.user, org)
        return Response(s.PartyOrganisationSerializer(org).data)

    # A change sends every particular (PUT): a partial body would leave the rules half-checked.
    http_method_names = ["get", "post", "put", "head", "options"]


class MemberViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """党员 of the reader's 居村 and micro-grids, phones masked; POST registers one, PUT changes
    one, POST …/assign/ gives one a post, GET …/posts/ lists them (current first, then past),
    POST …/end-post/ ends one."""

    permission_classes = [Readers]
    serializer_class = s.PartyMemberSerializer
    filterset_class = MemberFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Member.objects.none()
        return services.scope_members(Member.objects.all(), self.request.user).order_by(
            "organisation_id", "name", "id"
        )

    @extend_schema(request=s.PartyMemberInputSerializer, responses={201: s.PartyMemberSerializer})
    def create(self, request):
        """Register a member of one of the reader's organisations."""
        data = validated_input(s.PartyMemberInputSerializer, request)
        if not data.get("organisation"):
            raise exceptions.ValidationError(
                {"organisation": [gettext_lazy("请选择组织关系所在党组织")]}
            )
        org = _visible_org(request, data.pop("organisation"), "organisation")
        data.pop("is_active", None)
        member = services.do_register_member(org, data, request.user)
        return Response(s.PartyMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PartyMemberInputSerializer, responses={200: s.PartyMemberSerializer})
    def update(self, request, *args, partial=False, **kwargs):
        """Change a member's particulars (the organisation stays; a blank phone keeps it)."""
        member = _visible_member(request, kwargs["pk"])
        data = validated_input(s.PartyMemberInputSerializer, request)
        data.pop("organisation", None)
        member = services.do_update_member(member, data, request.user)
        return Response(s.PartyMemberSerializer(member).data)

    # A change sends every particular (PUT): a partial body would leave the rules half-checked.
    http_method_names = ["get", "post", "put", "head", "options"]

    @extend_schema(
        request=s.PartyAssignmentInputSerializer, responses={201: s.PartyAssignmentSerializer}
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """A post for the member: grid post, pioneer squad, liaison to a 居委 or 业委会."""
        member = _visible_member(request, pk)
        body = s.PartyAssignmentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assignment = services.do_assign(member, dict(body.validated_data), request.user)
        return Response(
            s.PartyAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: s.PartyAssignmentSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def posts(self, request, pk=None):
        """The member's posts, current ones (no `ended_on`) first, then the past, latest first."""
        member = _visible_member(request, pk)
        rows = sorted(
            member.assignments.order_by("-started_on", "-id"),
            key=lambda a: a.ended_on is not None,
        )
        return Response(s.PartyAssignmentSerializer(rows, many=True).data)

    @extend_schema(
        request=s.PartyAssignmentEndSerializer, responses={200: s.PartyAssignmentSerializer}
    )
    @action(detail=True, methods=["post"], url_path="end-post")
    def end_post(self, request, pk=None):
        """End one of the member's posts (卸任): `post` (its id), `ended_on` (not after today)
        and `reason`."""
        member = _visible_member(request, pk)
        data = validated_input(s.PartyAssignmentEndSerializer, request)
        post = member.assignments.filter(pk=data.pop("post")).first()
        if post is None:
            raise exceptions.ValidationError({"post": [gettext_lazy("该党员没有这个岗位")]})
        post = services.do_end_assignment(post, data, request.user)
        return Response(s.PartyAssignmentSerializer(post).data)


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
        data = validated_input(s.PartyLifeInputSerializer, request)
        org = _visible_org(request, data.pop("organisation"), "organisation")
        meeting = services.do_record_life(org, data, request.user)
        return Response(s.PartyLifeSerializer(meeting).data, status=status.HTTP_201_CREATED)


class RatingViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """星级评定 of the reader's organisations; POST records one (one a year), PUT corrects one."""

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

    @extend_schema(request=s.PartyRatingInputSerializer, responses={201: s.PartyRatingSerializer})
    def create(self, request):
        data = validated_input(s.PartyRatingInputSerializer, request)
        org = _visible_org(request, data.pop("organisation"), "organisation")
        rating = services.do_rate(org, data, request.user)
        return Response(s.PartyRatingSerializer(rating).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PartyRatingUpdateSerializer, responses={200: s.PartyRatingSerializer})
    def update(self, request, *args, partial=False, **kwargs):
        """Correct a rating (every particular but the organisation; one rating a year)."""
        rating = self.get_object()
        body = s.PartyRatingUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rating = services.do_edit_rating(rating, dict(body.validated_data), request.user)
        return Response(s.PartyRatingSerializer(rating).data)

    # A change sends every particular (PUT): a partial body would leave the rules half-checked.
    http_method_names = ["get", "post", "put", "head", "options"]


class CoBuildingViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """党建联建协议 of the reader's organisations; POST signs one, PUT changes one."""

    permission_classes = [Readers]
    serializer_class = s.PartyCoBuildingSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return CoBuilding.objects.none()
        return CoBuilding.objects.filter(organisation__in=_orgs(self.request)).order_by(
            "-signed_on", "id"
        )

    @extend_schema(
        request=s.PartyCoBuildingInputSerializer, responses={201: s.PartyCoBuildingSerializer}
    )
    def create(self, request):
        data = validated_input(s.PartyCoBuildingInputSerializer, request)
        if not data.get("organisation"):
            raise exceptions.ValidationError({"organisation": [gettext_lazy("请选择牵头党组织")]})
        org = _visible_org(request, data.pop("organisation"), "organisation")
        agreement = services.do_sign_co_building(org, data, request.user)
        return Response(s.PartyCoBuildingSerializer(agreement).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.PartyCoBuildingInputSerializer, responses={200: s.PartyCoBuildingSerializer}
    )
    def update(self, request, *args, partial=False, **kwargs):
        agreement = self.get_object()
        data = validated_input(s.PartyCoBuildingInputSerializer, request)
        data.pop("organisation", None)
        agreement = services.do_update_co_building(agreement, data, request.user)
        return Response(s.PartyCoBuildingSerializer(agreement).data)

    # A change sends every particular (PUT): a partial body would leave the rules half-checked.
    http_method_names = ["get", "post", "put", "head", "options"]


class ServicePointViewSet(viewsets.ReadOnlyModelViewSet):
    """Open service points of the "1+6+62+X" circle: public, as on the map."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    serializer_class = s.PartyServicePointSerializer
    filterset_fields = ["tier", "kind"]

    def get_queryset(self):
        return ServicePoint.objects.filter(is_active=True).order_by("tier", "name", "id")


class ServicePointStaffViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The staff's service points (open and closed): POST creates one, PUT changes one — the
    public list stays /api/party/points/."""

    permission_classes = [Readers]
    serializer_class = s.PartyServicePointStaffSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return ServicePoint.objects.none()
        return ServicePoint.objects.order_by("tier", "name", "id")

    def _data(self, request):
        data = validated_input(s.PartyServicePointInputSerializer, request)
        if data.get("organisation"):
            data["organisation"] = _visible_org(request, data["organisation"], "organisation")
        return data

    @extend_schema(
        request=s.PartyServicePointInputSerializer,
        responses={201: s.PartyServicePointStaffSerializer},
    )
    def create(self, request):
        point = services.do_save_service_point(self._data(request), request.user)
        return Response(
            s.PartyServicePointStaffSerializer(point).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=s.PartyServicePointInputSerializer,
        responses={200: s.PartyServicePointStaffSerializer},
    )
    def update(self, request, *args, partial=False, **kwargs):
        point = self.get_object()
        point = services.do_save_service_point(self._data(request), request.user, point)
        return Response(s.PartyServicePointStaffSerializer(point).data)

    # A change sends every particular (PUT): a partial body would leave the rules half-checked.
    http_method_names = ["get", "post", "put", "head", "options"]


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
