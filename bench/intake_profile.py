"""In-process profile of an intake (POST /api/cases/) against the no-op view (GET /bench/hello).

    .venv/bin/python bench/intake_profile.py                 # CPU per request, best of 5 rounds
    .venv/bin/python bench/intake_profile.py --profile 30    # + cProfile, top 30 by cumulative
    .venv/bin/python bench/intake_profile.py --queries       # + the SQL of one intake
    .venv/bin/python bench/intake_profile.py --no-redis      # the database cache, not Redis

Runs in this process through Django's test client (the whole middleware stack, token
authentication, DEBUG off) against the PostgreSQL benchmark database that bench/intake.py set up
(civicgrid_bench; run `make bench-intake` once first). Each round times `--requests` hellos, then
as many intakes (random points, categories and sources, as the benchmark sends); the figure is
the process's CPU time per request (time.process_time: this process only — PostgreSQL's own CPU
and the waits for it are not in it), the best round of each, and wall time per request beside it.
The intakes it makes stay in the benchmark database like the benchmark's. The shared cache is
chosen as bench/intake.py chooses it (Redis db 13 when it answers; `--redis-url`, `--no-redis`).
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/civicgrid_bench"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--requests", type=int, default=200, help="requests per round and kind")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="ask for the full view (?full=1)")
    parser.add_argument("--profile", type=int, default=0, help="print the top N by cumulative")
    parser.add_argument("--sort", default="cumulative", help="the profile's order (tottime, …)")
    parser.add_argument("--queries", action="store_true", help="print one intake's SQL")
    parser.add_argument("--redis-url", default="", help="the shared cache (bench/intake.py's)")
    parser.add_argument("--no-redis", action="store_true", help="the database cache table")
    args = parser.parse_args()
    args.seed = 1  # bench.prepare picks its points with it

    os.environ.update(
        DATABASE_URL=args.database_url,
        DEBUG="0",
        DB_CONN_MAX_AGE="600",
        CIVICGRID_PRODUCTION="0",
        ALLOWED_HOSTS="testserver,127.0.0.1",
        CIVICGRID_URLCONF="civicgrid.bench_urls",
        LOG_LEVEL="WARNING",
    )
    import intake as bench  # bench/intake.py: the same set-up and bodies

    print(bench.describe_cache(bench.choose_cache(args)))
    data = bench.prepare(args)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {data['token']}")
    bodies = bench.intake_bodies(data, seed=7)
    path = "/api/cases/" + ("?full=1" if args.full else "")

    def hello():
        response = client.get("/bench/hello")
        assert response.status_code == 200, response.content

    def intake():
        response = client.post(path, next(bodies), content_type="application/json")
        assert response.status_code == 201, response.content

    def timed(fn, n):
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(n):
            fn()
        return (time.process_time() - cpu) / n, (time.perf_counter() - wall) / n

    for fn in (hello, intake):  # warm up: imports, caches, the connection
        timed(fn, 20)
    best = {"hello": (1e9, 1e9), "intake": (1e9, 1e9)}
    for _ in range(args.rounds):
        for name, fn in (("hello", hello), ("intake", intake)):
            cpu, wall = timed(fn, args.requests)
            best[name] = (min(best[name][0], cpu), min(best[name][1], wall))
    for name, (cpu, wall) in best.items():
        print(f"{name}: cpu {cpu * 1000:.2f} ms/request, wall {wall * 1000:.2f} ms/request")
    if args.queries:
        with CaptureQueriesContext(connection) as ctx:
            intake()
        print(f"queries per intake: {len(ctx.captured_queries)}")
        for q in ctx.captured_queries:
            print("  ", q["sql"][:300])
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            intake()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.profile)
        print(out.getvalue())
    ratio = best["hello"][0] / best["intake"][0]
    print(
        f"intake_cpu_ms={best['intake'][0] * 1000:.2f} hello_cpu_ms={best['hello'][0] * 1000:.2f}"
    )
    print(f"intake_cpu_ratio_vs_hello={ratio:.2f}")


if __name__ == "__main__":
    main()
