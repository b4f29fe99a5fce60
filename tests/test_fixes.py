"""--fix, --unsafe-fixes, --diff, --fix-only: expected results per fixture, verification, idempotence, writes."""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesmith import from_grammar

from conftest import ROOT, run_cli
from netra_isolation_lint import fixes
from netra_isolation_lint.config import DEFAULTS
from netra_isolation_lint.registry import RULES
from netra_isolation_lint.rules.fix import SAFE, Edit, Fix, Where
from netra_isolation_lint.sources import DEFAULT_EXCLUDES, discover

CASES = ROOT / "tests" / "fixtures" / "fixes"
INPUTS = sorted(p.name[:-3] for p in CASES.glob("*.py") if not p.name.endswith(".fixed.py"))


def _project(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "case.py").write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("case", INPUTS)
def test_each_fixture_becomes_its_fixed_file_and_stays_there(tmp_path, case):
    """Byte for byte, so every expected edit is made and nothing else changes; a second run changes nothing."""
    root = _project(tmp_path, (CASES / f"{case}.py").read_text(encoding="utf-8"))
    unsafe = ["--unsafe-fixes"] if case.startswith("unsafe_") else []
    first = run_cli("--no-cache", "--fix-only", *unsafe, "case.py", cwd=root)
    assert first.returncode == 0, first.stderr
    expected = (CASES / f"{case}.fixed.py").read_bytes()
    assert (root / "case.py").read_bytes() == expected
    again = run_cli("--no-cache", "--diff", *unsafe, "case.py", cwd=root)
    assert (again.returncode, again.stdout) == (0, ""), again.stdout


