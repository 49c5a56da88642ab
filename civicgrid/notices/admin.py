"""Back office of the notices: read-only views of notices with their versions and history,
objections and answers, relocations and their households, nominations; each scoped like the
staff pages. Everything changes through notices.services (the pages and the API)."""

from django.contrib import admin

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.policy import NOTICES_VIEW_ROLES
from civicgrid.notices import services
from civicgrid.notices.models import (
    Nomination,
    Notice,
    NoticeEvent,
    NoticeVersion,
    Objection,
    Relocation,
    RelocationHousehold,
)


class NoticesAdmin(RoleGatedAdmin):
    view_roles = NOTICES_VIEW_ROLES
    delete_roles = frozenset()
    scope = staticmethod(services.scope_communities)


class VersionInline(admin.TabularInline):
    model = NoticeVersion
    extra = 0
    can_delete = False
    fields = ("number", "title", "correction_note", "published_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = NoticeEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_state", "to_state", "by", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(NoticesAdmin):
    list_display = ("title", "kind", "grid", "audience", "state", "version", "published_at")
    list_filter = ("kind", "state", "audience", "scope_level")
    search_fields = ("title",)
    inlines = [VersionInline, EventInline]
    scope = staticmethod(services.scope_notices)


@admin.register(Objection)
class ObjectionAdmin(NoticesAdmin):
    list_display = ("notice", "version", "created_at")
    scope = staticmethod(
        lambda queryset, user: queryset.filter(
            notice__in=services.scope_notices(Notice.objects.all(), user)
        )
    )


@admin.register(Relocation)
class RelocationAdmin(NoticesAdmin):
    list_display = ("name", "community", "headquarters", "starts_on")


@admin.register(RelocationHousehold)
class RelocationHouseholdAdmin(NoticesAdmin):
    list_display = ("relocation", "household", "status", "signed_on", "party_member")
    list_filter = ("status", "party_member")
    raw_id_fields = ("household",)
    scope = staticmethod(
        lambda queryset, user: services.scope_communities(queryset, user, "relocation__community")
    )


@admin.register(Nomination)
class NominationAdmin(NoticesAdmin):
    list_display = ("nominee", "community", "consent", "state", "created_at")
    list_filter = ("state", "consent")
