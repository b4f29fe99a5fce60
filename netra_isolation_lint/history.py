"""``netra-isolation-lint history``: how far the migration has come, commit by commit, read from git objects.

Commits are read straight from the object database (``git ls-tree``, ``git cat-file --batch``): no checkout, so
it works in a bare repository and never reads a work tree, dirty or not. Each commit's Python files are written
into one scratch directory that follows the series (only the files a commit changed are written), and each
commit is linted there as one project, exactly as the CLI lints an extracted tree. What was read of a file is kept
by its blob id, so a file seen in one commit is never analysed again: a commit costs its changed files and the
cross-module verdicts.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import gc
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field

from . import formats
from .chart import families, svg
from .config import CONFIG_FILENAME, DEFAULTS, Config, ConfigError, load_config
from .model.names import is_test_path
from .registry import resolve_known_config
from .rules.api import RAISING
from .runner import lint
from .sources import SourceFile, write_report

PROG = "netra-isolation-lint history"
FORMATS = ("text", "json", "csv", "markdown", "html")
PERIODS = {"DAY": "%Y-%m-%d", "WEEK": "%G-W%V"}
# The migration's own figures, in the order tables and charts show them.
METRICS = (
    ("singleton_calls", "singleton call sites left (NIL101, NIL103)"),
    ("context_classes_wired", "context-bound classes that take and forward the context (share)"),
    ("sends_through_emitter", "event sends through a per-user emitter (share)"),
    ("api_breaks", "API-contract breaks (NIL404-NIL407)"),
    ("working_critical_events", "critical events with a working production send"),
)


class HistoryError(Exception):
    """A one-line reason the history cannot be read (a bad range, not a repository)."""


@dataclass(frozen=True)
class Commit:
    sha: str
    time: int  # committer date, seconds since the epoch
    subject: str

    @property
    def date(self) -> str:
        return datetime.datetime.fromtimestamp(self.time, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")


@dataclass
class Point:
    """One commit's figures."""

    commit: Commit
    files: int
    codes: Counter = field(default_factory=Counter)
    metrics: dict[str, float | int] = field(default_factory=dict)


