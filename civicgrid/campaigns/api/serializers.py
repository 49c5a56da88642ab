"""The 创建/创评 programme as the API gives it (names prefixed Campaigns*: projects has its own
Campaign). Input bodies are checked here and handed to the services, which do every write."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicgrid.campaigns.choices import StructureState
from civicgrid.campaigns.models import (
    Assignment,
    Campaign,
    CampaignAction,
    ChecklistItem,
    Checkpoint,
    IllegalStructure,
    Inspection,
    InspectionResult,
    InspectionRound,
)


class CampaignsItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "kind", "name", "description", "order", "is_active"]


class CampaignsActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignAction
        fields = ["id", "name", "owner", "order"]


class CampaignsCampaignSerializer(serializers.ModelSerializer):
    items = CampaignsItemSerializer(many=True, read_only=True)
    actions = CampaignsActionSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "level",
            "starts_on",
            "ends_on",
            "review_on",
            "re_review_on",
            "target_percent",
            "is_active",
            "items",
            "actions",
        ]


class CampaignsCheckpointSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name", read_only=True)
    community_code = serializers.CharField(source="community.code", read_only=True)

    class Meta:
        model = Checkpoint
        fields = [
            "id",
            "campaign",
            "kind",
            "name",
            "address",
            "lon",
            "lat",
            "community",
            "community_code",
            "owner_kind",
            "owner_name",
            "is_active",
        ]


class CampaignsRoundSerializer(serializers.ModelSerializer):
    assignments = serializers.IntegerField(source="assignment_count", read_only=True)
    inspected = serializers.IntegerField(source="inspection_count", read_only=True)

    class Meta:
        model = InspectionRound
        fields = [
            "id",
            "campaign",
            "kind",
            "number",
            "starts_on",
            "ends_on",
            "state",
            "assignments",
            "inspected",
        ]


class CampaignsAssignmentSerializer(serializers.ModelSerializer):
    checkpoint = CampaignsCheckpointSerializer(read_only=True)
    round_number = serializers.IntegerField(source="round.number", read_only=True)
    inspected = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "round", "round_number", "checkpoint", "is_recheck", "inspected"]

    def get_inspected(self, obj) -> bool:
        return hasattr(obj, "inspection")


class CampaignsResultSerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True)
    case_number = serializers.CharField(
        source="case.number", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = InspectionResult
        fields = ["item", "item_name", "passed", "note", "case", "case_number", "recheck_of"]


class CampaignsInspectionSerializer(serializers.ModelSerializer):
    results = CampaignsResultSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "assignment",
            "round",
            "checkpoint",
            "inspected_at",
            "passed_count",
            "item_count",
            "note",
            "results",
        ]


class CampaignsResultInputSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    passed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class CampaignsInspectInputSerializer(serializers.Serializer):
    results = CampaignsResultInputSerializer(
        many=True, help_text=_("每个测评项：合格与否；不合格须写明情况")
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class CampaignsReadinessSerializer(serializers.Serializer):
    """Share passing in each checkpoint's latest inspection, by kind and item; the trend."""

    percent = serializers.FloatField(allow_null=True)
    checkpoints = serializers.IntegerField()
    inspected = serializers.IntegerField()
    ready = serializers.IntegerField()
    by_kind = serializers.ListField(child=serializers.DictField())
    items = serializers.ListField(child=serializers.DictField())
    trend = serializers.ListField(child=serializers.DictField())
    repeats = serializers.ListField(child=serializers.DictField())


class CampaignsStructureSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = IllegalStructure
        fields = [
            "id",
            "community",
            "community_name",
            "address",
            "description",
            "area_m2",
            "state",
            "found_on",
            "changed_at",
        ]
        read_only_fields = ["state", "changed_at"]


class CampaignsStructureCreateSerializer(serializers.Serializer):
    community = serializers.IntegerField()
    address = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=300)
    area_m2 = serializers.CharField(max_length=20, help_text=_("面积（平方米）"))
    found_on = serializers.DateField()


class CampaignsMoveSerializer(serializers.Serializer):
    to_state = serializers.ChoiceField(choices=StructureState.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
