"""Back office for the duty roster and 督办件: the roster is added through duty.services (the
chiefs and the admin); 督办件 are read-only here (given and answered on the case page and API),
scoped like their cases."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.policy import DUTY_ROSTER_EDIT_ROLES, STAFFING_EDIT_ROLES
from civicgrid.duty import services
from civicgrid.duty.models import DutyShift, Liaison, Supervision


class DutyShiftForm(forms.ModelForm):
    class Meta:
        model = DutyShift
        fields = ["role", "user", "starts_at", "ends_at", "note"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_shift(
                user=data.get("user"),
                role=data.get("role"),
                starts_at=data.get("starts_at"),
                ends_at=data.get("ends_at"),
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(DutyShift)
class DutyShiftAdmin(RoleGatedAdmin):
    form = DutyShiftForm
    add_roles = DUTY_ROSTER_EDIT_ROLES
    change_roles = frozenset()
    delete_roles = frozenset()
    list_display = ["starts_at", "ends_at", "role", "user", "note"]
    list_filter = ["role"]
    date_hierarchy = "starts_at"

    def save_model(self, request, obj, form, change):
        shift = services.do_add_shift(
            request.user,
            user=obj.user,
            role=obj.role,
            starts_at=obj.starts_at,
            ends_at=obj.ends_at,
            note=obj.note,
        )
        obj.pk = shift.pk


def _scoped(queryset, user):
    return services.scoped_supervisions(user, queryset)


@admin.register(Supervision)
class SupervisionAdmin(RoleGatedAdmin):
    scope = _scoped
    list_display = ["case", "by", "deadline", "status", "answered_at"]
    list_filter = ["status"]
    readonly_fields = [
        "case",
        "by",
        "instruction",
        "deadline",
        "status",
        "created_at",
        "answer",
        "answered_at",
        "answered_by",
    ]
    fields = readonly_fields


class LiaisonForm(forms.ModelForm):
    class Meta:
        model = Liaison
        fields = ["user", "community", "since"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_liaison(user=data.get("user"), community=data.get("community"))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


def _liaisons(queryset, user):
    return services.scoped_liaisons(user, queryset)


@admin.register(Liaison)
class LiaisonAdmin(RoleGatedAdmin):
    form = LiaisonForm
    scope = _liaisons
    add_roles = STAFFING_EDIT_ROLES
    change_roles = frozenset()
    delete_roles = STAFFING_EDIT_ROLES
    list_display = ["community", "user", "since"]
    list_filter = ["since"]

    def save_model(self, request, obj, form, change):
        link = services.do_link_liaison(
            request.user, user=obj.user, community=obj.community, since=obj.since
        )
        obj.pk = link.pk

    def delete_model(self, request, obj):
        services.do_unlink_liaison(request.user, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.do_unlink_liaison(request.user, obj)