# ---------------------------------------------------------------------- git
class Git:
    def __init__(self, repo: str):
        self.repo = repo
        self._batch: subprocess.Popen | None = None

    def run(self, *args: str) -> str:
        result = subprocess.run(["git", "-C", self.repo, *args], capture_output=True, text=True,
                                stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            reason = (result.stderr.strip().splitlines() or ["failed"])[-1]
            raise HistoryError(f"git {args[0]}: {reason}")
        return result.stdout

    def commits(self, rev_range: str, first_parent: bool) -> list[Commit]:
        args = ["rev-list", "--reverse", "--format=%H %ct %s", "--no-commit-header"]
        output = self.run(*args, *(["--first-parent"] if first_parent else []), rev_range)
        commits = []
        for line in output.splitlines():
            sha, stamp, *subject = line.split(" ", 2)
            commits.append(Commit(sha, int(stamp), subject[0] if subject else ""))
        return commits

    def files(self, sha: str, paths: list[str]) -> dict[str, str]:
        """path -> blob id of the commit's Python files (and config files) under ``paths``."""
        output = self.run("ls-tree", "-r", "-z", "--full-tree", sha, "--", *paths)
        found = {}
        for row in output.split("\0"):
            if not row:
                continue
            meta, _, path = row.partition("\t")
            mode, kind, blob = meta.split()
            wanted = path.endswith(".py") or os.path.basename(path) == CONFIG_FILENAME
            if kind == "blob" and mode != "120000" and wanted:
                found[path] = blob
        return found

    def blob(self, blob: str) -> bytes:
        if self._batch is None:
            self._batch = subprocess.Popen(["git", "-C", self.repo, "cat-file", "--batch"], stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE)
        self._batch.stdin.write(blob.encode() + b"\n")
        self._batch.stdin.flush()
        header = self._batch.stdout.readline().split()
        if len(header) != 3:
            raise HistoryError(f"git cat-file: cannot read blob {blob}")
        data = self._batch.stdout.read(int(header[2]))
        self._batch.stdout.read(1)  # the newline after the content
        return data

    def close(self) -> None:
        if self._batch is not None:
            self._batch.stdin.close()
            self._batch.wait()
            self._batch = None


def select(commits: list[Commit], max_commits: int | None, every: str | None) -> list[Commit]:
    """The commits to analyse: all, the last of each period, or ``max_commits`` spread evenly; the range's first
    and last commit always."""
    if not commits:
        return []
    chosen = commits
    if every is not None:
        last: dict[str, Commit] = {}
        for commit in commits:
            period = datetime.datetime.fromtimestamp(commit.time, datetime.timezone.utc).strftime(PERIODS[every])
            last[period] = commit
        kept = {c.sha for c in last.values()} | {commits[0].sha}
        chosen = [c for c in commits if c.sha in kept]
    if max_commits is not None and len(chosen) > max_commits:
        if max_commits < 2:
            return [chosen[-1]]
        step = (len(chosen) - 1) / (max_commits - 1)
        chosen = [chosen[round(i * step)] for i in range(max_commits)]
    return chosen


# ---------------------------------------------------------------------- analysis
class Scratch:
    """A directory that holds one commit's files at a time; moving to the next commit writes what changed."""

    def __init__(self) -> None:
        self.root = tempfile.mkdtemp(prefix="netra-history-")
        self.files: dict[str, str] = {}  # path -> blob written

    def follow(self, files: dict[str, str], git: Git) -> int:
        """Make the directory hold ``files``; returns how many were written."""
        for path in set(self.files) - set(files):
            os.remove(os.path.join(self.root, path))
        written = 0
        for path, blob in files.items():
            if self.files.get(path) != blob:
                target = os.path.join(self.root, path)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as handle:
                    handle.write(git.blob(blob))
                written += 1
        self.files = dict(files)
        return written

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def analyse(repo: str, commits: list[Commit], paths: list[str], config: Config | None, progress=None,
            jobs: int = 1) -> list[Point]:
    """Each commit's figures, in order. With ``jobs`` > 1 the series is cut into that many runs of consecutive
    commits, each followed by its own process (consecutive commits share most files)."""
    if jobs <= 1 or len(commits) < 2 * jobs:
        return _analyse_run(repo, commits, paths, config, progress)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(commits) // jobs)
    runs = [commits[i:i + size] for i in range(0, len(commits), size)]
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with context.Manager() as manager, ProcessPoolExecutor(len(runs), mp_context=context) as pool:
        told = manager.Queue()
        futures = [pool.submit(_analyse_run, repo, run, paths, config, _Teller(told)) for run in runs]
        done = 0
        while done < len(commits) and not any(f.done() and f.exception() for f in futures):
            try:
                _, _, written = told.get(timeout=0.2)
            except queue.Empty:
                continue
            done += 1
            if progress is not None:
                progress(done, len(commits), written)
        return [point for future in futures for point in future.result()]  # a worker's error is raised here


class _Teller:
    """A worker's progress, sent to the parent: (done in this run, in all, files written)."""

    def __init__(self, queue):
        self.queue = queue

    def __call__(self, done: int, total: int, written: int) -> None:
        self.queue.put((done, total, written))


def _analyse_run(repo: str, commits: list[Commit], paths: list[str], config: Config | None,
                 progress=None) -> list[Point]:
    git, scratch, memo, points = Git(repo), Scratch(), {}, []
    try:
        for index, commit in enumerate(commits):
            files = git.files(commit.sha, paths)
            written = scratch.follow(files, git)
            points.append(_point(commit, scratch, files, paths, config, memo))
            gc.freeze()  # the memo only grows: the collector need not walk it again after each commit
            if progress is not None:
                progress(index + 1, len(commits), written)
    finally:
        git.close()
        scratch.remove()
    return points


def _point(commit: Commit, scratch: Scratch, files: dict[str, str], paths: list[str], config: Config | None,
           memo: dict) -> Point:
    root = scratch.root
    if config is None:  # the commit's own contract, as a run on its tree would find it
        try:
            config = resolve_known_config(None, os.path.join(root, paths[0]) if paths else root)
        except ConfigError:
            config = DEFAULTS
    config = dataclasses.replace(config, root=root)
    sources = [SourceFile(os.path.join(root, path), root, blob=blob) for path, blob in sorted(files.items())
               if path.endswith(".py")]
    anchors = [os.path.join(root, p) for p in paths if os.path.isdir(os.path.join(root, p))] or [root]
    report = lint(sources, config, os.path.commonpath(anchors), prefilter=True, keep_project=True, memo=memo)
    codes = Counter(r.code for r in report.results)
    point = Point(commit, len(sources), codes, _metrics(report, config, codes, root))
    report.project.forget_types()  # the model refers back to the project: let both go now, not at a collection
    return point


def _metrics(report, config: Config, codes: Counter, root: str) -> dict[str, float | int]:
    project = report.project
    production = [m for m in project.all_modules if not is_test_path(os.path.relpath(m.path, root), config)]
    bound = [c for m in production for c in m.classes if project.class_is_context_bound(c)]
    wired = 0
    for cls in bound:
        init = project.init_of(cls.qualname, project.home_of(cls))
        wired += init is not None and init.context_param is not None and init.keeps_context
    legacy = sum(1 for r in report.results
                 if r.code == "NIL103" and not is_test_path(os.path.relpath(r.path, root), config))
    sends = sum(len(m.emits) for m in production)
    broken = {(r.path, r.line, r.col) for r in report.results if r.code in RAISING}
    working = project.emitted_events(broken) & set(config.critical_events)
    return {
        "singleton_calls": codes["NIL101"] + codes["NIL103"],
        "context_classes_wired": round(wired / len(bound), 4) if bound else 1.0,
        "sends_through_emitter": round(sends / (sends + legacy), 4) if sends + legacy else 1.0,
        "api_breaks": sum(codes[c] for c in ("NIL404", "NIL405", "NIL406", "NIL407")),
        "working_critical_events": len(working),
    }


# ---------------------------------------------------------------------- output
def as_json(points: list[Point]) -> str:
    import json

    return json.dumps([{"commit": p.commit.sha, "date": p.commit.date, "subject": p.commit.subject, "files": p.files,
                        "metrics": p.metrics, "families": dict(sorted(families(p.codes).items())),
                        "codes": dict(sorted(p.codes.items()))} for p in points], indent=2) + "\n"


def as_csv(points: list[Point]) -> str:
    import csv
    import io

    codes = sorted({c for p in points for c in p.codes})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["commit", "date", "files", *(m for m, _ in METRICS), *codes])
    for p in points:
        writer.writerow([p.commit.sha, p.commit.date, p.files, *(p.metrics[m] for m, _ in METRICS),
                         *(p.codes[c] for c in codes)])
    return out.getvalue()


