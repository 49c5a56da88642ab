"""django-filter filtersets for the grid API (grids are addressed by code, not by id)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.grids.choices import GridLevel, PostRole
from civicgrid.grids.models import Grid, GridPost, StaffMember
from civicgrid.grids.services import active_posts_q, over_household_limit


class GridFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=GridLevel.choices, label=_("层级"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级网格编码"))
    code_prefix = django_filters.CharFilter(
        field_name="code", lookup_expr="startswith", label=_("编码前缀")
    )
    within = django_filters.CharFilter(method="filter_within", label=_("某网格之下（任意层级）"))
    q = django_filters.CharFilter(method="filter_q", label=_("名称或编码"))
    over_household_limit = django_filters.BooleanFilter(
        method="filter_over_household_limit", label=_("超过3000户的居委")
    )

    class Meta:
        form = FilterForm
        model = Grid
        fields = ["level", "parent", "code_prefix", "within", "q", "over_household_limit"]

    def filter_over_household_limit(self, queryset, name, value):
        over = over_household_limit(queryset)
        return over if value else queryset.exclude(pk__in=over.values("pk"))

    def filter_within(self, queryset, name, value):
        # Paths hold every ancestor's code, so a subtree is one indexed LIKE.
        return queryset.filter(path__contains=f"/{value}/").exclude(code=value)

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


class StaffMemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("姓名"))
    grid = django_filters.CharFilter(method="filter_grid", label=_("任职网格编码（任意层级）"))

    class Meta:
        form = FilterForm
        model = StaffMember
        fields = ["q", "is_party_member", "origin", "grid"]

    def filter_grid(self, queryset, name, value):
        return queryset.filter(posts__micro_grid__path__contains=f"/{value}/").distinct()


class GridPostFilter(django_filters.FilterSet):
    micro_grid = django_filters.CharFilter(field_name="micro_grid__code", label=_("微网格编码"))
    building_group = django_filters.CharFilter(
        field_name="building_group__code", label=_("楼组（队组）编码")
    )
    grid = django_filters.CharFilter(method="filter_grid", label=_("网格编码（任意层级）"))
    role = django_filters.ChoiceFilter(choices=PostRole.choices, label=_("岗位"))
    active = django_filters.BooleanFilter(method="filter_active", label=_("当前在岗"))

    class Meta:
        form = FilterForm
        model = GridPost
        fields = ["micro_grid", "building_group", "grid", "role", "staff", "active"]

    def filter_grid(self, queryset, name, value):
        return queryset.filter(micro_grid__path__contains=f"/{value}/")

    def filter_active(self, queryset, name, value):
        q = active_posts_q(timezone.localdate())
        return queryset.filter(q) if value else queryset.exclude(q)
