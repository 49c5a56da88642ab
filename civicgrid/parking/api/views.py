"""Shared parking's REST endpoints: spaces, vehicles (plates masked), the 业委会's rules,
offers (publish, withdraw), bookings (book, confirm, cancel, arrive, leave, 未到, 超时占用),
congestion, escalations and the indicators. Staff see the rows of their 居村 (parking.scoping);
a resident sees the offers open to their households' estates and the bookings of their
households and of their spaces. Every write is a service."""

from django.db.models import Q
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.accounts.policy import PARKING_RESIDENT_ROLES, PARKING_VIEW_ROLES
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.api import validated_input
from civicgrid.core.openapi import ErrorSerializer
from civicgrid.estates.models import Estate
from civicgrid.parking import reports, services
from civicgrid.parking.api import serializers as s
from civicgrid.parking.filters import BookingFilter, CongestionFilter, OfferFilter, SpaceFilter
from civicgrid.parking.models import (
    Booking,
    CongestionReport,
    Offer,
    RuleSet,
    Space,
    Vehicle,
)
from civicgrid.parking.scoping import scope_rows, visible_communities
from civicgrid.registry.models import Household


class StaffReaders(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看错峰共享停车")

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view)
            and request.user.effective_role in PARKING_VIEW_ROLES
        )


class Readers(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看错峰共享停车")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and (
            request.user.effective_role in PARKING_VIEW_ROLES | PARKING_RESIDENT_ROLES
        )


def _is_resident(user) -> bool:
    return user.effective_role in PARKING_RESIDENT_ROLES


def _field_error(field, message):
    raise exceptions.ValidationError({field: [message]})


def _conflict(error):
    return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)


def visible_estates(user):
    communities = visible_communities(user)
    estates = Estate.objects.all()
    return estates if communities is None else estates.filter(community__in=communities)


class SpaceViewSet(viewsets.ReadOnlyModelViewSet):
    """车位 of the estates (and outside units) in the reader's 居村."""

    queryset = Space.objects.none()  # the schema's model; get_queryset scopes
    permission_classes = [StaffReaders]
    serializer_class = s.SpaceSerializer
    filterset_class = SpaceFilter

    def get_queryset(self):
        qs = Space.objects.select_related("estate", "community").order_by(
            "community_id", "unit_name", "code", "id"
        )
        return scope_rows(qs, self.request.user)


class VehicleViewSet(viewsets.ReadOnlyModelViewSet):
    """在册车辆, plates masked."""

    queryset = Vehicle.objects.none()  # the schema's model; get_queryset scopes
    permission_classes = [StaffReaders]
    serializer_class = s.VehicleSerializer
    filterset_fields = ["estate", "is_active"]

    def get_queryset(self):
        qs = Vehicle.objects.select_related("estate").order_by("estate_id", "id")
        return scope_rows(qs, self.request.user)


class RuleSetViewSet(viewsets.ReadOnlyModelViewSet):
    """The 业委会's rules, every version (newest first per estate)."""

    queryset = RuleSet.objects.none()  # the schema's model; get_queryset scopes
    permission_classes = [StaffReaders]
    serializer_class = s.RuleSetSerializer
    filterset_fields = ["estate"]

    def get_queryset(self):
        return scope_rows(
            RuleSet.objects.order_by("estate_id", "-version"),
            self.request.user,
            "estate__community",
        )


def _offers_for(user):
    qs = Offer.objects.select_related("space", "space__estate").prefetch_related("estates")
    if _is_resident(user):
        mine = services.my_households(user)
        return qs.filter(
            Q(estates__in=mine.values("address__estate")) | Q(space__holder__in=mine)
        ).distinct()
    return scope_rows(qs, user)


class OfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """共享时段: a resident sees those open to their estates and their own; staff their 居村's."""

    queryset = Offer.objects.none()  # the schema's model; get_queryset scopes
    permission_classes = [Readers]
    serializer_class = s.OfferSerializer
    filterset_class = OfferFilter

    def get_queryset(self):
        return _offers_for(self.request.user).order_by("-first_day", "id")

    @extend_schema(request=s.OfferCreateSerializer, responses={201: s.OfferSerializer})
    def create(self, request):
        """Share a space in a recurring window (the holder, or the 居委 for a public space)."""
        data = validated_input(s.OfferCreateSerializer, request)
        user = request.user
        if _is_resident(user):
            spaces = Space.objects.filter(holder__in=services.my_households(user))
        else:
            spaces = scope_rows(Space.objects.all(), user)
        space = spaces.filter(pk=data.pop("space")).first()
        if space is None:
            _field_error("space", gettext_lazy("没有这个车位，或您不能共享它"))
        estate_ids = data.pop("estates", None)
        estates = None
        if estate_ids:
            estates = list(Estate.objects.filter(pk__in=estate_ids))
            if len(estates) != len(set(estate_ids)):
                _field_error("estates", gettext_lazy("小区不存在"))
        offer = services.do_offer(user, space=space, estates=estates, **data)
        return Response(s.OfferSerializer(offer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.OfferSerializer, 409: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, format=None):
        """Withdraw the offer; bookings not yet started are cancelled."""
        offer = self.get_object()
        try:
            services.do_withdraw_offer(request.user, offer)
        except IllegalTransition as error:
            return _conflict(error)
        offer.refresh_from_db()
        return Response(s.OfferSerializer(offer).data)


def _bookings_for(user):
    qs = Booking.objects.select_related("space", "space__estate", "vehicle")
    if _is_resident(user):
        mine = services.my_households(user)
        return qs.filter(Q(household__in=mine) | Q(space__holder__in=mine))
    communities = visible_communities(user)
    if communities is None:
        return qs
    return qs.filter(Q(space__community__in=communities) | Q(community__in=communities))


class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """预约 and their steps. Each step answers the booking as it left it; a step the booking's
    state does not allow is a 409."""

    queryset = Booking.objects.none()  # the schema's model; get_queryset scopes
    permission_classes = [Readers]
    serializer_class = s.BookingSerializer
    filterset_class = BookingFilter

    def get_queryset(self):
        return _bookings_for(self.request.user).order_by("-starts_at", "-id")

    @extend_schema(request=s.BookingCreateSerializer, responses={201: s.BookingSerializer})
    def create(self, request):
        """Book a slot of an offer for a household (a resident: one of theirs)."""
        data = validated_input(s.BookingCreateSerializer, request)
        user = request.user
        offer = _offers_for(user).filter(pk=data["offer"]).first()
        if offer is None:
            _field_error("offer", gettext_lazy("没有这个共享时段，或它不对您开放"))
        if _is_resident(user):
            households = services.my_households(user)
        else:
            households = Household.objects.filter(address__estate__in=visible_estates(user))
        household = (
            households.select_related("address__estate").filter(pk=data["household"]).first()
        )
        if household is None:
            _field_error("household", gettext_lazy("没有这一户，或您不能为它预约"))
        vehicle = None
        if data.get("vehicle"):
            vehicle = Vehicle.objects.filter(pk=data["vehicle"], household=household).first()
            if vehicle is None:
                _field_error("vehicle", gettext_lazy("该车辆不属于本户"))
        done = services.do_book(
            user,
            offer=offer,
            household=household,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            vehicle=vehicle,
        )
        return Response(s.BookingSerializer(done.booking).data, status=status.HTTP_201_CREATED)

    def _step(self, request, function, **kwargs):
        booking = self.get_object()
        try:
            function(request.user, booking, **kwargs)
        except IllegalTransition as error:
            return _conflict(error)
        return Response(s.BookingSerializer(self.get_queryset().get(pk=booking.pk)).data)

    @extend_schema(request=None, responses={200: s.BookingSerializer, 409: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None, format=None):
        """The holder confirms a request."""
        return self._step(request, services.do_confirm)

    @extend_schema(
        request=s.BookingCancelSerializer,
        responses={200: s.BookingSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None, format=None):
        """Cancel a booking that has not started."""
        data = validated_input(s.BookingCancelSerializer, request)
        return self._step(request, services.do_cancel, note=data.get("note", ""))

    @extend_schema(request=None, responses={200: s.BookingSerializer, 409: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None, format=None):
        """The car is in the space."""
        return self._step(request, services.do_arrive)

    @extend_schema(request=None, responses={200: s.BookingSerializer, 409: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None, format=None):
        """The car has left."""
        return self._step(request, services.do_leave)

    @extend_schema(request=None, responses={200: s.BookingSerializer, 409: ErrorSerializer})
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None, format=None):
        """未到: the car did not come (the gate)."""
        return self._step(request, services.do_mark_no_show)

    @extend_schema(request=None, responses={200: s.BookingSerializer, 409: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def overstay(self, request, pk=None, format=None):
        """超时占用: the car is still there after the end and the grace (the gate)."""
        return self._step(request, services.do_mark_overstay)

    @extend_schema(responses={200: s.BookingEventSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None, format=None):
        """The booking's steps, oldest first."""
        booking = self.get_object()
        return Response(
            s.BookingEventSerializer(booking.events.order_by("at", "id"), many=True).data
        )


class CongestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """拥堵记录 of the reader's estates."""

    queryset = CongestionReport.objects.none()  # the schema's model; get_queryset scopes
    permission_classes = [StaffReaders]
    serializer_class = s.CongestionReportSerializer
    filterset_class = CongestionFilter

    def get_queryset(self):
        qs = CongestionReport.objects.select_related("estate").order_by("-at", "-id")
        return scope_rows(qs, self.request.user)

    @extend_schema(
        request=s.CongestionReportCreateSerializer, responses={201: s.CongestionReportSerializer}
    )
    def create(self, request):
        """Log a jam: when, where, how long."""
        data = validated_input(s.CongestionReportCreateSerializer, request)
        estate = visible_estates(request.user).filter(pk=data.pop("estate")).first()
        if estate is None:
            _field_error("estate", gettext_lazy("该小区不在您的管辖范围内"))
        row = services.do_log_congestion(request.user, estate=estate, **data)
        return Response(s.CongestionReportSerializer(row).data, status=status.HTTP_201_CREATED)


class EscalationView(APIView):
    """An overstay or a dispute: to a 停车难 case, or to the coordination meeting."""

    permission_classes = [StaffReaders]

    @extend_schema(
        request=s.ParkingEscalationCreateSerializer, responses={201: s.ParkingEscalationSerializer}
    )
    def post(self, request):
        data = validated_input(s.ParkingEscalationCreateSerializer, request)
        estate = visible_estates(request.user).filter(pk=data["estate"]).first()
        if estate is None:
            _field_error("estate", gettext_lazy("该小区不在您的管辖范围内"))
        booking = None
        if data.get("booking"):
            booking = _bookings_for(request.user).filter(pk=data["booking"]).first()
            if booking is None:
                _field_error("booking", gettext_lazy("没有这个预约"))
        row = services.do_escalate(
            request.user,
            estate=estate,
            kind=data["kind"],
            description=data["description"],
            booking=booking,
        )
        return Response(s.ParkingEscalationSerializer(row).data, status=status.HTTP_201_CREATED)


class ReportView(APIView):
    """The indicators over the reader's estates (default: this year so far)."""

    permission_classes = [StaffReaders]

    @extend_schema(
        parameters=[s.ParkingReportQuerySerializer],
        responses={200: s.ParkingReportSerializer, 403: ErrorSerializer},
    )
    def get(self, request):
        query = s.ParkingReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        figures = reports.report(
            request.user, query.validated_data.get("first"), query.validated_data.get("last")
        )
        return Response(s.ParkingReportSerializer(figures).data)
