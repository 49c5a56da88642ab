"""Admin of field work: the patrol checklist (巡查记录表) is edited here by the street; patrols
and visits are read-only records of what grid workers did, scoped like every other page."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.choices import Role
from civicgrid.core.adminsite import may_use_admin
from civicgrid.fieldwork.models import ChecklistItem, FollowUp, Patrol, PatrolFinding, Visit
from civicgrid.fieldwork.services import my_micro_grids

CHECKLIST_EDITORS = frozenset({Role.ADMIN, Role.OPERATOR})


def _back_office(request) -> bool:
    return may_use_admin(request.user)


class _ScopedReadOnly(admin.ModelAdmin):
    grid_field = "micro_grid"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(**{f"{self.grid_field}__in": my_micro_grids(request.user)})

    def has_module_permission(self, request):
        return _back_office(request)

    def has_view_permission(self, request, obj=None):
        return _back_office(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChecklistItemForm(admin.ModelAdmin.form):
    def clean_category(self):
        category = self.cleaned_data["category"]
        if category is not None and category.parent_id is None:
            raise ValidationError(_("请选择具体小类,不能选择大类"))
        return category


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    form = ChecklistItemForm
    list_display = ["name", "hint", "category", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "hint"]
    list_select_related = ["category"]
    autocomplete_fields = []

    def has_module_permission(self, request):
        return _back_office(request)

    def has_view_permission(self, request, obj=None):
        return _back_office(request)

    def has_change_permission(self, request, obj=None):
        return _back_office(request) and request.user.effective_role in CHECKLIST_EDITORS

    def has_add_permission(self, request):
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        # Items with findings are protected by the database; retire them with 启用.
        return self.has_change_permission(request) and not (obj and obj.findings.exists())


class FindingInline(admin.TabularInline):
    model = PatrolFinding
    fields = ["item", "result", "note", "photo", "recorded_at", "case"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Patrol)
class PatrolAdmin(_ScopedReadOnly):
    list_display = ["micro_grid", "worker", "shift", "status", "started_at", "ended_at"]
    list_filter = ["status", "shift"]
    date_hierarchy = "started_at"
    list_select_related = ["micro_grid", "worker"]
    fields = ["worker", "micro_grid", "shift", "status", "started_at", "ended_at", "note", "route"]
    readonly_fields = fields
    inlines = [FindingInline]


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    fields = ["text", "is_done", "done_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(_ScopedReadOnly):
    list_display = ["visited_at", "household", "micro_grid", "worker"]
    date_hierarchy = "visited_at"
    list_select_related = ["household__address", "micro_grid", "worker"]
    fields = ["worker", "household", "micro_grid", "visited_at", "topics", "created_at"]
    readonly_fields = fields
    inlines = [FollowUpInline]
