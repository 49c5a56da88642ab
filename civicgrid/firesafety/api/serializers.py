"""The rental houses as the API gives them: the landlord's phone masked, occupants counted from
the registry; input bodies are checked here and handed to the services, which do every write."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from civicgrid.firesafety.choices import HouseUse, Structure
from civicgrid.firesafety.models import CheckItem, Finding, Inspection, RentalHouse


class FireHouseSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="household.address.normalized", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    micro_grid_code = serializers.CharField(source="micro_grid.code", read_only=True)
    colour = serializers.CharField(
        read_only=True, help_text=_("green 绿码、yellow 黄码、red 红码；空为未评定")
    )
    occupants = serializers.SerializerMethodField(
        help_text=_("居住人数（实有人口中实际居住者和承租人）")
    )
    case = serializers.CharField(
        source="case.number", read_only=True, default=None, allow_null=True
    )
    # Declared so the schema admits "" (not yet recorded): a read-only model field loses it.
    structure = serializers.ChoiceField(choices=Structure.choices, allow_blank=True, read_only=True)

    class Meta:
        model = RentalHouse
        fields = [
            "id",
            "household",
            "address",
            "community",
            "community_name",
            "micro_grid_code",
            "floors",
            "area_m2",
            "structure",
            "rooms",
            "use",
            "occupants",
            "colour",
            "colour_since",
            "last_inspected_at",
            "next_inspection_due",
            "rectify_by",
            "escalated_at",
            "case",
            "is_active",
            "coded_at",
        ]
        read_only_fields = fields

    def get_occupants(self, obj) -> int:
        counts = self.context.get("occupants")
        if counts is None or obj.household_id not in counts:
            from civicgrid.firesafety.services import occupants

            counts = occupants([obj.household_id])
        return counts[obj.household_id]


class FireLandlordSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField(help_text=_("已脱敏"))
    start_date = serializers.DateField()


class FireHouseDetailSerializer(FireHouseSerializer):
    landlord = serializers.SerializerMethodField()

    class Meta(FireHouseSerializer.Meta):
        fields = [*FireHouseSerializer.Meta.fields, "landlord"]
        read_only_fields = fields

    @extend_schema_field(FireLandlordSerializer(allow_null=True))
    def get_landlord(self, obj):
        from civicgrid.firesafety.services import current_rental, landlord

        value = landlord(current_rental(obj.household))
        return FireLandlordSerializer(value).data if value else None


class FireCodeSerializer(serializers.Serializer):
    household = serializers.IntegerField(help_text=_("户（出租或群租）"))
    floors = serializers.IntegerField(required=False, allow_null=True)
    area_m2 = serializers.DecimalField(
        max_digits=8, decimal_places=1, required=False, allow_null=True
    )
    structure = serializers.ChoiceField(choices=Structure.choices, required=False, allow_blank=True)
    rooms = serializers.IntegerField(required=False, allow_null=True)
    use = serializers.ChoiceField(choices=HouseUse.choices, default=HouseUse.RESIDENTIAL)


class FireParticularsSerializer(serializers.Serializer):
    floors = serializers.IntegerField(required=False, allow_null=True)
    area_m2 = serializers.DecimalField(
        max_digits=8, decimal_places=1, required=False, allow_null=True
    )
    structure = serializers.ChoiceField(choices=Structure.choices, required=False, allow_blank=True)
    rooms = serializers.IntegerField(required=False, allow_null=True)
    use = serializers.ChoiceField(choices=HouseUse.choices, required=False)


class FireCheckItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckItem
        fields = ["id", "code", "name", "description", "severity", "order"]


class FireFindingSerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = Finding
        fields = ["item", "item_name", "severity", "note"]


class FireInspectionSerializer(serializers.ModelSerializer):
    findings = FireFindingSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "house",
            "inspected_at",
            "colour",
            "major_count",
            "minor_count",
            "occupants",
            "landlord_acknowledged",
            "acknowledged_by",
            "note",
            "rectify_by",
            "next_due",
            "findings",
        ]
        read_only_fields = fields


class FireHazardSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class FireInspectionCreateSerializer(serializers.Serializer):
    house = serializers.IntegerField()
    hazards = FireHazardSerializer(many=True, help_text=_("发现的隐患（未发现则为空列表）"))
    landlord_acknowledged = serializers.BooleanField()
    acknowledged_by = serializers.CharField(required=False, allow_blank=True, max_length=50)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class FireCoverageSerializer(serializers.Serializer):
    registered = serializers.IntegerField()
    coded = serializers.IntegerField()
    ratio = serializers.FloatField(allow_null=True)


class FireReportSerializer(serializers.Serializer):
    """Coverage (coded ÷ registered rental houses), houses by colour, per 居村 and over the last
    months, inspections due and overdue, median days from red to green, over the reader's scope."""

    coverage = FireCoverageSerializer()
    colours = serializers.DictField(child=serializers.IntegerField())
    villages = serializers.ListField(child=serializers.DictField())
    trend = serializers.DictField()
    median_red_to_green_days = serializers.FloatField(allow_null=True)
    due = serializers.IntegerField()
    overdue = serializers.IntegerField()
    overdue_reds = serializers.IntegerField()
    never = serializers.IntegerField()
