"""Back office of the 创建/创评 programme: campaigns, checklists and actions, checkpoints, rounds,
inspections and the 无违建 register, read-only and scoped like the pages; the 测评体系 (checklist
items) is edited here by the street's desk, through campaigns.services."""

from django.contrib import admin

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.policy import CAMPAIGNS_EDIT_ROLES
from civicgrid.campaigns import services
from civicgrid.campaigns.models import (
    Campaign,
    CampaignAction,
    ChecklistItem,
    Checkpoint,
    CommunityCreation,
    IllegalStructure,
    Inspection,
    InspectionRound,
    WeeklyPlan,
)


def _by_checkpoint(queryset, user):
    return queryset.filter(
        checkpoint__in=services.scope_checkpoints(Checkpoint.objects.all(), user)
    )


@admin.register(Campaign)
class CampaignAdmin(RoleGatedAdmin):
    list_display = (
        "name",
        "level",
        "starts_on",
        "ends_on",
        "review_on",
        "re_review_on",
        "is_active",
    )
    list_filter = ("level", "is_active")
    search_fields = ("name",)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(RoleGatedAdmin):
    """测评体系: the street's desk adds and changes items (never deletes: results keep them)."""

    list_display = ("name", "kind", "campaign", "order", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    fields = ("campaign", "kind", "name", "description", "order", "is_active")
    change_roles = CAMPAIGNS_EDIT_ROLES
    delete_roles = frozenset()

    def get_readonly_fields(self, request, obj=None):
        return ("campaign",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.do_save_item(
            request.user,
            obj.campaign if change else data["campaign"],
            item=obj if change else None,
            kind=data["kind"],
            name=data["name"],
            description=data.get("description", ""),
            order=data.get("order", 0),
            is_active=data.get("is_active", True),
        )
        obj.pk = saved.pk


@admin.register(CampaignAction)
class CampaignActionAdmin(RoleGatedAdmin):
    list_display = ("name", "owner", "campaign", "order")
    search_fields = ("name", "owner")


@admin.register(WeeklyPlan)
class WeeklyPlanAdmin(RoleGatedAdmin):
    list_display = ("week_start", "action", "what", "where", "who", "done_at")
    list_filter = ("week_start",)


@admin.register(Checkpoint)
class CheckpointAdmin(RoleGatedAdmin):
    list_display = ("name", "kind", "community", "owner_kind", "owner_name", "is_active")
    list_filter = ("kind", "owner_kind", "is_active")
    search_fields = ("name", "address", "owner_name")
    scope = services.scope_checkpoints


@admin.register(InspectionRound)
class InspectionRoundAdmin(RoleGatedAdmin):
    list_display = ("__str__", "campaign", "starts_on", "ends_on", "state")
    list_filter = ("kind", "state")


@admin.register(Inspection)
class InspectionAdmin(RoleGatedAdmin):
    list_display = (
        "checkpoint",
        "round",
        "inspector",
        "inspected_at",
        "passed_count",
        "item_count",
    )
    list_filter = ("inspected_at",)
    scope = _by_checkpoint


@admin.register(IllegalStructure)
class IllegalStructureAdmin(RoleGatedAdmin):
    list_display = ("address", "community", "area_m2", "state", "found_on")
    list_filter = ("state",)
    search_fields = ("address",)
    scope = services.scope_structures


@admin.register(CommunityCreation)
class CommunityCreationAdmin(RoleGatedAdmin):
    list_display = ("community", "status", "changed_at")
    list_filter = ("status",)
    scope = services.scope_creations
