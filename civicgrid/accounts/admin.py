from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import Department, User
from civicgrid.core.adminsite import may_use_admin


def _is_keeper(request) -> bool:
    # Accounts and departments decide who sees what; only the system's keepers touch them.
    return may_use_admin(request.user) and request.user.is_superuser


class KeeperOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return _is_keeper(request)

    def has_view_permission(self, request, obj=None):
        return _is_keeper(request)

    def has_add_permission(self, request):
        return _is_keeper(request)

    def has_change_permission(self, request, obj=None):
        return _is_keeper(request)

    def has_delete_permission(self, request, obj=None):
        return _is_keeper(request)


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
