"""``netra-isolation-lint``: the CI gate. Exit 0 clean, 1 findings, 2 usage, config or internal error."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import sys

from . import __version__
from .config import CODE_PATTERN, ConfigError, print_notes
from .sources import DEFAULT_EXCLUDES, common_directory, discover, project_root, replace_whole, write_report

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


def _fail_on(value: str) -> str | tuple[str, ...]:
    return value if value in FAIL_ON else _codes(value)


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
    parser.add_argument("--stdin-filename", metavar="PATH",
                        help="with PATH '-': lint standard input as if it were the file PATH, judged with the rest of "
                             "its project from disk (its config, per-path ignores and cross-module checks)")
    parser.add_argument("--config", metavar="PATH",
                        help="config file: YAML, or a pyproject.toml with [tool.netra-isolation-lint] (default: the "
                             "nearest .netra-isolation.yaml or such pyproject.toml upward, else built-in defaults)")
    parser.add_argument("--select", type=_codes, metavar="CODES",
                        help="comma-separated codes or prefixes to report (replaces the config's select)")
    parser.add_argument("--ignore", type=_codes, metavar="CODES",
                        help="comma-separated codes or prefixes not to report (replaces the config's ignore)")
    parser.add_argument("--extend-select", type=_codes, default=(), metavar="CODES",
                        help="codes or prefixes to report in addition to the config's (or --select's) selection")
    parser.add_argument("--extend-ignore", type=_codes, default=(), metavar="CODES",
                        help="codes or prefixes not to report, in addition to the config's (or --ignore's)")
    parser.add_argument("--exclude", type=_globs, metavar="GLOBS",
                        help="comma-separated globs of files/directories to skip (replaces the defaults)")
    parser.add_argument("--extend-exclude", type=_globs, default=(), metavar="GLOBS",
                        help="globs to skip in addition to the defaults and the config's exclude")
    parser.add_argument("--no-respect-gitignore", action="store_true",
                        help="also walk what .gitignore files ignore (by default, in a git repository, they are "
                             "honoured as git reads them; files named on the command line are always checked)")
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=FORMAT_CHOICES, default="text",
                        help="report format: text, json, sarif (GitHub code scanning), github (workflow "
                             "annotations), gitlab (Code Quality), rdjson (reviewdog) (default: text)")
    output.add_argument("--output", metavar="FILE",
                        help="write the report to FILE instead of stdout (the exit status still gates)")
    output.add_argument("--show-source", action="store_true",
                        help="text format: show the source line and a caret under each finding")
    output.add_argument("--include-suppressed", action="store_true",
                        help="sarif format: also emit the findings a # noqa suppressed, each with a SARIF "
                             "suppressions entry holding the comment's reason (as include_suppressed: true)")
    output.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="text format: colour the report; auto colours a terminal unless NO_COLOR is set "
                             "(FORCE_COLOR forces it) (default: auto)")
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
    fixing = parser.add_argument_group("fixes (docs/fixes.md)")
    fixing.add_argument("--fix", action="store_true",
                        help="apply the safe fixes, verified against the whole project, then report what is left")
    fixing.add_argument("--unsafe-fixes", action="store_true",
                        help="with --fix, --fix-only or --diff: also apply the unsafe fixes (each rule page says why)")
    fixing.add_argument("--diff", action="store_true",
                        help="print the fixes as a unified diff and write nothing; exit 1 when there is a diff "
                             "(the findings without a fix go to stderr)")
    fixing.add_argument("--fix-only", action="store_true",
                        help="apply the fixes and report nothing else; exit 0 unless a file cannot be written")
    gate = parser.add_argument_group("exit status")
    gate.add_argument("--exit-zero", action="store_true",
                      help="exit 0 even when findings are reported (2 still signals usage or internal errors)")
    gate.add_argument("--fail-on", type=_fail_on, default="warning", metavar="SEVERITY|CODES",
                      help="what makes the exit status 1: a lowest severity, error or warning (default: warning, "
                           "i.e. any finding), or codes and prefixes (NIL1,NIL404)")
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
    info.add_argument("--list-rules", action="store_true",
                      help="list every rule: code, name, severity, front ends, summary (--format json: as JSON) "
                           "and exit")
    info.add_argument("--explain-finding", metavar="PATH:LINE",
                      help="lint as usual, then print each finding on that line with the chain of types the "
                           "model followed to reach it (where each step's type came from), and exit")
    info.add_argument("--show-config", action="store_true",
                      help="print the effective configuration, where it came from, and exit")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _interruptible(run):
    """Ctrl-C ends a run with one line and exit status 130 (128 + SIGINT, as a shell reports it), never a
    traceback; the report file and the cache are written whole or not at all (write_report, cache._write)."""

    @functools.wraps(run)
    def guarded(argv: list[str] | None = None) -> int:
        try:
            return run(argv)
        except KeyboardInterrupt:
            print(f"{PROG}: interrupted", file=sys.stderr)
            return 130

    return guarded


@_interruptible
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["server"]:  # the language server: an optional extra, imported only when asked for
        return _server(argv[1:])
    if argv[:1] == ["history"]:
        from .history import main as history

        return history(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.write_baseline and args.diff_base:
        parser.error("--write-baseline records every finding; it cannot be combined with --diff-base")
    if args.explain is not None:
        return explain(args.explain)
    if args.list_rules:
        if args.format not in ("text", "json"):
            parser.error(f"--list-rules prints text or json, not --format {args.format}")
        return list_rules(args.format)
    from .registry import resolve_known_config

    stdin = "-" in args.paths
    if stdin and len(args.paths) > 1:
        error("'-' (standard input) cannot be combined with other paths")
        return 2
    start = os.path.dirname(os.path.abspath(args.stdin_filename)) if stdin and args.stdin_filename else (
        common_directory(args.paths))
    try:
        config = resolve_known_config(args.config, start)
    except ConfigError as exc:
        for problem in exc.problems:
            error(problem)
        return 2
    print_notes(config)
    problems = _unknown_codes(args)
    if problems:
        for problem in problems:
            error(problem)
        return 2
    if args.include_suppressed and args.format != "sarif":
        parser.error("--include-suppressed adds suppressed findings to SARIF output; use it with --format sarif")
    config = dataclasses.replace(config, **_overrides(args, config))
    excludes = (args.exclude if args.exclude is not None else DEFAULT_EXCLUDES) + config.exclude + args.extend_exclude
    if args.show_config:
        return show_config(config, args, excludes)
    root_dir = project_root(config if args.config is None else None, args.paths)
    if stdin:
        sources, missing = _stdin_sources(args.stdin_filename, config, excludes, not args.no_respect_gitignore), []
    else:
        sources, missing = discover(args.paths, excludes, respect_gitignore=not args.no_respect_gitignore,
                                    root=root_dir)
    if missing:
        for path, reason in missing:
            error(f"{path}: {reason}")
        return 2
    if not sources:  # a typo'd path or an exclude that matches everything must not pass as a clean gate
        print(f"{PROG}: warning: no Python files found under {', '.join(_shown(p) for p in args.paths)}",
              file=sys.stderr)

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

    anchor = _project_tree(args.paths) if sources and not stdin else None
    cache = None
    if not args.no_cache:
        from .cache import Cache, cache_dir

        cache = Cache(cache_dir(args.cache_dir, root_dir), config, prefilter=not args.no_prefilter)
    wanted = None
    if args.explain_finding is not None:
        wanted = _location(args.explain_finding)
        if wanted is None:
            error(f"--explain-finding: expected PATH:LINE, got '{_shown(args.explain_finding[:200])}'")
            return 2
    if args.fix or args.fix_only or args.diff:
        fixed = _apply_fixes(args, sources, config, anchor, stdin)
        if isinstance(fixed, int):
            return fixed
        report = fixed
    else:
        progress = _progress(args)
        try:
            report = lint(sources, config, project_anchor=anchor, prefilter=not args.no_prefilter, cache=cache,
                          jobs=args.jobs or os.cpu_count() or 1, explain=wanted, progress=progress,
                          keep_project=args.format in ("sarif", "rdjson"))
        finally:
            if progress is not None:
                progress.erase()
    if wanted is not None:
        return explain_finding(report, *wanted)
    if stdin:  # the rest of the project was read to judge the buffer, not to be reported
        buffer = sources[-1].path
        report = dataclasses.replace(
            report, results=[r for r in report.results if r.path == buffer], files=1, cached=0,
            suppressed=[(r, why) for r, why in report.suppressed if r.path == buffer])
    suppressed = report.suppressed
    if changed is not None:
        on_changed = set(only_changed([r for r, _ in suppressed], changed))
        suppressed = [(r, reason) for r, reason in suppressed if r in on_changed]
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
    color = args.format == "text" and _color(args)
    offers = {}
    if args.format in ("sarif", "rdjson"):
        from .fixes import offered

        offers = offered(report, sources, config)
    rendered = FORMATS[args.format](shown, source_index() if needs_index else index, fixes=offers,
                                    show_source=args.show_source, color=color, suppressed=suppressed)
    stats = statistics(results) if args.statistics else ""
    if args.format == "text":
        rendered += stats
        stats = ""
        # For the reader at a terminal only: a piped or saved report stays one line per finding, the same
        # whether the cache answered or not.
        if not args.output and _isatty(sys.stdout):
            from .formats import summary

            rendered += summary(shown, color=color)
    if args.format == "sarif" and len(results) > SARIF_GITHUB_LIMIT:
        print(f"{PROG}: warning: {len(results)} results; GitHub code scanning rejects a SARIF run with more than "
              f"{SARIF_GITHUB_LIMIT} (use --baseline or --diff-base to upload fewer)", file=sys.stderr)
    if args.output:
        try:
            write_report(args.output, rendered)
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

    if isinstance(args.fail_on, tuple):
        return 1 if any(r.code.startswith(args.fail_on) for r in results) else 0
    failing = FAIL_ON[args.fail_on]
    return 1 if any(severity(r.code) in failing for r in results) else 0


def _server(argv: list[str]) -> int:
    try:
        from .server import main as serve
    except ImportError as exc:
        error(f"the language server needs the [server] extra (pygls): reinstall as "
              f"'python -m pip install \"<path-or-url-of-netra-isolation-lint>[server]\"' ({exc})")
        return 2
    return serve(argv)


def _overrides(args, config) -> dict:
    """The command line's say over the contract: the selection, and whether SARIF carries suppressed findings."""
    overrides = {}
    if args.select is not None:
        overrides["select"] = args.select
    if args.ignore is not None:
        overrides["ignore"] = args.ignore
    # As ruff's: added to whichever selection is in force. An empty select means every rule, so it is kept as
    # the "NIL" prefix, below which a longer --extend-select code still outweighs an ignored prefix.
    if args.extend_select:
        overrides["select"] = (overrides.get("select", config.select) or ("NIL",)) + args.extend_select
    if args.extend_ignore:
        overrides["ignore"] = overrides.get("ignore", config.ignore) + args.extend_ignore
    # Only SARIF can show a suppressed finding; otherwise the runner drops them as before.
    overrides["include_suppressed"] = ((args.include_suppressed or config.include_suppressed)
                                       and args.format == "sarif" and args.explain_finding is None)
    return overrides


