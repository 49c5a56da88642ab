"""Seed the working-day calendar for 2019–2026 from the chinese-calendar package.

Every day of each year is stored, built by workcalendar.seed from the package's data only (no
clock, no randomness), so SQLite and PostgreSQL get identical rows. Later years are entered from
the State Council's notice with `manage.py import_holiday_notice` or in the admin.
"""

import uuid

from django.db import migrations

SEED_TOKEN = uuid.uuid5(uuid.NAMESPACE_URL, "civicgrid:workcalendar:seed:2019-2026")


def seed(apps, schema_editor):
    from civicgrid.workcalendar.seed import SEED_YEARS, days_of_year, notice_text

    CalendarYear = apps.get_model("workcalendar", "CalendarYear")
    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    CalendarRevision = apps.get_model("workcalendar", "CalendarRevision")
    for year in SEED_YEARS:
        calendar_year, _ = CalendarYear.objects.update_or_create(
            year=year, defaults={"published": True, "notice": notice_text(year)}
        )
        CalendarDay.objects.filter(calendar_year=calendar_year).delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(
                calendar_year=calendar_year,
                date=day,
                kind=kind,
                holiday_name=name,
                source="seed",
            )
            for day, kind, name in days_of_year(year)
        )
    CalendarRevision.objects.update_or_create(pk=1, defaults={"revision": 1, "token": SEED_TOKEN})


def unseed(apps, schema_editor):
    apps.get_model("workcalendar", "CalendarYear").objects.filter(
        year__in=list(range(2019, 2027))
    ).delete()
    apps.get_model("workcalendar", "CalendarRevision").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
