#!/usr/bin/env python3
"""Measure ``--fix`` on a copy of a real tree: what drops, what appears, what still parses, whether it settles.

    python scripts/fix_report.py TREE [--package netra_backend] [--unsafe-fixes] [--jobs 2]

TREE holds the package directory (``git archive <commit> netra_backend | tar -x -C TREE``); it is copied to a
temporary directory and only the copy is fixed. Printed: findings per code before and after, the same counts in
``app/`` and inside context-bound classes (the agents), findings that are new after the fix (NIL203 counted
apart: the next step at call sites of the classes just taught to accept the context), files that parsed before
and not after, whether a second run offers any diff, and the time of the fixing run (docs/fixes.md records them).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

from netra_isolation_lint.config import DEFAULTS  # noqa: E402
from netra_isolation_lint.runner import lint  # noqa: E402
from netra_isolation_lint.sources import DEFAULT_EXCLUDES, discover  # noqa: E402


def cli(root: str, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-I", "-m", "netra_isolation_lint", "--no-cache", *args], cwd=root,
                            capture_output=True, text=True, stdin=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": HERE})
    if result.returncode not in (0, 1):
        raise SystemExit(f"fix_report: the CLI exited {result.returncode}:\n{result.stderr[-4000:]}")
    return result


def findings(root: str, package: str) -> list[dict]:
    return json.loads(cli(root, "--format", "json", package).stdout)


def in_agents(root: str, package: str) -> Counter:
    """Findings per code inside a context-bound class, as the project model judges it."""
    sources, _ = discover([os.path.join(root, package)], DEFAULT_EXCLUDES)
    report = lint(sources, DEFAULTS, root, prefilter=True)
    project, counts = report.project, Counter()
    by_path = {m.path: m for m in project.all_modules}
    for result in report.results:
        module = by_path.get(result.path)
        if module is None:
            continue
        try:
            with open(result.path, "rb") as handle:
                tree = ast.parse(handle.read())
        except (SyntaxError, ValueError, OSError):
            continue
        owners = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)
                  and n.lineno <= result.line <= (n.end_lineno or n.lineno)]
        owner = max(owners, key=lambda n: n.lineno, default=None)
        cls = owner and next((c for c in module.classes if (c.line, c.name) == (owner.lineno, owner.name)), None)
        if cls is not None and project.class_is_context_bound(cls):
            counts[result.code] += 1
    return counts


def parses(root: str) -> set[str]:
    good = set()
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                try:
                    with open(path, "rb") as handle:
                        ast.parse(handle.read())
                    good.add(os.path.relpath(path, root))
                except (SyntaxError, ValueError):
                    pass
    return good


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree")
    parser.add_argument("--package", default="netra_backend")
    parser.add_argument("--unsafe-fixes", action="store_true")
    parser.add_argument("--jobs", default="2")
    options = parser.parse_args()
    flags = ["--unsafe-fixes"] if options.unsafe_fixes else []
    with tempfile.TemporaryDirectory() as scratch:
        root = os.path.join(scratch, "tree")
        shutil.copytree(os.path.join(options.tree, options.package), os.path.join(root, options.package))
        os.mkdir(os.path.join(root, ".git"))  # the copy is its own project root
        before, agents_before, parsed_before = findings(root, options.package), in_agents(root, options.package), \
            parses(root)
        started = time.perf_counter()
        fixing = cli(root, "--fix-only", "--jobs", options.jobs, *flags, options.package)
        seconds = time.perf_counter() - started
        after, agents_after, parsed_after = findings(root, options.package), in_agents(root, options.package), \
            parses(root)
        again = cli(root, "--diff", *flags, options.package)
    had = Counter((r["path"], r["code"]) for r in before)
    new = Counter()
    for (path, code), count in Counter((r["path"], r["code"]) for r in after).items():
        if count > had[(path, code)]:
            new[code] += count - had[(path, code)]
    app = f"{options.package}/app/"
    codes = sorted({r["code"] for r in before + after})
    print(f"{'code':8} {'before':>7} {'after':>7} {'app/ before':>12} {'app/ after':>11} {'agents before':>14} "
          f"{'agents after':>13}")
    for code in codes:
        print(f"{code:8} {sum(r['code'] == code for r in before):7} {sum(r['code'] == code for r in after):7} "
              f"{sum(r['code'] == code and r['path'].startswith(app) for r in before):12} "
              f"{sum(r['code'] == code and r['path'].startswith(app) for r in after):11} "
              f"{agents_before[code]:14} {agents_after[code]:13}")
    print(f"fixing run: {seconds:.1f} s; {fixing.stderr.strip()}")
    print(f"new findings per code (file and code counts that grew): {dict(sorted(new.items()))}")
    print(f"files that parsed and no longer parse: {len(parsed_before - parsed_after)}")
    print(f"a second --diff: {'empty' if not again.stdout else 'NOT EMPTY'} (exit {again.returncode})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
