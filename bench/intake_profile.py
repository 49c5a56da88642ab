"""In-process profile of an intake (POST /api/cases/) against the no-op view (GET /bench/hello).

    .venv/bin/python bench/intake_profile.py                 # CPU per request, best of 5 rounds
    .venv/bin/python bench/intake_profile.py --profile 30    # + cProfile (CPU), top 30 by cumulative
    .venv/bin/python bench/intake_profile.py --queries       # + the SQL of one intake
    .venv/bin/python bench/intake_profile.py --no-redis      # the database cache, not Redis

Runs in this process through Django's test client (the whole middleware stack, token
authentication, DEBUG off) against the PostgreSQL benchmark database that bench/intake.py set up
(civicgrid_bench; run `make bench-intake` once first). Each round times `--requests` hellos, then
as many intakes (random points, categories and sources, as the benchmark sends); the figure is
the process's CPU time per request (time.process_time: this process only — PostgreSQL's own CPU
and the waits for it are not in it), the best round of each, and wall time per request beside it,
and the CPU of the connection's PostgreSQL backend (read from /proc: the server on this machine).
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
    parser.add_argument(
        "--wall", action="store_true", help="profile wall time (default: this process's CPU)"
    )
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

    backend = None

    def server_cpu():
        """CPU seconds of this process's PostgreSQL backend (same machine: /proc), or 0."""
        try:
            fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def timed(fn, n):
        cpu, wall, pg = time.process_time(), time.perf_counter(), server_cpu()
        for _ in range(n):
            fn()
        return (
            (time.process_time() - cpu) / n,
            (time.perf_counter() - wall) / n,
            (server_cpu() - pg) / n,
        )

    for fn in (hello, intake):  # warm up: imports, caches, the connection
        timed(fn, 20)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    best = {"hello": (1e9, 1e9, 1e9), "intake": (1e9, 1e9, 1e9)}
    for _ in range(args.rounds):
        for name, fn in (("hello", hello), ("intake", intake)):
            figures = timed(fn, args.requests)
            best[name] = tuple(min(a, b) for a, b in zip(best[name], figures, strict=True))
    for name, (cpu, wall, pg) in best.items():
        print(
            f"{name}: cpu {cpu * 1000:.2f} ms/request, wall {wall * 1000:.2f} ms/request, "
            f"its PostgreSQL backend's cpu {pg * 1000:.2f} ms/request"
        )
    if args.queries:
        with CaptureQueriesContext(connection) as ctx:
            intake()
        print(f"queries per intake: {len(ctx.captured_queries)}")
        for q in ctx.captured_queries:
            print("  ", q["sql"][:300])
        # Each statement's share of the backend's CPU (and of this process's wall time), summed
        # over --requests intakes: /proc counts in ticks, too coarse for one statement.
        spent = {}

        def measure(execute, sql, params, many, context):
            pg, wall = server_cpu(), time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                kind = " ".join(sql.split()[:4])[:60]
                pg_sum, wall_sum, n = spent.get(kind, (0.0, 0.0, 0))
                spent[kind] = (
                    pg_sum + server_cpu() - pg,
                    wall_sum + time.perf_counter() - wall,
                    n + 1,
                )

        with connection.execute_wrapper(measure):
            for _ in range(args.requests):
                intake()
        print("per intake: backend cpu ms, wall ms, statement (COMMIT not included)")
        for kind, (pg, wall, n) in sorted(spent.items(), key=lambda kv: -kv[1][0]):
            r = args.requests
            print(f"   {pg / r * 1000:6.2f} {wall / r * 1000:6.2f}  {kind} (×{n / r:.2f})")
    if args.profile:
        # CPU time by default: the wall clock would count the waits for PostgreSQL and Redis.
        profiler = cProfile.Profile() if args.wall else cProfile.Profile(time.process_time)
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
