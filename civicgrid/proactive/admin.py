"""Back office of proactive governance: read-only views of the 一弄一案 items (with their cases and
history), hotspot cells, anomalies and patrol tasks (with their history), each scoped like the
pages (grids.scoping). Everything changes through the services (the pages and the API)."""

from django.contrib import admin

from civicgrid.accounts.admin_base import RoleGatedAdmin, RoleGatedMixin
from civicgrid.accounts.policy import PROACTIVE_VIEW_ROLES
from civicgrid.grids.scoping import scope_by_micro_grid
from civicgrid.proactive.models import (
    Anomaly,
    HotspotCell,
    PatrolTask,
    ProblemCase,
    ProblemEvent,
    StandingProblem,
    TaskEvent,
)


def _scoped(queryset, user):
    return scope_by_micro_grid(queryset, user)


class ProactiveAdmin(RoleGatedAdmin):
    view_roles = PROACTIVE_VIEW_ROLES
    scope = _scoped
    delete_roles = frozenset()


class ProblemCaseInline(RoleGatedMixin, admin.TabularInline):
    model = ProblemCase
    fields = ("case", "added_at", "is_recurrence")
    readonly_fields = fields
    extra = 0
    view_roles = PROACTIVE_VIEW_ROLES


class ProblemEventInline(RoleGatedMixin, admin.TabularInline):
    model = ProblemEvent
    fields = ("at", "action", "from_state", "to_state", "actor", "note")
    readonly_fields = fields
    extra = 0
    view_roles = PROACTIVE_VIEW_ROLES


@admin.register(StandingProblem)
class StandingProblemAdmin(ProactiveAdmin):
    list_display = ("title", "place_kind", "state", "owner", "case_count", "recurrences")
    list_filter = ("state", "place_kind")
    search_fields = ("title",)
    inlines = [ProblemCaseInline, ProblemEventInline]


@admin.register(HotspotCell)
class HotspotCellAdmin(ProactiveAdmin):
    list_display = ("period_end", "micro_grid", "category", "count", "z", "is_hot", "trend")
    list_filter = ("trend", "is_hot", "period_end")


@admin.register(Anomaly)
class AnomalyAdmin(ProactiveAdmin):
    list_display = ("day", "micro_grid", "category", "count", "baseline", "threshold")
    list_filter = ("day",)


class TaskEventInline(RoleGatedMixin, admin.TabularInline):
    model = TaskEvent
    fields = ("at", "action", "from_state", "to_state", "actor", "note")
    readonly_fields = fields
    extra = 0
    view_roles = PROACTIVE_VIEW_ROLES


@admin.register(PatrolTask)
class PatrolTaskAdmin(ProactiveAdmin):
    list_display = ("place", "origin", "micro_grid", "assignee", "state", "due_on", "case")
    list_filter = ("state", "origin")
    inlines = [TaskEventInline]