def _unknown_codes(args) -> list[str]:
    """Codes on the command line that name no rule: each would switch part of the gate off."""
    from .registry import unknown_code

    problems = []
    for option in ("select", "ignore", "extend_select", "extend_ignore", "fail_on"):
        value = getattr(args, option, None)
        for code in value if isinstance(value, tuple) else ():
            problem = unknown_code(code)
            if problem is not None:
                problems.append(f"--{option.replace('_', '-')}: {problem}")
    return problems


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced by something that is not a file, or closed
        return False


def _color(args) -> bool:
    """``--color auto`` as CPython and no-color.org have it: NO_COLOR (any non-empty value) turns colour off, else
    FORCE_COLOR (non-empty) turns it on, else a terminal that is not TERM=dumb gets it. A report file is data:
    only ``--color always`` colours it."""
    if args.color != "auto":
        return args.color == "always"
    if args.output or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return os.environ.get("TERM") != "dumb" and _isatty(sys.stdout)


def _progress(args):
    """Progress for a person waiting at a terminal; never in a CI log (``CI`` set), a pipe or a machine format."""
    if args.format != "text" or os.environ.get("CI") or not _isatty(sys.stderr):
        return None
    from .formats import Progress

    return Progress(sys.stderr)


def _apply_fixes(args, sources, config, anchor, stdin):
    """--fix, --diff, --fix-only: the exit status when that is all there is to do, else the findings left."""
    from .fixes import fix_project

    outcome = fix_project(sources, config, unsafe=args.unsafe_fixes, anchor=anchor,
                          jobs=args.jobs or os.cpu_count() or 1)
    for reason in outcome.refused:
        print(f"{PROG}: warning: fix not applied: {_shown(reason)}", file=sys.stderr)
    if not outcome.converged:
        print(f"{PROG}: warning: the fixes did not settle after several passes; run again to see what is left",
              file=sys.stderr)
    left = outcome.report
    if stdin:  # an editor's buffer: the fixed text on stdout, what is left on stderr
        buffer = sources[-1]
        sys.stdout.buffer.write(outcome.fixed.get(buffer.path, buffer.content or b""))
        _report_left([r for r in left.results if r.path == buffer.path])
        return 0
    if args.diff:
        text = _unified_diff(outcome)
        sys.stdout.write(text)
        _report_left(left.results)
        return 1 if text else 0
    problem = _write_all(outcome.fixed)
    if problem is not None:
        error(f"nothing was fixed: {problem}")
        return 2
    count = sum(outcome.applied.values())
    print(f"{PROG}: fixed {_plural(count, 'finding')} in {_plural(len(outcome.fixed), 'file')}", file=sys.stderr)
    if outcome.next_steps:
        print(f"{PROG}: next step: {_plural(outcome.next_steps, 'creation')} of the classes now accepting the "
              "context do not pass it yet (NIL203)", file=sys.stderr)
    return 0 if args.fix_only else left


