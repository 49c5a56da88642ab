"""Back office of shared parking: read-only views of spaces, vehicles (plates masked, never
searched), residents' accounts, the 业委会's rules, offers, bookings with their history,
escalations and congestion, each scoped like the pages (parking.scoping). Everything changes
through parking.services (the pages and the API), never here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.policy import PARKING_VIEW_ROLES
from civicgrid.parking.models import (
    Booking,
    BookingEvent,
    CongestionReport,
    Escalation,
    Member,
    Offer,
    RuleSet,
    Space,
    Vehicle,
    mask_plate,
)
from civicgrid.parking.scoping import scope_rows


def _scoped(queryset, user):
    return scope_rows(queryset, user)


def _by_booking(queryset, user):
    return scope_rows(queryset, user, "booking__community")


class ParkingAdmin(RoleGatedAdmin):
    view_roles = PARKING_VIEW_ROLES
    scope = _scoped
    delete_roles = frozenset()


@admin.register(Space)
class SpaceAdmin(ParkingAdmin):
    list_display = ("code", "kind", "estate", "unit_name", "community", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "unit_name")
    raw_id_fields = ("holder",)


@admin.register(Vehicle)
class VehicleAdmin(ParkingAdmin):
    list_display = ("masked_plate", "estate", "since", "is_active")
    list_filter = ("is_active",)
    exclude = ("plate",)
    raw_id_fields = ("household",)

    @admin.display(description=_("车牌号"))
    def masked_plate(self, obj):
        return mask_plate(obj.plate)


@admin.register(Member)
class MemberAdmin(ParkingAdmin):
    list_display = ("user", "estate", "created_at")
    raw_id_fields = ("user", "household")


@admin.register(RuleSet)
class RuleSetAdmin(ParkingAdmin):
    list_display = (
        "estate",
        "version",
        "effective_from",
        "slot_minutes",
        "weekly_cap_hours",
        "strikes_to_suspend",
    )

    scope = staticmethod(lambda queryset, user: scope_rows(queryset, user, "estate__community"))


@admin.register(Offer)
class OfferAdmin(ParkingAdmin):
    list_display = (
        "space",
        "first_day",
        "last_day",
        "days",
        "start_time",
        "end_time",
        "withdrawn_at",
    )
    list_filter = ("days",)
    # A space is named with its estate.
    list_select_related = ("space__estate",)


@admin.register(Booking)
class BookingAdmin(ParkingAdmin):
    list_display = ("space", "starts_at", "ends_at", "state", "estate")
    list_filter = ("state",)
    list_select_related = ("space__estate", "estate")
    date_hierarchy = "starts_at"
    raw_id_fields = ("household", "vehicle", "offer", "space")


@admin.register(BookingEvent)
class BookingEventAdmin(ParkingAdmin):
    list_display = ("booking", "from_state", "to_state", "user", "at")
    list_filter = ("to_state",)
    list_select_related = ("booking__space__estate", "user")
    scope = _by_booking


@admin.register(Escalation)
class EscalationAdmin(ParkingAdmin):
    list_display = ("estate", "kind", "case", "at")
    list_filter = ("kind",)


@admin.register(CongestionReport)
class CongestionReportAdmin(ParkingAdmin):
    list_display = ("estate", "at", "place", "minutes", "reporter_name")
