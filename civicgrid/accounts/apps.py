from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "civicgrid.accounts"
    label = "accounts"
    verbose_name = _("用户与部门")


class CivicgridAdminConfig(admin_apps.AdminConfig):
    """Replaces "django.contrib.admin" in INSTALLED_APPS: the same admin app, on our site
    (civicgrid.accounts.adminsite: back-office roles only, strict changelist lookups)."""

    default = False  # listed by its full path; "civicgrid.accounts" means AccountsConfig
    default_site = "civicgrid.accounts.adminsite.CivicgridAdminSite"
