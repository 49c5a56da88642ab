"""System check: settings.WORKING_HOURS must be usable before any deadline is computed."""

from django.conf import settings
from django.core.checks import Error, register

from civicgrid.workcalendar.hours import WorkingHoursError, parse_working_hours


@register()
def check_working_hours(app_configs, **kwargs):
    try:
        parse_working_hours(getattr(settings, "WORKING_HOURS", None))
    except WorkingHoursError as exc:
        return [
            Error(
                str(exc), hint="例如 WORKING_HOURS=09:00-12:00,13:00-18:00", id="workcalendar.E001"
            )
        ]
    return []
