"""Benchmark: a web process readied before its first request (civicgrid/core/warmup.py, run by
civicgrid.wsgi) against one that is not — its first request, and a full garbage collection once
everything is imported.

    .venv/bin/python bench/warmup.py
    .venv/bin/python bench/warmup.py --rounds 5 --path /api/auth/login/

Each sample is a fresh Python process (a warm-up is a per-process thing), alternating: "cold"
loads Django's WSGI application alone, as civicgrid.wsgi did before; "warm" imports
civicgrid.wsgi. Then, through Django's test client (the whole middleware stack), it times the
first and the second GET of `--path` (the login page: no data needed), then one full collection
(`gc.collect()`), and counts the objects the collector tracks. The database is `--database-url`
(default: the intake benchmark's, which `make bench-intake` creates; the page reads nothing from
it). Prints the median of `--rounds` per way and, last, `warmup_first_request_ratio_vs_cold=<x>`.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/civicgrid_bench"

CHILD = """
import gc, json, sys, time
started = time.perf_counter()
if sys.argv[1] == "warm":
    import civicgrid.wsgi
else:
    from django.core.wsgi import get_wsgi_application
    get_wsgi_application()
loaded = time.perf_counter() - started
from django.test import Client
client = Client()
times = []
for _ in range(2):
    t = time.perf_counter()
    status = client.get(sys.argv[2]).status_code
    times.append(time.perf_counter() - t)
    assert status == 200, status
t = time.perf_counter()
gc.collect()
collection = time.perf_counter() - t
print(json.dumps({"load": loaded, "first": times[0], "second": times[1],
                  "collection": collection, "tracked": len(gc.get_objects())}))
"""


def sample(way: str, path: str, env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, way, path],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise SystemExit(f"the {way} process failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--path", default="/api/auth/login/")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    args = parser.parse_args()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "civicgrid.settings",
        "DATABASE_URL": args.database_url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "WARNING",
    }
    env.setdefault("SECRET_KEY", "bench-warmup-" + "x" * 40)
    samples = {"cold": [], "warm": []}
    for _ in range(args.rounds):
        for way in samples:
            samples[way].append(sample(way, args.path, env))
    median = {
        way: {k: statistics.median(s[k] for s in rows) for k in rows[0]}
        for way, rows in samples.items()
    }
    print(f"GET {args.path}, median of {args.rounds} fresh processes each way")
    for way, m in median.items():
        print(
            f"{way}: start-up {m['load'] * 1000:7.0f} ms | first request {m['first'] * 1000:6.1f} ms"
            f" | second {m['second'] * 1000:5.1f} ms | full collection"
            f" {m['collection'] * 1000:6.1f} ms over {m['tracked']:,.0f} tracked objects"
        )
    cold, warm = median["cold"], median["warm"]
    print(f"gc_collection_ratio_vs_cold={warm['collection'] / cold['collection']:.3f}")
    print(f"warmup_first_request_ratio_vs_cold={warm['first'] / cold['first']:.3f}")


if __name__ == "__main__":
    main()
