"""``netra-isolation-lint``: the CI gate. Exit 0 clean, 1 findings, 2 usage, config or internal error."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from . import __version__
from .config import CODE_PATTERN, ConfigError, resolve_config
from .sources import DEFAULT_EXCLUDES, discover

PROG = "netra-isolation-lint"
# Kept here (not read from formats.FORMATS) so that building the parser imports no rule or format code.
FORMAT_CHOICES = ("github", "gitlab", "json", "rdjson", "sarif", "text")
SARIF_GITHUB_LIMIT = 25_000
FAIL_ON = {"warning": frozenset({"error", "warning", "info"}), "error": frozenset({"error"})}


def _codes(value: str) -> tuple[str, ...]:
    codes = tuple(c.strip() for c in value.split(",") if c.strip())
    for code in codes:
        if not CODE_PATTERN.match(code):
            raise argparse.ArgumentTypeError(f"{code!r} is not a rule code or prefix such as NIL101 or NIL1")
    return codes


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return jobs


def _globs(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(",") if p.strip())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Find code that can leak one user's agent WebSocket events to another user.",
    )
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                        help="files and directories to check (default: the current directory)")
    parser.add_argument("--config", metavar="PATH",
                        help="YAML config (default: the nearest .netra-isolation.yaml upward, else built-in defaults)")
    parser.add_argument("--select", type=_codes, metavar="CODES",
                        help="comma-separated codes or prefixes to report (replaces the config's select)")
    parser.add_argument("--ignore", type=_codes, metavar="CODES",
                        help="comma-separated codes or prefixes not to report (replaces the config's ignore)")
    parser.add_argument("--exclude", type=_globs, metavar="GLOBS",
                        help="comma-separated globs of files/directories to skip (replaces the defaults)")
    parser.add_argument("--extend-exclude", type=_globs, default=(), metavar="GLOBS",
                        help="globs to skip in addition to the defaults and the config's exclude")
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=FORMAT_CHOICES, default="text",
                        help="report format: text, json, sarif (GitHub code scanning), github (workflow "
                             "annotations), gitlab (Code Quality), rdjson (reviewdog) (default: text)")
    output.add_argument("--output", metavar="FILE",
                        help="write the report to FILE instead of stdout (the exit status still gates)")
    output.add_argument("--show-source", action="store_true",
                        help="text format: show the source line and a caret under each finding")
    output.add_argument("--statistics", action="store_true",
                        help="after the report, count findings per rule and per top-level directory "
                             "(on stderr when a machine-readable format is selected)")
    adoption = parser.add_argument_group("gradual adoption")
    exclusive = adoption.add_mutually_exclusive_group()
    exclusive.add_argument("--baseline", metavar="FILE",
                           help="report only findings not recorded in the baseline FILE; list fixed entries on stderr")
    exclusive.add_argument("--write-baseline", metavar="FILE",
                           help="record today's findings in FILE and exit 0")
    adoption.add_argument("--diff-base", metavar="REV",
                          help="report only findings on lines added or changed since the git revision REV "
                               "(untracked files count as added)")
    gate = parser.add_argument_group("exit status")
    gate.add_argument("--exit-zero", action="store_true",
                      help="exit 0 even when findings are reported (2 still signals usage or internal errors)")
    gate.add_argument("--fail-on", choices=("error", "warning"), default="warning",
                      help="lowest severity that makes the exit status 1 (default: warning, i.e. any finding)")
    speed = parser.add_argument_group("speed")
    speed.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N",
                       help="worker processes for reading and parsing (default: the number of cores)")
    speed.add_argument("--no-cache", action="store_true",
                       help="neither read nor write the result cache")
    speed.add_argument("--cache-dir", metavar="DIR",
                       help="where the result cache lives (default: $NETRA_ISOLATION_CACHE_DIR or "
                            "./.netra-isolation-cache)")
    speed.add_argument("--no-prefilter", action="store_true",
                       help="parse every file, even one that mentions no name any rule needs (then a syntax "
                            "error anywhere gives NIL900); files named on the command line are always parsed")
    info = parser.add_argument_group("information")
    info.add_argument("--explain", metavar="CODE", help="print the documentation of a rule and exit")
    info.add_argument("--explain-finding", metavar="PATH:LINE",
                      help="lint as usual, then print each finding on that line with the chain of types the "
                           "model followed to reach it (where each step's type came from), and exit")
    info.add_argument("--show-config", action="store_true",
                      help="print the effective configuration, where it came from, and exit")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.write_baseline and args.diff_base:
        parser.error("--write-baseline records every finding; it cannot be combined with --diff-base")
    if args.explain is not None:
        return explain(args.explain)
    try:
        config = resolve_config(args.config)
    except ConfigError as exc:
        for problem in exc.problems:
            error(problem)
        return 2
    overrides = {}
    if args.select is not None:
        overrides["select"] = args.select
    if args.ignore is not None:
        overrides["ignore"] = args.ignore
    config = dataclasses.replace(config, **overrides)
    excludes = (args.exclude if args.exclude is not None else DEFAULT_EXCLUDES) + config.exclude + args.extend_exclude
    if args.show_config:
        return show_config(config, args, excludes)
    sources, missing = discover(args.paths, excludes)
    if missing:
        for path, reason in missing:
            error(f"{path}: {reason}")
        return 2

    baseline_entries = None
    if args.baseline:
        from .baseline import BaselineError, load

        try:
            baseline_entries = load(args.baseline)
        except BaselineError as exc:
            error(_one_line(str(exc)))
            return 2
    changed = None
    if args.diff_base is not None:
        from .gitdiff import DiffError, changed_lines

        try:
            changed = changed_lines(args.diff_base, args.paths)
        except DiffError as exc:
            error(_one_line(str(exc)))
            return 2

    from .runner import lint

    # A directory symlink named on the command line is not walked (sources.discover), so it does not count.
    whole_project = len(sources) > 1 or any(os.path.isdir(p) and not os.path.islink(p) for p in args.paths)
    # A project-wide finding belongs to no line; it is anchored at a file (code scanning needs one):
    # the contract that declares the events, else the first file checked.
    anchor = (config.source or min(s.path for s in sources)) if whole_project and sources else None
    cache = None
    if not args.no_cache:
        from .cache import Cache, cache_dir

        cache = Cache(cache_dir(args.cache_dir), config, prefilter=not args.no_prefilter)
    wanted = None
    if args.explain_finding is not None:
        wanted = _location(args.explain_finding)
        if wanted is None:
            error(f"--explain-finding: expected PATH:LINE, got '{_shown(args.explain_finding[:200])}'")
            return 2
    report = lint(sources, config, project_anchor=anchor, prefilter=not args.no_prefilter, cache=cache,
                  jobs=args.jobs or os.cpu_count() or 1, explain=wanted)
    if wanted is not None:
        return explain_finding(report, *wanted)
    index = None

    def source_index():
        nonlocal index
        if index is None:
            from .fingerprint import SourceIndex

            index = SourceIndex(report, sources, config.max_file_bytes)
        return index

    if args.write_baseline:
        return write_baseline(args.write_baseline, report, source_index())

    results = report.results
    if baseline_entries is not None:
        results = apply_baseline(results, baseline_entries, source_index(), sources, anchor, config, args.baseline)
    if changed is not None:
        results = only_changed(results, changed)
    shown = dataclasses.replace(report, results=results)

    from .formats import FORMATS, statistics

    needs_index = args.format in ("sarif", "github", "gitlab") or (args.format == "text" and args.show_source)
    rendered = FORMATS[args.format](shown, source_index() if needs_index else index,
                                    show_source=args.show_source)
    stats = statistics(results) if args.statistics else ""
    if args.format == "text":
        rendered += stats
        stats = ""
    if args.format == "sarif" and len(results) > SARIF_GITHUB_LIMIT:
        print(f"{PROG}: warning: {len(results)} results; GitHub code scanning rejects a SARIF run with more than "
              f"{SARIF_GITHUB_LIMIT} (use --baseline or --diff-base to upload fewer)", file=sys.stderr)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(rendered)
        except OSError as exc:
            error(f"{_shown(args.output)}: cannot write report: {exc.strerror or type(exc).__name__}")
            return 2
    else:
        sys.stdout.write(rendered)
    if stats:
        sys.stderr.write(stats)
    if report.internal_errors:
        return 2
    if args.exit_zero:
        return 0
    from .formats import severity

    failing = FAIL_ON[args.fail_on]
    return 1 if any(severity(r.code) in failing for r in results) else 0


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shown(text: str) -> str:
    from .formats import printable

    return printable(text)


def explain(code: str) -> int:
    from .registry import RULES

    wanted = code.strip()
    rule = RULES.get(wanted.upper()) or next((r for r in RULES.values() if r.slug == wanted.lower()), None)
    if rule is None:
        import difflib

        candidates = list(RULES) + [r.slug for r in RULES.values()]
        close = difflib.get_close_matches(wanted.upper() if wanted.upper().startswith("NIL") else wanted.lower(),
                                          candidates, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else f" (known codes: {min(RULES)}..{max(RULES)})"
        error(f"--explain: unknown rule code '{_shown(wanted[:60])}'{hint}")
        return 2
    sys.stdout.write(rule.doc_page())
    return 0


def _location(text: str) -> tuple[str, int] | None:
    path, _, line = text.rpartition(":")
    return (path, int(line)) if path and line.isdigit() and int(line) > 0 else None


def explain_finding(report, path: str, line: int) -> int:
    """Each finding on the line, and under it the steps by which the type model reached the call's target."""
    from .formats import printable

    wanted = os.path.abspath(path)
    found = [r for r in report.results if os.path.abspath(r.path) == wanted and r.line == line]
    if not found:
        error(f"--explain-finding: no finding at {_shown(path)}:{line}")
        return 1
    for result in found:
        print(printable(f"{result.path}:{result.line}:{result.col + 1}: {result.code} {result.message}"))
        steps = [s for l, c, trace in report.traces if c == result.col for s in trace]
        if steps:
            print("  how the model typed the call:")
            for number, step in enumerate(steps, 1):
                print(printable(f"    {number}. {step}"))
        else:
            print("  judged by names and this file's own code: no type chain to show")
    return 0


