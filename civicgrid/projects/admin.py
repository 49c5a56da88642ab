"""Back office of the community projects: the scoring template is editable data (the street's
desk); campaigns, projects with their history, scores, supports and ideas are read-only views,
scoped like the pages (projects.services.scope_projects). Projects change through
projects.services (the pages and the API), never here."""

from django.contrib import admin

from civicgrid.accounts.admin_base import RoleGatedAdmin, RoleGatedMixin
from civicgrid.accounts.policy import PROJECTS_TEMPLATE_ROLES, PROJECTS_VIEW_ROLES
from civicgrid.projects.models import (
    Campaign,
    Criterion,
    Idea,
    Project,
    ProjectEvent,
    ScoreSheet,
    ScoringTemplate,
)
from civicgrid.projects.services import scope_projects


def _by_project(queryset, user):
    return scope_projects(queryset, user, "project__")


class CriterionInline(RoleGatedMixin, admin.TabularInline):
    model = Criterion
    extra = 1
    view_roles = PROJECTS_VIEW_ROLES
    change_roles = PROJECTS_TEMPLATE_ROLES


@admin.register(ScoringTemplate)
class ScoringTemplateAdmin(RoleGatedAdmin):
    view_roles = PROJECTS_VIEW_ROLES
    change_roles = PROJECTS_TEMPLATE_ROLES
    delete_roles = frozenset()
    list_display = ("name",)
    inlines = [CriterionInline]


@admin.register(Campaign)
class CampaignAdmin(RoleGatedAdmin):
    view_roles = PROJECTS_VIEW_ROLES
    list_display = ("name", "year", "level", "quota", "hearing_required")
    list_filter = ("level", "year")


class EventInline(RoleGatedMixin, admin.TabularInline):
    model = ProjectEvent
    view_roles = PROJECTS_VIEW_ROLES
    fields = ("at", "action", "from_state", "to_state", "user", "note")
    readonly_fields = fields
    extra = 0


@admin.register(Project)
class ProjectAdmin(RoleGatedAdmin):
    view_roles = PROJECTS_VIEW_ROLES
    scope = scope_projects
    list_display = ("title", "campaign", "community", "kind", "state", "score", "support_count")
    list_filter = ("state", "kind", "campaign")
    search_fields = ("title",)
    exclude = ("proposer",)
    inlines = [EventInline]


@admin.register(ScoreSheet)
class ScoreSheetAdmin(RoleGatedAdmin):
    view_roles = PROJECTS_VIEW_ROLES
    scope = _by_project
    list_display = ("project", "member", "total", "at")


@admin.register(Idea)
class IdeaAdmin(RoleGatedAdmin):
    view_roles = PROJECTS_VIEW_ROLES
    list_display = ("campaign", "community", "created_at")
    scope = scope_projects
    exclude = ("user",)
