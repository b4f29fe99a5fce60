#!/usr/bin/env python3
"""Benchmark ``netra-isolation-lint history``: many commits against one cold run on one tree.

    python benchmarks/history.py REPO [--range 05bd22d^..2fafd1dd] [--commits 50] [--path netra_backend]

Times, each in a fresh process and both with ``--jobs`` processes (default: one per core): the history of
``--commits`` commits spread evenly over the range, and one cold CLI run (``--no-cache``) on the range's last tree
extracted with ``git archive``. The target (docs/performance.md): the history at most 5x the cold run. Exits 1
when it is missed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

TARGET = 5.0
RANGE = "05bd22d^..2fafd1dd"
COMMITS = 50
PATH = "netra_backend"


def timed(args: list[str], cwd: str) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def measure(repo: str, revisions: str = RANGE, commits: int = COMMITS, path: str = PATH,
            jobs: int = os.cpu_count() or 1) -> dict:
    """Seconds of one cold run on the range's last tree and of the history of ``commits`` commits, and their
    ratio."""
    last = revisions.rpartition("..")[2] or "HEAD"
    with tempfile.TemporaryDirectory() as tree:
        archive = subprocess.run(["git", "-C", repo, "archive", last, path], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
        cold = timed([sys.executable, "-m", "netra_isolation_lint", "--no-cache", "--jobs", str(jobs),
                      "--exit-zero", path], tree)
    history = timed([sys.executable, "-m", "netra_isolation_lint", "history", "--repo", repo,
                     "--jobs", str(jobs),
                     "--max-commits", str(commits), "--format", "json", revisions, path],
                    tempfile.gettempdir())
    return {"last": last, "jobs": jobs, "commits": commits, "cold_s": cold, "history_s": history,
            "ratio": history / cold}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo")
    parser.add_argument("--range", default=RANGE)
    parser.add_argument("--commits", type=int, default=COMMITS)
    parser.add_argument("--path", default=PATH)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    options = parser.parse_args(argv)
    figures = measure(options.repo, options.range, options.commits, options.path, options.jobs)
    cold, history, ratio = figures["cold_s"], figures["history_s"], figures["ratio"]
    print(f"--jobs {options.jobs}; one cold run on {figures['last']}: {cold:.1f} s")
    print(f"history of {options.commits} commits: {history:.1f} s ({history / options.commits:.2f} s a commit)")
    print(f"ratio: {ratio:.2f}x (target <= {TARGET}x){'' if ratio <= TARGET else '  MISSED'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
