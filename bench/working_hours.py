"""Benchmark: the time left or overdue of a long-running case (working hours between two moments)
— the whole days read from the calendar's running totals of each day's working seconds against
the day-by-day walk of every day's working periods (what `working_hours_between` did for the
whole span before, and still does for the first and the last day).

    .venv/bin/python bench/working_hours.py
    .venv/bin/python bench/working_hours.py --days 30 --repeat 9

The calendar is the seeded one (chinese-calendar's days of 2019–2026, 09:00–12:00 and
13:00–18:00, Asia/Shanghai), built in memory; no database. For each span (1 day, a week, a month,
`--days` …) both ways are timed on the same moments (best of `--repeat`), and checked to agree.
The console's 期限 queue shows the longest-overdue cases first, each row's time left computed so.
Last line: `working_hours_ratio_vs_walk=<summed / walked>` for the longest span.
"""

import argparse
import datetime
import os
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", default="1,7,30,365,730", help="span lengths, in days")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--number", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from civicgrid.workcalendar.engine import UTC, WorkCalendar
    from civicgrid.workcalendar.seed import SEED_YEARS, days_of_year

    T = datetime.time
    days = {day: kind for year in SEED_YEARS for day, kind, _name in days_of_year(year)}
    periods = ((T(9), T(12)), (T(13), T(18)))
    start = datetime.datetime(
        2024, 1, 3, 10, 17, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
    ratio = None
    print(f"{'span':>10} {'walked ms':>10} {'summed ms':>10} {'ratio':>8}")
    for length in [int(x) for x in args.days.split(",")]:
        end = start + datetime.timedelta(days=length, hours=3, minutes=41)
        cal = WorkCalendar(days, SEED_YEARS, periods, "Asia/Shanghai")
        a, b = start.astimezone(UTC), end.astimezone(UTC)
        walked = cal._walked_seconds(a, b)
        summed = cal._working_seconds(a, b)
        if abs(walked - summed) > 1e-6:
            raise SystemExit(f"{length} days: walked {walked} s, summed {summed} s")
        times = {}
        for name, call in (
            ("walked", lambda cal=cal, a=a, b=b: cal._walked_seconds(a, b)),
            ("summed", lambda cal=cal, a=a, b=b: cal._working_seconds(a, b)),
        ):
            best = min(timeit.repeat(call, number=args.number, repeat=args.repeat))
            times[name] = best / args.number * 1000
        ratio = times["summed"] / times["walked"]
        print(f"{length:>6} d   {times['walked']:>10.4f} {times['summed']:>10.4f} {ratio:>8.3f}")
    print(f"working_hours_ratio_vs_walk={ratio:.4f}")


if __name__ == "__main__":
    main()
