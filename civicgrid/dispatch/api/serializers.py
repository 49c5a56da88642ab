from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicgrid.dispatch.models import Responsibility, Suggestion


class DispatchAlternativeSerializer(serializers.Serializer):
    category = serializers.IntegerField()
    name = serializers.CharField()
    p = serializers.FloatField()


class DispatchSuggestionSerializer(serializers.ModelSerializer):
    """A case's suggestion: the category, confidence, top three, reason, routed department and
    what became of it."""

    case_number = serializers.CharField(source="case.number", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    department_name = serializers.CharField(
        source="department.name", read_only=True, allow_null=True, default=None
    )
    alternatives = DispatchAlternativeSerializer(many=True, read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "case",
            "case_number",
            "model",
            "created_at",
            "category",
            "category_name",
            "confidence",
            "alternatives",
            "reasons",
            "department",
            "department_name",
            "outcome",
            "final_category",
            "is_correct",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class DispatchPredictRequestSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=4000)
    micro_grid = serializers.IntegerField(required=False, allow_null=True)


class DispatchPredictionSerializer(serializers.Serializer):
    model = serializers.IntegerField()
    category = serializers.IntegerField()
    confidence = serializers.FloatField()
    alternatives = DispatchAlternativeSerializer(many=True)
    reasons = serializers.ListField(child=serializers.CharField())
    department = serializers.IntegerField(allow_null=True)
    department_name = serializers.CharField(allow_null=True)


class DispatchAcceptSerializer(serializers.Serializer):
    category = serializers.IntegerField(required=False, allow_null=True)
    department = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class DispatchResponsibilitySerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)
    area_name = serializers.CharField(
        source="area.name", read_only=True, allow_null=True, default=None
    )
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Responsibility
        fields = [
            "id",
            "category",
            "category_name",
            "area",
            "area_name",
            "department",
            "department_name",
        ]
        read_only_fields = fields


class DispatchCountsQuerySerializer(serializers.Serializer):
    """The auto-dispatch count's query: the period and the dates (both included)."""

    period = serializers.ChoiceField(
        choices=[("day", "day"), ("week", "week"), ("month", "month")],
        default="month",
        error_messages={"invalid_choice": _("统计周期只能是 day、week 或 month。")},
    )
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and since > until:
            raise serializers.ValidationError({"until": _("截止日期不能早于开始日期。")})
        return attrs


class DispatchCountRowSerializer(serializers.Serializer):
    period = serializers.CharField()
    category = serializers.IntegerField()
    category_name = serializers.CharField()
    auto = serializers.IntegerField()
    desk = serializers.IntegerField()
    pending = serializers.IntegerField()
    total = serializers.IntegerField()


class DispatchCountTotalsSerializer(serializers.Serializer):
    auto = serializers.IntegerField()
    desk = serializers.IntegerField()
    pending = serializers.IntegerField()
    total = serializers.IntegerField()
    auto_share = serializers.FloatField(allow_null=True)


class DispatchCountsSerializer(serializers.Serializer):
    period = serializers.CharField()
    rows = DispatchCountRowSerializer(many=True)
    totals = DispatchCountTotalsSerializer()
