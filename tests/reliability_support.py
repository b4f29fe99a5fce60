"""Helpers shared by the reliability and security tests (fuzz, sweeps, pathological inputs, paths,
bad configs, fault injection, determinism). Nothing here is imported by the package itself.

Front ends are run the way users run them (conftest's ``run_cli`` / ``run_flake8`` / ``run_pylint``,
in a subprocess) or in-process through their public entry points. No test hooks exist in production
code: faults are injected by monkeypatching a rule handler table (see :func:`fault_handler`).
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import sys
from pathlib import Path

from conftest import ROOT, run_cli, run_flake8, run_pylint  # noqa: F401 - re-exported for the test modules

PROJECT_WIDE_CODES = frozenset({"NIL403"})  # reported once per project against the given path
HAS_PYLINT_PLUGIN = importlib.util.find_spec("netra_isolation_lint.pylint_plugin") is not None
POSIX = os.name == "posix"
IS_ROOT = POSIX and os.geteuid() == 0

# ``path:line:col: CODE message`` (the CLI's text format and flake8's default format).
TEXT_LINE = re.compile(r"^(?P<path>.*?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")
# Anything in C0/C1 (except nothing: tabs and newlines inside a line are escaped too), DEL and the
# bidi controls: never allowed raw in a line of text output.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def findings(stdout: str, *, keep_project_wide: bool = False) -> list[tuple[str, int, int, str]]:
    """(path, line, col, code) for every finding line of text output; fails on a line that is not one."""
    rows = []
    for line in stdout.splitlines():
        if not line.strip():
            continue
        match = TEXT_LINE.match(line)
        assert match, f"not a finding line: {line!r}"
        if match["code"] in PROJECT_WIDE_CODES and not keep_project_wide:
            continue
        rows.append((match["path"], int(match["line"]), int(match["col"]), match["code"]))
    return rows


def codes_by_file(stdout: str) -> dict[str, list[str]]:
    """Base file name -> sorted codes, from text output."""
    result: dict[str, list[str]] = {}
    for path, _, _, code in findings(stdout):
        result.setdefault(os.path.basename(path), []).append(code)
    return {k: sorted(v) for k, v in result.items()}


def assert_no_traceback(*streams: str) -> None:
    for stream in streams:
        assert "Traceback" not in stream, stream[-3000:]
        assert "RecursionError" not in stream, stream[-3000:]


def git_root(directory: Path) -> Path:
    """Mark ``directory`` as a repository root so config discovery stops there (never reads /tmp/..)."""
    (directory / ".git").mkdir(parents=True, exist_ok=True)
    return directory


def stdlib_dir() -> str:
    return os.path.dirname(os.__file__)


def fault_handler(target_name: str, exc_type: type[BaseException] = ZeroDivisionError):
    """A rule handler that raises on the file whose base name is ``target_name`` and does nothing
    elsewhere. Installed with ``monkeypatch.setitem(ENGINE.rules.on, ast.Call, ENGINE.rules.on[ast.Call] + (h,))``."""

    def injected_fault(node: ast.AST, ctx) -> None:
        if os.path.basename(ctx.facts.path) == target_name:
            raise exc_type("injected fault")

    return injected_fault


# Source of a small script that injects the same fault into a front end started in a subprocess.
# Used as ``python -c FAULT_WRAPPER.format(...)``: the package has no test hook, the wrapper patches
# the handler table and then calls the front end's real entry point (fork keeps the patch in workers).
FAULT_WRAPPER = """
import ast, multiprocessing, os, sys
if hasattr(os, "fork"):
    multiprocessing.set_start_method("fork", force=True)
from netra_isolation_lint.registry import ENGINE
def injected_fault(node, ctx):
    if os.path.basename(ctx.facts.path) == {target!r}:
        raise ZeroDivisionError("injected fault")
ENGINE.rules.on[ast.Call] = tuple(ENGINE.rules.on.get(ast.Call, ())) + (injected_fault,)
sys.argv = {argv!r}
{entry}
"""
FLAKE8_ENTRY = "from flake8.main.cli import main\nsys.exit(main(sys.argv[1:]))"
PYLINT_ENTRY = "from pylint import run_pylint\nrun_pylint(sys.argv[1:])"


def fault_wrapper(target: str, argv: list[str], entry: str) -> str:
    return FAULT_WRAPPER.format(target=target, argv=argv, entry=entry)


def run_cli_bounded(*args: str, cwd, timeout: float = 60.0, env: dict | None = None):
    """The CLI in a subprocess with a short timeout, for inputs that could hang (FIFOs, /dev/zero)."""
    import subprocess

    merged = dict(os.environ)
    merged.pop("PYTHONHASHSEED", None)
    merged.update(env or {})
    return subprocess.run([sys.executable, "-m", "netra_isolation_lint", *args], cwd=cwd, capture_output=True,
                          text=True, env=merged, timeout=timeout, stdin=subprocess.DEVNULL)


def python_env(**extra: str) -> dict[str, str]:
    env = {"PYTHONDONTWRITEBYTECODE": "1"}
    env.update(extra)
    return env


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def interpreter_tag() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


__all__ = [
    "ROOT", "run_cli", "run_flake8", "run_pylint", "PROJECT_WIDE_CODES", "HAS_PYLINT_PLUGIN", "POSIX", "IS_ROOT",
    "run_cli_bounded", "findings", "codes_by_file", "assert_no_traceback", "git_root", "stdlib_dir", "fault_handler",
    "fault_wrapper", "FLAKE8_ENTRY", "PYLINT_ENTRY", "python_env", "write", "RAW_CONTROL", "interpreter_tag",
]
