"""Benchmark: the dashboard's 主动治理 share (未诉先办) from the stored answers (proactive.first,
one aggregate) against classifying the cases on read (proactive.indicators.classify, the rule the
tile ran on every view before), in the same run on the same database, with the same figures.

    .venv/bin/python bench/first_tile.py                      # civicgrid_bench_city (bench/city.py's)
    .venv/bin/python bench/first_tile.py --database-url postgres://…/db --repeat 5

The database must hold generated cases (bench/city.py or bench/dashboard.py makes them and fills
the stored answers). `--rebuild` times `manage.py rebuild_first_reports` first. Prints each
side's best and median over `--repeat` runs (classify: `--classify-repeat`, it is slow), checks
both give the same shares, and last `tile_ratio_vs_classify=<classify best / stored best>`.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def by_classify(micro_ids, first, last):
    """The tile's shares as the tile computed them before (classify over the period on read)."""

    from civicgrid.proactive import indicators, reports

    months = indicators.month_starts(last, reports.MONTHS)
    rows = indicators.classify(
        micro_ids,
        indicators._aware(min(first, months[0])),
        indicators._aware(last + datetime.timedelta(days=1)),
    )
    grid, month = indicators.tally_firsts(rows, first, months)
    return {
        "found": sum(g["found"] for g in grid.values()),
        "residents": sum(g["residents"] for g in grid.values()),
        "by_month": [(m, v["found"], v["residents"]) for m, v in month.items()],
    }


def by_store(micro_ids, first, last):
    from civicgrid.proactive import reports

    tile = reports.shares(micro_ids, first, last)
    return {
        "found": tile["found"],
        "residents": tile["residents"],
        "by_month": [(m["month"], m["found"], m["residents"]) for m in tile["by_month"]],
    }


def timed(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/civicgrid_bench_city"
    )
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--classify-repeat", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from civicgrid.cases.models import Case
    from civicgrid.proactive import first
    from civicgrid.proactive.models import FirstReport

    if args.rebuild:
        started = time.perf_counter()
        rows = first.rebuild()
        print(f"rebuild_first_reports: {rows:,} cases in {time.perf_counter() - started:.1f} s")
    last = timezone.localdate()
    since = last.replace(day=1)
    print(
        f"{Case.objects.count():,} cases, {FirstReport.objects.count():,} stored answers "
        f"({connection.vendor}); the tile's period {since}..{last}, months back to "
        f"{last.replace(day=1) - datetime.timedelta(days=150):%Y-%m}"
    )
    s_best, s_med, stored = timed(lambda: by_store(None, since, last), args.repeat)
    print(f"stored (one aggregate): best {s_best * 1000:.1f} ms, median {s_med * 1000:.1f} ms")
    c_best, c_med, ruled = timed(lambda: by_classify(None, since, last), args.classify_repeat)
    print(f"classify on read:       best {c_best * 1000:.1f} ms, median {c_med * 1000:.1f} ms")
    print(
        f"same shares: {stored == ruled} (found {stored['found']}, residents {stored['residents']})"
    )
    if stored != ruled:
        print(f"  stored {stored}\n  classify {ruled}")
    print(f"tile_ratio_vs_classify={c_best / s_best:.1f}")


if __name__ == "__main__":
    main()
