from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "civicgrid.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self):
        from civicgrid.core import checks  # noqa: F401  (registers the demo-files check)
        from civicgrid.core.pgstatements import cache_wide_statements

        cache_wide_statements()

        name_third_party_admin()


# The back office shows these libraries' apps and models; they carry no Chinese names of their
# own. Only the names shown (Options.verbose_name*), never the declared Meta: migrations of the
# libraries see no change.
THIRD_PARTY_APPS = {
    "django_tasks_database": _("后台任务"),
    "axes": _("登录防护"),
    "django_rq": _("RQ 任务队列"),
}
THIRD_PARTY_MODELS = {
    ("django_tasks_database", "DBTaskResult"): _("任务执行结果"),
    ("axes", "AccessAttempt"): _("登录失败记录"),
    ("axes", "AccessFailureLog"): _("登录失败日志"),
    ("axes", "AccessLog"): _("登录日志"),
    ("axes", "AccessAttemptExpiration"): _("登录锁定到期"),
    ("django_rq", "Dashboard"): _("任务队列面板"),
}


def name_third_party_admin():
    from django.apps import apps

    for label, name in THIRD_PARTY_APPS.items():
        try:
            apps.get_app_config(label).verbose_name = name
        except LookupError:
            continue
    for (label, model_name), name in THIRD_PARTY_MODELS.items():
        try:
            model = apps.get_model(label, model_name)
        except LookupError:
            continue
        model._meta.verbose_name = name
        model._meta.verbose_name_plural = name
