"""The one FilterSet of the issues' list: the editors' page and the API use it."""

import django_filters
from django.utils.translation import gettext_lazy as _

from civicgrid.bulletin.choices import IssueState, Section, Topic
from civicgrid.bulletin.models import Article, Issue
from civicgrid.core.forms import FilterForm


class IssueFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=IssueState.choices, label=_("状态"))
    # Bounded: a year past 9999 is no date at all (the database refused it with a 500).
    year = django_filters.NumberFilter(
        field_name="issue_date",
        lookup_expr="year",
        label=_("年份"),
        min_value=1949,
        max_value=2100,
        decimal_places=0,
    )

    class Meta:
        form = FilterForm
        model = Issue
        fields = ["state", "year"]


class ArticleFilter(django_filters.FilterSet):
    issue = django_filters.NumberFilter(field_name="issue__number", label=_("期号"))
    section = django_filters.ChoiceFilter(choices=Section.choices, label=_("栏目"))
    topic = django_filters.ChoiceFilter(choices=Topic.choices, label=_("数据来源"))

    class Meta:
        form = FilterForm
        model = Article
        fields = ["issue", "section", "topic"]
