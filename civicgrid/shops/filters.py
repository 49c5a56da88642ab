"""One FilterSet per list of the shop roll: the pages and the API use the same ones."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.shops.choices import ShopState, Trade
from civicgrid.shops.models import Association, Block, Inspection, Shop
from civicgrid.shops.services import scope_blocks


class BlockFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(field_name="community__code", label=_("居村编码"))
    q = django_filters.CharFilter(method="filter_q", label=_("区块编号或名称"))

    class Meta:
        form = FilterForm
        model = Block
        fields = ["community", "is_active"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class ShopFilter(django_filters.FilterSet):
    block = django_filters.ModelChoiceFilter(queryset=Block.objects.all(), label=_("区块"))
    state = django_filters.ChoiceFilter(choices=ShopState.choices, label=_("经营状态"))
    trade = django_filters.ChoiceFilter(choices=Trade.choices, label=_("行业"))
    association = django_filters.ModelChoiceFilter(
        queryset=Association.objects.all(), label=_("自律联盟")
    )
    in_roll = django_filters.BooleanFilter(label=_("在册"))
    q = django_filters.CharFilter(method="filter_q", label=_("店招或地址"))

    class Meta:
        form = FilterForm
        model = Shop
        fields = ["block", "state", "trade", "association", "in_roll"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None:
            # Only the blocks the user may see are offered (and accepted).
            self.filters["block"].queryset = scope_blocks(Block.objects.all(), user)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(sign_name__icontains=value) | Q(address__icontains=value))


class InspectionFilter(django_filters.FilterSet):
    shop = django_filters.NumberFilter(field_name="shop_id", label=_("商铺"))
    block = django_filters.NumberFilter(field_name="shop__block_id", label=_("区块"))
    passed = django_filters.BooleanFilter(label=_("全部合格"))
    since = django_filters.DateFilter(
        field_name="inspected_at", lookup_expr="date__gte", label=_("检查日期起")
    )
    until = django_filters.DateFilter(
        field_name="inspected_at", lookup_expr="date__lte", label=_("检查日期止")
    )

    class Meta:
        form = FilterForm
        model = Inspection
        fields = ["shop", "block", "passed"]


class AssociationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称"))

    class Meta:
        form = FilterForm
        model = Association
        fields = ["q"]
