"""Back office of the shop roll: read-only views of blocks, shops (operator phones masked, never
searched), associations, rounds, inspections and the full-view log, each scoped like the pages;
the 门责 check's items are edited here by those who edit the patrol checklist. Shops, blocks and
associations change through shops.services (the pages and the API), never here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.policy import CHECKLIST_EDIT_ROLES
from civicgrid.shops import services
from civicgrid.shops.models import (
    Association,
    Block,
    Inspection,
    InspectionItem,
    RefreshRound,
    Shop,
    ShopDataAccess,
)


def _blocks(queryset, user):
    return services.scope_blocks(queryset, user)


def _shops(queryset, user):
    return services.scope_shops(queryset, user)


def _by_shop(queryset, user):
    return services.scope_shops(queryset, user, prefix="shop__")


def _by_block(queryset, user):
    return services.scope_blocks(queryset, user, prefix="block__")


@admin.register(Block)
class BlockAdmin(RoleGatedAdmin):
    list_display = ("code", "name", "community", "responsible", "deputy", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    scope = _blocks
    delete_roles = frozenset()


@admin.register(Shop)
class ShopAdmin(RoleGatedAdmin):
    list_display = ("sign_name", "block", "address", "trade", "state", "masked_phone", "in_roll")
    list_filter = ("state", "trade", "in_roll")
    search_fields = ("sign_name", "address")
    exclude = ("operator_phone",)
    scope = _shops
    delete_roles = frozenset()

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj):
        return services.masked_phone(obj)


@admin.register(Association)
class AssociationAdmin(RoleGatedAdmin):
    list_display = ("name", "head", "founded_on", "convention_adopted_on")
    delete_roles = frozenset()


@admin.register(RefreshRound)
class RefreshRoundAdmin(RoleGatedAdmin):
    list_display = ("block", "period_start", "period_end", "completed_at", "completed_by")
    list_filter = ("period_start",)
    scope = _by_block
    delete_roles = frozenset()


@admin.register(InspectionItem)
class InspectionItemAdmin(RoleGatedAdmin):
    list_display = ("name", "category", "order", "is_active")
    list_filter = ("is_active",)
    change_roles = CHECKLIST_EDIT_ROLES
    delete_roles = frozenset()


@admin.register(Inspection)
class InspectionAdmin(RoleGatedAdmin):
    list_display = ("shop", "inspected_at", "passed", "reinspection_of", "reinspect_by")
    list_filter = ("passed", "inspected_at")
    scope = _by_shop
    delete_roles = frozenset()


@admin.register(ShopDataAccess)
class ShopDataAccessAdmin(RoleGatedAdmin):
    list_display = ("accessed_at", "user", "shop", "channel")
    list_filter = ("accessed_at",)
    scope = _by_shop
    delete_roles = frozenset()
