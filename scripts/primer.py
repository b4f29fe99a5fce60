#!/usr/bin/env python3
"""Run netra-isolation-lint on a real tree and summarise what it reports.

    python scripts/primer.py TREE [--package netra_backend] [--output SUMMARY.json] [--check SUMMARY.json]

TREE is a checkout or an extracted tree holding the package directory (for the Netra backend:
``git archive <commit> netra_backend | tar -x -C TREE``). The summary counts findings per code and per
top-level directory of the package, lists parse failures and every finding as (path, line, code), and
records the wall time. ``--check`` compares with a recorded summary (everything but the time) and exits
1 on any difference, so a rule change that moves real-world results is always seen.

The CLI runs in a subprocess exactly as a user runs it; nothing of the tree is imported or executed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter

TIMED_KEYS = ("wall_seconds",)


def summarise(tree: str, package: str, extra_args: list[str]) -> dict:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-I", "-m", "netra_isolation_lint", "--format", "json", "--no-cache", *extra_args, package],
        cwd=tree, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SystemExit(f"primer: the CLI exited {result.returncode}:\n{result.stderr[-4000:]}")
    rows = json.loads(result.stdout)
    per_code = Counter(r["code"] for r in rows)
    per_directory: dict[str, Counter] = {}
    for r in rows:
        parts = r["path"].replace(os.sep, "/").split("/")
        top = parts[1] if len(parts) > 2 and parts[0] == package else parts[0]
        per_directory.setdefault(top, Counter())[r["code"]] += 1
    files = sum(1 for _, _, names in os.walk(os.path.join(tree, package)) for n in names if n.endswith(".py"))
    return {
        "package": package,
        "files": files,
        "findings": len(rows),
        "per_code": dict(sorted(per_code.items())),
        "per_directory": {d: dict(sorted(c.items())) for d, c in sorted(per_directory.items())},
        "parse_failures": sorted(r["path"] for r in rows if r["code"] == "NIL900"),
        "internal_errors": sorted(r["path"] for r in rows if r["code"] == "NIL901"),
        "all": sorted([r["path"], r["line"], r["code"]] for r in rows),
        "wall_seconds": round(wall, 2),
    }


def differences(recorded: dict, current: dict) -> list[str]:
    problems = []
    for key in sorted(set(recorded) | set(current)):
        if key in TIMED_KEYS or recorded.get(key) == current.get(key):
            continue
        if key == "all":
            before = {tuple(x) for x in recorded.get(key, [])}
            after = {tuple(x) for x in current.get(key, [])}
            problems += [f"  gone: {p}:{line} {code}" for p, line, code in sorted(before - after)]
            problems += [f"  new:  {p}:{line} {code}" for p, line, code in sorted(after - before)]
        else:
            problems.append(f"  {key}: {recorded.get(key)!r} -> {current.get(key)!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", help="directory holding the package (an extracted tree or checkout)")
    parser.add_argument("--package", default="netra_backend", help="package directory inside TREE")
    parser.add_argument("--output", help="write the summary JSON here (default: stdout)")
    parser.add_argument("--check", metavar="SUMMARY", help="compare with a recorded summary; exit 1 on change")
    parser.add_argument("cli_args", nargs="*", help="extra arguments for the CLI (after --)")
    args = parser.parse_args(argv)
    summary = summarise(args.tree, args.package, args.cli_args)
    text = json.dumps(summary, indent=1) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    elif not args.check:
        sys.stdout.write(text)
    if args.check:
        with open(args.check, encoding="utf-8") as handle:
            problems = differences(json.load(handle), summary)
        if problems:
            print(f"primer: results moved on {args.tree}:", *problems, sep="\n")
            return 1
        print(f"primer: {summary['files']} files, {summary['findings']} findings, unchanged "
              f"({summary['wall_seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
