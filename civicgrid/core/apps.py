from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "civicgrid.core"
    label = "core"
    verbose_name = _("核心")


class CivicgridAdminConfig(admin_apps.AdminConfig):
    """Replaces "django.contrib.admin" in INSTALLED_APPS: the same admin app, on our site
    (civicgrid.core.adminsite: back-office roles only, strict changelist lookups)."""

    default = False  # listed by its full path; "civicgrid.core" means CoreConfig
    default_site = "civicgrid.core.adminsite.CivicgridAdminSite"
