"""The project's admin site: only the back office gets in (accounts.policy.BACK_OFFICE_ROLES).

Every ModelAdmin registered here — ours and third-party ones (auth, DRF authtoken,
django_tasks_db …) — goes through CivicgridAdminSite.register, which mixes core.adminsite's
StrictAdminMixin into its class: changelists accept only their declared filters and action
selections are checked. Which admin a role may use, and with which verbs, is
accounts.admin_base.RoleGatedAdmin.
"""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from civicgrid.accounts.policy import BACK_OFFICE_ROLES
from civicgrid.core.adminsite import harden


def may_use_admin(user) -> bool:
    """The back office is for the system's keepers, 城运中心 and 居委 staff; phone roles, leaders,
    departments and residents use the web front."""
    if user is None or not user.is_authenticated:
        return False
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.effective_role in BACK_OFFICE_ROLES


class BackOfficeAuthenticationForm(AdminAuthenticationForm):
    """The admin's login refuses accounts whose role has no back office, like a non-staff one."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not may_use_admin(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class CivicgridAdminSite(admin.AdminSite):
    login_form = BackOfficeAuthenticationForm

    def has_permission(self, request):
        return may_use_admin(request.user)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def view_for_back_office(request, *args, **kwargs):
            # Django sends a signed-in user without the admin to the admin's login page; a user
            # whose role has no back office gets the front's 403 page with a way home instead.
            user = request.user
            if (
                user.is_authenticated
                and not self.has_permission(request)
                and request.path != reverse("admin:logout", current_app=self.name)
            ):
                raise PermissionDenied(
                    _("后台管理只供系统管理员、城运中心和居委工作人员使用，请使用网页前台。")
                )
            return inner(request, *args, **kwargs)

        return update_wrapper(view_for_back_office, inner)

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = harden(admin_class or admin.ModelAdmin)
        super().register(model_or_iterable, admin_class, **options)
