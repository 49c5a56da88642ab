"""Flood duty as the API gives it; input bodies are checked here and handed to the services,
which do every write. Contacts' phones are not in the API (the point page shows them masked)."""

from rest_framework import serializers

from civicgrid.emergency.choices import EmergencyKind, Level
from civicgrid.emergency.models import FloodPoint, FloodReport, FloodWork, Response, Task


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
