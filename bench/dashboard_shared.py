"""The leaders' dashboard per request: figures read from the shared cache against computed.

    .venv/bin/python bench/dashboard_shared.py                  # civicgrid_bench_city (1M cases)
    .venv/bin/python bench/dashboard_shared.py --requests 20 --database-url postgres://…/other

Runs in this process through Django's test client (the whole middleware stack, a leader's
session) against the database bench/city.py keeps (civicgrid_bench_city; run `make bench-city`
or `bench/city.py --cases 1000000` once first), with Redis as the shared cache (`--redis-url`,
default db 12; only the dashboard's keys are written there). For each page — the leaders'
`/dashboard/` and the big screen's `data.json?tiles=screen` — the wall time per request, median
and best of `--requests`, in two modes in the same run:

* computed: CIVICGRID_DASHBOARD_CACHE_SECONDS=0, every request computes its figures (what every
  request did before dashboard.shared);
* shared: the interval at 60 s after the periodic job `dashboard_warm` ran once (as it does on
  the cluster every 30 s): requests read the figures from Redis.

The last line is `dashboard_shared_ratio_vs_computed=<shared median / computed median>` of the
slower page (goal: well under 1).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/civicgrid_bench_city"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
PAGES = [("dashboard", "/dashboard/"), ("dashboard_data", "/dashboard/data.json?tiles=screen")]


def timings(client, url, n) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        out.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = args.redis_url
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from civicgrid.accounts.choices import Role
    from civicgrid.accounts.models import User
    from civicgrid.cases.models import Case
    from civicgrid.dashboard import shared

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    leader = User.objects.filter(role=Role.LEADER, is_active=True).order_by("pk").first()
    if leader is None:
        raise SystemExit("no leader in the database: run bench/city.py once first")
    client = Client()
    client.force_login(leader)
    print(f"{Case.objects.count():,} cases, leader {leader.username}, cache {args.redis_url}")
    print(f"wall time per request, median (best) of {args.requests}", flush=True)
    worst = 0.0
    for name, url in PAGES:
        settings.CIVICGRID_DASHBOARD_CACHE_SECONDS = 0
        client.get(url)  # the connection and the templates, as on a running node
        computed = timings(client, url, args.requests)
        settings.CIVICGRID_DASHBOARD_CACHE_SECONDS = 60
        took = shared.warm()
        ours = timings(client, url, args.requests)
        ratio = statistics.median(ours) / statistics.median(computed)
        worst = max(worst, ratio)
        print(
            f"{name:<15} computed {statistics.median(computed) * 1000:7.1f} ms "
            f"({min(computed) * 1000:7.1f}) | shared {statistics.median(ours) * 1000:6.1f} ms "
            f"({min(ours) * 1000:6.1f}) ×{ratio:.3f}  [warm job: {took}]",
            flush=True,
        )
    print(f"dashboard_shared_ratio_vs_computed={worst:.3f}")


if __name__ == "__main__":
    main()
