"""Back office of the time bank: read-only views of partners, teams, projects, volunteers
(phones masked, never searched), accounts, relatives, requests and service records with their
history, and the ledger's transfers, each scoped like the pages (timebank.scoping). The rules
are the one thing added here: a new version through timebank.services.do_save_rules (the older
ones stay). Everything else changes through the services (the pages and the API)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.policy import TIMEBANK_RULES_ROLES, TIMEBANK_VIEW_ROLES
from civicgrid.core.masking import mask_phone
from civicgrid.timebank import services
from civicgrid.timebank.models import (
    Account,
    HelpRequest,
    Partner,
    Project,
    RecordEvent,
    Relative,
    RequestEvent,
    Rules,
    ServiceRecord,
    Team,
    Transfer,
    Volunteer,
)
from civicgrid.timebank.scoping import scope_rows, visible_communities


def _scoped(queryset, user):
    return scope_rows(queryset, user)


class TimebankAdmin(RoleGatedAdmin):
    view_roles = TIMEBANK_VIEW_ROLES
    scope = _scoped
    delete_roles = frozenset()


@admin.register(Rules)
class RulesAdmin(TimebankAdmin):
    list_display = (
        "at",
        "rounding_minutes",
        "daily_cap_minutes",
        "redeem_age",
        "credit_own_household",
        "gifts_to_relatives_only",
    )
    exclude = ("by", "at")
    add_roles = TIMEBANK_RULES_ROLES
    scope = None

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.cleaned_data}
        saved = services.do_save_rules(request.user, **fields)
        obj.pk, obj.at, obj.by = saved.pk, saved.at, saved.by
        obj._state.adding = False


@admin.register(Partner)
class PartnerAdmin(TimebankAdmin):
    list_display = ("name", "kind", "community", "is_active", "joined_on")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    exclude = ("contact",)
    scope = None  # the street's list: a partner serves several 居村


@admin.register(Team)
class TeamAdmin(TimebankAdmin):
    list_display = ("name", "community", "partner")


@admin.register(Project)
class ProjectAdmin(TimebankAdmin):
    list_display = ("name", "kind", "community", "coordinator", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


@admin.register(Volunteer)
class VolunteerAdmin(TimebankAdmin):
    list_display = ("name", "masked_phone", "community", "team", "double_report", "is_active")
    list_filter = ("double_report", "is_active")
    exclude = ("phone",)
    raw_id_fields = ("resident",)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


def _accounts(queryset, user):
    if visible_communities(user) is None:
        return queryset
    return scope_rows(queryset.filter(community__isnull=False), user)


@admin.register(Account)
class AccountAdmin(TimebankAdmin):
    list_display = ("__str__", "kind", "community", "balance")
    list_filter = ("kind",)
    # An account is named by its resident or volunteer.
    list_select_related = ("resident", "volunteer", "community")
    raw_id_fields = ("volunteer", "resident", "user")
    scope = staticmethod(_accounts)


@admin.register(Relative)
class RelativeAdmin(TimebankAdmin):
    list_display = ("account", "relation", "at")
    list_select_related = ("account__resident", "account__volunteer")
    raw_id_fields = ("account", "resident")
    scope = staticmethod(lambda queryset, user: scope_rows(queryset, user, "account__community"))


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_state", "to_state", "note", "by", "at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(HelpRequest)
class HelpRequestAdmin(TimebankAdmin):
    list_display = ("project", "community", "wanted_on", "state", "volunteer")
    list_filter = ("state",)
    exclude = ("contact_phone",)
    raw_id_fields = ("elder", "volunteer", "asked_by")
    inlines = [RequestEventInline]


class RecordEventInline(admin.TabularInline):
    model = RecordEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_state", "to_state", "note", "by", "at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRecord)
class ServiceRecordAdmin(TimebankAdmin):
    list_display = ("volunteer", "project", "started_at", "state", "credited_minutes")
    list_filter = ("state",)
    raw_id_fields = ("volunteer", "recipient", "request", "created_by")
    inlines = [RecordEventInline]


@admin.register(Transfer)
class TransferAdmin(TimebankAdmin):
    list_display = ("at", "kind", "debit", "credit", "minutes")
    list_filter = ("kind",)
    list_select_related = (
        "debit__resident",
        "debit__volunteer",
        "credit__resident",
        "credit__volunteer",
    )
    raw_id_fields = ("debit", "credit", "record", "reverses", "by")
    scope = staticmethod(
        lambda queryset, user: (
            queryset
            if visible_communities(user) is None
            else queryset.filter(credit__community__in=visible_communities(user))
            | queryset.filter(debit__community__in=visible_communities(user))
        )
    )
