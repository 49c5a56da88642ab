"""Admin of field work: the patrol checklist (巡查记录表) is edited here by the street; patrols
and visits are read-only records of what grid workers did, scoped like every other page."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.policy import CHECKLIST_EDIT_ROLES, STAFFING_EDIT_ROLES
from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import (
    ChecklistItem,
    FollowUp,
    NeedKind,
    Patrol,
    PatrolArea,
    PatrolFinding,
    Topic,
    Visit,
)
from civicgrid.fieldwork.services import my_micro_grids


def in_my_micro_grids(queryset, user):
    """Records of the micro-grids the user works in (read-only admins below)."""
    return queryset.filter(micro_grid__in=my_micro_grids(user))


class ChecklistItemForm(admin.ModelAdmin.form):
    def clean_category(self):
        category = self.cleaned_data["category"]
        if category is not None and category.parent_id is None:
            raise ValidationError(_("请选择具体小类，不能选择大类"))
        return category


@admin.register(ChecklistItem)
class ChecklistItemAdmin(RoleGatedAdmin):
    change_roles = CHECKLIST_EDIT_ROLES
    form = ChecklistItemForm
    list_display = ["name", "hint", "category", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "hint"]
    list_select_related = ["category"]
    autocomplete_fields = []

    def has_delete_permission(self, request, obj=None):
        # Items with findings are protected by the database; retire them with 启用.
        return super().has_delete_permission(request, obj) and not (obj and obj.findings.exists())


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
class PatrolAdmin(RoleGatedAdmin):
    scope = in_my_micro_grids
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
class VisitAdmin(RoleGatedAdmin):
    scope = in_my_micro_grids
    list_display = ["visited_at", "household", "micro_grid", "worker"]
    date_hierarchy = "visited_at"
    list_select_related = ["household__address", "micro_grid", "worker"]
    fields = ["worker", "household", "micro_grid", "visited_at", "topics", "created_at"]
    readonly_fields = fields
    inlines = [FollowUpInline]


class PatrolAreaForm(admin.ModelAdmin.form):
    def clean(self):
        data = super().clean()
        area = self.instance
        for field in ("worker", "micro_grid", "start_date", "end_date"):
            if field in data:
                setattr(area, field, data[field])
        if not self.errors:
            try:
                services.check_patrol_area(area, data.get("building_groups") or ())
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


@admin.register(PatrolArea)
class PatrolAreaAdmin(RoleGatedAdmin):
    """巡块责任区: kept with the grid staffing (who may change posts may change these)."""

    change_roles = STAFFING_EDIT_ROLES
    scope = in_my_micro_grids
    form = PatrolAreaForm
    list_display = ["micro_grid", "worker", "start_date", "end_date"]
    list_filter = ["end_date"]
    list_select_related = ["micro_grid", "worker"]
    fields = ["worker", "micro_grid", "building_groups", "start_date", "end_date"]
    raw_id_fields = ["worker", "micro_grid"]
    filter_horizontal = ["building_groups"]

    def save_model(self, request, obj, form, change):
        # The area and its building groups are written together by the service (save_related).
        pass

    def save_related(self, request, form, formsets, change):
        services.save_patrol_area(request.user, form.instance, form.cleaned_data["building_groups"])


@admin.register(NeedKind)
class NeedKindAdmin(RoleGatedAdmin):
    """急难愁盼 kinds: edited by those who edit the patrol checklist (the same kind of list)."""

    change_roles = CHECKLIST_EDIT_ROLES
    delete_roles = frozenset()
    form = ChecklistItemForm
    list_display = ["name", "category", "order", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["category"]


@admin.register(Topic)
class TopicAdmin(RoleGatedAdmin):
    """专题会议题: read-only here; the work plan is recorded on the phone pages."""

    scope = staticmethod(
        lambda queryset, user: queryset.filter(pk__in=services.visible_topics(user))
    )
    list_display = ["title", "community", "raised_at", "meeting_date"]
    list_filter = ["meeting_date"]
    list_select_related = ["community"]
    fields = ["community", "title", "raised_by", "raised_at", "meeting_date", "work_plan"]
    readonly_fields = fields
