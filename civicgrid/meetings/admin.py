"""Back office of the 三会: read-only views of meetings (with their participants, minutes and
history), evaluation scores and training records, each scoped like the pages. Meetings change
through meetings.services (the pages and the API), never here."""

from django.contrib import admin

from civicgrid.accounts.admin_base import RoleGatedAdmin, RoleGatedMixin
from civicgrid.accounts.policy import MEETINGS_VIEW_ROLES
from civicgrid.meetings import services
from civicgrid.meetings.models import (
    EvaluationScore,
    Meeting,
    MeetingEvent,
    Minutes,
    Participant,
    TrainingRecord,
)


def _meetings(queryset, user):
    return services.scope_meetings(queryset, user)


def _by_meeting(queryset, user):
    return services.scope_meetings(queryset, user, prefix="meeting__")


class ParticipantInline(RoleGatedMixin, admin.TabularInline):
    model = Participant
    fields = ("part", "name", "organisation", "signed_in_at", "sign_in_method")
    readonly_fields = fields
    extra = 0
    view_roles = MEETINGS_VIEW_ROLES


class MinutesInline(RoleGatedMixin, admin.StackedInline):
    model = Minutes
    fields = ("version", "text", "corrects", "correction_reason", "signed_at", "signed_by")
    readonly_fields = fields
    extra = 0
    view_roles = MEETINGS_VIEW_ROLES


class EventInline(RoleGatedMixin, admin.TabularInline):
    model = MeetingEvent
    fields = ("at", "action", "from_state", "to_state", "user", "note")
    readonly_fields = fields
    extra = 0
    view_roles = MEETINGS_VIEW_ROLES


@admin.register(Meeting)
class MeetingAdmin(RoleGatedAdmin):
    list_display = ("title", "kind", "community", "state", "starts_at", "place")
    list_filter = ("kind", "state", "starts_at")
    search_fields = ("title", "subject_title")
    exclude = ("sign_in_token",)
    inlines = (ParticipantInline, MinutesInline, EventInline)
    view_roles = MEETINGS_VIEW_ROLES
    scope = _meetings
    delete_roles = frozenset()


@admin.register(EvaluationScore)
class EvaluationScoreAdmin(RoleGatedAdmin):
    list_display = ("meeting", "body_name", "item", "satisfied", "fairly", "dissatisfied")
    list_filter = ("body_kind",)
    view_roles = MEETINGS_VIEW_ROLES
    scope = _by_meeting
    delete_roles = frozenset()


@admin.register(TrainingRecord)
class TrainingRecordAdmin(RoleGatedAdmin):
    list_display = ("trainee", "community", "post", "course", "trained_on", "passed")
    list_filter = ("post", "passed", "trained_on")
    view_roles = MEETINGS_VIEW_ROLES
    scope = _meetings
    delete_roles = frozenset()
