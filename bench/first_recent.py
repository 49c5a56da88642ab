"""Benchmark: the periodic job `first_reports_recent` (proactive.first.refresh_recent: the stored
未诉先办 answers of the last FIRST_WINDOW_DAYS + 1 days recomputed) against the full rebuild
(`manage.py rebuild_first_reports`, proactive.first.rebuild), in the same run on the same
database.

    .venv/bin/python bench/first_recent.py                       # 1,000,000 cases
    .venv/bin/python bench/first_recent.py --cases 100000 --database-url postgres://…/db

The database (default civicgrid_bench_first_recent on the local PostgreSQL) is created if
missing, migrated, given the demo street and bench/dashboard.py's generated cases (5,500 a day
back from today; kept between runs with the same `--cases`). Then: the full rebuild, timed; a
race's damage on purpose (`--damage` recent answers one too high, one old answer too); the job,
timed — it must put right exactly the recent ones and leave the old one — then best of
`--repeat` runs on right answers (the usual hourly run). The last line is
`recent_ratio_vs_rebuild=<rebuild / job>`.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import dashboard  # noqa: E402 — the SQL generator of the cases

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/civicgrid_bench_first_recent"


def count(sql, params=()):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchone()[0]


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--per-day", type=int, default=5500)
    parser.add_argument("--damage", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    dashboard.ensure_database(args.database_url)
    dashboard.prepare(args)
    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from civicgrid.proactive import first
    from civicgrid.proactive.models import FirstReport

    generated = count("SELECT count(*) FROM cases_case WHERE public_token ~ '^b[0-9]+$'")
    if generated != args.cases:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE cases_case, cases_caseevent, dashboard_rollup RESTART IDENTITY CASCADE"
            )
        now = timezone.now().replace(microsecond=0)
        took = dashboard.generate(
            0,
            args.cases,
            SimpleNamespace(per_day=args.per_day, database_url=args.database_url),
            now,
        )
        print(f"generated {args.cases:,} cases in {took:.0f} s")
    else:
        print(f"reusing the {generated:,} generated cases")

    rebuild_s, rows = timed(first.rebuild)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE proactive_firstreport")
    print(f"full rebuild: {rows:,} answers in {rebuild_s * 1000:,.0f} ms")

    now = timezone.now()
    since = now - first.window() - datetime.timedelta(days=1)
    right = dict(FirstReport.objects.values_list("case_id", "earlier"))
    recent = list(
        FirstReport.objects.filter(reported_at__gte=since)
        .order_by("?")
        .values_list("case_id", flat=True)[: args.damage]
    )
    old = FirstReport.objects.filter(reported_at__lt=since).values_list("case_id", flat=True)[0]
    FirstReport.objects.filter(case_id__in=[*recent, old]).update(earlier=F("earlier") + 1)

    fix_s, done = timed(lambda: first.refresh_recent(now=now))
    print(f"job on {len(recent)} wrong recent answers: {done} in {fix_s * 1000:,.0f} ms")
    after = dict(FirstReport.objects.values_list("case_id", "earlier"))
    wrong = {pk for pk in right if after.get(pk) != right[pk]}
    assert done["corrected"] == len(recent), done
    assert wrong == {old}, f"{len(wrong)} answers differ from the full rebuild's"
    FirstReport.objects.filter(case_id=old).update(earlier=right[old])

    runs = []
    for _ in range(args.repeat):
        seconds, done = timed(lambda: first.refresh_recent(now=now))
        assert done["corrected"] == done["missing"] == done["removed"] == 0, done
        runs.append(seconds)
    best = min(runs)
    print(f"job on right answers: {done['cases']:,} cases, best {best * 1000:,.0f} ms")
    print(f"recent_ratio_vs_rebuild={rebuild_s / best:.1f}")


if __name__ == "__main__":
    main()
