"""Benchmark: the full demo population (康桥, "实有人口超30万") on SQLite and on PostgreSQL.

    .venv/bin/python bench/demo_population.py
    .venv/bin/python bench/demo_population.py --households 20000          # a quick run
    .venv/bin/python bench/demo_population.py --database-url postgres://user@host:5432/other_db

In the same run, each in its own process on a fresh database: a temporary SQLite file, and
PostgreSQL (default civicgrid_bench_demo on the local server, created if missing, emptied by
flushing). Each migrates, then times `build_demo_street` with the full population
(`load_demo_street --population full` without logins or cases: grid, the roll of 6,230, ~115,000
households in rounds of 10,000). The last line is `demo_population_ratio_postgres_vs_sqlite`.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/civicgrid_bench_demo"


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def one_run(households: int | None) -> dict:
    """In this process, on DATABASE_URL: migrate, empty, time the full build."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from civicgrid.demo.builder import FULL_HOUSEHOLDS, DemoParams, build_demo_street

    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    params = DemoParams(households_total=households or FULL_HOUSEHOLDS)
    result = build_demo_street(params, logins=False)
    seconds = time.perf_counter() - started
    c = result.counts
    return {
        "seconds": round(seconds, 1),
        "households": c["household"],
        "residents": c["resident"],
        "living": c["resident:lives_here"],
        "roll": sum(v for k, v in c.items() if k.startswith("post:") and k != "post:ended"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--households", type=int, default=None)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.households)))
        return
    ensure_database(args.database_url)
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in (
            ("sqlite", f"sqlite:///{tmp}/bench.sqlite3"),
            ("postgres", args.database_url),
        ):
            out = subprocess.run(
                [sys.executable, __file__, "--one"]
                + (["--households", str(args.households)] if args.households else []),
                env={**os.environ, "DATABASE_URL": url},
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            figures[label] = json.loads(out.stdout.strip().splitlines()[-1])
            f = figures[label]
            print(
                f"{label}: {f['seconds']} s for {f['households']:,} households, "
                f"{f['residents']:,} residents ({f['living']:,} living there), roll {f['roll']:,}"
            )
    ratio = figures["postgres"]["seconds"] / figures["sqlite"]["seconds"]
    print(f"demo_population_ratio_postgres_vs_sqlite={ratio:.2f}")


if __name__ == "__main__":
    main()
