"""Seed the working-day calendar for 2019–2026 from the chinese-calendar package's data.

The holidays and adjusted working days are frozen next to this file
(0002_seed_chinese_calendar.json, written from the package through workcalendar.seed when the
migration was made), so a newer package or a change of the seed module does not change what this
migration writes. Every day of each year is stored (no clock, no randomness), so SQLite and
PostgreSQL get identical rows. Later years are entered from the State Council's notice with
`manage.py import_holiday_notice` or in the admin.
"""

import datetime
import json
import uuid
from pathlib import Path

from django.db import migrations

SEED_TOKEN = uuid.uuid5(uuid.NAMESPACE_URL, "civicgrid:workcalendar:seed:2019-2026")
DATA = Path(__file__).with_suffix(".json")


def days_of_year(year: int, frozen: dict) -> list[tuple[datetime.date, str, str]]:
    """[(date, kind, holiday name), ...] for every day of the year: the frozen holidays and
    adjusted working days, else Saturday and Sunday are weekend and the rest working days."""
    out = []
    day = datetime.date(year, 1, 1)
    while day.year == year:
        key = day.isoformat()
        if key in frozen["holidays"]:
            out.append((day, "holiday", frozen["holidays"][key]))
        elif key in frozen["adjusted_workdays"]:
            out.append((day, "adjusted_workday", frozen["adjusted_workdays"][key]))
        elif day.isoweekday() >= 6:
            out.append((day, "weekend", ""))
        else:
            out.append((day, "workday", ""))
        day += datetime.timedelta(days=1)
    return out


def seed(apps, schema_editor):
    years = json.loads(DATA.read_text(encoding="utf-8"))["years"]
    CalendarYear = apps.get_model("workcalendar", "CalendarYear")
    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    CalendarRevision = apps.get_model("workcalendar", "CalendarRevision")
    for year_text, frozen in sorted(years.items()):
        year = int(year_text)
        calendar_year, _ = CalendarYear.objects.update_or_create(
            year=year, defaults={"published": True, "notice": frozen["notice"]}
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
            for day, kind, name in days_of_year(year, frozen)
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
