from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.models import Department, User


class KeeperOnlyAdmin(RoleGatedAdmin):
    # Accounts and departments decide who sees what; only the system's keepers touch them.
    superusers_only = True
    view_roles = None
    change_roles = None


@admin.register(Department)
class DepartmentAdmin(KeeperOnlyAdmin):
    list_display = ["code", "name", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(KeeperOnlyAdmin, DjangoUserAdmin):
    list_display = [
        "username",
        "first_name",
        "role",
        "community",
        "department",
        "is_staff",
        "is_active",
    ]
    list_filter = ["role", "is_staff", "is_active", "department"]
    list_select_related = ["community", "department"]
    search_fields = ["username", "first_name", "last_name"]
    autocomplete_fields = []
    raw_id_fields = ["community"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("角色与范围"), {"fields": ["role", "phone", "community", "department"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("角色与范围"), {"fields": ["role", "community", "department"]}),
    ]
