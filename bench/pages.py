"""Benchmark: how long the console's and the dashboard's pages take on the demo street.

    .venv/bin/python bench/pages.py                       # builds the demo street in a temp DB
    .venv/bin/python bench/pages.py --database-url sqlite:////path/to/loaded.sqlite3 --repeat 9

Set-up (without --database-url): a temporary SQLite database is migrated and the demo street is
loaded into it (`load_demo_street`: 251 micro-grids, its departments, staff, the
population and the demo's cases walked through the services, as `make demo` builds it). Then, for the roles that
use them — an operator (城运中心), a leader (领导), the first 居委's staff and a department's
handler — each page is requested `--repeat` times through Django's test client (the whole
middleware stack, DEBUG off; the first request of each page warms the caches and is not counted)
and the median and the slowest are printed with the number of queries.

Every page should stay under the budget (`--budget-ms`, default 300): the last line is
`pages_over_budget=<n>` and the exit status is 1 when n > 0.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")


def setup(database_url: str | None, households: int):
    import dj_database_url

    if database_url is None:
        tmp = Path(tempfile.mkdtemp(prefix="civicgrid-bench-pages-"))
        database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        fresh = True
    else:
        fresh = False
    import django
    from django.conf import settings

    settings.DATABASES["default"] = {
        **settings.DATABASES["default"],
        **dj_database_url.parse(database_url),
    }
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.core.management import call_command

    if fresh:
        t = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        extra = [] if households is None else ["--households-per-building-group", str(households)]
        # With its logins: the demo walks its cases through the services as its people.
        call_command("load_demo_street", "--if-empty", *extra, verbosity=0)
        print(f"demo street built in {time.perf_counter() - t:.0f} s ({database_url})", flush=True)


def users():
    from civicgrid.accounts.choices import Role
    from civicgrid.accounts.models import Department, User
    from civicgrid.grids.choices import GridLevel
    from civicgrid.grids.models import Grid

    community = Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code").first()
    department = Department.objects.order_by("code").first()

    def get(username, role, **fields):
        user, _created = User.objects.get_or_create(
            username=username, defaults={"role": role, "is_staff": True, **fields}
        )
        return user

    return {
        "operator": get("bench-operator", Role.OPERATOR),
        "leader": get("bench-leader", Role.LEADER),
        "staff": get("bench-staff", Role.COMMUNITY_STAFF, community=community),
        "handler": get("bench-handler", Role.DEPT_HANDLER, department=department),
    }


def pages(people):
    from civicgrid.cases.choices import CaseStatus
    from civicgrid.cases.models import Case

    case = (
        Case.objects.filter(status=CaseStatus.CLOSED).order_by("-closed_at").first()
        or Case.objects.order_by("-reported_at").first()
    )
    n = case.number
    return [
        ("operator", "/console/"),
        ("operator", "/console/?tab=all"),
        ("operator", "/console/?tab=overdue"),
        ("operator", "/console/?tab=all&q=垃圾"),
        ("operator", f"/console/case/{n}/"),
        ("operator", f"/console/case/{n}/print/"),
        ("operator", f"/console/case/{n}/map.png"),
        ("operator", "/console/map/"),
        ("operator", "/console/map/cases.json"),
        ("operator", "/console/export.xlsx?tab=in_progress"),
        ("operator", "/dashboard/"),
        ("operator", "/dashboard/data.json"),
        ("operator", "/dashboard/data.json?tiles=screen"),
        ("operator", "/dashboard/heat.json"),
        ("operator", "/admin/cases/category/"),
        ("leader", "/dashboard/screen/"),
        ("staff", "/console/"),
        ("staff", "/dashboard/"),
        ("handler", "/console/inbox/"),
        ("handler", "/console/history/"),
        ("handler", "/console/history/?q=垃圾"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a database with the demo street loaded")
    parser.add_argument(
        "--households", type=int, default=None, help="households per 楼组 (default: the demo's)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget-ms", type=float, default=300.0)
    args = parser.parse_args()
    setup(args.database_url, args.households)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    people = users()
    clients = {}
    for key, user in people.items():
        clients[key] = Client()
        clients[key].force_login(user)
    print(f"{'role':<9} {'page':<44} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    over = 0
    for role, url in pages(people):
        client = clients[role]
        first = client.get(url)
        if first.status_code != 200:
            print(f"{role:<9} {url:<44} status {first.status_code}")
            over += 1
            continue
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    for _block in response.streaming_content:
                        pass
                times.append((time.perf_counter() - t) * 1000)
        median = statistics.median(times)
        flag = "  OVER" if median > args.budget_ms else ""
        over += bool(flag)
        print(
            f"{role:<9} {url[:44]:<44} {median:>10.1f} {max(times):>8.1f} "
            f"{len(queries.captured_queries):>8}{flag}",
            flush=True,
        )
    print(f"pages_over_budget={over}")
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
