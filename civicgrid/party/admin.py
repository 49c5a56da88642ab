"""Back office of the party app: read-only views of organisations, members (phones masked, never
searched by phone), assignments, star ratings, organisational life, service points,
co-building agreements, the change history and the phone-view log — each scoped like the pages
(party.services.scope_organisations / scope_members). Changes go through the services (the
pages and the API), which keep the one-organisation rule and write the history."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.policy import PARTY_LOG_ROLES, PARTY_VIEW_ROLES
from civicgrid.core.masking import mask_phone
from civicgrid.party import services
from civicgrid.party.models import (
    Assignment,
    CoBuilding,
    LifeMeeting,
    Member,
    MemberPhoneAccess,
    Organisation,
    PartyEvent,
    ServicePoint,
    StarRating,
)


def _orgs(queryset, user):
    return services.scope_organisations(queryset, user)


def _by_org(queryset, user):
    return queryset.filter(
        organisation__in=services.scope_organisations(Organisation.objects.all(), user)
    )


def _members(queryset, user):
    return services.scope_members(queryset, user)


def _by_member(queryset, user):
    return queryset.filter(member__in=services.scope_members(Member.objects.all(), user))


class PartyAdmin(RoleGatedAdmin):
    view_roles = PARTY_VIEW_ROLES
    delete_roles = frozenset()


@admin.register(Organisation)
class OrganisationAdmin(PartyAdmin):
    scope = _orgs
    list_display = (
        "short_name",
        "name",
        "level",
        "sector",
        "parent",
        "grid",
        "started_on",
        "ended_on",
    )
    list_filter = ("level", "sector")
    search_fields = ("name", "short_name")
    list_select_related = ("parent", "grid")


@admin.register(Member)
class MemberAdmin(PartyAdmin):
    scope = _members
    list_display = ("name", "masked_phone", "organisation", "work_status", "dual_report_on")
    list_filter = ("work_status", "is_active")
    search_fields = ("name",)
    exclude = ("phone",)
    readonly_fields = ("masked_phone",)
    raw_id_fields = ("resident", "staff")
    list_select_related = ("organisation",)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(Assignment)
class AssignmentAdmin(PartyAdmin):
    scope = _by_member
    list_display = ("member", "kind", "grid", "detail", "started_on", "ended_on")
    list_filter = ("kind",)
    raw_id_fields = ("member",)


@admin.register(StarRating)
class StarRatingAdmin(PartyAdmin):
    scope = _by_org
    list_display = ("organisation", "year", "stars", "awarded_by", "score")
    list_filter = ("organisation__level", "year", "stars")


@admin.register(LifeMeeting)
class LifeMeetingAdmin(PartyAdmin):
    scope = _by_org
    list_display = ("organisation", "kind", "held_on", "topic", "attended", "expected", "venue")
    list_filter = ("kind", "venue")
    list_select_related = ("organisation",)


@admin.register(ServicePoint)
class ServicePointAdmin(PartyAdmin):
    list_display = ("name", "tier", "kind", "address", "hours", "is_active")
    list_filter = ("tier", "kind", "is_active")
    search_fields = ("name", "address")


@admin.register(CoBuilding)
class CoBuildingAdmin(PartyAdmin):
    scope = _by_org
    list_display = ("title", "organisation", "signed_on", "working_group")


@admin.register(PartyEvent)
class PartyEventAdmin(PartyAdmin):
    scope = _by_org
    list_display = ("at", "kind", "organisation", "user")
    list_filter = ("organisation__level", "kind")
    date_hierarchy = "at"


@admin.register(MemberPhoneAccess)
class MemberPhoneAccessAdmin(PartyAdmin):
    view_roles = PARTY_LOG_ROLES
    list_display = ("at", "user", "member")
