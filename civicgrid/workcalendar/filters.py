"""django-filter filterset for the calendar API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.workcalendar.choices import DayKind, DaySource
from civicgrid.workcalendar.models import CalendarDay


class CalendarDayFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="calendar_year__year", label=_("年份"))
    kind = django_filters.ChoiceFilter(choices=DayKind.choices, label=_("类型"))
    source = django_filters.ChoiceFilter(choices=DaySource.choices, label=_("来源"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("起始日期"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("截止日期"))

    class Meta:
        form = FilterForm
        model = CalendarDay
        fields = ["year", "kind", "source", "date_from", "date_to"]
