from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicgrid.core.inputs import validate_date_range
from civicgrid.workcalendar.models import CalendarDay, CalendarYear


class CalendarYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarYear
        fields = ["year", "published", "notice", "published_at"]


class CalendarDaySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    is_working = serializers.BooleanField(read_only=True)

    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "kind_display", "is_working", "holiday_name", "source", "note"]


class DeadlineQuerySerializer(serializers.Serializer):
    """Exactly one of working_days / working_hours, counted from `start`."""

    start = serializers.DateTimeField(label=_("起算时间"), validators=[validate_date_range])
    working_days = serializers.IntegerField(
        label=_("工作日数"), min_value=0, max_value=366, required=False
    )
    working_hours = serializers.FloatField(
        label=_("工作小时数"), min_value=0, max_value=24 * 366, required=False
    )

    def validate(self, attrs):
        if ("working_days" in attrs) == ("working_hours" in attrs):
            raise serializers.ValidationError(_("请给出 working_days 或 working_hours 其中之一"))
        return attrs


class DeadlineSerializer(serializers.Serializer):
    at = serializers.DateTimeField(label=_("期限"))
    calendar_published = serializers.BooleanField(
        label=_("按已公布的工作日历"), help_text=_("为 false 时，未公布年份按周一至周五估算")
    )
