"""Shared parking as the API gives it: plates masked, holders as household ids only (their
addresses are personal data); input bodies are checked here and handed to the services, which do
every write."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from civicgrid.parking.choices import Days, EscalationKind
from civicgrid.parking.models import (
    Booking,
    BookingEvent,
    CongestionReport,
    Offer,
    RuleSet,
    Space,
    Vehicle,
    mask_plate,
)


# A clock time of day (08:00), with no UTC offset: OpenAPI's "time" format (RFC 3339) would demand
# one, so the schema describes the shape DRF reads and writes instead (as sorting's windows do).
@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        "example": "08:00",
    }
)
class ClockTimeField(serializers.TimeField):
    pass


class SpaceSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True, default=None)
    community = serializers.CharField(source="community.name", read_only=True)
    holder = serializers.IntegerField(
        source="holder_id", read_only=True, allow_null=True, help_text=_("持有户（户的编号）")
    )

    class Meta:
        model = Space
        fields = [
            "id",
            "code",
            "kind",
            "estate",
            "estate_name",
            "unit_name",
            "community",
            "holder",
            "is_active",
        ]


class VehicleSerializer(serializers.ModelSerializer):
    plate = serializers.SerializerMethodField(help_text=_("车牌号（脱敏）"))
    estate_name = serializers.CharField(source="estate.name", read_only=True)

    class Meta:
        model = Vehicle
        fields = ["id", "plate", "household", "estate", "estate_name", "since", "is_active"]

    def get_plate(self, obj) -> str:
        return mask_plate(obj.plate)


class RuleSetSerializer(serializers.ModelSerializer):
    class Meta:
        model = RuleSet
        fields = [
            "id",
            "estate",
            "committee",
            "version",
            "effective_from",
            "slot_minutes",
            "weekly_cap_hours",
            "grace_minutes",
            "strikes_to_suspend",
            "strike_window_days",
            "suspend_days",
            "overstay_notice",
            "adopted_at",
        ]


class OfferSerializer(serializers.ModelSerializer):
    space_code = serializers.CharField(source="space.code", read_only=True)
    place = serializers.CharField(source="space.place", read_only=True)
    start_time = ClockTimeField(format="%H:%M", help_text=_("HH:MM，上海时间"))
    end_time = ClockTimeField(format="%H:%M", help_text=_("HH:MM，上海时间；不晚于开始时间即跨夜"))

    class Meta:
        model = Offer
        fields = [
            "id",
            "space",
            "space_code",
            "place",
            "estates",
            "first_day",
            "last_day",
            "days",
            "start_time",
            "end_time",
            "auto_confirm",
            "withdrawn_at",
        ]


class OfferCreateSerializer(serializers.Serializer):
    space = serializers.IntegerField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    days = serializers.ChoiceField(choices=Days.choices)
    start_time = ClockTimeField()
    end_time = ClockTimeField()
    estates = serializers.ListField(child=serializers.IntegerField(), required=False)
    auto_confirm = serializers.BooleanField(default=True)


class BookingSerializer(serializers.ModelSerializer):
    space_code = serializers.CharField(source="space.code", read_only=True)
    place = serializers.CharField(source="space.place", read_only=True)
    plate = serializers.SerializerMethodField(help_text=_("车牌号（脱敏）"))

    class Meta:
        model = Booking
        fields = [
            "id",
            "offer",
            "space",
            "space_code",
            "place",
            "household",
            "estate",
            "plate",
            "starts_at",
            "ends_at",
            "state",
            "created_at",
            "arrived_at",
            "left_at",
        ]

    def get_plate(self, obj) -> str | None:
        return mask_plate(obj.vehicle.plate) if obj.vehicle_id else None


class BookingCreateSerializer(serializers.Serializer):
    offer = serializers.IntegerField()
    household = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    vehicle = serializers.IntegerField(required=False, allow_null=True)


class BookingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = BookingEvent
        fields = ["id", "booking", "from_state", "to_state", "note", "at"]


class BookingCancelSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class CongestionReportSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)

    class Meta:
        model = CongestionReport
        fields = ["id", "estate", "estate_name", "at", "place", "minutes", "reporter_name"]
        read_only_fields = fields


class CongestionReportCreateSerializer(serializers.Serializer):
    estate = serializers.IntegerField()
    at = serializers.DateTimeField()
    place = serializers.CharField(max_length=100)
    minutes = serializers.IntegerField(min_value=1, max_value=1440)
    reporter_name = serializers.CharField(max_length=50, required=False, allow_blank=True)


class ParkingEscalationCreateSerializer(serializers.Serializer):
    estate = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EscalationKind.choices)
    description = serializers.CharField(max_length=500)
    booking = serializers.IntegerField(required=False, allow_null=True)


class ParkingEscalationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    estate = serializers.IntegerField(source="estate_id")
    kind = serializers.ChoiceField(choices=EscalationKind.choices)
    description = serializers.CharField()
    case = serializers.CharField(source="case.number", default=None, help_text=_("案件编号"))
    meeting = serializers.IntegerField(
        source="meeting_id", allow_null=True, help_text=_("协调会（三会）编号")
    )
    at = serializers.DateTimeField()


class ParkingRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("estate", "estate"), ("unit", "unit")])
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    community = serializers.CharField()
    vehicles = serializers.IntegerField(allow_null=True)
    spaces = serializers.IntegerField()
    cars_per_space = serializers.FloatField(allow_null=True, help_text=_("车位比：在册车辆 ÷ 车位"))
    sharing_holders = serializers.IntegerField(help_text=_("发布共享的持有户数"))
    shares = serializers.IntegerField(help_text=_("共享次数（车辆已停入的预约）"))
    hours_offered = serializers.FloatField()
    hours_booked = serializers.FloatField()
    utilisation = serializers.FloatField(
        allow_null=True, help_text=_("利用率：预约小时 ÷ 共享小时")
    )
    no_shows = serializers.IntegerField()
    overstays = serializers.IntegerField()
    launch = serializers.DateField(allow_null=True)
    congestion_before = serializers.FloatField(
        allow_null=True, help_text=_("启用前30天日均拥堵次数")
    )
    congestion_after = serializers.FloatField(
        allow_null=True, help_text=_("统计期末30天日均拥堵次数")
    )


class ParkingTotalSerializer(serializers.Serializer):
    vehicles = serializers.IntegerField()
    spaces = serializers.IntegerField()
    cars_per_space = serializers.FloatField(allow_null=True)
    sharing_holders = serializers.IntegerField()
    shares = serializers.IntegerField()
    hours_offered = serializers.FloatField()
    hours_booked = serializers.FloatField()
    utilisation = serializers.FloatField(allow_null=True)
    no_shows = serializers.IntegerField()
    overstays = serializers.IntegerField()


class ParkingMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    shares = serializers.IntegerField()
    hours_booked = serializers.FloatField()


class ParkingReportSerializer(serializers.Serializer):
    first = serializers.DateField()
    last = serializers.DateField()
    rows = ParkingRowSerializer(many=True)
    total = ParkingTotalSerializer()
    monthly = ParkingMonthSerializer(many=True)


class ParkingReportQuerySerializer(serializers.Serializer):
    first = serializers.DateField(required=False)
    last = serializers.DateField(required=False)

    def validate(self, attrs):
        first, last = attrs.get("first"), attrs.get("last")
        if first and last and last < first:
            raise serializers.ValidationError({"last": _("结束日期不能早于开始日期")})
        if first and last and (last - first).days > 731:
            raise serializers.ValidationError({"last": _("统计期最长两年")})
        return attrs