PROJECTS = sorted(p.name for p in CASES.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", PROJECTS)
def test_each_fixture_project_becomes_its_fixed_files_and_stays_there(tmp_path, case):
    """A project for fixes that need other modules: each ``X.fixed.py`` is what ``X.py`` becomes, every other file
    stays as it is; a second run changes nothing."""
    root = tmp_path / "project"
    shutil.copytree(CASES / case, root, ignore=shutil.ignore_patterns("*.fixed.py"))
    (root / ".git").mkdir()
    unsafe = ["--unsafe-fixes"] if case.startswith("unsafe_") else []
    first = run_cli("--no-cache", "--fix-only", *unsafe, ".", cwd=root)
    assert first.returncode == 0, first.stderr
    expected = {p.relative_to(CASES / case).as_posix(): p.read_bytes() for p in (CASES / case).rglob("*.py")
                if not p.name.endswith(".fixed.py")}
    for fixed in (CASES / case).rglob("*.fixed.py"):
        expected[fixed.relative_to(CASES / case).as_posix().replace(".fixed.py", ".py")] = fixed.read_bytes()
    assert {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.py")} == expected
    again = run_cli("--no-cache", "--diff", *unsafe, ".", cwd=root)
    assert (again.returncode, again.stdout) == (0, ""), again.stdout
    if unsafe:
        shutil.rmtree(root)
        shutil.copytree(CASES / case, root, ignore=shutil.ignore_patterns("*.fixed.py"))
        safe_only = run_cli("--no-cache", "--diff", ".", cwd=root)
        assert safe_only.stdout == "", "the case's fixes are all unsafe: --diff alone offers none"


def test_every_fixture_changes_something_unless_it_shows_what_is_left_alone():
    changed = {case for case in INPUTS
               if (CASES / f"{case}.py").read_bytes() != (CASES / f"{case}.fixed.py").read_bytes()}
    assert changed == {c for c in INPUTS if c != "nil401_nil402_rename"}  # that one: unsafe fixes without the flag


@pytest.mark.parametrize("case", ["unsafe_nil301_reset_direct_use", "unsafe_nil405_payload"])
def test_a_fixture_of_unsafe_fixes_only_is_left_alone_without_the_flag(tmp_path, case):
    root = _project(tmp_path, (CASES / f"{case}.py").read_text(encoding="utf-8"))
    result = run_cli("--no-cache", "--diff", "case.py", cwd=root)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout


def test_diff_writes_nothing_and_exits_1_when_there_is_a_diff(tmp_path):
    source = (CASES / "nil406_await_sync.py").read_text(encoding="utf-8")
    root = _project(tmp_path, source)
    result = run_cli("--no-cache", "--diff", "case.py", cwd=root)
    assert result.returncode == 1
    assert result.stdout.startswith("--- a/case.py\n+++ b/case.py\n")
    assert "-    emitter = await bridge.create_websocket_manager" in result.stdout
    assert "NIL406 UserEmitter.emit_agent_started()" in result.stderr  # the finding whose fix is unsafe
    assert (root / "case.py").read_text(encoding="utf-8") == source


def test_fix_reports_what_is_left_and_keeps_permissions(tmp_path):
    root = _project(tmp_path, (CASES / "nil406_await_sync.py").read_text(encoding="utf-8"))
    os.chmod(root / "case.py", 0o640)
    result = run_cli("--no-cache", "--fix", "case.py", cwd=root)
    assert result.returncode == 1  # the dropped coroutine is left: its fix is unsafe
    assert [line.split(": ")[0] for line in result.stdout.splitlines()] == ["case.py:21:5"]
    assert "fixed 2 findings in 1 file" in result.stderr
    assert stat.S_IMODE(os.stat(root / "case.py").st_mode) == 0o640
    assert not [p for p in root.iterdir() if p.name.endswith(".tmp")]


def test_stdin_with_fix_prints_the_fixed_buffer(tmp_path):
    root = _project(tmp_path, "")
    source = (CASES / "nil406_await_sync.py").read_text(encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "netra_isolation_lint", "--no-cache", "--fix", "--stdin-filename",
                             "case.py", "-"], input=source, cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (CASES / "nil406_await_sync.fixed.py").read_text(encoding="utf-8")
    assert (root / "case.py").read_text() == ""  # the file on disk is not the buffer
    assert "case.py:21:5: NIL406" in result.stderr


def _with_fixer(monkeypatch, code: str, fixer) -> None:
    monkeypatch.setitem(RULES, code, dataclasses.replace(RULES[code], fix=Fix(SAFE, "test", fixer)))


def _fix(root: Path, unsafe: bool = False) -> fixes.Outcome:
    sources, _ = discover([str(root)], DEFAULT_EXCLUDES)
    return fixes.fix_project(sources, DEFAULTS, unsafe=unsafe, anchor=str(root))


def test_a_fix_that_breaks_the_parse_is_not_applied(tmp_path, monkeypatch):
    root = _project(tmp_path, (CASES / "nil406_await_sync.py").read_text(encoding="utf-8"))
    _with_fixer(monkeypatch, "NIL406", lambda source, line, col, where: (SAFE, (Edit(0, 0, b"def (:\n"),)))
    outcome = _fix(root)
    assert outcome.fixed == {} and any("unparseable" in reason for reason in outcome.refused)


def test_a_fix_that_brings_a_new_finding_is_put_back(tmp_path, monkeypatch):
    root = _project(tmp_path, (CASES / "nil406_await_sync.py").read_text(encoding="utf-8"))
    legacy = b"from x import get_agent_websocket_bridge\n"
    _with_fixer(monkeypatch, "NIL406", lambda source, line, col, where: (SAFE, (Edit(0, 0, legacy),)))
    outcome = _fix(root)
    assert outcome.fixed == {}
    assert any("NIL102" in reason for reason in outcome.refused), outcome.refused


def test_overlapping_edits_wait_for_the_next_pass():
    data = b"abcdef"
    assert fixes.apply_edits(data, [Edit(1, 3, b"X"), Edit(2, 4, b"Y"), Edit(5, 6, b"Z")]) == b"aXdeZ"


def test_the_legacy_examples_keep_only_findings_without_a_fix(tmp_path):
    """The Netra-shaped examples under --fix --unsafe-fixes: what is left has no fix to offer."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    root = tmp_path / "examples"
    (root / ".git").mkdir()
    outcome = _fix(root, unsafe=True)
    for result in outcome.report.results:
        rule = RULES[result.code]
        data = outcome.fixed.get(result.path) or Path(result.path).read_bytes()
        source = fixes.source_of(data)
        project = outcome.report.project
        module = next((m for m in project.all_modules if m.path == result.path), None)
        offered = rule.fix is not None and source is not None and rule.fix.fixer(
            source, result.line, result.col, Where(DEFAULTS, project, module)) is not None
        assert not offered, result
    assert outcome.converged


SNIPPETS = ("", "\n\nasync def _f(e):\n    await e.emit_agent_startd({})\n",
            "\n\nclass AgentWebSocketBridge:\n    def make(self):\n        return 1\n\n\n"
            "async def _g():\n    await AgentWebSocketBridge().make()\n",
            "\n\nclass UserEmitter:\n    async def emit_agent_started(self, data):\n        return None\n\n\n"
            "class AgentWebSocketBridge:\n    async def notify_agent_started(self, run_id, agent_name):\n"
            "        return True\n\n\nclass BaseAgent:\n    user_context = None\n\n"
            "    async def _get_user_emitter(self) -> UserEmitter:\n        return UserEmitter()\n\n\n"
            "class _Agent(BaseAgent):\n    async def run(self, bridge: AgentWebSocketBridge):\n"
            "        await bridge.notify_agent_started(1, self)\n")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(from_grammar(), st.sampled_from(SNIPPETS))
def test_fixing_never_breaks_a_program_and_settles(tmp_path_factory, program, snippet):
    """Fuzzed programs, some with a fixable finding appended: a fix never breaks the parse, never touches a
    program it fixes nothing in, and the passes settle."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / ".git").mkdir()
    text = program + snippet
    (root / "case.py").write_text(text, encoding="utf-8")
    outcome = _fix(root, unsafe=True)
    assert outcome.converged
    for data in outcome.fixed.values():
        assert fixes.parses(data)
    if not outcome.applied:
        assert outcome.fixed == {}


BASE = "class BaseAgent:\n    def __init__(self, name, user_context=None):\n        self.user_context = user_context\n"
CONTEXT = "class UserExecutionContext:\n    pass\n"
AGENT = ("from base import BaseAgent\n{extra}\n\nclass ToolAgent(BaseAgent):\n    def __init__(self, llm):\n"
         "        super().__init__('tool')\n")


@pytest.mark.parametrize("extra, expected", [
    # no type-only block yet: one is opened, so that no import runs at run time (it could close a cycle)
    ("", "from base import BaseAgent\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
         "    from ctx import UserExecutionContext\n\n\nclass ToolAgent(BaseAgent):\n"
         "    def __init__(self, llm, user_context: \"UserExecutionContext | None\" = None):\n"
         "        super().__init__('tool', user_context=user_context)\n"),
    # the file imports types under TYPE_CHECKING already: the import joins them
    ("from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from base import Other\n",
     "from base import BaseAgent\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from base import Other\n"
     "    from ctx import UserExecutionContext\n\n\nclass ToolAgent(BaseAgent):\n"
     "    def __init__(self, llm, user_context: \"UserExecutionContext | None\" = None):\n"
     "        super().__init__('tool', user_context=user_context)\n"),
    # imported at run time already: used as it is
    ("from ctx import UserExecutionContext\n", "from base import BaseAgent\nfrom ctx import UserExecutionContext\n\n\n"
     "class ToolAgent(BaseAgent):\n    def __init__(self, llm, user_context: UserExecutionContext | None = None):\n"
     "        super().__init__('tool', user_context=user_context)\n"),
])
def test_nil201_imports_the_context_type_in_the_files_style(tmp_path, extra, expected):
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "base.py").write_text(BASE)
    (root / "ctx.py").write_text(CONTEXT)
    (root / "agent.py").write_text(AGENT.format(extra=extra))
    assert run_cli("--no-cache", "--fix-only", ".", cwd=root).returncode == 0
    assert (root / "agent.py").read_text() == expected
    assert "NIL201" not in run_cli("--no-cache", ".", cwd=root).stdout


def test_sarif_and_rdjson_carry_each_fix_applied_as_written(tmp_path):
    """Each fix in the machine formats, applied on its own to the file, gives the text --fix gives for it."""
    import json

    from test_formats import assert_valid_sarif

    root = _project(tmp_path, (CASES / "nil406_await_sync.py").read_text(encoding="utf-8"))
    data = (root / "case.py").read_bytes()
    for warm in (False, True):  # the cache must not drop them
        document = json.loads(run_cli("--format", "sarif", "case.py", cwd=root).stdout)
        assert_valid_sarif(document)
        results = document["runs"][0]["results"]
        assert [r["fixes"][0]["description"]["text"].split()[0] for r in results] == ["safe", "safe", "unsafe"], warm
    edited = data
    for result in sorted(results, key=lambda r: -r["fixes"][0]["artifactChanges"][0]["replacements"][0][
            "deletedRegion"]["byteOffset"]):
        (replacement,) = result["fixes"][0]["artifactChanges"][0]["replacements"]
        start, length = replacement["deletedRegion"]["byteOffset"], replacement["deletedRegion"]["byteLength"]
        edited = edited[:start] + replacement["insertedContent"]["text"].encode() + edited[start + length:]
    assert edited == (CASES / "unsafe_nil406_await_sync.fixed.py").read_bytes()
    rdjson = json.loads(run_cli("--format", "rdjson", "case.py", cwd=root).stdout)
    suggestions = [d["suggestions"][0] for d in rdjson["diagnostics"]]
    assert suggestions[0] == {"range": {"start": {"line": 19, "column": 15}, "end": {"line": 19, "column": 21}},
                              "text": ""}
    assert suggestions[2]["text"] == "await "


def test_nil203_where_a_subclass_inherits_a_taught_init_is_the_next_step(tmp_path):
    """A fix teaches ``MidAgent`` to accept the context; ``LeafAgent`` inherits that ``__init__``, so creating a
    ``LeafAgent`` without one is the next step too, not a reason to put the fix back."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "base.py").write_text(BASE)
    (root / "ctx.py").write_text(CONTEXT)
    (root / "mid.py").write_text("from base import BaseAgent\n\n\nclass MidAgent(BaseAgent):\n"
                                 "    def __init__(self, llm):\n        super().__init__('mid')\n\n\n"
                                 "class LeafAgent(MidAgent):\n    pass\n")
    (root / "use.py").write_text("from mid import LeafAgent\n\n\ndef build(llm):\n    return LeafAgent(llm)\n")
    result = run_cli("--no-cache", "--fix", ".", cwd=root)
    assert "fix not applied" not in result.stderr, result.stderr
    assert "next step: 1 creation" in result.stderr, result.stderr
    assert "user_context=user_context" in (root / "mid.py").read_text()
    assert "use.py:5:12: NIL203 LeafAgent(...)" in result.stdout
