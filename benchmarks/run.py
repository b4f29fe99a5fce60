#!/usr/bin/env python3
"""Benchmark netra-isolation-lint against the targets of the performance issue, side by side, in one run.

    python benchmarks/run.py                 # the running interpreter's standard library
    python benchmarks/run.py PATH [PATH...]  # any tree, e.g. an extracted netra_backend/
    python benchmarks/run.py PATH --corpus10 --server --history REPO --json FILE

Each figure is printed next to its target and a verdict, ``ok`` or ``MISSED``; the exit status is 1 when a
target is missed, else 0. Every command runs in a fresh subprocess, from a temporary directory outside this
checkout; nothing is timed inside the test suite. The commands a ratio compares run in turn (A, B, A, B, ...)
for --repeat rounds (default 3; acceptance figures need at least 3), and each time is the median of its
rounds, so the machine's noise hits both sides alike. N is the number of cores.

For each tree:

- CLI cold, one process (``--no-cache --jobs 1``) / parse floor: <= 0.5. The parse floor is reading and
  ``ast.parse`` of every ``.py`` file in one Python process.
- CLI cold ``--jobs 1`` / ``--jobs N``: >= 1.7; and the report (stdout) of every run of both must be
  byte-identical to the first one's (runs whose report differs: 0).
- CLI warm (``--jobs 1``, the cache filled, the tree unchanged) / parse floor: <= 0.1.
- default flake8 (pyflakes, pycodestyle, mccabe; ``--jobs 1``) with the plugin / the same flake8 from a venv
  where the plugin is not installed: <= 1.10. flake8 runs every installed plugin whatever ``--select`` says,
  so only an environment without it is a baseline.
- pylint with the plugin / pylint with the same messages but no plugin: <= 1.05 (``--no-pylint`` skips it).
  pylint 4 parses nothing when every message is disabled, so both keep one trivial token-level message:
  ``--disable=all --enable=missing-final-newline`` against ``--disable=all
  --load-plugins=netra_isolation_lint.pylint_plugin --enable=missing-final-newline,netra-isolation``.
  Measured with the CLI's cache absent (an empty cache directory each run: the acceptance figure) and warm
  (after one CLI run on the tree: informative, its verdict in parentheses and not in the exit status).
- single-file cold start (the CLI on a one-line file, ``--no-cache``) / ``python -c pass``: <= 3.0, over at
  least 10 rounds.
- peak RSS of the one-process cold CLI run: stated, no target.

The edited file below is ``app/agents/base_agent.py`` where the tree has it, else the tree's largest ``.py``
file. With ``--corpus10``, a synthetic corpus ten times the tree is built in the temporary directory: ten
copies ``<tree name>_0`` ... ``_9`` side by side in one directory, in each ``.py`` file (valid UTF-8) every
whole-word occurrence of the tree's name, its top-level package, rewritten to the copy's name, other bytes
unchanged. The one-tree reference is copy ``_0`` alone in the same layout.

- cold time (``--no-cache --jobs 1``) of the corpus / of the one copy: <= 10.
- peak RSS of those two runs, corpus / one copy: <= 2.0.
- warm run (``--jobs 1``) of the corpus after the edited file of copy ``_0`` is touched (content unchanged,
  mtime changed): <= 0.5 s.
- one edited file (a comment line appended, restored afterwards), one run (``--jobs 1``, cache warm): the
  bytes it writes (``wchar`` of ``/proc/self/io``, the report excepted) / the cache directory's total size:
  <= 2%, i.e. the cache rewrote the file's entry, not itself whole.

With ``--server``, for each tree, benchmarks/server.py's measurement (needs pygls): after one CLI run, a fresh
server opens the edited file and sees it edited 40 times. Start to first diagnostics < 2 s, edit to
diagnostics p95 < 150 ms, peak RSS < 300 MiB.

With ``--history REPO``, once, benchmarks/history.py's measurement (with no tree given, only this one): the
history command over 50 commits of ``--history-range`` (default ``05bd22d^..2fafd1dd``) / one cold run on the
range's last ``netra_backend``, both ``--jobs N``: <= 5.

``--json FILE`` also writes every raw figure and every verdict.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import operator
import os
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Callable

import history  # benchmarks/history.py (benchmarks/server.py, which needs pygls, is imported for --server only)

PY = sys.executable
CORES = os.cpu_count() or 1
CACHE_ENV = "NETRA_ISOLATION_CACHE_DIR"
EDITED_FILE = "app/agents/base_agent.py"  # benchmarks/server.py's default: the base of every agent
EDIT = b"# appended by benchmarks/run.py\n"

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

# The CLI in this process, then its peak RSS (KiB) and the bytes it wrote (wchar) on stderr. The report goes
# to a sink that makes no system call: it is the run's answer, not what it stores.
PROBE = r"""
import io, resource, runpy, sys

