"""Flood duty as the API gives it; input bodies are checked here and handed to the services,
which do every write. Contacts' phones are not in the API (the point page shows them masked)."""

from rest_framework import serializers

from civicgrid.core.masking import mask_phone
from civicgrid.emergency.choices import (
    EmergencyKind,
    FindingOutcome,
    Level,
    PointKind,
    Risk,
    Supply,
    WorkKind,
    WorkState,
)
from civicgrid.emergency.models import (
    Drill,
    DrillFinding,
    EmergencyPlan,
    FloodPoint,
    FloodReport,
    FloodWork,
    LevelPlan,
    PointContact,
    Response,
    StockBalance,
    StockMovement,
    Store,
    Task,
    WorkChange,
)


class EmergencyWorkSerializer(serializers.ModelSerializer):
    class Meta:
        model = FloodWork
        fields = ["id", "kind", "name", "state", "capacity", "is_running", "running_since"]


class EmergencyPointSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    micro_grid_code = serializers.CharField(source="micro_grid.code", read_only=True)
    works = EmergencyWorkSerializer(many=True, read_only=True)

    class Meta:
        model = FloodPoint
        fields = [
            "id",
            "name",
            "kind",
            "community",
            "community_name",
            "micro_grid_code",
            "estate",
            "address",
            "lon",
            "lat",
            "risk",
            "households",
            "note",
            "is_active",
            "works",
        ]


class EmergencyResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Response
        fields = [
            "id",
            "kind",
            "level",
            "highest_level",
            "state",
            "reason",
            "started_at",
            "lifted_at",
        ]


class EmergencyRaiseSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EmergencyKind.choices)
    level = serializers.ChoiceField(choices=Level.choices)
    reason = serializers.CharField(max_length=300)


class EmergencyLevelSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class EmergencyNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class EmergencyTaskSerializer(serializers.ModelSerializer):
    point_name = serializers.CharField(
        source="point.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "kind",
            "title",
            "response",
            "drill",
            "point",
            "point_name",
            "assignee",
            "state",
            "due_at",
            "created_at",
            "done_at",
            "note",
        ]


class EmergencyReportSerializer(serializers.ModelSerializer):
    case = serializers.CharField(
        source="case.number", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = FloodReport
        fields = ["id", "response", "point", "depth_cm", "note", "case", "at"]


class EmergencyReportInputSerializer(serializers.Serializer):
    point = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    depth_cm = serializers.IntegerField(min_value=1, max_value=300)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class EmergencyBoardSerializer(serializers.Serializer):
    active = serializers.BooleanField()
    points = serializers.IntegerField()
    high_risk = serializers.IntegerField()
    response_id = serializers.IntegerField(required=False)
    kind = serializers.CharField(required=False)
    level = serializers.CharField(required=False)
    level_value = serializers.CharField(required=False)
    started_at = serializers.DateTimeField(required=False)
    reports = serializers.IntegerField(required=False)
    tasks = serializers.IntegerField(required=False)
    done = serializers.IntegerField(required=False)


# --- the register, stores, plans, drills: input bodies (the services check the values) ------------

_ID = {"min_value": 1, "max_value": 2**31 - 1}


def _text(max_length, **kwargs):
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", **kwargs
    )


class EmergencyPointInputSerializer(serializers.Serializer):
    name = _text(100)
    kind = serializers.ChoiceField(choices=PointKind.choices)
    micro_grid = serializers.IntegerField(**_ID)
    estate = serializers.IntegerField(required=False, allow_null=True, **_ID)
    address = _text(200)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    risk = serializers.ChoiceField(choices=Risk.choices, default=Risk.MEDIUM)
    households = serializers.IntegerField(min_value=0, max_value=100000, default=0)
    note = _text(300)


class EmergencyContactSerializer(serializers.ModelSerializer):
    """Whom to call; the phone masked (a commanding role reads it in full, logged, with
    `?full=1`)."""

    phone = serializers.SerializerMethodField()

    class Meta:
        model = PointContact
        fields = ["id", "name", "title", "phone"]

    def get_phone(self, obj) -> str:
        return self.context.get("phones", {}).get(obj.pk) or mask_phone(obj.phone)


