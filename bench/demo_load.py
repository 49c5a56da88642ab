"""Benchmark: the default demo load (`manage.py load_demo_street`) on SQLite, this tree against an
earlier revision of the project, in turn.

    .venv/bin/python bench/demo_load.py --against HEAD        # the uncommitted change's effect
    .venv/bin/python bench/demo_load.py --against 1aa2d66 --rounds 3

The goal (issue 12: the default `make demo` load stays under 30 s on SQLite) is about the seconds
themselves, but this machine's speed moves by a third between hours, so each round loads the
street with both trees one after the other, each into a fresh copy of its own migrated empty
database (the migrations are not timed), in alternating order. The other tree is checked out
as bench/against.py does (`git worktree`, a scratch directory, this virtualenv).

Each load is timed in a subprocess from before `call_command("load_demo_street")` to its end
(Django's set-up and the imports it does are outside, as in the command's own printed total;
scikit-learn and jieba, imported by the load itself, are inside). Prints each load's seconds and
per-builder seconds, the medians, and as its last line
`demo_load_ratio_vs_<rev>=<this tree's median ÷ the other's>` (below 1: this tree loads faster).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from against import in_tree, other_tree, short_rev  # bench/against.py

ROOT = Path(__file__).resolve().parent.parent

# Run inside each tree: times the load and each build_* step of the command, prints JSON.
TIMER = r"""
import json, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
import django
django.setup()
from django.core.management import call_command
from civicgrid.demo.management.commands import load_demo_street as command
steps = {}
for name in dir(command):
    if name.startswith("build_") and callable(getattr(command, name)):
        def timed(fn=getattr(command, name), name=name):
            def run(*args, **kwargs):
                began = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    steps[name] = steps.get(name, 0) + time.perf_counter() - began
            return run
        setattr(command, name, timed())
began = time.perf_counter()
with open(os.devnull, "w") as quiet:
    call_command("load_demo_street", stdout=quiet)
print(json.dumps({"total": time.perf_counter() - began, "steps": steps}))
"""


def environment(tree: Path, database: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="civicgrid.settings")
    return in_tree(tree, env)


def migrate(tree: Path, database: Path) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=tree,
        env=environment(tree, database),
        check=True,
        capture_output=True,
    )


def load(tree: Path, template: Path, scratch: Path) -> dict:
    database = scratch / f"load-{tree.name}.sqlite3"
    shutil.copyfile(template, database)
    proc = subprocess.run(
        [sys.executable, "-c", TIMER],
        cwd=tree,
        env=environment(tree, database),
        capture_output=True,
        text=True,
        timeout=900,
    )
    database.unlink()
    if proc.returncode != 0:
        sys.exit(f"the load in {tree} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", default="HEAD", help="the other revision (default HEAD)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rev = short_rev(args.against)
    with other_tree(rev) as (other, scratch):
        trees = {"this": ROOT, rev: other}
        templates = {}
        for name, tree in trees.items():
            templates[name] = scratch / f"empty-{tree.name}.sqlite3"
            migrate(tree, templates[name])
        totals = {name: [] for name in trees}
        for i in range(args.rounds):
            order = list(trees) if i % 2 == 0 else list(reversed(trees))
            for name in order:
                result = load(trees[name], templates[name], scratch)
                totals[name].append(result["total"])
                slowest = sorted(result["steps"].items(), key=lambda kv: -kv[1])[:6]
                print(
                    f"round {i + 1} {name}: {result['total']:.2f} s ("
                    + ", ".join(f"{k.removeprefix('build_')} {v:.2f}" for k, v in slowest)
                    + ")",
                    flush=True,
                )
    medians = {name: statistics.median(values) for name, values in totals.items()}
    print(f"median this tree: {medians['this']:.2f} s; {rev}: {medians[rev]:.2f} s")
    print(f"demo_load_ratio_vs_{rev}={medians['this'] / medians[rev]:.3f}")


if __name__ == "__main__":
    main()