class Discard(io.RawIOBase):
    def writable(self):
        return True

    def write(self, data):
        return len(data)

sys.argv = ["netra-isolation-lint", *sys.argv[1:]]
sys.stdout = io.TextIOWrapper(io.BufferedWriter(Discard()))
try:
    runpy.run_module("netra_isolation_lint", run_name="__main__")
except SystemExit:
    pass
with open("/proc/self/io") as counters:
    written = next(int(line.split()[1]) for line in counters if line.startswith("wchar:"))
sys.stderr.write("probe %d %d\n" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, written))
"""

OPERATORS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, "==": operator.eq}
FORMATS = {"": ".2f", " s": ".3f", " ms": ".1f", " MiB": ".1f", "%": ".2f", " runs": ".0f"}


@dataclass
class Check:
    label: str
    value: float
    op: str | None = None  # None: a figure stated, with no target
    limit: float = 0.0
    unit: str = ""  # "": a ratio
    informative: bool = False  # its verdict is shown, in parentheses, and does not decide the exit status

    @property
    def met(self) -> bool:
        return self.op is None or OPERATORS[self.op](self.value, self.limit)

    @property
    def verdict(self) -> str:
        if self.op is None:
            return "-"
        word = "ok" if self.met else "MISSED"
        return f"({word.lower()}, informative)" if self.informative else word

    def row(self) -> str:
        shown = f"{self.value:{FORMATS[self.unit]}}{self.unit}"
        target = f"{self.op} {self.limit:g}{self.unit}" if self.op else "stated"
        return f"  {self.label:<70} {shown:>12}  {target:>12}  {self.verdict}"


Run = tuple[float, bytes]  # seconds, stdout


def run(args: list[str], cwd: Path, env: dict | None = None, before: Callable[[], object] | None = None) -> Run:
    """One command, timed; ``before`` runs first, untimed."""
    if before is not None:
        before()
    started = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started, result.stdout


def alternate(commands: dict[str, Callable[[], Run]], rounds: int) -> dict[str, list[Run]]:
    """Each command once per round, in turn."""
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            runs[name].append(command())
    return runs


def medians(runs: dict[str, list[Run]]) -> dict[str, float]:
    return {f"{name}_s": statistics.median(seconds for seconds, _ in results) for name, results in runs.items()}


def cli(*args: str) -> list[str]:
    # -I: never import a module planted in the working directory; site-packages is not the tree
    return [PY, "-I", "-m", "netra_isolation_lint", "--extend-exclude", "site-packages", *args]


def probe(args: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int]:
    """Peak RSS (MiB) and bytes written of one CLI run. -B: no bytecode written on the way."""
    result = subprocess.run([PY, "-I", "-B", "-c", PROBE, "--extend-exclude", "site-packages", *args], cwd=cwd,
                            env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    found = re.search(r"^probe (\d+) (\d+)$", result.stderr, re.MULTILINE)
    if not found:
        raise RuntimeError(f"the CLI probe failed: {result.stderr[-2000:]}")
    return round(int(found[1]) / 1024, 1), int(found[2])


def cache_env(directory: Path) -> dict:
    return dict(os.environ, **{CACHE_ENV: str(directory)})


def emptied(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()


@contextlib.contextmanager
def spawning_from(work: Path, cache: Path):
    """What this process spawns without ``cwd`` or ``env`` starts in ``work`` and uses the cache ``cache``."""
    cwd, saved = os.getcwd(), os.environ.get(CACHE_ENV)
    os.chdir(work)
    os.environ[CACHE_ENV] = str(cache)
    try:
        yield
    finally:
        os.chdir(cwd)
        if saved is None:
            del os.environ[CACHE_ENV]
        else:
            os.environ[CACHE_ENV] = saved


def python_files(root: str) -> list[Path]:
    return [Path(directory, name) for directory, _, names in os.walk(root) if "site-packages" not in directory
            for name in names if name.endswith(".py")]


def file_to_edit(root: str) -> str:
    """The edited file of the corpus and the server: EDITED_FILE if the tree has it, else its largest."""
    if os.path.isfile(os.path.join(root, EDITED_FILE)):
        return EDITED_FILE
    largest = max(python_files(root), key=lambda path: (path.stat().st_size, str(path)))
    return os.path.relpath(largest, root)


def bench_cli(tree: str, work: Path, rounds: int) -> tuple[dict, list[Check]]:
    env = cache_env(work / "cache")
    run(cli("--jobs", "1", "--exit-zero", tree), work, env)  # fill the cache for the warm runs
    runs = alternate({
        "parse_floor": partial(run, [PY, "-c", PARSE_FLOOR, tree], work),
        "cli_cold_j1": partial(run, cli("--no-cache", "--jobs", "1", "--exit-zero", tree), work, env),
        "cli_cold_jN": partial(run, cli("--no-cache", "--jobs", str(CORES), "--exit-zero", tree), work, env),
        "cli_warm": partial(run, cli("--jobs", "1", "--exit-zero", tree), work, env),
    }, rounds)
    figures = medians(runs)
    reports = [stdout for _, stdout in runs["cli_cold_j1"] + runs["cli_cold_jN"]]
    figures["cli_cold_reports_differing"] = sum(report != reports[0] for report in reports)
    figures["cli_peak_rss_mib"] = probe(["--no-cache", "--jobs", "1", "--exit-zero", tree], work)[0]
    floor = figures["parse_floor_s"]
    return figures, [
        Check("CLI cold, one process / parse floor", figures["cli_cold_j1_s"] / floor, "<=", 0.5),
        Check(f"CLI --jobs 1 / --jobs {CORES}", figures["cli_cold_j1_s"] / figures["cli_cold_jN_s"], ">=", 1.7),
        Check(f"CLI --jobs 1 and --jobs {CORES}: runs whose report differs from the first",
              figures["cli_cold_reports_differing"], "==", 0, " runs"),
        Check("CLI warm (cache filled, tree unchanged) / parse floor", figures["cli_warm_s"] / floor, "<=", 0.1),
        Check("CLI peak RSS, cold, one process", figures["cli_peak_rss_mib"], unit=" MiB"),
    ]


def flake8_without_plugin(work: Path) -> list[str]:
    """flake8 as users run it (pyflakes, pycodestyle, mccabe), from a venv where this plugin is not installed:
    flake8 runs every installed plugin whatever --select says, so only an environment without it is a baseline.
    Same flake8 version as ours; commands run from ``work``, outside this checkout, whose egg-info would make
    the plugin visible to any interpreter started in it."""
    from importlib.metadata import version

    venv = work / "venv-without-plugin"
    subprocess.run([PY, "-m", "venv", str(venv)], check=True, cwd=work)
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "--quiet", f"flake8=={version('flake8')}"], check=True,
                   cwd=work)
    return [python, "-m", "flake8"]


def bench_flake8(tree: str, work: Path, baseline: list[str], rounds: int) -> tuple[dict, list[Check]]:
    options = ["--jobs", "1", "--exit-zero", tree]
    figures = medians(alternate({
        "flake8_without_plugin": partial(run, [*baseline, *options], work),
        "flake8_with_plugin": partial(run, [PY, "-m", "flake8", *options], work),
    }, rounds))
    ratio = figures["flake8_with_plugin_s"] / figures["flake8_without_plugin_s"]
    return figures, [Check("default flake8 with the plugin / without it installed", ratio, "<=", 1.10)]


def bench_pylint(tree: str, work: Path, rounds: int) -> tuple[dict, list[Check]]:
    pylint = [PY, "-m", "pylint", "--jobs=1", "--exit-zero", "--persistent=n", "--score=n", "--recursive=y",
              "--disable=all"]
    without = [*pylint, "--enable=missing-final-newline", tree]
    plugin = [*pylint, "--load-plugins=netra_isolation_lint.pylint_plugin",
              "--enable=missing-final-newline,netra-isolation", tree]
    cold, warm = work / "pylint-cache-cold", work / "pylint-cache-warm"
    run(cli("--jobs", "1", "--exit-zero", tree), work, cache_env(warm))  # the CLI's cache, warm
    figures = medians(alternate({
        "pylint_without_plugin": partial(run, without, work, cache_env(cold), partial(emptied, cold)),
        "pylint_plugin_cache_cold": partial(run, plugin, work, cache_env(cold), partial(emptied, cold)),
        "pylint_plugin_cache_warm": partial(run, plugin, work, cache_env(warm)),
    }, rounds))
    without_s = figures["pylint_without_plugin_s"]
    return figures, [
        Check("pylint with the plugin / without it, CLI cache absent", figures["pylint_plugin_cache_cold_s"]
              / without_s, "<=", 1.05),
        Check("pylint with the plugin / without it, CLI cache warm", figures["pylint_plugin_cache_warm_s"]
              / without_s, "<=", 1.05, informative=True),
    ]


def bench_single_file(work: Path, rounds: int) -> tuple[dict, list[Check]]:
    one_file = work / "one.py"
    one_file.write_text("from x import get_agent_websocket_bridge\n")
    figures = medians(alternate({
        "python_pass": partial(run, [PY, "-c", "pass"], work),
        "cli_single_file": partial(run, cli("--no-cache", "--exit-zero", str(one_file)), work),
    }, max(rounds, 10)))
    ratio = figures["cli_single_file_s"] / figures["python_pass_s"]
    return figures, [Check("CLI single-file cold start / python -c pass", ratio, "<=", 3.0)]


def copy_renamed(pattern: re.Pattern, name: str, source: str, destination: str) -> str:
    """A copy of the file, in a ``.py`` file valid as UTF-8 every match of ``pattern`` replaced by ``name``."""
    data = Path(source).read_bytes()
    if source.endswith(".py"):
        with contextlib.suppress(UnicodeDecodeError):
            data = pattern.sub(name, data.decode("utf-8")).encode("utf-8")
    Path(destination).write_bytes(data)
    return destination


def build_corpus(tree: str, directory: Path, copies: int) -> Path:
    """``copies`` copies of the tree in ``directory``, each renamed ``<name>_<k>`` throughout."""
    base = os.path.basename(tree)
    pattern = re.compile(rf"\b{re.escape(base)}\b")
    for k in range(copies):
        shutil.copytree(tree, directory / f"{base}_{k}", copy_function=partial(copy_renamed, pattern, f"{base}_{k}"),
                        ignore=shutil.ignore_patterns("__pycache__", ".netra-isolation-cache"),
                        ignore_dangling_symlinks=True)
    return directory


def edit_and_measure(path: Path, corpus: Path, work: Path, env: dict) -> int:
    """Bytes written by one run after a comment line is appended to ``path``; the file is restored after."""
    original, stat = path.read_bytes(), path.stat()
    path.write_bytes(original + (b"\n" if original and not original.endswith(b"\n") else b"") + EDIT)
    try:
        return probe(["--jobs", "1", "--exit-zero", str(corpus)], work, env)[1]
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def directory_bytes(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


def bench_corpus10(tree: str, work: Path, rounds: int) -> tuple[dict, list[Check]]:
    corpus, one = build_corpus(tree, work / "corpus10", 10), build_corpus(tree, work / "corpus1", 1)
    cold = ["--no-cache", "--jobs", "1", "--exit-zero"]
    figures: dict = medians(alternate({
        "corpus1_cold": partial(run, cli(*cold, str(one)), work),
        "corpus10_cold": partial(run, cli(*cold, str(corpus)), work),
    }, rounds))
    figures["corpus1_peak_rss_mib"] = probe([*cold, str(one)], work)[0]
    figures["corpus10_peak_rss_mib"] = probe([*cold, str(corpus)], work)[0]

    copy = corpus / f"{os.path.basename(tree)}_0"
    edited = copy / file_to_edit(str(copy))
    cache = work / "cache10"
    env = cache_env(cache)
    warm = cli("--jobs", "1", "--exit-zero", str(corpus))
    run(warm, work, env)  # fill the cache
    touched = [run(warm, work, env, partial(os.utime, edited)) for _ in range(rounds)]
    figures["corpus10_warm_one_touched_s"] = statistics.median(seconds for seconds, _ in touched)
    figures["edited_file"] = str(edited.relative_to(corpus))
    figures["corpus10_one_edited_written_bytes"] = edit_and_measure(edited, corpus, work, env)
    figures["corpus10_cache_bytes"] = directory_bytes(cache)
    written = figures["corpus10_one_edited_written_bytes"] / figures["corpus10_cache_bytes"]
    return figures, [
        Check("10x corpus cold / one copy cold", figures["corpus10_cold_s"] / figures["corpus1_cold_s"], "<=", 10),
        Check("10x corpus peak RSS / one copy peak RSS",
              figures["corpus10_peak_rss_mib"] / figures["corpus1_peak_rss_mib"], "<=", 2.0),
        Check("10x corpus warm, one file touched", figures["corpus10_warm_one_touched_s"], "<=", 0.5, " s"),
        Check("10x corpus, one file edited: bytes written / cache size", written * 100, "<=", 2.0, "%"),
    ]


SERVER_CHECKS = {"start_s": ("server: start to first diagnostics", " s"),
                 "latency_p95_ms": ("server: edit to diagnostics, 95th percentile", " ms"),
                 "peak_rss_mib": ("server: peak RSS", " MiB")}


def bench_server(tree: str, work: Path) -> tuple[dict, list[Check]]:
    import server  # benchmarks/server.py; pygls, only for --server

    with spawning_from(work, work / "cache-server"):  # the CLI's warm-up and the server share the cache
        figures = server.measure_tree(tree, file_to_edit(tree))
    return {f"server_{name}": value for name, value in figures.items()}, [
        Check(SERVER_CHECKS[name][0], figures[name], "<", limit, SERVER_CHECKS[name][1])
        for name, limit in server.TARGETS.items()]


def bench_history(repo: str, revisions: str) -> tuple[dict, list[Check]]:
    figures = history.measure(repo, revisions, jobs=CORES)
    label = f"history of {figures['commits']} commits / one cold run ({revisions}, --jobs {CORES})"
    return figures, [Check(label, figures["ratio"], "<=", history.TARGET)]


def bench_tree(tree: str, work: Path, flake8_baseline: list[str], options: argparse.Namespace
               ) -> tuple[dict, list[Check]]:
    steps = [partial(bench_cli, tree, work, options.repeat),
             partial(bench_flake8, tree, work, flake8_baseline, options.repeat)]
    if not options.no_pylint:
        steps.append(partial(bench_pylint, tree, work, options.repeat))
    steps.append(partial(bench_single_file, work, options.repeat))
    if options.corpus10:
        steps.append(partial(bench_corpus10, tree, work, options.repeat))
    if options.server:
        steps.append(partial(bench_server, tree, work))
    figures, checks = {"files": len(python_files(tree))}, []
    for step in steps:
        more_figures, more_checks = step()
        figures.update(more_figures)
        checks.extend(more_checks)
    return figures, checks


SUFFIXES = {"_s": ("{:.3f}", " s"), "_ms": ("{:.1f}", " ms"), "_mib": ("{:.1f}", " MiB"), "_bytes": ("{:,}", " B")}


def shown(name: str, value) -> str:
    """A raw figure with the unit its name ends with."""
    for suffix, (number, unit) in SUFFIXES.items():
        if name.endswith(suffix):
            return number.format(value) + unit
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def report(title: str, figures: dict, checks: list[Check]) -> dict:
    print(f"\n== {title}")
    for name, value in figures.items():
        print(f"  {name:<40} {shown(name, value)}")
    print()
    for check in checks:
        print(check.row())
    return {"figures": figures,
            "checks": [dict(asdict(check), verdict=check.verdict, met=check.met) for check in checks]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="*", help="trees to measure (default: this interpreter's stdlib)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each comparison; medians are reported")
    parser.add_argument("--no-pylint", action="store_true", help="skip the (slow) pylint comparison")
    parser.add_argument("--corpus10", action="store_true", help="also measure a synthetic corpus ten times the tree")
    parser.add_argument("--server", action="store_true", help="also measure the language server on each tree")
    parser.add_argument("--history", metavar="REPO", help="also measure the history command on this git repository")
    parser.add_argument("--history-range", default=history.RANGE, help="commits of --history (default: %(default)s)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures and verdicts as JSON")
    options = parser.parse_args(argv)
    if options.repeat < 1:
        parser.error("--repeat must be at least 1")
    trees = options.trees or ([] if options.history else [sysconfig.get_paths()["stdlib"]])
    print(f"machine: {CORES} cores, Python {sys.version.split()[0]}, {sys.platform}; --repeat {options.repeat}"
          + ("" if options.repeat >= 3 else " (under 3: no acceptance figures)"))
    results: dict = {"cores": CORES, "python": sys.version.split()[0], "repeat": options.repeat, "trees": {}}
    checks: list[Check] = []
    with tempfile.TemporaryDirectory(prefix="netra-bench-") as temporary:
        flake8_baseline = flake8_without_plugin(Path(temporary)) if trees else []
        for tree in map(os.path.abspath, trees):
            work = Path(tempfile.mkdtemp(dir=temporary))
            figures, tree_checks = bench_tree(tree, work, flake8_baseline, options)
            results["trees"][tree] = report(f"{tree} ({figures['files']} files)", figures, tree_checks)
            checks.extend(tree_checks)
    if options.history:
        figures, history_checks = bench_history(options.history, options.history_range)
        results["history"] = report(f"history of {options.history}", figures, history_checks)
        checks.extend(history_checks)
    judged = [check for check in checks if check.op and not check.informative]
    results["missed"] = missed = [check.label for check in judged if not check.met]
    print(f"\n{len(missed)} of {len(judged)} targets missed" + "".join(f"\n  MISSED {label}" for label in missed))
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=2) + "\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