def as_markdown(points: list[Point]) -> str:
    """Two commits (a branch and its base): one row per figure with the change. More: one row per commit."""
    if len(points) == 2:
        base, head = points
        rows = ["| | base `" + base.commit.sha[:9] + "` | this branch `" + head.commit.sha[:9] + "` | change |",
                "|---|---|---|---|"]
        for key, label in METRICS:
            rows.append(f"| {label} | {_shown(base.metrics[key])} | {_shown(head.metrics[key])} | "
                        f"{_change(base.metrics[key], head.metrics[key])} |")
        for code in sorted(set(base.codes) | set(head.codes)):
            rows.append(f"| {code} | {base.codes[code]} | {head.codes[code]} | "
                        f"{_change(base.codes[code], head.codes[code])} |")
        return "\n".join(rows) + "\n"
    header = ["commit", "date", *(key for key, _ in METRICS), "findings"]
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for p in points:
        rows.append(f"| `{p.commit.sha[:9]}` | {p.commit.date} | "
                    + " | ".join(_shown(p.metrics[k]) for k, _ in METRICS) + f" | {sum(p.codes.values())} |")
    return "\n".join(rows) + "\n"


def _shown(value: float | int) -> str:
    return f"{value:.0%}" if isinstance(value, float) else str(value)


def _change(before: float | int, after: float | int) -> str:
    if before == after:
        return "="
    if isinstance(before, float) or isinstance(after, float):
        return f"{(after - before) * 100:+.0f} pts"
    return f"{after - before:+d}"


