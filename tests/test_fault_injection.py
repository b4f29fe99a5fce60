"""Per-file isolation in every front end: when a rule crashes on one file, that file gets one NIL901
(exception type, please report), every other file's findings still appear, and the CLI exits 2.

There is no test hook in the package. Faults are injected by adding a handler that raises to the
engine's handler table (``ENGINE.rules.on``) for one file name; subprocess front ends get the same patch from a
``python -c`` wrapper that then calls the real entry point (workers are forked, so they inherit it).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reliability_support import (
    FLAKE8_ENTRY,
    PYLINT_ENTRY,
    assert_no_traceback,
    fault_handler,
    fault_wrapper,
    findings,
    git_root,
    write,
)

FILES = {
    "a_first.py": "get_agent_websocket_bridge()\n",
    "bad.py": "get_agent_websocket_bridge()\nfrom netra.bridge import get_agent_websocket_bridge\n",
    "z_last.py": "from netra.bridge import get_agent_websocket_bridge\n",
}
SURVIVORS = {("a_first.py", "NIL101"), ("z_last.py", "NIL102")}
EXCEPTIONS = [ZeroDivisionError, KeyError, AttributeError, RecursionError, MemoryError]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = git_root(tmp_path / "corpus")
    for name, text in FILES.items():
        write(root / name, text)
    return root


@pytest.fixture
def inject(monkeypatch: pytest.MonkeyPatch):
    from netra_isolation_lint.registry import ENGINE

    def install(exc_type: type[BaseException] = ZeroDivisionError, target: str = "bad.py") -> None:
        monkeypatch.setitem(ENGINE.rules.on, ast.Call,
                            tuple(ENGINE.rules.on.get(ast.Call, ())) + (fault_handler(target, exc_type),))

    return install


def _pairs(rows) -> set[tuple[str, str]]:
    return {(os.path.basename(path), code) for path, *_, code in rows}


# -- engine -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("exc_type", EXCEPTIONS, ids=lambda e: e.__name__)
def test_engine(corpus: Path, inject, exc_type) -> None:
    from netra_isolation_lint.registry import ENGINE
    from netra_isolation_lint.config import DEFAULTS

    inject(exc_type)
    bad = ENGINE.check_tree_alone(ast.parse(FILES["bad.py"]), str(corpus / "bad.py"), DEFAULTS)
    assert [f.code for f in bad] == ["NIL901"]
    assert exc_type.__name__ in bad[0].message and "report" in bad[0].message
    good = ENGINE.check_tree_alone(ast.parse(FILES["a_first.py"]), str(corpus / "a_first.py"), DEFAULTS)
    assert [f.code for f in good] == ["NIL101"]


# -- CLI, in-process ----------------------------------------------------------------------------------

def _lint(corpus: Path, cache_dir: Path | None = None):
    """``runner.lint`` on the corpus; with ``cache_dir``, as the CLI runs it by default (prefilter and a cold
    cache), which reads each file through more of the runner's helpers than the plain path does."""
    from netra_isolation_lint.cache import Cache
    from netra_isolation_lint.config import DEFAULTS
    from netra_isolation_lint.runner import lint
    from netra_isolation_lint.sources import DEFAULT_EXCLUDES, discover

    sources, _ = discover([str(corpus)], DEFAULT_EXCLUDES)
    if cache_dir is None:
        return lint(sources, DEFAULTS)
    return lint(sources, DEFAULTS, prefilter=True, cache=Cache(str(cache_dir), DEFAULTS, prefilter=True))


@pytest.mark.parametrize("exc_type", EXCEPTIONS, ids=lambda e: e.__name__)
def test_runner(corpus: Path, inject, exc_type) -> None:
    inject(exc_type)
    report = _lint(corpus)
    pairs = {(os.path.basename(r.path), r.code) for r in report.results}
    assert pairs == SURVIVORS | {("bad.py", "NIL901")}
    assert report.internal_errors


# Helpers the runner calls per file outside the engine's own guard, patched where the runner looks them up.
# ``open_source`` (from sources.py) is the reader; the runner calls ``check_source`` itself only to probe a
# file's stat for the cache, so that stage runs only in the cached mode.
RUNNER_STAGES = ["open_source", "check_source", "module_name_for", "analyse_bytes", "parse", "decode", "noqa_lines",
                 "apply_noqa", "finish"]
CACHE_ONLY = {"check_source"}
# Only the cache's probe: a fault there costs the cache, never the file, which is then read and judged as usual.
CACHE_PROBES = {"check_source"}


def test_runner_stages_still_exist() -> None:
    """A helper the runner stops calling must leave this list, not be skipped silently."""
    from netra_isolation_lint import runner

    assert [name for name in RUNNER_STAGES if not callable(getattr(runner, name, None))] == []


def _stage_cases():
    for stage in RUNNER_STAGES:
        if stage not in CACHE_ONLY:
            yield pytest.param(stage, False, id=f"{stage}-plain")
        yield pytest.param(stage, True, id=f"{stage}-cached")