def show_config(config, args, excludes: tuple[str, ...]) -> int:
    from .config import CONFIG_FILENAME, dump_effective
    from .formats import printable

    if args.config:
        how = "--config (given on the command line)"
    elif config.source:
        how = f"discovered (nearest {CONFIG_FILENAME} from the current directory upward)"
    else:
        how = f"defaults (no {CONFIG_FILENAME} from the current directory up to the repository root)"
    lines = dump_effective(config).splitlines()
    lines.insert(1, f"# found: {how}")
    if args.select is not None or args.ignore is not None:
        lines.insert(2, "# select/ignore include command-line overrides")
    lines.append(f"# files skipped (defaults or --exclude, config exclude, --extend-exclude): "
                 f"[{', '.join(excludes)}]")
    sys.stdout.write("".join(printable(line) + "\n" for line in lines))
    return 0


def write_baseline(path: str, report, index) -> int:
    from .baseline import BaselineError, entries_for, write

    entries = entries_for(report.results, index)
    try:
        write(path, entries)
    except BaselineError as exc:
        error(_one_line(str(exc)))
        return 2
    findings = sum(e.count for e in entries)
    print(f"{PROG}: baseline: wrote {len(entries)} entr{'y' if len(entries) == 1 else 'ies'} "
          f"({findings} finding{'' if findings == 1 else 's'}) to {_shown(path)}", file=sys.stderr)
    if report.internal_errors:
        error("internal errors (NIL901) are never baselined; fix or report them")
        return 2
    return 0


