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


def _codes(value: str) -> tuple[str, ...]:
    codes = tuple(c.strip() for c in value.split(",") if c.strip())
    for code in codes:
        if not CODE_PATTERN.match(code):
            raise argparse.ArgumentTypeError(f"{code!r} is not a rule code or prefix such as NIL101 or NIL1")
    return codes


def _globs(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(",") if p.strip())


def build_parser() -> argparse.ArgumentParser:
    from .formats import FORMATS

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
    parser.add_argument("--format", choices=sorted(FORMATS), default="text", help="report format (default: text)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    from .formats import FORMATS
    from .runner import lint

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = resolve_config(args.config)
    except ConfigError as error:
        for problem in error.problems:
            print(f"{PROG}: error: {problem}", file=sys.stderr)
        return 2
    overrides = {}
    if args.select is not None:
        overrides["select"] = args.select
    if args.ignore is not None:
        overrides["ignore"] = args.ignore
    config = dataclasses.replace(config, **overrides)
    excludes = (args.exclude if args.exclude is not None else DEFAULT_EXCLUDES) + config.exclude + args.extend_exclude
    sources, missing = discover(args.paths, excludes)
    if missing:
        for path, reason in missing:
            print(f"{PROG}: error: {path}: {reason}", file=sys.stderr)
        return 2
    whole_project = len(sources) > 1 or any(os.path.isdir(p) for p in args.paths)
    report = lint(sources, config, project_anchor=(config.source or args.paths[0]) if whole_project else None)
    sys.stdout.write(FORMATS[args.format](report))
    if report.internal_errors:
        return 2
    return 1 if report.results else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
