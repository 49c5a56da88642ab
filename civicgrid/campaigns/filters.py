"""One FilterSet per list of the 创建/创评 programme: the pages and the API use the same ones."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.campaigns.choices import CheckpointKind, OwnerKind, RoundKind, StructureState
from civicgrid.campaigns.models import Checkpoint, IllegalStructure, Inspection, InspectionRound
from civicgrid.core.forms import FilterForm


class CheckpointFilter(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id", label=_("创建活动"))
    kind = django_filters.ChoiceFilter(choices=CheckpointKind.choices, label=_("点位类型"))
    owner_kind = django_filters.ChoiceFilter(choices=OwnerKind.choices, label=_("责任主体类型"))
    community = django_filters.CharFilter(field_name="community__code", label=_("居村编码"))
    q = django_filters.CharFilter(method="filter_q", label=_("点位、地址或责任主体"))

    class Meta:
        form = FilterForm
        model = Checkpoint
        fields = ["campaign", "kind", "owner_kind", "community", "is_active"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(address__icontains=value) | Q(owner_name__icontains=value)
        )


class RoundFilter(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id", label=_("创建活动"))
    kind = django_filters.ChoiceFilter(choices=RoundKind.choices, label=_("轮次类型"))

    class Meta:
        form = FilterForm
        model = InspectionRound
        fields = ["campaign", "kind", "state"]


class InspectionFilter(django_filters.FilterSet):
    round = django_filters.NumberFilter(field_name="round_id", label=_("督查轮次"))
    checkpoint = django_filters.NumberFilter(field_name="checkpoint_id", label=_("点位"))
    since = django_filters.DateFilter(
        field_name="inspected_at", lookup_expr="date__gte", label=_("督查日期起")
    )
    until = django_filters.DateFilter(
        field_name="inspected_at", lookup_expr="date__lte", label=_("督查日期止")
    )

    class Meta:
        form = FilterForm
        model = Inspection
        fields = ["round", "checkpoint"]


class StructureFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(field_name="community__code", label=_("居村编码"))
    state = django_filters.ChoiceFilter(choices=StructureState.choices, label=_("状态"))
    q = django_filters.CharFilter(method="filter_q", label=_("地址或情况"))

    class Meta:
        form = FilterForm
        model = IllegalStructure
        fields = ["community", "state"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(address__icontains=value) | Q(description__icontains=value))
