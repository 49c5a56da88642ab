from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicgrid.proactive.models import (
    Anomaly,
    HotspotCell,
    PatrolTask,
    ProblemEvent,
    StandingProblem,
)


class ProactiveProblemEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_full_name", default="", read_only=True)
    # The first step (detect) comes from no state: "" is not one of the states' values.
    from_state = serializers.CharField(read_only=True)

    class Meta:
        model = ProblemEvent
        fields = ["action", "from_state", "to_state", "actor", "at", "note"]


class ProactiveProblemSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.get_full_name", default="", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    case_numbers = serializers.SerializerMethodField()

    class Meta:
        model = StandingProblem
        fields = [
            "id",
            "title",
            "place_kind",
            "address",
            "micro_grid",
            "building_group",
            "category",
            "category_name",
            "state",
            "owner",
            "plan",
            "case_count",
            "recurrences",
            "detected_at",
            "closed_at",
            "last_case_at",
            "case_numbers",
        ]

    def get_case_numbers(self, obj) -> list[str]:
        return [link.case.number for link in obj.links.all()]


class ProactiveProblemDetailSerializer(ProactiveProblemSerializer):
    events = ProactiveProblemEventSerializer(many=True, read_only=True)

    class Meta(ProactiveProblemSerializer.Meta):
        fields = [*ProactiveProblemSerializer.Meta.fields, "events"]


class ProactivePlanSerializer(serializers.Serializer):
    owner = serializers.IntegerField(label=_("责任人"))
    plan = serializers.CharField(label=_("整改方案"), max_length=2000, allow_blank=True)


class ProactiveNoteSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("说明"), max_length=2000, allow_blank=True)


class ProactiveDetectSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    gathered = serializers.IntegerField()
    recurred = serializers.IntegerField()


class ProactiveHotspotSerializer(serializers.ModelSerializer):
    micro_grid_name = serializers.CharField(source="micro_grid.display_name", read_only=True)

    class Meta:
        model = HotspotCell
        fields = [
            "id",
            "period_start",
            "period_end",
            "category",
            "micro_grid",
            "micro_grid_name",
            "count",
            "z",
            "is_hot",
            "trend",
        ]


class ProactiveAnomalySerializer(serializers.ModelSerializer):
    class Meta:
        model = Anomaly
        fields = ["id", "day", "micro_grid", "category", "count", "baseline", "threshold"]


class ProactiveTaskSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", default="", read_only=True)

    class Meta:
        model = PatrolTask
        fields = [
            "id",
            "origin",
            "hotspot",
            "anomaly",
            "problem",
            "micro_grid",
            "category",
            "place",
            "look_for",
            "assignee",
            "state",
            "due_on",
            "created_at",
            "finding",
            "found_problem",
            "case_number",
            "done_at",
        ]


class ProactiveTaskCreateSerializer(serializers.Serializer):
    hotspot = serializers.IntegerField(required=False, allow_null=True)
    anomaly = serializers.IntegerField(required=False, allow_null=True)
    problem = serializers.IntegerField(required=False, allow_null=True)
    assignee = serializers.IntegerField()
    look_for = serializers.CharField(max_length=500, allow_blank=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category = serializers.IntegerField(required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)


class ProactiveFindingSerializer(serializers.Serializer):
    finding = serializers.CharField(max_length=2000, allow_blank=True)
    found_problem = serializers.BooleanField()
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ProactiveShareSerializer(serializers.Serializer):
    micro_grid = serializers.IntegerField(allow_null=True)
    month = serializers.DateField(allow_null=True)
    found = serializers.IntegerField()
    residents = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)
