"""The residents' satisfaction survey's results as the API gives them (read only)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ResultsQuerySerializer(serializers.Serializer):
    survey = serializers.IntegerField(
        required=False, min_value=1, help_text=_("测评编号，默认最近一次测评")
    )


class SurveySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    community = serializers.CharField(
        source="community.name", allow_null=True, default=None, help_text=_("空表示全街道")
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    is_active = serializers.BooleanField()


class ItemAverageSerializer(serializers.Serializer):
    item = serializers.CharField(help_text=_("测评项"))
    average = serializers.FloatField(allow_null=True, help_text=_("平均分（1–5），无答卷时为空"))


def _averages(items, averages):
    return [{"item": name, "average": averages.get(name)} for name in items]


class CommunityResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    answers = serializers.IntegerField(help_text=_("答卷数"))
    averages = ItemAverageSerializer(many=True)


class SurveyResultsSerializer(serializers.Serializer):
    """One survey's averages per item and answer counts, overall and per 居村 (within the
    reader's scope)."""

    survey = SurveySummarySerializer()
    items = serializers.ListField(child=serializers.CharField())
    answers = serializers.IntegerField(help_text=_("答卷数"))
    averages = ItemAverageSerializer(many=True)
    communities = CommunityResultSerializer(many=True)

    def to_representation(self, instance):
        items = instance["items"]
        shaped = {
            "survey": instance["survey"],
            "items": items,
            "answers": instance["answers"],
            "averages": _averages(items, instance["averages"]),
            "communities": [
                {
                    "id": row["community_id"],
                    "name": row["community"],
                    "answers": row["answers"],
                    "averages": _averages(items, row["averages"]),
                }
                for row in instance["communities"]
            ],
        }
        return super().to_representation(shaped)
