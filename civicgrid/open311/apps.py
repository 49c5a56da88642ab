from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "civicgrid.open311"
    label = "open311"
    verbose_name = _("Open311 接口")

    def ready(self):
        from civicgrid.core.middleware import register_channel_refusal
        from civicgrid.open311.render import errors

        # Refused input (core.middleware) is answered in the GeoReport error shape here.
        register_channel_refusal(
            "/open311/",
            lambda request, view_kwargs, error: errors(
                view_kwargs.get("fmt") or "json", error.status, error.text()
            ),
        )