def _report_left(results) -> None:
    from .formats import text
    from .runner import Report

    sys.stderr.write(text(Report(results=results)))


def _unified_diff(outcome) -> str:
    import difflib

    chunks = []
    for path in sorted(outcome.fixed):
        before = outcome.original[path].decode("utf-8", "replace").splitlines(keepends=True)
        after = outcome.fixed[path].decode("utf-8", "replace").splitlines(keepends=True)
        chunks.extend(difflib.unified_diff(before, after, f"a/{path}", f"b/{path}"))
    return "".join(chunks)


def _write_all(fixed: dict[str, bytes]) -> str | None:
    """Every fixed file written whole (temporary file, same permissions, renamed over the file), or, when one of
    them cannot be, none: a half-applied migration is worse than none. The reason, or None."""
    targets = {path: os.path.realpath(path) for path in fixed}
    for path, target in targets.items():
        if not os.path.isfile(target) or not os.access(target, os.W_OK) or not os.access(
                os.path.dirname(target) or ".", os.W_OK):
            return f"{_shown(path)} cannot be written"
    for path, target in targets.items():
        replace_whole(target, fixed[path], os.stat(target).st_mode & 0o7777)
    return None


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
        from .registry import unknown_code

        upper = wanted.upper()
        prefixed = sorted(c for c in RULES if c.startswith(upper)) if CODE_PATTERN.match(upper) else []
        if prefixed:
            error(f"--explain: {_shown(upper)} is a prefix of {', '.join(prefixed)}: name one of them")
        elif CODE_PATTERN.match(upper):
            error(f"--explain: {unknown_code(upper)}")
        else:
            import difflib

            candidates = list(RULES) + [r.slug for r in RULES.values()]
            close = difflib.get_close_matches(upper if upper.startswith("NIL") else wanted.lower(), candidates,
                                              n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else f" (known codes: {min(RULES)}..{max(RULES)})"
            error(f"--explain: unknown rule code '{_shown(wanted[:60])}'{hint}")
        return 2
    sys.stdout.write(rule.doc_page())
    return 0


def _stdin_sources(name: str | None, config, excludes: tuple[str, ...], respect_gitignore: bool) -> list:
    """The buffer on standard input, last; with a name, after the files of its project (the config's directory,
    else the repository around it, else its own directory), so that cross-module checks see the project."""
    from .sources import SourceFile

    data = sys.stdin.buffer.read()
    if name is None:
        return [SourceFile("-", os.getcwd(), named=True, content=data)]
    shown = os.path.normpath(name)
    root = project_root(config, [shown])
    relative = os.path.relpath(root)
    root = root if relative.startswith("..") else relative  # paths shown as the rest of the run shows them
    buffer = os.path.abspath(shown)
    others = [s for s in discover([root], excludes, respect_gitignore)[0]
              if os.path.abspath(s.path) != buffer and s.error is None]
    return [*others, SourceFile(shown, root, named=True, content=data)]


def _project_tree(paths: list[str]) -> str | None:
    """The tree a run covers as a whole project: the directories given (their common ancestor), never files
    named one by one, as a pre-commit hook names the staged files. A directory symlink is not walked
    (sources.discover), so it does not count."""
    directories = [os.path.abspath(p) for p in paths if os.path.isdir(p) and not os.path.islink(p)]
    return os.path.commonpath(directories) if directories else None


FRONT_ENDS = {"all": ("cli", "flake8", "pylint"), "cli": ("cli",)}


def list_rules(fmt: str) -> int:
    """Every rule of the registry, as an aligned table or as JSON."""
    from .registry import RULES

    rows = [{"code": rule.code, "name": rule.slug, "severity": rule.severity,
             "front_ends": list(FRONT_ENDS[rule.front_ends]), "summary": rule.summary} for rule in RULES.values()]
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    table = [("CODE", "NAME", "SEVERITY", "FRONT ENDS", "SUMMARY")]
    table += [(r["code"], r["name"], r["severity"], ",".join(r["front_ends"]), r["summary"]) for r in rows]
    widths = [max(len(row[column]) for row in table) for column in range(4)]
    sys.stdout.write("".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4] + "\n"
                             for row in table))
    return 0