class EmergencyContactInputSerializer(serializers.Serializer):
    name = _text(50)
    title = _text(50)
    phone = _text(20)


class EmergencyWorkInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=WorkKind.choices)
    name = _text(100)
    state = serializers.ChoiceField(choices=WorkState.choices)
    capacity = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=100000
    )


class EmergencyWorkStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=WorkState.choices)
    note = _text(300)


class EmergencyWorkChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkChange
        fields = ["id", "work", "action", "from_state", "to_state", "note", "at"]


class EmergencyStockSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockBalance
        fields = ["supply", "quantity"]


class EmergencyStoreSerializer(serializers.ModelSerializer):
    balances = EmergencyStockSerializer(many=True, read_only=True)

    class Meta:
        model = Store
        fields = ["id", "name", "community", "address", "balances"]


class EmergencyStoreInputSerializer(serializers.Serializer):
    name = _text(100)
    community = serializers.IntegerField(required=False, allow_null=True, **_ID)
    address = _text(200)


class EmergencyMoveInputSerializer(serializers.Serializer):
    supply = serializers.ChoiceField(choices=Supply.choices)
    change = serializers.IntegerField(min_value=-100000, max_value=100000)
    reason = _text(200)


class EmergencyMovementSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockMovement
        fields = ["id", "supply", "change", "balance_after", "reason", "point", "response", "at"]


class EmergencyLevelPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = LevelPlan
        fields = [
            "level",
            "patrol_risk",
            "patrol_every_minutes",
            "sandbags_per_point",
            "pumps_per_point",
            "instructions",
        ]


class EmergencyPlanSerializer(serializers.ModelSerializer):
    levels = EmergencyLevelPlanSerializer(many=True, read_only=True)

    class Meta:
        model = EmergencyPlan
        fields = ["id", "kind", "title", "summary", "updated_at", "levels"]


class EmergencyPlanInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EmergencyKind.choices)
    title = _text(100)
    summary = _text(5000)


class EmergencyPlanEditSerializer(serializers.Serializer):
    title = _text(100)
    summary = _text(5000)


class EmergencyLevelPlanInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    patrol_risk = serializers.ChoiceField(choices=Risk.choices, default=Risk.HIGH)
    patrol_every_minutes = serializers.IntegerField(min_value=15, max_value=1440, default=120)
    sandbags_per_point = serializers.IntegerField(min_value=0, max_value=5000, default=0)
    pumps_per_point = serializers.IntegerField(min_value=0, max_value=50, default=0)
    instructions = _text(2000)


class EmergencyFindingSerializer(serializers.ModelSerializer):
    task_state = serializers.CharField(
        source="task.state", read_only=True, default=None, allow_null=True
    )
    case = serializers.CharField(
        source="case.number", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = DrillFinding
        fields = ["id", "text", "outcome", "task", "task_state", "case"]


class EmergencyDrillSerializer(serializers.ModelSerializer):
    findings = EmergencyFindingSerializer(many=True, read_only=True)

    class Meta:
        model = Drill
        fields = [
            "id",
            "kind",
            "title",
            "held_on",
            "place",
            "participants",
            "others",
            "summary",
            "findings",
        ]


class EmergencyFindingInputSerializer(serializers.Serializer):
    text = _text(300)
    outcome = serializers.ChoiceField(choices=FindingOutcome.choices)
    assignee = serializers.IntegerField(required=False, allow_null=True, **_ID)
    point = serializers.IntegerField(required=False, allow_null=True, **_ID)
    due_at = serializers.DateTimeField(required=False, allow_null=True)


class EmergencyDrillInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EmergencyKind.choices)
    title = _text(100)
    held_on = serializers.DateField()
    place = _text(200)
    participants = serializers.ListField(
        child=serializers.IntegerField(**_ID), required=False, default=list, max_length=500
    )
    others = serializers.IntegerField(min_value=0, max_value=10000, default=0)
    summary = _text(5000)
    findings = EmergencyFindingInputSerializer(many=True, required=False, default=list)
