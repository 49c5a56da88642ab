"""Back office for the garbage-sorting ledger: read-only lists, scoped like the pages (points by
micro-grid, the rest by 居村). Every change goes through sorting.services (the desk and phone
pages, the API), so nothing here edits or deletes; ledger rows are immutable anyway."""

from django.contrib import admin

from civicgrid.accounts.admin_base import RoleGatedAdmin, RoleGatedMixin
from civicgrid.accounts.policy import SORTING_TEMPLATE_ROLES, SORTING_VIEW_ROLES
from civicgrid.grids.scoping import scope_by_micro_grid
from civicgrid.sorting import services
from civicgrid.sorting.models import (
    Card,
    DropOffPoint,
    DropOffWindow,
    Guide,
    GuideShift,
    Inspection,
    InspectionScore,
    InspectionTemplate,
    PointsEntry,
    Reward,
    TemplateItem,
    VolunteerTeam,
    Weighing,
)
from civicgrid.sorting.scoping import scope_by_community


def _by_community(queryset, user):
    return scope_by_community(queryset, user)


class _ReadOnly(RoleGatedAdmin):
    view_roles = SORTING_VIEW_ROLES
    delete_roles = frozenset()
    scope = _by_community


class WindowInline(RoleGatedMixin, admin.TabularInline):
    model = DropOffWindow
    fields = ("start", "end")
    extra = 0
    view_roles = SORTING_VIEW_ROLES


@admin.register(DropOffPoint)
class DropOffPointAdmin(_ReadOnly):
    list_display = ("name", "kind", "estate", "unit", "community", "state", "households_served")
    list_filter = ("kind", "state")
    search_fields = ("name",)
    inlines = [WindowInline]
    scope = staticmethod(scope_by_micro_grid)


@admin.register(VolunteerTeam)
class VolunteerTeamAdmin(_ReadOnly):
    list_display = ("name", "community", "leader_name")


@admin.register(Guide)
class GuideAdmin(_ReadOnly):
    list_display = ("name", "kind", "community", "team", "is_active")
    list_filter = ("kind", "is_active")
    exclude = ("user",)


@admin.register(GuideShift)
class GuideShiftAdmin(_ReadOnly):
    list_display = ("day", "start", "end", "point", "guide", "state", "households_guided")
    list_filter = ("state", "day")


@admin.register(Weighing)
class WeighingAdmin(_ReadOnly):
    list_display = ("day", "estate", "unit", "category", "kg", "hauler", "refused_mixed")
    list_filter = ("category", "refused_mixed", "day")


class ScoreInline(RoleGatedMixin, admin.TabularInline):
    model = InspectionScore
    fields = ("item", "points", "max_points", "is_purity")
    extra = 0
    view_roles = SORTING_VIEW_ROLES


@admin.register(Inspection)
class InspectionAdmin(_ReadOnly):
    list_display = ("inspected_at", "estate", "unit", "score", "passed", "case", "reinspect_by")
    list_filter = ("passed", "inspected_at")
    inlines = [ScoreInline]


@admin.register(Card)
class CardAdmin(_ReadOnly):
    list_display = ("issued_at", "estate", "unit", "colour", "fails_in_a_row")
    list_filter = ("colour",)


class TemplateItemInline(RoleGatedMixin, admin.TabularInline):
    model = TemplateItem
    fields = ("name", "max_points", "is_purity", "order")
    extra = 0
    view_roles = SORTING_VIEW_ROLES


@admin.register(InspectionTemplate)
class InspectionTemplateAdmin(_ReadOnly):
    list_display = ("name", "version", "is_active")
    inlines = [TemplateItemInline]
    scope = None


@admin.register(PointsEntry)
class PointsEntryAdmin(_ReadOnly):
    """The whole green-account ledger: for the street's desk only (entries span 居村)."""

    view_roles = SORTING_TEMPLATE_ROLES
    list_display = ("at", "debit", "credit", "amount", "reason")
    list_filter = ("reason",)
    # An account is named by its household, the household by its address.
    list_select_related = ("debit__household__address", "credit__household__address")
    scope = None


@admin.register(Reward)
class RewardAdmin(_ReadOnly):
    """The goods list (兑换礼品): kept by the street's desk through the service; an item is
    withdrawn (可兑换 off), never deleted, since statements name it."""

    view_roles = SORTING_VIEW_ROLES
    change_roles = SORTING_TEMPLATE_ROLES
    delete_roles = frozenset()
    list_display = ("name", "points", "is_active", "order")
    list_filter = ("is_active",)
    fields = ("name", "points", "is_active", "order")
    scope = None

    def save_model(self, request, obj, form, change):
        saved = services.do_save_reward(
            request.user,
            name=obj.name,
            points=obj.points,
            is_active=obj.is_active,
            order=obj.order,
            reward=Reward.objects.get(pk=obj.pk) if change else None,
        )
        obj.pk = saved.pk
