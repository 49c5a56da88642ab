"""Back office of the rental houses' fire-safety grading: read-only views of houses (no landlord
data here), inspections and the colour history, each scoped like the pages; the checklist's
items (重大/一般) are edited here by those who edit the patrol checklist. Houses change through
firesafety.services (the pages and the API), never here."""

from django.contrib import admin

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.policy import CHECKLIST_EDIT_ROLES
from civicgrid.firesafety import services
from civicgrid.firesafety.models import CheckItem, ColourChange, Inspection, RentalHouse


def _houses(queryset, user):
    return services.scope_houses(queryset, user)


def _by_house(queryset, user):
    return services.scope_houses(queryset, user, prefix="house__")


@admin.register(CheckItem)
class CheckItemAdmin(RoleGatedAdmin):
    list_display = ("name", "severity", "order", "is_active")
    list_filter = ("severity", "is_active")
    change_roles = CHECKLIST_EDIT_ROLES
    delete_roles = frozenset()


@admin.register(RentalHouse)
class RentalHouseAdmin(RoleGatedAdmin):
    list_display = ("household", "community", "colour", "last_inspected_at", "next_inspection_due")
    list_filter = ("colour", "is_active")
    list_select_related = ("household__address", "community")
    exclude = ("token",)
    scope = _houses
    delete_roles = frozenset()


@admin.register(Inspection)
class InspectionAdmin(RoleGatedAdmin):
    list_display = ("house", "inspected_at", "colour", "major_count", "minor_count")
    list_filter = ("colour", "inspected_at")
    list_select_related = ("house__household__address",)
    scope = _by_house
    delete_roles = frozenset()


@admin.register(ColourChange)
class ColourChangeAdmin(RoleGatedAdmin):
    list_display = ("house", "from_colour", "to_colour", "at", "user")
    list_filter = ("to_colour", "at")
    list_select_related = ("house__household__address", "user")
    scope = _by_house
    delete_roles = frozenset()
