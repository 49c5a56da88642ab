"""Days of a year from the `chinese-calendar` package (its data: 2004 to 2026).

Used by the seeding migration and by `import_holiday_notice YEAR --from-chinese-calendar` (for a
later package release that carries a new year). Pure: dates in, tuples out, no database.
"""

import datetime

import chinese_calendar

from civicgrid.workcalendar.choices import HOLIDAY_NAMES_ZH, DayKind

# The years the seeding migration stores. Fixed, so every database gets the same rows.
SEED_YEARS = range(2019, 2027)


class NotInPackage(ValueError):
    """chinese-calendar has no data for the year."""


def covers(year: int) -> bool:
    return any(day.year == year for day in chinese_calendar.holidays)


def chinese_name(name) -> str:
    if not name:
        return ""
    return HOLIDAY_NAMES_ZH.get(str(name), str(name))


def days_of_year(year: int) -> list[tuple[datetime.date, str, str]]:
    """[(date, kind, holiday name in Chinese), ...] for every day of the year."""
    if not covers(year):
        raise NotInPackage(f"chinese-calendar 未包含 {year} 年的节假日数据")
    out = []
    day = datetime.date(year, 1, 1)
    while day.year == year:
        if day in chinese_calendar.holidays:
            out.append((day, DayKind.HOLIDAY.value, chinese_name(chinese_calendar.holidays[day])))
        elif day in chinese_calendar.workdays:
            # The package lists only the adjusted working days (weekends worked) as "workdays".
            out.append(
                (day, DayKind.ADJUSTED_WORKDAY.value, chinese_name(chinese_calendar.workdays[day]))
            )
        elif day.isoweekday() >= 6:
            out.append((day, DayKind.WEEKEND.value, ""))
        else:
            out.append((day, DayKind.WORKDAY.value, ""))
        day += datetime.timedelta(days=1)
    return out


def notice_text(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知(据 chinese-calendar 数据)"
