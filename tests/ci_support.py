"""Helpers shared by the CI-format, baseline, diff-base and CLI-option tests (owned with those tests)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT, run_cli

FIXTURE = ROOT / "tests" / "fixtures" / "ci"
SCHEMA = ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json"

# What `netra-isolation-lint .` reports inside tests/fixtures/ci: (path relative to it, line, code).
EXPECTED = [
    ("agents/report_agent.py", 4, "NIL102"),
    ("agents/report_agent.py", 8, "NIL201"),
    ("agents/report_agent.py", 14, "NIL101"),
    ("agents/report_agent.py", 15, "NIL103"),
    ("agents/report_agent.py", 18, "NIL101"),
    ("agents/report_agent.py", 19, "NIL103"),
    ("agents/report_agent.py", 23, "NIL101"),
    ("agents/report_agent.py", 24, "NIL103"),
    ("services/tool_runner.py", 13, "NIL401"),
    ("services/tool_runner.py", 14, "NIL402"),
]
# Line 18 is `label = "déjà vu"; bridge = get_agent_websocket_bridge()`: the call starts at UTF-8 byte
# offset 38 but character offset 36 (0-based).
NON_ASCII_LINE = 18
NON_ASCII_BYTE_COL0 = 38
NON_ASCII_CHAR_COL0 = 36

VIOLATION_IMPORT = "from netra_backend.app.services.agent_websocket_bridge import get_agent_websocket_bridge\n"
# A module that emits every critical event, so a whole-project run over a small tree reports no NIL403.
EMITS_EVERY_EVENT = '''"""Emits every critical event."""


async def stream(emitter):
    await emitter.emit_agent_started({})
    await emitter.emit_agent_thinking({})
    await emitter.emit_tool_executing({})
    await emitter.emit_tool_completed({})
    await emitter.emit_agent_completed({})
'''


def copy_fixture(tmp_path: Path, name: str = "project", source: Path = FIXTURE, marker: bool = True) -> Path:
    target = tmp_path / name
    shutil.copytree(source, target)
    if marker:
        # A .git marker stops config discovery here, so no .netra-isolation.yaml above tmp_path is used.
        (target / ".git").mkdir(exist_ok=True)
    return target


def small_project(root: Path, files: dict[str, str]) -> Path:
    """A tree with ``files`` (relative path -> text), every critical event emitted, and a .git marker."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".git").mkdir(exist_ok=True)
    (root / "emits_every_event.py").write_text(EMITS_EVERY_EVENT, encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def lint_json(*args: str, cwd) -> tuple[subprocess.CompletedProcess, list[dict]]:
    completed = run_cli("--format", "json", *args, cwd=cwd)
    assert completed.returncode in (0, 1), completed.stderr
    return completed, json.loads(completed.stdout)


def normpath(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")


def found(rows: list[dict]) -> list[tuple[str, int, str]]:
    return sorted((normpath(r["path"]), r["line"], r["code"]) for r in rows)


def stderr_lines(completed: subprocess.CompletedProcess) -> list[str]:
    return [line for line in completed.stderr.splitlines() if line.strip()]


def git(repo: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false",
         "-c", "init.defaultBranch=main", *args],
        cwd=repo, capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL,
    )
    return completed.stdout


def git_available() -> bool:
    try:
        subprocess.run(["git", "--version"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True
