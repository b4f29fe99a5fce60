#!/usr/bin/env python3
"""Benchmark netra-isolation-lint against the floors it must be judged by, side by side, in one run.

    python benchmarks/run.py                 # the running interpreter's standard library
    python benchmarks/run.py PATH [PATH...]  # any tree, e.g. an extracted netra_backend/

For each tree it prints the time of each command (median of --repeat runs) and the ratios:

- parse floor: reading and ``ast.parse`` of every ``.py`` file in one Python process
- CLI, one process, no cache, all rules including the project index  vs the parse floor
- CLI, cache warm (a re-run on the unchanged tree)                     vs the parse floor
- CLI cold, ``--jobs 1`` vs ``--jobs N`` (N = cores)
- default flake8 (pyflakes, pycodestyle) with the plugin vs the same flake8 in a venv without it
- pylint with the plugin   vs pylint with everything disabled (but one trivial message, see below)
- single-file cold start of the CLI vs ``python -c pass``
- peak RSS of the CLI

Every command runs in a fresh subprocess; nothing is timed inside the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable

PARSE_FLOOR = r"""
import ast, os, sys, warnings
warnings.simplefilter("ignore")
for root in sys.argv[1:]:
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "site-packages")
        for name in sorted(filenames):
            if name.endswith(".py"):
                try:
                    with open(os.path.join(directory, name), "rb") as handle:
                        ast.parse(handle.read())
                except (SyntaxError, ValueError, RecursionError, MemoryError, OSError):
                    pass
"""

PEAK_RSS = r"""
import resource, runpy, sys
sys.argv = ["netra-isolation-lint", *sys.argv[1:]]
try:
    runpy.run_module("netra_isolation_lint", run_name="__main__")
except SystemExit:
    pass
sys.stderr.write("peak-rss-kib %d\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def flake8_without_plugin(work: Path) -> list[str]:
    """flake8 as users run it (pyflakes, pycodestyle, mccabe), from a venv where this plugin is not installed:
    flake8 runs every installed plugin whatever --select says, so only an environment without it is a baseline.
    Same flake8 version as ours; commands run from ``work``, outside this checkout, whose egg-info would make
    the plugin visible to any interpreter started in it."""
    from importlib.metadata import version

    venv = work / "venv-without-plugin"
    subprocess.run([PY, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "--quiet", f"flake8=={version('flake8')}"], check=True,
                   cwd=work)
    return [python, "-m", "flake8"]


def timed(args: list[str], cwd: Path | None = None, env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def median(args: list[str], repeat: int, **kwargs) -> float:
    return statistics.median(timed(args, **kwargs) for _ in range(repeat))


def cli(*args: str) -> list[str]:
    # -I: never import a module planted in the working directory; site-packages is not the tree
    return [PY, "-I", "-m", "netra_isolation_lint", "--extend-exclude", "site-packages", *args]


def peak_rss_kib(tree: str, cwd: Path) -> int:
    result = subprocess.run([PY, "-c", PEAK_RSS, "--no-cache", "--jobs", "1", tree], cwd=cwd,
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    for line in result.stderr.splitlines():
        if line.startswith("peak-rss-kib "):
            return int(line.split()[1])
    return -1


def bench_tree(tree: str, repeat: int, with_pylint: bool) -> dict:
    tree = os.path.abspath(tree)
    cores = os.cpu_count() or 1
    files = sum(1 for d, _, names in os.walk(tree) if "site-packages" not in d for n in names if n.endswith(".py"))
    figures: dict[str, float] = {"files": files}
    with tempfile.TemporaryDirectory() as work:
        work_path = Path(work)
        cache = work_path / "cache"
        env = dict(os.environ, NETRA_ISOLATION_CACHE_DIR=str(cache))
        figures["parse_floor"] = median([PY, "-c", PARSE_FLOOR, tree], repeat)
        figures["cli_cold_j1"] = median(cli("--no-cache", "--jobs", "1", "--exit-zero", tree), repeat, env=env)
        figures["cli_cold_jN"] = median(cli("--no-cache", "--jobs", str(cores), "--exit-zero", tree), repeat, env=env)
        timed(cli("--jobs", "1", "--exit-zero", tree), env=env)  # fill the cache
        figures["cli_warm_cache"] = median(cli("--jobs", "1", "--exit-zero", tree), repeat, env=env)
        figures["cli_peak_rss_mib"] = round(peak_rss_kib(tree, work_path) / 1024, 1)

        flake8_options = ["--jobs", "1", "--exit-zero", tree]
        figures["flake8_without"] = median([*flake8_without_plugin(work_path), *flake8_options], repeat,
                                           cwd=work_path)
        figures["flake8_with"] = median([PY, "-m", "flake8", *flake8_options], repeat, cwd=work_path)

        if with_pylint:
            # pylint 4 exits without parsing anything when every message is disabled; one trivial token-level
            # message keeps it building every module, which is the cost the plugin is compared against.
            pylint = [PY, "-m", "pylint", "--jobs=1", "--exit-zero", "--persistent=n", "--score=n",
                      "--recursive=y", "--disable=all"]
            pylint_repeat = max(1, repeat // 2)
            figures["pylint_disabled"] = median([*pylint, "--enable=missing-final-newline", tree], pylint_repeat,
                                                cwd=work_path)
            figures["pylint_plugin"] = median(
                [*pylint, "--load-plugins=netra_isolation_lint.pylint_plugin",
                 "--enable=missing-final-newline,netra-isolation", tree], pylint_repeat, cwd=work_path)

        one_file = work_path / "one.py"
        one_file.write_text("from x import get_agent_websocket_bridge\n")
        figures["python_pass"] = median([PY, "-c", "pass"], max(repeat, 10))
        figures["cli_single_file"] = median(cli("--no-cache", "--exit-zero", str(one_file)), max(repeat, 10))
    return figures


def ratios(f: dict) -> list[tuple[str, float, str]]:
    rows = [
        ("CLI (1 process, no cache) / parse floor", f["cli_cold_j1"] / f["parse_floor"], "<= 0.5"),
        ("CLI warm cache / parse floor", f["cli_warm_cache"] / f["parse_floor"], "<= 0.1"),
        ("CLI --jobs 1 / --jobs N (speed-up)", f["cli_cold_j1"] / f["cli_cold_jN"], ">= 1.6 on 2 cores"),
        ("default flake8 with the plugin / without it installed", f["flake8_with"] / f["flake8_without"], "<= 1.10"),
    ]
    if "pylint_plugin" in f:
        rows.append(("pylint + plugin / pylint all disabled", f["pylint_plugin"] / f["pylint_disabled"], "<= 1.05"))
    rows.append(("CLI single-file cold start - python -c pass (ms)",
                 (f["cli_single_file"] - f["python_pass"]) * 1000, "<= 60 ms total"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="*", help="trees to measure (default: this interpreter's stdlib)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per command; the median is reported")
    parser.add_argument("--no-pylint", action="store_true", help="skip the (slow) pylint comparison")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    trees = args.trees or [sysconfig.get_paths()["stdlib"]]
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}")
    results = {}
    for tree in trees:
        figures = bench_tree(tree, args.repeat, not args.no_pylint)
        results[tree] = figures
        print(f"\n== {tree} ({figures['files']} files)")
        for key, value in figures.items():
            if key != "files":
                print(f"  {key:<22} {value:9.3f}" + ("" if "rss" in key else " s"))
        print("  ratios:")
        for label, value, target in ratios(figures):
            print(f"    {label:<52} {value:8.2f}   (target {target})")
        print(f"    CLI single-file cold start (ms){'':<21} {figures['cli_single_file'] * 1000:8.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