def as_text(points: list[Point]) -> str:
    width = max([len(label) for _, label in METRICS] + [8])
    lines = []
    for p in points:
        lines.append(f"{p.commit.sha[:9]} {p.commit.date}  {p.files} files  {sum(p.codes.values())} findings  "
                     f"{p.commit.subject[:60]}")
        lines.extend(f"    {label:<{width}} {_shown(p.metrics[key])}" for key, label in METRICS)
    return "\n".join(lines) + "\n"


def as_html(points: list[Point]) -> str:
    from html import escape

    title = f"Migration history: {len(points)} commits"
    rows = "".join(f"<tr><td><code>{p.commit.sha[:9]}</code></td><td>{p.commit.date}</td>"
                   + "".join(f"<td>{_shown(p.metrics[k])}</td>" for k, _ in METRICS)
                   + f"<td>{escape(p.commit.subject[:80])}</td></tr>" for p in points)
    head = "".join(f"<th>{escape(label)}</th>" for _, label in METRICS)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            "<style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #999;padding:2px 6px;text-align:right}</style></head><body>"
            f"<h1>{title}</h1>{svg(points, METRICS)}<table><tr><th>commit</th><th>date</th>{head}<th>subject</th>"
            f"</tr>{rows}</table></body></html>\n")


RENDER = {"text": as_text, "json": as_json, "csv": as_csv, "markdown": as_markdown, "html": as_html}


# ---------------------------------------------------------------------- command line
class Progress(formats.Progress):
    """On a terminal: commits done, files read, time left."""

    def __init__(self, stream):
        super().__init__(stream)
        self.started, self.files = time.monotonic(), 0

    def __call__(self, done: int, total: int, written: int) -> None:
        self.files += written
        left = (time.monotonic() - self.started) / done * (total - done)
        self.show(f"{PROG}: {done}/{total} commits, {self.files} files read, about {left:.0f} s left")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="The migration's figures for a series of commits, read "
                                     "from git objects (no checkout; a dirty work tree is never read).")
    parser.add_argument("rev_range", nargs="?", default="HEAD", metavar="REV_RANGE",
                        help="commits to analyse, as git rev-list takes them (default: HEAD's history)")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="directories or files inside the repository")
    parser.add_argument("--repo", default=".", help="the repository (bare or not; default: .)")
    parser.add_argument("--max-commits", type=int, metavar="N", help="at most N commits, spread evenly")
    parser.add_argument("--every", type=str.upper, choices=sorted(PERIODS), help="the last commit of each period")
    parser.add_argument("--all-parents", action="store_true", help="follow merged branches too (default: first "
                        "parent only)")
    parser.add_argument("--config", help="one contract for every commit (default: each commit's own, else the "
                        "built-in defaults)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of standard output")
    parser.add_argument("--plot", metavar="FILE.svg", help="also write the chart as a standalone SVG")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="processes, each following a run of consecutive commits (default: one per core)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.max_commits is not None and args.max_commits < 1:
        return _fail("--max-commits must be at least 1")
    try:
        config = load_config(args.config) if args.config else None
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"{PROG}: error: {problem}", file=sys.stderr)
        return 2
    if args.rev_range.startswith("-"):  # git would take it for an option
        return _fail(f"'{args.rev_range}' is not a revision range")
    repo = os.path.abspath(args.repo)
    try:
        commits = select(Git(repo).commits(args.rev_range, not args.all_parents), args.max_commits, args.every)
    except (HistoryError, OSError) as exc:
        return _fail(str(exc))
    if not commits:
        return _fail(f"no commits in {args.rev_range}")
    progress = Progress(sys.stderr) if sys.stderr.isatty() else None
    try:
        points = analyse(repo, commits, [p.rstrip("/") for p in args.paths], config, progress, max(1, args.jobs))
    except (HistoryError, OSError) as exc:
        return _fail(str(exc))
    finally:
        if progress is not None:
            progress.erase()
    rendered = RENDER[args.format](points)
    if args.plot:
        write_report(args.plot, svg(points, METRICS, standalone=True))
    if args.output:
        write_report(args.output, rendered)
    else:
        sys.stdout.write(rendered)
    return 0


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2
