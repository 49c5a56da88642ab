"""The one FilterSet of the issues' list: the editors' page and the API use it."""

import django_filters
from django.utils.translation import gettext_lazy as _

from civicgrid.bulletin.choices import IssueState
from civicgrid.bulletin.models import Issue
from civicgrid.core.forms import FilterForm


class IssueFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=IssueState.choices, label=_("状态"))
    year = django_filters.NumberFilter(field_name="issue_date", lookup_expr="year", label=_("年份"))

    class Meta:
        form = FilterForm
        model = Issue
        fields = ["state", "year"]
