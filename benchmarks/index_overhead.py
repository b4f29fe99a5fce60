#!/usr/bin/env python3
"""What the whole-project index costs: the time spent judging across modules, against the whole run.

    python benchmarks/index_overhead.py TREE

The index is not a second pass: each file's walk records its facts (classes, bases, __init__
signatures, instantiations, emitter calls) as it goes. What it adds is building the project model and
judging every module against it. This runs the linter in one process over TREE, parsing every file
(no prefilter, no cache), and reports that share.
"""

from __future__ import annotations

import sys
import time

from netra_isolation_lint import runner
from netra_isolation_lint.config import DEFAULTS
from netra_isolation_lint.engine import Engine
from netra_isolation_lint.model.project import Project
from netra_isolation_lint.sources import DEFAULT_EXCLUDES, discover


def main(tree: str) -> int:
    spent = {"project": 0.0}

    def timed(function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent["project"] += time.perf_counter() - started
        return wrapper

    Engine.project_findings = timed(Engine.project_findings)
    Engine.project_wide_findings = timed(Engine.project_wide_findings)
    Project.__init__ = timed(Project.__init__)
    sources, _ = discover([tree], DEFAULT_EXCLUDES)
    started = time.perf_counter()
    report = runner.lint(sources, DEFAULTS, tree)
    total = time.perf_counter() - started
    print(f"{len(sources)} files, {len(report.results)} findings: whole run {total:.2f} s, "
          f"project index and cross-module verdicts {spent['project']:.2f} s ({spent['project'] / total:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
