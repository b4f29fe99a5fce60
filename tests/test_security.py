"""Security invariants: the linter never imports or runs the code it reads, never touches the network,
never writes into the analysed tree, and never lets text from the tree drive the terminal.

The linter runs in CI on untrusted pull requests (docs/reliability.md, "Security").
"""

from __future__ import annotations

import ast
import socket
import os
import sys
from pathlib import Path

import pytest

from reliability_support import (
    HAS_PYLINT_PLUGIN,
    RAW_CONTROL,
    ROOT,
    assert_no_traceback,
    git_root,
    run_cli,
    run_flake8,
    run_pylint,
    write,
)

PACKAGE_DIR = ROOT / "netra_isolation_lint"


# -- import canary ------------------------------------------------------------------------------------

def _canary_tree(tmp_path: Path) -> tuple[Path, Path]:
    """A package whose every module, if imported or executed, writes the marker file.

    It is shaped to pull on every resolution path the front ends have: relative and absolute imports
    between its modules, a base class from another module (the pylint adapter looks modules up), names
    that shadow the linter's own dependencies (``yaml``, ``ast``), a ``setup.py`` and a ``conftest.py``.
    """
    marker = tmp_path / "IMPORTED_MARKER"
    root = git_root(tmp_path / "tree")
    payload = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
    write(root / "canarypkg" / "__init__.py", payload + "from .agents import Agent\n")
    write(root / "canarypkg" / "base.py", payload + "class BaseAgent:\n    pass\n")
    write(root / "canarypkg" / "agents.py", payload + (
        "from canarypkg.base import BaseAgent\n"
        "from . import helpers\n"
        "import importlib\n"
        "class Agent(BaseAgent):\n"
        "    def __init__(self):\n"
        "        self.bridge = helpers.get_agent_websocket_bridge()\n"
        "        importlib.import_module('canarypkg.helpers')\n"
        "agent = Agent()\n"
    ))
    write(root / "canarypkg" / "helpers.py", payload + "def get_agent_websocket_bridge():\n    return None\n")
    for shadow in ("yaml.py", "ast.py", "tokenize.py", "setup.py", "conftest.py", "sitecustomize.py"):
        write(root / shadow, payload)
    return root, marker


def _assert_clean(marker: Path) -> None:
    assert not marker.exists(), f"analysed code was executed: {marker.read_text()}"


