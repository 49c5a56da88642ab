"""Benchmark: the console's Excel export of 100,000 cases — time and peak memory — against
openpyxl's normal workbook (the dashboard export's way) and openpyxl's write-only mode, in the
same run.

    .venv/bin/python bench/export.py                 # 100,000 cases
    .venv/bin/python bench/export.py --cases 20000   # a quick run

Set-up: a temporary SQLite database is migrated (the seeded categories come with it), a street of
4 居村 × 6 micro-grids is made (civicgrid.testing.factories.make_tree) with two departments, and
`--cases` cases are inserted with bulk_create in batches of 5,000 (random categories, micro-
grids, states, phones and descriptions of 20–80 characters, spread over 180 days). No services:
the export reads rows, it does not care how they came.

Each variant then runs in its own child process (so that one's memory does not count in the
next's), which reports its wall time and its peak resident memory above what it held before
starting (ru_maxrss):

- console: GET /console/export.xlsx?tab=all as an operator through Django's test client — the
  real view (scope, filters, count, xlsxwriter constant_memory into a temporary file,
  FileResponse), the streamed body written to a file block by block;
- openpyxl: the same rows (console.export.rows) appended to an openpyxl Workbook held in memory,
  saved into a BytesIO (what dashboard/views.export does for its small tables);
- openpyxl-write-only: the same rows into Workbook(write_only=True), saved to a file.

The parent opens each file with openpyxl (read-only) and checks it has every case. The last lines
are `export_seconds_ratio_vs_openpyxl=<console/openpyxl>` and
`export_memory_ratio_vs_openpyxl=<console/openpyxl>` (goal: both below 1, memory far below).
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")

VARIANTS = ["console", "openpyxl", "openpyxl-write-only"]
WORDS = "小区门口垃圾堆积影响通行楼道堆物占用消防通道人行道破损积水共享单车乱停放绿化带内堆放杂物"


def setup_django(db_path: str):
    import django
    from django.conf import settings

    settings.DATABASES["default"] = {**settings.DATABASES["default"], "NAME": db_path}
    settings.DEBUG = False
    django.setup()
    import logging

    logging.disable(logging.INFO)


def build(db_path: str, n: int, seed: int):
    setup_django(db_path)
    from django.core.management import call_command
    from django.utils import timezone

    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrated in {time.perf_counter() - t:.1f} s", flush=True)
    from civicgrid.accounts.choices import Role
    from civicgrid.accounts.models import Department, User
    from civicgrid.cases.choices import CaseSource, CaseStatus
    from civicgrid.cases.models import Case, Category
    from civicgrid.testing.factories import make_tree

    rng = random.Random(seed)
    tree = make_tree(communities=4, micro_per_community=6, groups_per_micro=1)
    micro = tree["micro_grids"]
    departments = [
        Department.objects.create(name="城管中队", code="CG"),
        Department.objects.create(name="房管办", code="FG"),
    ]
    User.objects.create(username="bench-operator", role=Role.OPERATOR, is_staff=True)
    categories = list(Category.objects.filter(parent__isnull=False))
    statuses = [s for s, _label in CaseStatus.choices]
    sources = [s for s, _label in CaseSource.choices]
    now = timezone.now()
    t = time.perf_counter()
    batch = []
    for i in range(n):
        reported = now - timezone.timedelta(minutes=rng.randrange(180 * 24 * 60))
        mg = rng.choice(micro)
        status = rng.choice(statuses)
        batch.append(
            Case(
                number=f"{reported:%Y%m%d}{i:07d}"[:20],
                source=rng.choice(sources),
                category=rng.choice(categories),
                description="".join(rng.choice(WORDS) for _ in range(rng.randrange(20, 80))),
                lon=121.5 + rng.random() * 0.04,
                lat=31.1 + rng.random() * 0.01,
                address=f"秀沿路{rng.randrange(1, 2000)}弄{rng.randrange(1, 80)}号",
                micro_grid=mg,
                reporter_name=rng.choice(["陈敏", "周燕", "王秀英", ""]),
                reporter_phone=f"139{rng.randrange(10**8):08d}",
                status=status,
                assigned_department=rng.choice(departments),
                reported_at=reported,
                filed_at=reported + timezone.timedelta(hours=1),
                handling_deadline=reported + timezone.timedelta(days=3),
                closed_at=reported + timezone.timedelta(days=2) if status == "closed" else None,
                handling_result="已处理完毕" if status == "closed" else "",
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    if batch:
        Case.objects.bulk_create(batch)
    print(f"{Case.objects.count():,} cases inserted in {time.perf_counter() - t:.1f} s", flush=True)


def run_variant(db_path: str, variant: str, out_path: str):
    """In a child process: one export; prints a JSON line with seconds and peak MiB."""
    setup_django(db_path)
    from django.conf import settings
    from django.test import Client

    from civicgrid.accounts.models import User
    from civicgrid.cases.models import Case
    from civicgrid.console import export

    settings.ALLOWED_HOSTS = ["*"]
    settings.CIVICGRID_CASE_EXPORT_MAX_ROWS = 10**7
    user = User.objects.get(username="bench-operator")
    client = Client()
    client.force_login(user)
    queryset = Case.objects.order_by("-reported_at", "-id")
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    if variant == "console":
        response = client.get("/console/export.xlsx?tab=all")
        assert response.status_code == 200, response.status_code
        with open(out_path, "wb") as fh:
            for block in response.streaming_content:
                fh.write(block)
        response.close()
    elif variant == "openpyxl":
        import io

        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(["title"])
        sheet.append(export.column_titles())
        for row in export.rows(queryset):
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        Path(out_path).write_bytes(buffer.getvalue())
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(["title"])
        sheet.append(export.column_titles())
        for row in export.rows(queryset):
            sheet.append(row)
        book.save(out_path)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {"seconds": seconds, "peak_mib": max(peak - base, 0) / 1024, "start_mib": base / 1024}
        )
    )


def count_rows(path: str) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    sheet = book.worksheets[0]
    return sum(1 for _ in sheet.iter_rows(min_row=3, max_col=1, values_only=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--no-check", action="store_true", help="skip reading the files back")
    args = parser.parse_args()
    if args.child:
        run_variant(args.db, args.child, args.out)
        return
    tmp = Path(tempfile.mkdtemp(prefix="civicgrid-bench-export-"))
    db = str(tmp / "bench.sqlite3")
    build(db, args.cases, args.seed)
    results = {}
    print("peak MiB: the child's peak resident memory above what it held when the export began")
    print(
        f"{'variant':<20} {'seconds':>8} {'start MiB':>10} {'peak MiB':>9} {'file MiB':>9} "
        f"{'rows':>8}"
    )
    for variant in VARIANTS:
        out = str(tmp / f"{variant}.xlsx")
        child = subprocess.run(
            [sys.executable, __file__, "--child", variant, "--db", db, "--out", out],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode:
            print(child.stdout, child.stderr, file=sys.stderr)
            raise SystemExit(f"{variant} failed")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        rows = None if args.no_check else count_rows(out)
        if rows is not None and rows != args.cases:
            raise SystemExit(f"{variant}: {rows} rows in the file, {args.cases} expected")
        size = Path(out).stat().st_size / 2**20
        results[variant] = result
        print(
            f"{variant:<20} {result['seconds']:>8.1f} {result['start_mib']:>10.1f} "
            f"{result['peak_mib']:>9.1f} {size:>9.1f} "
            f"{rows if rows is not None else '—':>8}",
            flush=True,
        )
    ours, theirs = results["console"], results["openpyxl"]
    print(f"export_seconds_ratio_vs_openpyxl={ours['seconds'] / theirs['seconds']:.2f}")
    print(f"export_memory_ratio_vs_openpyxl={ours['peak_mib'] / max(theirs['peak_mib'], 0.1):.2f}")


if __name__ == "__main__":
    main()
