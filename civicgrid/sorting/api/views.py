"""垃圾分类 REST endpoints: drop-off points, guides' shifts (check-in/out), weighings,
inspections, the active score sheet and the report. Every list is scoped like the pages
(sorting.scoping) and filtered by the app's FilterSets; every write is a sorting.services call
(a wrong state answers 409, a role or scope problem 403, bad input 400 with the field's
message)."""

import datetime

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.accounts.policy import (
    SORTING_EDIT_ROLES,
    SORTING_GUIDE_ROLES,
    SORTING_VIEW_ROLES,
)
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.api import validated_input
from civicgrid.core.openapi import ErrorSerializer
from civicgrid.estates.models import Estate
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import scope_by_micro_grid
from civicgrid.meetings.models import Meeting
from civicgrid.sorting import green, reports, services
from civicgrid.sorting.api import serializers as s
from civicgrid.sorting.filters import (
    ConventionFilter,
    InspectionFilter,
    PledgeFilter,
    PointFilter,
    PointsEntryFilter,
    ShiftFilter,
    WeighingFilter,
)
from civicgrid.sorting.models import (
    Convention,
    DropOffPoint,
    DropOffWindow,
    GuideShift,
    Inspection,
    Pledge,
    PointsEntry,
    SortingUnit,
    Weighing,
)
from civicgrid.sorting.scoping import (
    may_see_community,
    scope_by_community,
    visible_communities,
)


class SortingReaders(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看垃圾分类台账")

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view)
            and request.user.effective_role in SORTING_VIEW_ROLES
        )


class SortingReadersAndGuides(SortingReaders):
    def has_permission(self, request, view):
        return permissions.IsAuthenticated.has_permission(self, request, view) and (
            request.user.effective_role in SORTING_VIEW_ROLES | SORTING_GUIDE_ROLES
        )


def conflict(exc):
    return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)


def scoped_estate(user, pk):
    if pk is None:
        return None
    estate = scope_by_community(Estate.objects.all(), user).filter(pk=pk).first()
    if estate is None:
        raise ValidationError({"estate": [_("没有找到该小区")]})
    return estate


def scoped_unit(user, pk):
    if pk is None:
        return None
    unit = scope_by_community(SortingUnit.objects.all(), user).filter(pk=pk).first()
    if unit is None:
        raise ValidationError({"unit": [_("没有找到该单位")]})
    return unit


def points_for(user):
    return scope_by_micro_grid(DropOffPoint.objects.all(), user)


class PointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """投放点: points of the estates and units in the reader's scope, with bins and windows."""

    permission_classes = [SortingReaders]
    serializer_class = s.SortingPointSerializer
    filterset_class = PointFilter

    def get_queryset(self):
        return (
            points_for(self.request.user)
            .select_related("community", "estate", "unit", "micro_grid")
            .prefetch_related(Prefetch("windows", queryset=DropOffWindow.objects.order_by("start")))
        )

    @extend_schema(request=s.SortingPointInputSerializer, responses={201: s.SortingPointSerializer})
    def create(self, request):
        """Set up a point (规划中) of an estate or a unit."""
        data = validated_input(s.SortingPointInputSerializer, request)
        estate = scoped_estate(request.user, data.pop("estate", None))
        unit = scoped_unit(request.user, data.pop("unit", None))
        point = services.do_save_point(request.user, estate=estate, unit=unit, **data)
        fresh = self.get_queryset().get(pk=point.pk)
        return Response(s.SortingPointSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.SortingWindowsInputSerializer,
        responses={200: s.SortingPointSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="windows")
    def windows(self, request, pk=None):
        """Replace the point's drop-off windows (投放时段)."""
        point = self.get_object()
        body = s.SortingWindowsInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pairs = [(w["start"], w["end"]) for w in body.validated_data["windows"]]
        try:
            services.do_set_windows(point, request.user, pairs)
        except IllegalTransition as exc:
            return conflict(exc)
        return Response(s.SortingPointSerializer(self.get_queryset().get(pk=point.pk)).data)

    @extend_schema(
        request=s.SortingStateInputSerializer,
        responses={200: s.SortingPointSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="state")
    def state(self, request, pk=None):
        """启用 a planned point, or 撤并 it into another point in use."""
        point = self.get_object()
        data = validated_input(s.SortingStateInputSerializer, request)
        target = None
        if data.get("merged_into"):
            target = points_for(request.user).filter(pk=data["merged_into"]).first()
            if target is None:
                raise ValidationError({"merged_into": [_("没有找到并入的点位")]})
        try:
            services.do_change_point_state(
                point, request.user, data["state"], merged_into=target, note=data.get("note", "")
            )
        except IllegalTransition as exc:
            return conflict(exc)
        return Response(s.SortingPointSerializer(self.get_queryset().get(pk=point.pk)).data)


class ShiftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """值守班次: the roster of the reader's scope; a guide sees their own shifts."""

    permission_classes = [SortingReadersAndGuides]
    serializer_class = s.SortingShiftSerializer
    filterset_class = ShiftFilter

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return GuideShift.objects.none()
        rows = GuideShift.objects.select_related("point", "guide").order_by("day", "start", "id")
        if user.effective_role in SORTING_VIEW_ROLES:
            return scope_by_community(rows, user)
        return rows.filter(guide__user=user)

    @extend_schema(request=None, responses={200: s.SortingShiftSerializer, 409: ErrorSerializer})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        """签到 at the point (from 30 minutes before the window until its end)."""
        shift = self.get_object()
        try:
            shift = services.do_check_in(shift, request.user)
        except IllegalTransition as exc:
            return conflict(exc)
        return Response(s.SortingShiftSerializer(self.get_queryset().get(pk=shift.pk)).data)

    @extend_schema(
        request=s.SortingCheckOutInputSerializer,
        responses={200: s.SortingShiftSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        """签退 with the shift's record."""
        shift = self.get_object()
        body = s.SortingCheckOutInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            shift = services.do_check_out(shift, request.user, **body.validated_data)
        except IllegalTransition as exc:
            return conflict(exc)
        return Response(s.SortingShiftSerializer(self.get_queryset().get(pk=shift.pk)).data)


class WeighingViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """称重记录: loads by day, estate or unit, category and hauler."""

    permission_classes = [SortingReaders]
    serializer_class = s.SortingWeighingSerializer
    filterset_class = WeighingFilter

    def get_queryset(self):
        rows = Weighing.objects.select_related("community", "estate", "unit")
        return scope_by_community(rows, self.request.user)

    @extend_schema(
        request=s.SortingWeighingInputSerializer, responses={201: s.SortingWeighingSerializer}
    )
    def create(self, request):
        """Record one load (kilograms > 0; refused_mixed for a load refused as mixed)."""
        data = validated_input(s.SortingWeighingInputSerializer, request)
        estate = scoped_estate(request.user, data.pop("estate", None))
        unit = scoped_unit(request.user, data.pop("unit", None))
        weighing = services.do_record_weighing(request.user, estate=estate, unit=unit, **data)
        fresh = self.get_queryset().get(pk=weighing.pk)
        return Response(s.SortingWeighingSerializer(fresh).data, status=status.HTTP_201_CREATED)


class InspectionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """垃圾分类检查: scores out of 100 (≥ 90 passes), the case a fail opened, the card."""

    permission_classes = [SortingReaders]
    serializer_class = s.SortingInspectionSerializer
    filterset_class = InspectionFilter

    def get_queryset(self):
        rows = Inspection.objects.select_related(
            "community", "estate", "unit", "case", "card"
        ).prefetch_related("scores")
        return scope_by_community(rows, self.request.user)

    @extend_schema(
        request=s.SortingInspectionInputSerializer, responses={201: s.SortingInspectionSerializer}
    )
    def create(self, request):
        """Score an estate or a unit on the active score sheet (photos: the phone page)."""
        data = validated_input(s.SortingInspectionInputSerializer, request)
        estate = scoped_estate(request.user, data.get("estate"))
        unit = scoped_unit(request.user, data.get("unit"))
        point = None
        if data.get("point"):
            point = points_for(request.user).filter(pk=data["point"]).first()
            if point is None:
                raise ValidationError({"point": [_("没有找到该点位")]})
        scores = {row["item"]: row["points"] for row in data["scores"]}
        done = services.do_inspect(
            request.user, estate=estate, unit=unit, point=point, scores=scores, note=data["note"]
        )
        fresh = self.get_queryset().get(pk=done.inspection.pk)
        return Response(s.SortingInspectionSerializer(fresh).data, status=status.HTTP_201_CREATED)


class TemplateView(APIView):
    """检查评分表: the active score sheet with its items."""

    permission_classes = [SortingReaders]

    @extend_schema(responses={200: s.SortingTemplateSerializer, 404: ErrorSerializer})
    def get(self, request):
        template = services.active_template()
        if template is None:
            raise NotFound(_("还没有启用的检查评分表"))
        return Response(s.SortingTemplateSerializer(template).data)


def _floats(row):
    out = dict(row)
    for key in ("reduction_rate", "pass_rate", "pledged_rate"):
        out[key] = None if row[key] is None else float(row[key])
    return out


class ReportView(APIView):
    """垃圾分类报表: kilograms by category, 减量率, pass rate and grade, windows staffed, households
    pledged for a period (default this month), per 居村, estate or the whole street within the
    reader's scope."""

    permission_classes = [SortingReaders]

    @extend_schema(
        parameters=[s.SortingReportQuerySerializer], responses={200: s.SortingReportSerializer}
    )
    def get(self, request):
        query = s.SortingReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        last = query.validated_data.get("last") or today
        first = query.validated_data.get("first") or last.replace(day=1)
        if last < first:
            return Response({"last": [_("结束日期不能早于开始日期")]}, status=400)
        if (last - first) > datetime.timedelta(days=366):
            return Response({"last": [_("统计区间最长一年")]}, status=400)
        figures = reports.report(
            visible_communities(request.user), first, last, group=query.validated_data["group"]
        )
        data = {
            **figures,
            "rows": [_floats(r) for r in figures["rows"]],
            "total": _floats(figures["total"]) if figures["rows"] else None,
        }
        return Response(s.SortingReportSerializer(data).data)


# --- pledges and conventions --------------------------------------------------------------------


def scoped_household(user, pk, communities=None):
    """A household of the user's scope (or of `communities`), with what the services read."""
    if communities is None:
        communities = visible_communities(user)
    household = (
        green.households_in(communities)
        .select_related("address__micro_grid")
        .defer("address__micro_grid__geometry")
        .filter(pk=pk)
        .first()
    )
    if household is None:
        raise ValidationError({"household": [_("没有找到该户")]})
    return household


class PledgeViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """垃圾分类承诺书: households' pledges in the reader's scope, by 居村 and estate."""

    permission_classes = [SortingReaders]
    serializer_class = s.SortingPledgeSerializer
    filterset_class = PledgeFilter

    def get_queryset(self):
        rows = Pledge.objects.select_related("community", "estate", "household__address").order_by(
            "-signed_on", "-id"
        )
        return scope_by_community(rows, self.request.user)

    @extend_schema(
        request=s.SortingPledgeInputSerializer, responses={201: s.SortingPledgeSerializer}
    )
    def create(self, request):
        """Record a household's pledge (once per household)."""
        data = validated_input(s.SortingPledgeInputSerializer, request)
        household = scoped_household(request.user, data["household"])
        pledge = services.do_record_pledge(household, request.user, signed_on=data.get("signed_on"))
        fresh = self.get_queryset().get(pk=pledge.pk)
        return Response(s.SortingPledgeSerializer(fresh).data, status=status.HTTP_201_CREATED)


class ConventionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """居民公约: every version of the conventions of the estates in the reader's scope, newest
    version of each estate first (`is_current`); ?estate= gives one estate's versions."""

    permission_classes = [SortingReaders]
    serializer_class = s.SortingConventionSerializer
    filterset_class = ConventionFilter

    def get_queryset(self):
        latest = Convention.objects.filter(estate=OuterRef("estate")).order_by("-version")
        rows = (
            Convention.objects.select_related("community", "estate")
            .annotate(is_current=~Exists(latest.filter(version__gt=OuterRef("version"))))
            .order_by("community__code", "estate__name", "estate_id", "-version")
        )
        return scope_by_community(rows, self.request.user)

    @extend_schema(
        request=s.SortingConventionInputSerializer, responses={201: s.SortingConventionSerializer}
    )
    def create(self, request):
        """Adopt a new version of an estate's 居民公约 (earlier versions stay as adopted)."""
        data = validated_input(s.SortingConventionInputSerializer, request)
        estate = scoped_estate(request.user, data.pop("estate"))
        if "meeting" in data:
            data["meeting"] = Meeting.objects.filter(
                pk=data["meeting"], community_id=estate.community_id
            ).first()
            if data["meeting"] is None:
                raise ValidationError({"meeting": [_("没有找到该会议")]})
        convention = services.do_adopt_convention(estate, request.user, **data)
        fresh = self.get_queryset().get(pk=convention.pk)
        return Response(s.SortingConventionSerializer(fresh).data, status=status.HTTP_201_CREATED)


# --- green-account points (绿色账户) -------------------------------------------------------------


class PointsEntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """积分分录: the green-account entries of the households in the reader's scope, newest
    first; `signed` is the amount as the household sees it (+ earned, − redeemed)."""

    permission_classes = [SortingReaders]
    serializer_class = s.SortingPointsEntrySerializer
    filterset_class = PointsEntryFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PointsEntry.objects.none()
        return green.scope_entries(green.entries(), self.request.user).order_by("-at", "-id")


class BalanceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """积分余额: each household's balance (the list: households with an account; one household
    by its id, 0 if it never earned)."""

    permission_classes = [SortingReaders]
    serializer_class = s.SortingBalanceSerializer

    def get_queryset(self):
        rows = green.households_in(visible_communities(self.request.user))
        if self.action == "list":
            rows = rows.filter(green_account__isnull=False)
        return (
            green.with_balance(rows)
            .select_related("address__micro_grid__parent")
            .defer("address__micro_grid__geometry", "address__micro_grid__parent__geometry")
            .order_by("address__normalized", "id")
        )


class RewardViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """兑换礼品: the goods list (items that may be redeemed now, with their price in points)."""

    permission_classes = [SortingReaders]
    serializer_class = s.SortingRewardSerializer
    pagination_class = None

    def get_queryset(self):
        return services.active_rewards()


def _posted(entry):
    fresh = green.entries().get(pk=entry.pk)
    return {"entry": fresh, "balance": green.balance_of(fresh.household_id)}


class AwardView(APIView):
    """Points to a household for a verified correct drop-off (正确投放): by the guide on duty
    (its shift, or the one they stand now) for a household of the point's 居村, or by 居委 and
    street staff within their scope."""

    permission_classes = [SortingReadersAndGuides]

    @extend_schema(
        request=s.SortingAwardInputSerializer,
        responses={201: s.SortingPostedSerializer, 409: ErrorSerializer},
    )
    def post(self, request):
        data = validated_input(s.SortingAwardInputSerializer, request)
        user = request.user
        shift = None
        editor = user.effective_role in SORTING_EDIT_ROLES
        if data.get("shift"):
            shift = GuideShift.objects.select_related("guide").filter(pk=data["shift"]).first()
            mine = shift is not None and shift.guide is not None and shift.guide.user_id == user.pk
            if not mine and not (editor and shift and may_see_community(user, shift.community_id)):
                raise ValidationError({"shift": [_("没有找到该班次")]})
        elif not editor:
            shift = green.on_duty_shift(user)
            if shift is None:
                return conflict(IllegalTransition(_("只有值守中的指导员可以记录积分")))
        if shift is not None and shift.guide is not None and shift.guide.user_id == user.pk:
            # The guide on duty awards households of the point's 居村.
            communities = Grid.objects.filter(pk=shift.community_id)
        else:
            communities = visible_communities(user)
        household = scoped_household(user, data["household"], communities)
        try:
            entry = services.do_award_points(
                household, user, amount=data["amount"], shift=shift, note=data["note"]
            )
        except IllegalTransition as exc:
            return conflict(exc)
        return Response(
            s.SortingPostedSerializer(_posted(entry)).data, status=status.HTTP_201_CREATED
        )


class RedeemView(APIView):
    """Redeem a household's points for items of the goods list (兑换), never more than its
    balance: too few points is a 400 on `items` and nothing is written."""

    permission_classes = [SortingReaders]

    @extend_schema(
        request=s.SortingRedeemInputSerializer, responses={201: s.SortingPostedSerializer}
    )
    def post(self, request):
        data = validated_input(s.SortingRedeemInputSerializer, request)
        household = scoped_household(request.user, data["household"])
        entry = services.do_redeem_goods(
            household,
            request.user,
            items=[(line["reward"], line["quantity"]) for line in data["items"]],
        )
        return Response(
            s.SortingPostedSerializer(_posted(entry)).data, status=status.HTTP_201_CREATED
        )
