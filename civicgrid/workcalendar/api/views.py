"""Read-only calendar API: the days, and a deadline calculator for forms (the case loop calls
workcalendar.services directly). Any logged-in user may read; changes are made in the admin or
with `manage.py import_holiday_notice`."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.core.api import validated_query
from civicgrid.workcalendar import services
from civicgrid.workcalendar.api.serializers import (
    CalendarDaySerializer,
    CalendarYearSerializer,
    DeadlineQuerySerializer,
    DeadlineSerializer,
)
from civicgrid.workcalendar.filters import CalendarDayFilter
from civicgrid.workcalendar.models import CalendarDay, CalendarYear


class CalendarYearList(generics.ListAPIView):
    queryset = CalendarYear.objects.order_by("year")
    serializer_class = CalendarYearSerializer
    pagination_class = None


class CalendarDayList(generics.ListAPIView):
    """Days of the published and withdrawn years, filtered by year, kind, source or date range."""

    queryset = CalendarDay.objects.order_by("date")
    serializer_class = CalendarDaySerializer
    filterset_class = CalendarDayFilter


class DeadlineView(APIView):
    """?start=2026-09-30T10:00:00+08:00&working_days=3 (or &working_hours=5)."""

    @extend_schema(parameters=[DeadlineQuerySerializer], responses=DeadlineSerializer)
    def get(self, request):
        data = validated_query(DeadlineQuerySerializer, request)
        if "working_days" in data:
            deadline = services.add_working_days(data["start"], data["working_days"])
        else:
            deadline = services.add_working_hours(data["start"], data["working_hours"])
        return Response(DeadlineSerializer(deadline).data)
