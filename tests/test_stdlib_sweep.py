"""Every ``.py`` file of the running interpreter's standard library, ``test/`` included (its broken
files are the point), through the CLI's runner in one in-process call: zero internal errors, and exactly
one NIL900 for each file this interpreter's ``ast.parse`` rejects and for no other file.

Prints ``stdlib sweep: N files, K unparseable, 0 internal errors`` to the CI log. The flake8 adapter
over the same files is in the slow share (``--runslow``).
"""

from __future__ import annotations

import ast
import os
import sys
import time
import warnings
from collections import Counter

import pytest

from reliability_support import stdlib_dir

SKIP_DIRS = {"site-packages", "dist-packages", "__pycache__"}


def _stdlib_files() -> list[str]:
    root = stdlib_dir()
    files = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        files.extend(os.path.join(directory, f) for f in sorted(filenames) if f.endswith(".py"))
    return files


def _unparseable(files: list[str]) -> set[str]:
    bad = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in files:
            with open(path, "rb") as handle:
                data = handle.read()
            try:
                ast.parse(data, filename=path)
            except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
                bad.add(path)
    return bad


@pytest.fixture(scope="module")
def sweep():
    from netra_isolation_lint.config import DEFAULTS
    from netra_isolation_lint.runner import lint
    from netra_isolation_lint.sources import SourceFile

    files = _stdlib_files()
    root = stdlib_dir()
    started = time.perf_counter()
    report = lint([SourceFile(path, root) for path in files], DEFAULTS)
    return files, report, time.perf_counter() - started


def test_stdlib_sweep(sweep, capsys: pytest.CaptureFixture[str]) -> None:
    files, report, seconds = sweep
    assert len(files) > 1000, "not the standard library?"
    unparseable = _unparseable(files)
    by_code = Counter(r.code for r in report.results)
    internal = [r for r in report.results if r.code == "NIL901"]
    nil900 = Counter(r.path for r in report.results if r.code == "NIL900")
    with capsys.disabled():
        sys.stdout.write(f"\nstdlib sweep: {len(files)} files, {len(unparseable)} unparseable, "
                         f"{len(internal)} internal errors ({seconds:.1f}s, Python {sys.version.split()[0]}, "
                         f"{stdlib_dir()})\n")
    assert internal == [], internal[:5]
    assert set(nil900) == unparseable, (set(nil900) ^ unparseable)
    assert all(count == 1 for count in nil900.values()), nil900
    assert by_code["NIL902"] == 0, [r for r in report.results if r.code == "NIL902"][:5]
    assert report.files == len(files)


def test_stdlib_unparseable_findings_name_a_real_line(sweep) -> None:
    files, report, _ = sweep
    for result in report.results:
        if result.code == "NIL900":
            assert result.line >= 1 and result.col >= 0
            assert "cannot parse file" in result.message


@pytest.mark.slow
def test_stdlib_through_the_flake8_adapter() -> None:
    """What flake8 would hand our plugin: every parseable stdlib file, one tree at a time."""
    from netra_isolation_lint.flake8_plugin import Plugin

    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in _stdlib_files():
            with open(path, "rb") as handle:
                data = handle.read()
            try:
                tree = ast.parse(data, filename=path)
            except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
                continue
            results = list(Plugin(tree, path).run())
            assert not [m for _, _, m, _ in results if m.startswith("NIL901")], path
            checked += 1
    assert checked > 1000


@pytest.mark.slow
def test_stdlib_through_the_cli_subprocess(tmp_path) -> None:
    """End to end: the CLI over the whole standard library, JSON report, no internal error, exit 1
    (the broken files are findings)."""
    import json

    from reliability_support import run_cli

    from netra_isolation_lint.cli import build_parser

    options = {o for action in build_parser()._actions for o in action.option_strings}
    # Every file must be parsed for every broken one to be reported; the cache stays out of the way.
    extra = [flag for flag in ("--no-prefilter", "--no-cache") if flag in options]
    proc = run_cli(stdlib_dir(), "--format", "json", "--exclude", "site-packages,dist-packages,__pycache__",
                   *extra, cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    rows = json.loads(proc.stdout)
    assert proc.returncode == 1, proc.stderr
    assert not [r for r in rows if r["code"] == "NIL901"]
    assert len({r["path"] for r in rows if r["code"] == "NIL900"}) == len(_unparseable(_stdlib_files()))
