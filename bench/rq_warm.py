"""Benchmark: RQ jobs (TASKS_BACKEND=rq) run by civicgrid's worker, which loads what the jobs need
before it forks each job's work horse (civicgrid/messaging/rqworker.py), against RQ's own worker,
whose every horse loads it for its one job.

    .venv/bin/python bench/rq_warm.py                       # the demo street (make demo's database)
    .venv/bin/python bench/rq_warm.py --jobs 40 --rounds 3

The job is the one every report sends: smart dispatch's suggestion (dispatch.tasks.suggest_task),
which reads the active model and segments the text with jieba. The source database is a SQLite
file with an active model — by default make demo's (var/civicgrid.sqlite3, `make demo` or
`manage.py load_demo_street` first). Each run gets a fresh copy of it, where the last `--jobs`
cases are put back to 待受理 and auto-dispatch is off (so every job predicts and writes one
suggestion), enqueues one job per case on Redis (`--redis-url`, db 13 by default, emptied
first), and times `manage.py rqworker --burst` from its start until the queue is done, with one
worker class or the other, alternating. Prints each run, the medians and, last,
`rq_warm_jobs_ratio_vs_plain=<civicgrid's jobs per second ÷ RQ's>`.
"""

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = {"plain": "rq.worker.Worker", "civicgrid": "civicgrid.messaging.rqworker.Worker"}

ENQUEUE = """
import sys
import django
django.setup()
from civicgrid.dispatch.tasks import suggest_task
for pk in sys.argv[1:]:
    suggest_task.enqueue(int(pk))
"""


def _marks(ids: list[int]) -> str:
    return ",".join("?" * len(ids))


def _copy(source: Path, target: Path, jobs: int) -> list[int]:
    shutil.copy(source, target)
    db = sqlite3.connect(target)
    try:
        if not db.execute("SELECT 1 FROM dispatch_trainedmodel WHERE is_active").fetchone():
            sys.exit(f"{source}: no active dispatch model (load the demo street first)")
        ids = [
            r[0] for r in db.execute("SELECT id FROM cases_case ORDER BY id DESC LIMIT ?", (jobs,))
        ]
        db.execute(f"DELETE FROM dispatch_suggestion WHERE case_id IN ({_marks(ids)})", ids)
        db.execute(f"UPDATE cases_case SET status = 'reported' WHERE id IN ({_marks(ids)})", ids)
        db.execute("UPDATE dispatch_autodispatchrule SET enabled = 0")
        db.commit()
    finally:
        db.close()
    return ids


def run(kind: str, source: Path, jobs: int, redis_url: str, scratch: Path) -> float:
    import redis

    database = scratch / f"{kind}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    ids = _copy(source, database, jobs)
    redis.Redis.from_url(redis_url).flushdb()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="civicgrid.settings",
        DATABASE_URL=f"sqlite:///{database}",
        TASKS_BACKEND="rq",
        TASKS_REDIS_URL=redis_url,
        CIVICGRID_VAR_DIR=str(scratch),
    )
    subprocess.run([sys.executable, "-c", ENQUEUE, *map(str, ids)], cwd=ROOT, env=env, check=True)
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "rqworker",
            "--burst",
            "--worker-class",
            WORKERS[kind],
            "--job-class",
            "django_tasks_rq.Job",
            "-v",
            "0",
            "default",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"{kind}: rqworker failed\n{(done.stdout + done.stderr)[-3000:]}")
    db = sqlite3.connect(database)
    try:
        made = db.execute(
            f"SELECT count(*) FROM dispatch_suggestion WHERE case_id IN ({_marks(ids)})",
            ids,
        ).fetchone()[0]
    finally:
        db.close()
    if made != len(ids):
        sys.exit(f"{kind}: {made} suggestions written for {len(ids)} jobs")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT / "var" / "civicgrid.sqlite3")
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()
    if not args.source.exists():
        sys.exit(f"{args.source}: no database (make demo, or manage.py load_demo_street)")
    per_second = {kind: [] for kind in WORKERS}
    with tempfile.TemporaryDirectory(prefix="civicgrid-rq-warm-") as scratch:
        for round_ in range(args.rounds):
            for kind in WORKERS if round_ % 2 == 0 else reversed(WORKERS):
                seconds = run(kind, args.source, args.jobs, args.redis_url, Path(scratch))
                per_second[kind].append(args.jobs / seconds)
                print(
                    f"round {round_ + 1} {kind:9} {args.jobs} jobs in {seconds:6.2f} s "
                    f"({args.jobs / seconds:6.1f} jobs/s, the worker's start included)",
                    flush=True,
                )
    medians = {kind: statistics.median(v) for kind, v in per_second.items()}
    for kind, value in medians.items():
        print(f"{kind:9} ({WORKERS[kind]}): median {value:.1f} jobs/s")
    print(f"rq_warm_jobs_ratio_vs_plain={medians['civicgrid'] / medians['plain']:.2f}")


if __name__ == "__main__":
    main()
