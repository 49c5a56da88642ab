"""The garbage-sorting ledger as the API shows it and the bodies its writes take. Writes go
through sorting.services; these serializers only read input and shape output."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from civicgrid.sorting import services
from civicgrid.sorting.choices import PointKind, PointState, WasteCategory
from civicgrid.sorting.models import (
    Convention,
    DropOffPoint,
    GuideShift,
    Inspection,
    InspectionScore,
    InspectionTemplate,
    Pledge,
    PointsEntry,
    Reward,
    TemplateItem,
    Weighing,
)


# A clock time of day (07:00:00), with no UTC offset: OpenAPI's "time" format (RFC 3339) would
# demand one, so the schema describes the shape DRF reads and writes instead.
@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        "example": "07:00",
    }
)
class ClockTimeField(serializers.TimeField):
    pass


class SortingWindowSerializer(serializers.Serializer):
    start = ClockTimeField()
    end = ClockTimeField()


class SortingPointSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name", read_only=True)
    estate_name = serializers.CharField(
        source="estate.name", read_only=True, default=None, allow_null=True
    )
    unit_name = serializers.CharField(
        source="unit.name", read_only=True, default=None, allow_null=True
    )
    micro_grid = serializers.CharField(source="micro_grid.code", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    windows = SortingWindowSerializer(many=True, read_only=True)

    class Meta:
        model = DropOffPoint
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "state",
            "state_label",
            "community",
            "estate",
            "estate_name",
            "unit",
            "unit_name",
            "micro_grid",
            "lon",
            "lat",
            "households_served",
            "bins_recyclable",
            "bins_hazardous",
            "bins_wet",
            "bins_dry",
            "rebuilt_on",
            "merged_into",
            "windows",
        ]
        read_only_fields = fields


class SortingPointInputSerializer(serializers.Serializer):
    estate = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    unit = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=PointKind.choices)
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    households_served = serializers.IntegerField(required=False, min_value=0, max_value=100_000)
    bins_recyclable = serializers.IntegerField(required=False, min_value=0, max_value=100)
    bins_hazardous = serializers.IntegerField(required=False, min_value=0, max_value=100)
    bins_wet = serializers.IntegerField(required=False, min_value=0, max_value=100)
    bins_dry = serializers.IntegerField(required=False, min_value=0, max_value=100)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class SortingWindowsInputSerializer(serializers.Serializer):
    windows = SortingWindowSerializer(many=True, max_length=services.MAX_WINDOWS)


class SortingStateInputSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[PointState.IN_USE, PointState.MERGED])
    merged_into = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class SortingShiftSerializer(serializers.ModelSerializer):
    point_name = serializers.CharField(source="point.name", read_only=True)
    guide_name = serializers.CharField(
        source="guide.name", read_only=True, default=None, allow_null=True
    )
    start = ClockTimeField(read_only=True)
    end = ClockTimeField(read_only=True)
    status = serializers.SerializerMethodField(help_text=_("unfilled 缺岗、missed 漏岗或班次状态"))

    class Meta:
        model = GuideShift
        fields = [
            "id",
            "point",
            "point_name",
            "day",
            "start",
            "end",
            "guide",
            "guide_name",
            "state",
            "status",
            "checked_in_at",
            "checked_out_at",
            "households_guided",
            "wrong_drops",
            "note",
        ]
        read_only_fields = fields

    def get_status(self, shift) -> str:
        return services.shift_status(shift)


class SortingCheckOutInputSerializer(serializers.Serializer):
    households_guided = serializers.IntegerField(min_value=0, max_value=10_000, default=0)
    wrong_drops = serializers.IntegerField(min_value=0, max_value=10_000, default=0)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class SortingWeighingSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name", read_only=True)
    subject = serializers.SerializerMethodField()
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = Weighing
        fields = [
            "id",
            "day",
            "community",
            "estate",
            "unit",
            "subject",
            "category",
            "category_label",
            "kg",
            "hauler",
            "refused_mixed",
            "note",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_subject(self, weighing) -> str:
        return str(weighing.estate or weighing.unit)


class SortingWeighingInputSerializer(serializers.Serializer):
    estate = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    unit = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    day = serializers.DateField()
    category = serializers.ChoiceField(choices=WasteCategory.choices)
    kg = serializers.DecimalField(max_digits=12, decimal_places=2, help_text=_("公斤，须大于 0"))
    hauler = serializers.CharField(max_length=100)
    refused_mixed = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class SortingTemplateItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = TemplateItem
        fields = ["id", "name", "max_points", "is_purity", "order"]


class SortingTemplateSerializer(serializers.ModelSerializer):
    items = SortingTemplateItemSerializer(many=True, read_only=True)

    class Meta:
        model = InspectionTemplate
        fields = ["id", "name", "version", "items"]


class SortingScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionScore
        fields = ["item", "max_points", "points", "is_purity"]


class SortingInspectionSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name", read_only=True)
    subject = serializers.SerializerMethodField()
    case_number = serializers.CharField(
        source="case.number", read_only=True, default=None, allow_null=True
    )
    card = serializers.SerializerMethodField(help_text=_("yellow 黄牌、red 红牌或空"))
    scores = SortingScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "inspected_at",
            "community",
            "estate",
            "unit",
            "subject",
            "point",
            "score",
            "passed",
            "reinspection_of",
            "reinspect_by",
            "case_number",
            "card",
            "note",
            "scores",
        ]
        read_only_fields = fields

    def get_subject(self, inspection) -> str:
        return str(inspection.estate or inspection.unit)

    def get_card(self, inspection) -> str | None:
        card = getattr(inspection, "card", None)
        return card.colour if card is not None else None


class SortingItemScoreInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, help_text=_("评分项编号"))
    points = serializers.IntegerField(min_value=0, max_value=100)


class SortingInspectionInputSerializer(serializers.Serializer):
    estate = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    unit = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    point = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    scores = SortingItemScoreInputSerializer(many=True, max_length=50)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class SortingReportQuerySerializer(serializers.Serializer):
    first = serializers.DateField(required=False, help_text=_("默认本月1日"))
    last = serializers.DateField(required=False, help_text=_("默认今天"))
    group = serializers.ChoiceField(choices=["street", "community", "estate"], default="community")


class SortingReportRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    kg = serializers.DictField(child=serializers.DecimalField(max_digits=14, decimal_places=2))
    kg_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    refused = serializers.IntegerField(help_text=_("混装拒收车次"))
    baseline_kg = serializers.DecimalField(max_digits=14, decimal_places=2)
    dry_kg = serializers.DecimalField(max_digits=14, decimal_places=2)
    reduction_rate = serializers.FloatField(allow_null=True, help_text=_("减量率（0–1）"))
    inspected = serializers.IntegerField()
    passed = serializers.IntegerField()
    pass_rate = serializers.FloatField(allow_null=True)
    grade = serializers.CharField(allow_null=True)
    shifts = serializers.IntegerField()
    staffed = serializers.IntegerField()
    unfilled = serializers.IntegerField()
    missed = serializers.IntegerField()
    households = serializers.IntegerField()
    pledged = serializers.IntegerField()
    pledged_rate = serializers.FloatField(allow_null=True)


class SortingReportSerializer(serializers.Serializer):
    first = serializers.DateField()
    last = serializers.DateField()
    group = serializers.CharField()
    rows = SortingReportRowSerializer(many=True)
    total = SortingReportRowSerializer(allow_null=True)


# --- pledges and conventions --------------------------------------------------------------------


class SortingPledgeSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name", read_only=True)
    estate_name = serializers.CharField(
        source="estate.name", read_only=True, default=None, allow_null=True
    )
    address = serializers.CharField(source="household.address.normalized", read_only=True)

    class Meta:
        model = Pledge
        fields = ["id", "household", "address", "community", "estate", "estate_name", "signed_on"]
        read_only_fields = fields


class SortingPledgeInputSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1, help_text=_("户编号"))
    signed_on = serializers.DateField(required=False, help_text=_("默认今天"))


class SortingConventionSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name", read_only=True)
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    is_current = serializers.BooleanField(read_only=True, help_text=_("是否为该小区的现行版本"))

    class Meta:
        model = Convention
        fields = [
            "id",
            "estate",
            "estate_name",
            "community",
            "version",
            "is_current",
            "title",
            "text",
            "adopted_on",
            "adopted_at",
            "meeting",
        ]
        read_only_fields = fields


class SortingConventionInputSerializer(serializers.Serializer):
    estate = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=100)
    text = serializers.CharField(max_length=5000)
    adopted_on = serializers.DateField(required=False, help_text=_("默认为所选会议的召开日期"))
    adopted_at = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    meeting = serializers.IntegerField(
        min_value=1, required=False, help_text=_("通过该公约的三会会议编号（须已召开）")
    )


# --- green-account points (绿色账户) -------------------------------------------------------------


class SortingPointsEntrySerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    signed = serializers.IntegerField(
        read_only=True, help_text=_("该户视角的积分变动：获得为正，兑换为负")
    )
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = PointsEntry
        fields = [
            "id",
            "at",
            "household",
            "reason",
            "reason_label",
            "amount",
            "signed",
            "note",
            "shift",
        ]
        read_only_fields = fields


class SortingBalanceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", help_text=_("户编号"))
    household = serializers.IntegerField(source="pk", help_text=_("户编号"))
    address = serializers.CharField(source="address.normalized")
    community = serializers.CharField(source="address.micro_grid.parent.name")
    points = serializers.IntegerField(help_text=_("积分余额"))


class SortingAwardInputSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1, help_text=_("户编号"))
    amount = serializers.IntegerField(
        min_value=1, max_value=services.MAX_POINTS_PER_ENTRY, default=1
    )
    shift = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text=_("指导员值守中的班次")
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class SortingRedeemLineSerializer(serializers.Serializer):
    reward = serializers.IntegerField(min_value=1, help_text=_("礼品编号"))
    quantity = serializers.IntegerField(min_value=1, max_value=services.MAX_REWARD_QUANTITY)


class SortingRedeemInputSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1, help_text=_("户编号"))
    items = SortingRedeemLineSerializer(many=True, min_length=1, max_length=20)


class SortingRewardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reward
        fields = ["id", "name", "points"]
        read_only_fields = fields


class SortingPostedSerializer(serializers.Serializer):
    entry = SortingPointsEntrySerializer()
    balance = serializers.IntegerField(help_text=_("该户过账后的积分余额"))
