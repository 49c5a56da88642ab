"""One FilterSet per list of the party app: the staff pages and the API use the same ones."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.party.choices import LifeKind, OrgLevel, Sector, Venue, WorkStatus
from civicgrid.party.models import LifeMeeting, Member, Organisation, StarRating


class OrganisationFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=OrgLevel.choices, label=_("层级"))
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("领域"))
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("上级党组织"))
    community = django_filters.NumberFilter(method="filter_community", label=_("居村"))
    active = django_filters.BooleanFilter(method="filter_active", label=_("存续"))
    q = django_filters.CharFilter(method="filter_q", label=_("名称"))

    class Meta:
        form = FilterForm
        model = Organisation
        fields = ["level", "sector", "parent", "community", "active", "q"]

    def filter_community(self, queryset, name, value):
        return queryset.filter(Q(grid_id=value) | Q(grid__parent_id=value))

    def filter_active(self, queryset, name, value):
        today = timezone.localdate()
        active = Q(ended_on__isnull=True) | Q(ended_on__gte=today)
        return queryset.filter(active) if value else queryset.exclude(active)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))


class MemberFilter(django_filters.FilterSet):
    organisation = django_filters.NumberFilter(field_name="organisation_id", label=_("党组织"))
    work_status = django_filters.ChoiceFilter(choices=WorkStatus.choices, label=_("在职状态"))
    dual_report = django_filters.BooleanFilter(
        field_name="dual_report_community", lookup_expr="isnull", exclude=True, label=_("双报到")
    )
    dual_report_community = django_filters.NumberFilter(
        field_name="dual_report_community_id", label=_("双报到居村")
    )

    class Meta:
        form = FilterForm
        model = Member
        fields = [
            "organisation",
            "work_status",
            "dual_report",
            "dual_report_community",
            "is_active",
        ]


class LifeFilter(django_filters.FilterSet):
    organisation = django_filters.NumberFilter(field_name="organisation_id", label=_("党组织"))
    kind = django_filters.ChoiceFilter(choices=LifeKind.choices, label=_("类别"))
    venue = django_filters.ChoiceFilter(choices=Venue.choices, label=_("会场"))
    after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("开始日期"))
    before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("结束日期"))

    class Meta:
        form = FilterForm
        model = LifeMeeting
        fields = ["organisation", "kind", "venue", "after", "before"]


class RatingFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("年度"))
    stars = django_filters.NumberFilter(label=_("星级"))
    organisation = django_filters.NumberFilter(field_name="organisation_id", label=_("党组织"))

    class Meta:
        form = FilterForm
        model = StarRating
        fields = ["year", "stars", "organisation"]