@pytest.mark.parametrize(("stage", "cached"), list(_stage_cases()))
def test_runner_outside_the_rules(corpus: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, stage: str,
                                  cached: bool) -> None:
    """Reading, naming, parsing, decoding and suppression run outside the engine's own guard; a crash
    there must cost one file too. (``bad.py`` gets a ``# noqa`` on another line so the noqa path runs.)
    RuntimeError is used because the runner rightly turns ValueError/SyntaxError from parsing into NIL900.
    A stage the runner no longer reaches for ``bad.py`` fails the NIL901 assertion."""
    from netra_isolation_lint import runner

    real = getattr(runner, stage)
    write(corpus / "bad.py", FILES["bad.py"] + "x = 1  # noqa: NIL999\n")

    def about_bad_file(value: object) -> bool:
        if isinstance(value, str):
            return value.endswith("bad.py") or "NIL999" in value  # a path, or bad.py's source text
        if isinstance(value, bytes):
            return b"NIL999" in value
        if isinstance(value, dict):  # bad.py's noqa index
            return any(about_bad_file(v) for v in value.values())
        return str(getattr(value, "path", "")).endswith("bad.py")  # a SourceFile

    def faulty(*args, **kwargs):
        if any(about_bad_file(a) for a in (*args, *kwargs.values())):
            raise RuntimeError("injected fault")
        return real(*args, **kwargs)

    expected = {(os.path.basename(r.path), r.code) for r in _lint(corpus, None).results}
    monkeypatch.setattr(runner, stage, faulty)
    report = _lint(corpus, tmp_path / "cache" if cached else None)
    pairs = {(os.path.basename(r.path), r.code) for r in report.results}
    assert SURVIVORS <= pairs, pairs
    if stage in CACHE_PROBES:
        assert pairs == expected and not report.internal_errors, pairs
        return
    assert ("bad.py", "NIL901") in pairs, pairs
    assert not {p for p in pairs if p[0] == "bad.py"} - {("bad.py", "NIL901")}, pairs
    assert report.internal_errors


def test_cli_main_exit_2(corpus: Path, inject, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    from netra_isolation_lint import cli

    inject()
    monkeypatch.chdir(corpus)
    code = cli.main([".", "--ignore", "NIL403"])
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert _pairs(findings(out)) == SURVIVORS | {("bad.py", "NIL901")}
    assert "Traceback" not in err


def test_cli_main_exit_zero_still_2(corpus: Path, inject, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``--exit-zero`` silences findings, never an internal error."""
    from netra_isolation_lint import cli

    inject()
    monkeypatch.chdir(corpus)
    assert cli.main([".", "--exit-zero"]) == 2
    capsys.readouterr()


# -- flake8 -------------------------------------------------------------------------------------------

def test_flake8_in_process(corpus: Path, inject, capsys: pytest.CaptureFixture[str],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    from flake8.main.application import Application

    inject()
    monkeypatch.chdir(corpus)
    app = Application()
    app.run(["--isolated", "--select", "NIL", "-j", "1", "."])
    out, err = capsys.readouterr()
    assert _pairs(findings(out)) == SURVIVORS | {("bad.py", "NIL901")}, out + err
    assert app.exit_code() == 1
    assert "Traceback" not in err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_flake8_subprocess(corpus: Path, jobs: str) -> None:
    argv = ["flake8", "--isolated", "--select", "NIL", "-j", jobs, "."]
    proc = subprocess.run([sys.executable, "-c", fault_wrapper("bad.py", argv, FLAKE8_ENTRY)], cwd=corpus,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert_no_traceback(proc.stdout, proc.stderr)
    assert _pairs(findings(proc.stdout)) == SURVIVORS | {("bad.py", "NIL901")}, proc.stdout + proc.stderr
    assert proc.returncode == 1


# -- pylint -------------------------------------------------------------------------------------------

PYLINT_ARGS = ["--load-plugins=netra_isolation_lint.pylint_plugin", "--disable=all", "--enable=netra-isolation",
               "--persistent=n", "--score=n", "--msg-template={path}::{symbol}"]


def _pylint_pairs(output: str) -> set[tuple[str, str]]:
    pairs = set()
    for line in output.splitlines():
        path, sep, symbol = line.partition("::")
        if sep:
            pairs.add((os.path.basename(path), symbol.strip()))
    return pairs


def _pylint_expected() -> set[tuple[str, str]]:
    from netra_isolation_lint.registry import RULES

    return {(path, RULES[code].slug) for path, code in SURVIVORS} | {("bad.py", RULES["NIL901"].slug)}


def test_pylint_in_process(corpus: Path, inject, capsys: pytest.CaptureFixture[str],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    from pylint.lint import Run

    inject()
    monkeypatch.chdir(corpus)
    Run([*PYLINT_ARGS, "--jobs", "1", *sorted(FILES)], exit=False)
    out, err = capsys.readouterr()
    assert _pylint_pairs(out) == _pylint_expected(), out + err
    assert "Traceback" not in out + err


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the wrapper's patch reaches workers only through fork")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_pylint_subprocess(corpus: Path, jobs: str) -> None:
    argv = ["pylint", *PYLINT_ARGS, "--jobs", jobs, *sorted(FILES)]
    proc = subprocess.run([sys.executable, "-c", fault_wrapper("bad.py", argv, PYLINT_ENTRY)], cwd=corpus,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert_no_traceback(proc.stdout, proc.stderr)
    assert _pylint_pairs(proc.stdout) == _pylint_expected(), proc.stdout + proc.stderr
    assert proc.returncode != 0