def apply_baseline(results, entries, index, sources, anchor, config, baseline_path):
    from .baseline import apply
    from .engine import code_selected, path_ignored_codes, relative_posix
    from .formats import printable

    cwd = os.getcwd()
    linted = {relative_posix(s.path, cwd) for s in sources}
    if anchor is not None:  # whole-project findings (NIL403) are reported against it
        linted.add(relative_posix(anchor, cwd))

    def in_scope(entry) -> bool:
        return (entry.path in linted and code_selected(entry.code, config.select, config.ignore)
                and not entry.code.startswith(path_ignored_codes(config, entry.path)))

    outcome = apply(results, entries, index, in_scope)
    for entry, count in outcome.fixed:
        times = f" ({count} occurrences)" if count > 1 else ""
        print(f"{PROG}: baseline: fixed: {printable(entry.path)}: {entry.code} in {printable(entry.scope)}{times}",
              file=sys.stderr)
    fixed = sum(count for _, count in outcome.fixed)
    matched = sum(1 for r in results if r.code != "NIL901") - sum(1 for r in outcome.new if r.code != "NIL901")
    summary = (f"{PROG}: baseline: {_plural(len(outcome.new), 'new finding')}, {matched} matched the baseline, "
               f"{fixed} fixed")
    if fixed:
        summary += f" (run --write-baseline {printable(baseline_path)} to shrink the baseline)"
    print(summary, file=sys.stderr)
    return outcome.new


def only_changed(results, changed):
    """Findings on added or changed lines; internal errors (NIL901) are always kept."""
    real: dict[str, str] = {}
    kept = []
    for r in results:
        if r.code == "NIL901":
            kept.append(r)
            continue
        path = real.get(r.path)
        if path is None:
            path = real[r.path] = os.path.realpath(r.path)
        if path in changed and (changed[path] is None or r.line in changed[path]):
            kept.append(r)
    return kept


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
