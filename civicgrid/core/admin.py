"""Back office of the periodic work (定时任务运行记录, core/periodic.py): read-only, for the
system's keepers (Django superusers, like the accounts' keeper-only admins). Which node ran which
job for which period, when it finished and how (a run without an end: its node died in the job).

core is the lowest layer and knows no roles (accounts.admin_base.RoleGatedAdmin sits above it):
the gate is the superuser flag, which the site itself (accounts.adminsite) already requires to
be a back-office user. Rows are written by run_periodic only: no add, change or delete here.
"""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import PeriodicRun


class JobFilter(admin.SimpleListFilter):
    """The configured jobs (settings.CIVICGRID_PERIODIC_JOBS), so the filter offers its links
    before any job has run."""

    title = _("任务")
    parameter_name = "job"

    def lookups(self, request, model_admin):
        configured = list(settings.CIVICGRID_PERIODIC_JOBS)
        seen = model_admin.get_queryset(request).values_list("job", flat=True).distinct()
        return [(name, name) for name in sorted({*configured, *seen})]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(job=self.value())
        return queryset


class OutcomeFilter(admin.SimpleListFilter):
    title = _("执行结果")
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [
            ("ok", _("成功")),
            ("failed", _("失败")),
            ("unfinished", _("未结束")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "ok":
            return queryset.filter(finished_at__isnull=False, outcome__startswith="ok ")
        if value == "failed":
            return queryset.filter(finished_at__isnull=False).exclude(outcome__startswith="ok ")
        if value == "unfinished":
            return queryset.filter(finished_at__isnull=True)
        return queryset


@admin.register(PeriodicRun)
class PeriodicRunAdmin(admin.ModelAdmin):
    list_display = ["job", "period_start", "node", "started_at", "finished_at", "outcome"]
    list_filter = [JobFilter, OutcomeFilter]
    date_hierarchy = "period_start"
    search_fields = ["job", "node"]
    fields = list_display
    readonly_fields = fields
    actions = None

    def _keeper(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and user.is_superuser

    def has_module_permission(self, request):
        return self._keeper(request)

    def has_view_permission(self, request, obj=None):
        return self._keeper(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
