"""Back office of flood duty: read-only views of the register, responses, tasks and the history
rows, each scoped like the pages. Everything changes through emergency.services (the pages and
the API), never here."""

from django.contrib import admin

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.policy import EMERGENCY_COMMAND_ROLES
from civicgrid.emergency import services
from civicgrid.emergency.models import (
    ContactPhoneView,
    Drill,
    FloodPoint,
    FloodReport,
    FloodWork,
    Response,
    ResponseEvent,
    StockMovement,
    Task,
)

NOBODY = frozenset()


def _points(queryset, user):
    return services.scope_points(queryset, user)


def _by_point(queryset, user):
    return services.scope_points(queryset, user, prefix="point__")


class ReadOnly(RoleGatedAdmin):
    change_roles = NOBODY
    delete_roles = NOBODY
    add_roles = NOBODY


@admin.register(FloodPoint)
class FloodPointAdmin(ReadOnly):
    list_display = ("name", "community", "kind", "risk", "households", "is_active")
    list_filter = ("kind", "risk", "is_active")
    list_select_related = ("community",)
    scope = _points


@admin.register(ContactPhoneView)
class ContactPhoneViewAdmin(ReadOnly):
    """Who saw a contact's full phone: for the roles that may see one (as registry's log of full
    views), over the points they see; rows are written by services.reveal_contact_phone only."""

    view_roles = EMERGENCY_COMMAND_ROLES
    list_display = ("at", "user", "point", "contact_name", "channel")
    list_filter = ("channel",)
    list_select_related = ("user", "point")
    search_fields = ("user__username", "contact_name", "point__name")
    date_hierarchy = "at"
    scope = _by_point


@admin.register(FloodWork)
class FloodWorkAdmin(ReadOnly):
    list_display = ("name", "point", "kind", "state", "is_running")
    list_filter = ("kind", "state", "is_running")
    list_select_related = ("point",)
    scope = _by_point


@admin.register(Response)
class ResponseAdmin(ReadOnly):
    list_display = ("started_at", "kind", "level", "highest_level", "state", "lifted_at")
    list_filter = ("kind", "state", "highest_level")


@admin.register(ResponseEvent)
class ResponseEventAdmin(ReadOnly):
    list_display = ("at", "response", "action", "from_level", "to_level", "user")
    list_filter = ("action",)
    list_select_related = ("response", "user")


@admin.register(Task)
class TaskAdmin(ReadOnly):
    list_display = ("title", "kind", "assignee", "state", "due_at", "done_at")
    list_filter = ("kind", "state")
    list_select_related = ("assignee",)


@admin.register(FloodReport)
class FloodReportAdmin(ReadOnly):
    list_display = ("at", "point", "depth_cm", "case", "user")
    list_filter = ("at",)
    list_select_related = ("point", "case__category", "user")
    scope = _by_point


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnly):
    list_display = ("at", "store", "supply", "change", "balance_after", "reason", "user")
    list_filter = ("supply", "store")
    list_select_related = ("store", "user")


@admin.register(Drill)
class DrillAdmin(ReadOnly):
    list_display = ("held_on", "title", "kind", "place")
    list_filter = ("kind",)
