#!/usr/bin/env python3
"""Where a cold one-process run spends its time, phase by phase.

    python benchmarks/breakdown.py TREE [--repeat 3]

Runs what ``netra-isolation-lint --no-cache --jobs 1 TREE`` runs, in this process, with a timer around each phase
(the functions that do them, wrapped), and prints each phase's share: start-up and imports (the CLI imported in a
fresh interpreter, less ``python -c pass``), discovery, reading and the first prefilter round, parsing, the walk
(facts), the later prefilter rounds (searching the files left for the names the project found, and the project's
names), verdicts (the type model and every cross-module check), and the report's text. Medians of ``--repeat``
runs. For a sampling profile of the same run: ``py-spy record -o profile.svg -- python -m netra_isolation_lint
--no-cache --jobs 1 TREE`` (py-spy is not a dependency).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict

from netra_isolation_lint import runner
from netra_isolation_lint.config import DEFAULTS
from netra_isolation_lint.formats import FORMATS
from netra_isolation_lint.registry import ENGINE
from netra_isolation_lint.sources import DEFAULT_EXCLUDES, discover


def startup_seconds(repeat: int) -> float:
    def timed(code: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-I", "-c", code], check=True)
        return time.perf_counter() - started

    runs = [(timed("import netra_isolation_lint.cli, netra_isolation_lint.runner"), timed("pass"))
            for _ in range(max(repeat, 5))]
    return statistics.median(cli - bare for cli, bare in runs)


def one_run(tree: str) -> dict[str, float]:
    spent: dict[str, float] = defaultdict(float)
    originals = []

    def timer(owner, name: str, phase: str) -> None:
        real = getattr(owner, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent[phase] += time.perf_counter() - started

        originals.append((owner, name, real))
        setattr(owner, name, timed)

    timer(runner, "examine", "examine")
    timer(runner, "parse", "parse")
    timer(ENGINE, "analyze_tree", "walk")
    timer(runner, "_search_batch", "later rounds")
    timer(runner, "_examine_batch", "first round examine")
    timer(runner, "project_names", "project names")
    timer(runner, "_judge", "verdicts")
    try:
        started = time.perf_counter()
        sources, _ = discover([tree], DEFAULT_EXCLUDES, root=tree)
        spent["discovery"] = time.perf_counter() - started
        started = time.perf_counter()
        report = runner.lint(sources, DEFAULTS, tree, prefilter=True)
        spent["lint"] = time.perf_counter() - started
        started = time.perf_counter()
        FORMATS["text"](report)
        spent["report text"] = time.perf_counter() - started
    finally:
        for owner, name, real in originals:
            setattr(owner, name, real)
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args(argv)
    tree = os.path.abspath(options.tree)
    runs = [one_run(tree) for _ in range(options.repeat)]
    phase = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    # nested: examine (each file read, token-searched, parsed, walked) holds parse and walk; the later rounds'
    # searches call examine for the files they select
    searches = phase["later rounds"] - (phase["examine"] - phase["first round examine"])
    rows = [
        ("start-up and imports (CLI and engine imported, less python -c pass)", startup_seconds(options.repeat)),
        ("discovery", phase["discovery"]),
        ("reading and the first round's token search", phase["examine"] - phase["parse"] - phase["walk"]),
        ("parse (ast.parse, every round)", phase["parse"]),
        ("walk (facts, every round)", phase["walk"]),
        ("later rounds' name searches (reading again, one regex per file)", searches),
        ("project names for the later rounds (type model)", phase["project names"]),
        ("verdicts (type model, cross-module checks, noqa)", phase["verdicts"]),
        ("the rest of the run (project index, bookkeeping)", phase["lint"] - phase["examine"] - searches
         - phase["project names"] - phase["verdicts"]),
        ("report text", phase["report text"]),
    ]
    total = sum(seconds for _, seconds in rows)
    print(f"{tree}: {total:.2f} s in all (medians of {options.repeat})")
    for label, seconds in rows:
        print(f"  {label:<66} {seconds:6.2f} s  {seconds / total:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