def _location(text: str) -> tuple[str, int] | None:
    path, _, line = text.rpartition(":")
    return (path, int(line)) if path and line.isdigit() and int(line) > 0 else None


def explain_finding(report, path: str, line: int) -> int:
    """Each finding on the line, and under it the steps by which the type model reached the call's target."""
    from .formats import printable, text

    wanted = os.path.abspath(path)
    found = [r for r in report.results if os.path.abspath(r.path) == wanted and r.line == line]
    if not found:
        error(f"--explain-finding: no finding at {_shown(path)}:{line}")
        return 1
    for result in found:
        sys.stdout.write(text(dataclasses.replace(report, results=[result])))
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
        how = (f"discovered (nearest {CONFIG_FILENAME} or pyproject.toml with [tool.netra-isolation-lint] "
               f"from the current directory upward)")
    else:
        how = (f"defaults (no {CONFIG_FILENAME} or pyproject.toml with [tool.netra-isolation-lint] from the "
               f"current directory up to the repository root)")
    lines = dump_effective(config).splitlines()
    lines.insert(1, f"# found: {how}")
    if args.select is not None or args.ignore is not None or args.extend_select or args.extend_ignore:
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
    if anchor is not None and config.source:  # whole-project findings (NIL403) may sit at the config's entry
        linted.add(relative_posix(config.source, cwd))

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
