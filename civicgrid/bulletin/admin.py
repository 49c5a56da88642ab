"""Back office of the 社区报: read-only views of the issues with their articles and history.
Issues are compiled, edited, approved and published through the services (the pages and the
API), never saved here."""

from django.contrib import admin

from civicgrid.accounts.admin_base import RoleGatedAdmin, RoleGatedMixin
from civicgrid.accounts.policy import BULLETIN_VIEW_ROLES
from civicgrid.bulletin.models import Article, Issue, IssueEvent


class ArticleInline(RoleGatedMixin, admin.TabularInline):
    model = Article
    view_roles = BULLETIN_VIEW_ROLES
    fields = ("position", "section", "topic", "title", "byline", "department", "is_edited")
    readonly_fields = fields
    extra = 0
    show_change_link = False


class EventInline(RoleGatedMixin, admin.TabularInline):
    model = IssueEvent
    view_roles = BULLETIN_VIEW_ROLES
    fields = ("at", "action", "from_state", "to_state", "user", "note")
    readonly_fields = fields
    extra = 0


@admin.register(Issue)
class IssueAdmin(RoleGatedAdmin):
    view_roles = BULLETIN_VIEW_ROLES
    list_display = ("number", "masthead", "issue_date", "pages", "state", "published_at")
    list_filter = ("state",)
    readonly_fields = (
        "number",
        "masthead",
        "publisher",
        "issue_date",
        "next_date",
        "pages",
        "period_first",
        "period_last",
        "state",
        "revision",
        "compiled_by",
        "compiled_at",
        "published_at",
    )
    exclude = ("pdf", "pdf_revision", "masthead_en", "motto")
    inlines = [ArticleInline, EventInline]