def test_canary_cli_console_script_run_inside_the_tree(tmp_path: Path) -> None:
    """The installed entry point, started in the analysed tree (how CI runs it), imports nothing there."""
    import subprocess

    root, marker = _canary_tree(tmp_path)
    script = Path(sys.executable).with_name("netra-isolation-lint")
    if not script.exists():
        pytest.skip("console script not installed next to this interpreter")
    proc = subprocess.run([str(script), "."], cwd=root, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert_no_traceback(proc.stdout, proc.stderr)
    assert "NIL" in proc.stdout  # it did lint the tree
    _assert_clean(marker)


def test_canary_cli_module_run_from_outside(tmp_path: Path) -> None:
    root, marker = _canary_tree(tmp_path)
    proc = run_cli(str(root), cwd=tmp_path)
    assert_no_traceback(proc.stdout, proc.stderr)
    assert proc.returncode in (0, 1)
    _assert_clean(marker)


def test_canary_flake8(tmp_path: Path) -> None:
    root, marker = _canary_tree(tmp_path)
    proc = run_flake8(str(root), cwd=tmp_path)
    assert_no_traceback(proc.stdout, proc.stderr)
    assert "NIL" in proc.stdout
    _assert_clean(marker)


@pytest.mark.skipif(not HAS_PYLINT_PLUGIN, reason="netra_isolation_lint.pylint_plugin not written yet")
def test_canary_pylint(tmp_path: Path) -> None:
    root, marker = _canary_tree(tmp_path)
    proc = run_pylint(str(root / "canarypkg"), cwd=tmp_path)
    assert_no_traceback(proc.stdout, proc.stderr)
    _assert_clean(marker)


def test_canary_in_process(tmp_path: Path) -> None:
    from netra_isolation_lint.config import DEFAULTS
    from netra_isolation_lint.runner import lint
    from netra_isolation_lint.sources import DEFAULT_EXCLUDES, discover

    root, marker = _canary_tree(tmp_path)
    before = set(sys.modules)
    sources, _ = discover([str(root)], DEFAULT_EXCLUDES)
    report = lint(sources, DEFAULTS)
    assert report.results and not report.internal_errors
    assert not {name for name in set(sys.modules) - before if name.startswith("canarypkg")}
    _assert_clean(marker)


def test_linting_writes_nothing_into_the_tree(tmp_path: Path) -> None:
    root, marker = _canary_tree(tmp_path)

    def listing() -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*")}

    before = listing()
    for fmt in ("text", "json", "sarif"):
        run_cli("--no-cache", str(root), "--format", fmt, cwd=tmp_path)
    run_flake8(str(root), cwd=tmp_path)
    assert listing() == before
    # The cache lives at the project root, as ruff's does: its own directory, which ignores itself for git.
    run_cli(str(root), cwd=tmp_path)
    added = listing() - before
    assert added and all(p.split(os.sep)[0] == ".netra-isolation-cache" for p in added), added
    assert (root / ".netra-isolation-cache" / ".gitignore").read_text().endswith("*\n")
    _assert_clean(marker)


def test_python_dash_m_inside_the_tree_needs_isolated_mode(tmp_path: Path) -> None:
    """``python -m <tool>`` puts the working directory first on sys.path, so a planted ``ast.py`` or
    ``tokenize.py`` at the root of the analysed tree is imported *by the interpreter* before any of our
    code runs (true of every Python tool, flake8 and pylint included). The console script, or
    ``python -I -m netra_isolation_lint`` (``-P`` on 3.11+), does not do that; docs/reliability.md says
    CI must use one of those. This pins both halves of the statement."""
    import subprocess

    root, marker = _canary_tree(tmp_path)
    isolated = subprocess.run([sys.executable, "-I", "-m", "netra_isolation_lint", "."], cwd=root,
                              capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert_no_traceback(isolated.stdout, isolated.stderr)
    assert "NIL" in isolated.stdout
    _assert_clean(marker)
    subprocess.run([sys.executable, "-m", "netra_isolation_lint", "."], cwd=root, capture_output=True,
                   timeout=120, stdin=subprocess.DEVNULL)
    assert marker.exists(), "plain -m no longer picks up the working directory: update docs/reliability.md"


# -- no network ---------------------------------------------------------------------------------------

def test_no_network_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from netra_isolation_lint import cli

    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted by the linter")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    root, marker = _canary_tree(tmp_path)
    write(root / ".netra-isolation.yaml", "custom_events: [status]\n")
    monkeypatch.chdir(root)
    for fmt in ("text", "json", "sarif"):
        assert cli.main([".", "--format", fmt]) in (0, 1)
    assert attempts == []
    _assert_clean(marker)


# -- output sanitisation ------------------------------------------------------------------------------

HOSTILE_NAME = "evil\x1b[2K\u202e.py"
HOSTILE_SOURCE = (
    'emit_custom_event("\\x1b]0;owned\\x07\u202etxt.exe")\n'
    'emit_custom_event("line1\\nline2::error::fake")\n'
    "get_agent_websocket_bridge()\n"
)


def _hostile_tree(tmp_path: Path) -> Path:
    root = git_root(tmp_path / "tree")
    write(root / HOSTILE_NAME, HOSTILE_SOURCE)
    return root


def _formats() -> list[str]:
    from netra_isolation_lint.formats import FORMATS

    return sorted(FORMATS)


@pytest.mark.skipif(sys.platform == "darwin", reason="file name with control characters")
@pytest.mark.parametrize("fmt", _formats())
def test_cli_output_has_no_raw_control_characters(tmp_path: Path, fmt: str) -> None:
    root = _hostile_tree(tmp_path)
    proc = run_cli(HOSTILE_NAME, "--format", fmt, cwd=root)
    assert_no_traceback(proc.stdout, proc.stderr)
    assert proc.returncode == 1, proc.stderr
    assert "NIL402" in proc.stdout and "NIL101" in proc.stdout
    for line in proc.stdout.splitlines():
        assert not RAW_CONTROL.search(line), repr(line)
    assert not RAW_CONTROL.search(proc.stderr), repr(proc.stderr)
    if fmt == "text":
        assert len(proc.stdout.splitlines()) == 3  # one line per finding: no injected line breaks


@pytest.mark.skipif(sys.platform == "darwin", reason="file name with control characters")
def test_cli_show_source_has_no_raw_control_characters(tmp_path: Path) -> None:
    root = _hostile_tree(tmp_path)
    proc = run_cli(HOSTILE_NAME, "--show-source", cwd=root)
    if "unrecognized arguments" in proc.stderr:
        pytest.skip("--show-source not available")
    for line in proc.stdout.splitlines():
        assert not RAW_CONTROL.search(line), repr(line)


def test_flake8_messages_have_no_raw_control_characters(tmp_path: Path) -> None:
    """flake8 prints the path itself (its business); the message text after our code is ours."""
    root = git_root(tmp_path / "tree")
    write(root / "hostile.py", HOSTILE_SOURCE)
    proc = run_flake8("hostile.py", cwd=root)
    messages = [line.split(" NIL", 1)[1] for line in proc.stdout.splitlines() if " NIL" in line]
    assert len(messages) == 3, proc.stdout
    for message in messages:
        assert not RAW_CONTROL.search(message), repr(message)


def test_printable_escapes_everything_dangerous() -> None:
    from netra_isolation_lint.formats import printable

    for ch in ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\u202e", "\u2066", "\u200f", "\n", "\r", "\t",
               "\u2028", "\ufeff", "\udcff"]:
        assert ch not in printable(f"a{ch}b"), repr(ch)


# -- code scan of the package itself ------------------------------------------------------------------

FORBIDDEN_CALLS = {"eval", "exec", "__import__", "breakpoint"}
FORBIDDEN_ATTR_CALLS = {"import_module", "find_spec", "load_module", "exec_module", "run_module", "run_path",
                        "full_load", "unsafe_load", "load_all", "full_load_all", "unsafe_load_all"}
FORBIDDEN_IMPORTS = {"socket", "http", "urllib.request", "requests", "ftplib", "smtplib", "pickle", "marshal",
                     "runpy", "pkgutil", "imp", "ctypes", "shelve"}
SUBPROCESS_ALLOWED = {"gitdiff.py", "history.py"}  # run ``git`` with fixed argument lists, never a shell


def _package_sources() -> list[Path]:
    return sorted(PACKAGE_DIR.rglob("*.py"))


@pytest.mark.parametrize("path", _package_sources(), ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_package_never_executes_or_imports_what_it_reads(path: Path) -> None:
    tree = ast.parse(path.read_bytes(), filename=str(path))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                problems.append(f"{node.lineno}: {func.id}()")
            if isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_ATTR_CALLS:
                problems.append(f"{node.lineno}: .{func.attr}()")
            if isinstance(func, ast.Attribute) and func.attr == "load" and isinstance(func.value, ast.Name) \
                    and func.value.id == "yaml":
                problems.append(f"{node.lineno}: yaml.load()")
            for keyword in node.keywords:
                if keyword.arg == "shell" and not (isinstance(keyword.value, ast.Constant) and not keyword.value.value):
                    problems.append(f"{node.lineno}: shell=")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if name in FORBIDDEN_IMPORTS or name.partition(".")[0] in {"http", "socket", "requests"} \
                        or (name == "importlib" and isinstance(node, ast.Import)):
                    problems.append(f"{node.lineno}: import {name}")
                if name == "subprocess" and path.name not in SUBPROCESS_ALLOWED:
                    problems.append(f"{node.lineno}: import subprocess")
                if name == "importlib" and isinstance(node, ast.ImportFrom):
                    problems.append(f"{node.lineno}: from importlib import ...")
    assert problems == [], f"{path.name}: {problems}"


def test_package_text_scan_for_unsafe_yaml() -> None:
    for path in _package_sources():
        text = path.read_text(encoding="utf-8")
        for unsafe in ("yaml.load(", "full_load", "unsafe_load", "FullLoader", "UnsafeLoader"):
            assert unsafe not in text, f"{path.name}: {unsafe}"


# -- evasion: what CPython decodes is what gets checked ----------------------------------------------

EVASIONS = {
    # A coding cookie makes CPython decode the bytes; a raw-byte search for rule names sees none of them.
    "unicode_escape.py": b"# -*- coding: unicode_escape -*-\n\\x67et_agent_websocket_bridge()\n",
    "raw_unicode_escape.py": b"# -*- coding: raw_unicode_escape -*-\n\\u0067et_agent_websocket_bridge()\n",
    "utf7.py": b"# -*- coding: utf-7 -*-\n+AGc-et_agent_websocket_bridge()\n",
    "nfkc.py": "\uff47et_agent_websocket_bridge()\n".encode(),  # fullwidth g: the parser normalises (NFKC)
}


def test_findings_survive_encodings_that_hide_names_from_a_byte_search(tmp_path: Path) -> None:
    """Linting a directory (the CI mode), every file whose *decoded* source calls the accessor must be
    reported, whatever bytes spell it."""
    root = git_root(tmp_path / "tree")
    for name, data in EVASIONS.items():
        write(root / name, data)
    write(root / "plain.py", "x = 1\n")
    proc = run_cli(".", "--ignore", "NIL403", cwd=root)
    assert_no_traceback(proc.stdout, proc.stderr)
    reported = {line.split(":", 1)[0] for line in proc.stdout.splitlines() if " NIL101 " in line}
    assert reported == set(EVASIONS), proc.stdout


def test_findings_survive_encodings_when_named(tmp_path: Path) -> None:
    root = git_root(tmp_path / "tree")
    for name, data in EVASIONS.items():
        write(root / name, data)
    proc = run_cli(*sorted(EVASIONS), "--ignore", "NIL403", cwd=root)
    reported = {line.split(":", 1)[0] for line in proc.stdout.splitlines() if " NIL101 " in line}
    assert reported == set(EVASIONS), proc.stdout
