"""Benchmark: PostgreSQL prepared statements (server-side binding) against client-side binding.

    make bench-prepared                          # 3 in-process rounds + 2 throughput rounds each
    .venv/bin/python bench/prepared.py --rounds 1 --throughput-rounds 1 --seconds 5   # quick

civicgrid binds parameters on the server and lets psycopg prepare a statement the N-th time a
connection runs it (settings: DB_PREPARE, default 5). The alternative is Django's default for
psycopg 3: parameters merged into the SQL text on the client, every statement parsed and planned
anew. This runs the same intake benchmarks with DB_PREPARE=5 and DB_PREPARE=0, alternating (this
machine is noisy), against the benchmark database bench/intake.py sets up (civicgrid_bench):

  1. bench/intake_profile.py in a subprocess: per intake, this process's CPU and the CPU of its
     PostgreSQL backend (read from /proc), the best of its rounds;
  2. bench/intake.py in a subprocess: cases/s from 16 clients through gunicorn, with hello's
     requests/s from the same run as the yardstick (intake_ratio_vs_hello).

Lines per run, the medians, `prepared_intake_ratio_vs_unprepared=<intake_ratio_vs_hello prepared
÷ unprepared>` (above 1: more intakes for the same hellos; on a shared machine hello's own rate
moves by a third between runs, so take it over several rounds), and the last line
`prepared_cpu_ratio_vs_unprepared=<CPU per intake, app + backend, unprepared ÷ prepared>` (above
1: prepared statements cost less), the figure the load of the machine moves least.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/civicgrid_bench"
MODES = {"prepared": "5", "unprepared": "0"}

PROFILE_LINE = re.compile(
    r"^intake: cpu ([\d.]+) ms/request, wall ([\d.]+) ms/request, "
    r"its PostgreSQL backend's cpu ([\d.]+) ms/request",
    re.M,
)
RATIO_LINE = re.compile(r"^intake_ratio_vs_hello=([\d.]+)", re.M)


def run(script: str, mode: str, extra: list[str]) -> str:
    env = {**os.environ, "DB_PREPARE": MODES[mode]}
    proc = subprocess.run(
        [sys.executable, str(ROOT / script), *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0:
        sys.exit(f"{script} ({mode}) failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return proc.stdout


def modes_in_turn(i: int) -> list[str]:
    """Round i's order of the modes: alternated, so neither always runs first."""
    return list(MODES) if i % 2 == 0 else list(reversed(MODES))


def figure(pattern: re.Pattern, out: str, script: str) -> re.Match:
    match = pattern.search(out)
    if match is None:
        sys.exit(f"{script} printed no line matching {pattern.pattern!r}:\n{out[-2000:]}")
    return match


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--rounds", type=int, default=3, help="in-process rounds per mode")
    parser.add_argument("--throughput-rounds", type=int, default=2, help="gunicorn runs per mode")
    parser.add_argument("--seconds", type=float, default=10, help="each throughput phase")
    args = parser.parse_args()
    db = ["--database-url", args.database_url]

    cpu = {mode: [] for mode in MODES}
    for i in range(args.rounds):
        for mode in modes_in_turn(i):
            out = run("intake_profile.py", mode, [*db, "--rounds", "3"])
            app, wall, backend = (
                float(x) for x in figure(PROFILE_LINE, out, "intake_profile.py").groups()
            )
            cpu[mode].append((app, backend, wall))
            print(
                f"in-process {mode}: app cpu {app:.2f} ms, backend cpu {backend:.2f} ms, "
                f"wall {wall:.2f} ms per intake",
                flush=True,
            )
    ratios = {mode: [] for mode in MODES}
    for i in range(args.throughput_rounds):
        for mode in modes_in_turn(i):
            out = run("intake.py", mode, [*db, "--seconds", str(args.seconds)])
            ratio = float(figure(RATIO_LINE, out, "intake.py").group(1))
            ratios[mode].append(ratio)
            throughput = [line for line in out.splitlines() if "/s; latency" in line]
            for line in throughput:
                print(f"throughput {mode}: {line}", flush=True)
            print(f"throughput {mode}: intake_ratio_vs_hello={ratio:.3f}", flush=True)
    for mode in MODES:
        if cpu[mode]:
            app = statistics.median(c[0] for c in cpu[mode])
            backend = statistics.median(c[1] for c in cpu[mode])
            wall = statistics.median(c[2] for c in cpu[mode])
            print(
                f"median {mode}: app cpu {app:.2f} ms + backend cpu {backend:.2f} ms "
                f"= {app + backend:.2f} ms, wall {wall:.2f} ms per intake"
            )
        if ratios[mode]:
            print(f"median {mode}: intake_ratio_vs_hello={statistics.median(ratios[mode]):.3f}")
    if ratios["prepared"]:
        r = statistics.median(ratios["prepared"]) / statistics.median(ratios["unprepared"])
        print(f"prepared_intake_ratio_vs_unprepared={r:.2f}")
    if cpu["prepared"]:
        total = {m: statistics.median(c[0] + c[1] for c in cpu[m]) for m in MODES}
        print(f"prepared_cpu_ratio_vs_unprepared={total['unprepared'] / total['prepared']:.2f}")


if __name__ == "__main__":
    main()
