"""The 创建/创评 programme as the API gives it (names prefixed Campaigns*: projects has its own
Campaign). Input bodies are checked here and handed to the services, which do every write."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicgrid.campaigns.choices import StructureState
from civicgrid.campaigns.models import (
    Assignment,
    Campaign,
    CampaignAction,
    CampaignEvent,
    ChecklistItem,
    Checkpoint,
    CommunityCreation,
    CreationEvent,
    IllegalStructure,
    Inspection,
    InspectionResult,
    InspectionRound,
    StructureEvent,
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
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, help_text=_("照片（multipart）")
    )


class CampaignsMoveSerializer(serializers.Serializer):
    to_state = serializers.ChoiceField(choices=StructureState.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


# --- input bodies of the desk's writes (the services check every value again) ---------------------


class CampaignsCampaignInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    level = serializers.CharField(max_length=20, help_text=_("national、city、district 或 street"))
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    review_on = serializers.DateField(required=False, allow_null=True)
    re_review_on = serializers.DateField(required=False, allow_null=True)
    target_percent = serializers.IntegerField(required=False, default=90)
    is_active = serializers.BooleanField(required=False, default=True)


class CampaignsItemInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text=_("填写则修改该测评项"))
    kind = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=60)
    description = serializers.CharField(required=False, allow_blank=True, max_length=300)
    order = serializers.IntegerField(required=False, default=0)
    is_active = serializers.BooleanField(required=False, default=True)


class CampaignsActionInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text=_("填写则修改该创建行动"))
    name = serializers.CharField(max_length=60)
    owner = serializers.CharField(max_length=100)
    order = serializers.IntegerField(required=False, default=0)


class CampaignsEventSerializer(serializers.ModelSerializer):
    user = serializers.CharField(
        source="user.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = CampaignEvent
        fields = ["id", "subject", "object_id", "object_name", "changes", "user", "at"]


class CampaignsCheckpointInputSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(required=False, help_text=_("新建时必填"))
    kind = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    community = serializers.IntegerField()
    owner_kind = serializers.CharField(max_length=20)
    owner_name = serializers.CharField(max_length=100)
    is_active = serializers.BooleanField(required=False, default=True)


class CampaignsActiveSerializer(serializers.Serializer):
    is_active = serializers.BooleanField()


class CampaignsAssignmentInputSerializer(serializers.Serializer):
    checkpoint = serializers.IntegerField()
    inspector = serializers.IntegerField()


class CampaignsRoundInputSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    kind = serializers.CharField(required=False, default="weekly", max_length=20)
    assignments = CampaignsAssignmentInputSerializer(
        many=True, help_text=_("点位与督查人；上轮不合格的点位自动纳入复查")
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class CampaignsNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class CampaignsStructureEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = StructureEvent
        fields = ["from_state", "to_state", "note", "at"]


class CampaignsStructureDetailSerializer(CampaignsStructureSerializer):
    events = CampaignsStructureEventSerializer(many=True, read_only=True)
    photos = serializers.SerializerMethodField()

    class Meta(CampaignsStructureSerializer.Meta):
        fields = [*CampaignsStructureSerializer.Meta.fields, "events", "photos"]

    def get_photos(self, obj) -> list[str]:
        from django.urls import reverse

        return [reverse("campaigns:structure_photo", args=[p.pk]) for p in obj.photos.all()]


class CampaignsCreationEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreationEvent
        fields = ["from_status", "to_status", "note", "at"]


class CampaignsCreationSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    events = CampaignsCreationEventSerializer(many=True, read_only=True)

    class Meta:
        model = CommunityCreation
        fields = ["id", "community", "community_name", "status", "changed_at", "events"]


class CampaignsCreationInputSerializer(serializers.Serializer):
    community = serializers.IntegerField()
    status = serializers.CharField(max_length=20)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
