"""Run a benchmark command with this tree and with another revision of the project, in turn, and
compare one figure it prints.

    .venv/bin/python bench/against.py --against HEAD --figure hello_cpu_ms \\
        -- bench/intake_profile.py --rounds 3

This machine's speed moves by a third between minutes, so a figure measured before a change and
one measured after it say little; here each round runs the command once with each tree, one
right after the other, in alternating order. The other tree is checked out with `git worktree`
into a scratch directory (removed at the end) and runs with this virtualenv, its own code first
on the path; both use the same databases and services (the command's own options).

The figure is read from the command's output as `<figure>=<number>` (the last one printed).
Prints each run's figure, the medians and as its last line
`<figure>_ratio_vs_<rev>=<this tree's median ÷ the other's>` (for a time, below 1: this tree is
faster).
"""

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def short_rev(rev: str) -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


@contextlib.contextmanager
def other_tree(rev: str):
    """A checkout of `rev` in a scratch directory: (path, its scratch directory)."""
    with tempfile.TemporaryDirectory(prefix="civicgrid-against-") as tmp:
        scratch = Path(tmp)
        tree = scratch / "other"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--force", str(tree), rev],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            yield tree, scratch
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True
            )


def in_tree(tree: Path, env: dict | None = None) -> dict:
    """The environment for running the project's code from `tree`."""
    return {**(env or os.environ), "PYTHONPATH": str(tree)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", default="HEAD", help="the other revision (default HEAD)")
    parser.add_argument("--figure", required=True, help="the name the command prints as name=x")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("command", nargs="+", help="a script under the tree and its arguments")
    args = parser.parse_args()
    command = [a for a in args.command if a != "--"]
    pattern = re.compile(rf"\b{re.escape(args.figure)}=([0-9.]+)")
    rev = short_rev(args.against)
    with other_tree(rev) as (other, _scratch):
        trees = {"this": ROOT, rev: other}
        figures = {name: [] for name in trees}
        for i in range(args.rounds):
            for name in list(trees) if i % 2 == 0 else list(reversed(trees)):
                proc = subprocess.run(
                    [sys.executable, *command],
                    cwd=trees[name],
                    env=in_tree(trees[name]),
                    capture_output=True,
                    text=True,
                    timeout=1800,
                )
                found = pattern.findall(proc.stdout)
                if proc.returncode != 0 or not found:
                    sys.exit(
                        f"{' '.join(command)} in {trees[name]} printed no {args.figure}=…:\n"
                        f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
                    )
                figures[name].append(float(found[-1]))
                print(f"round {i + 1} {name}: {args.figure}={found[-1]}", flush=True)
    medians = {name: statistics.median(values) for name, values in figures.items()}
    print(f"median this tree: {medians['this']:g}; {rev}: {medians[rev]:g}")
    print(f"{args.figure}_ratio_vs_{rev}={medians['this'] / medians[rev]:.3f}")


if __name__ == "__main__":
    main()
