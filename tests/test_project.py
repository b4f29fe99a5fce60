"""Whole-project analysis: cross-module agents, NIL403, and how the front ends differ by design.

In project fixtures, ``# expect: CODE`` is found by every front end; ``# expect[project]: CODE`` only by
the CLI and pylint, which see other modules (flake8 checks one file at a time and must not report it).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, run_flake8, run_pylint

FIXTURES = ROOT / "tests" / "project_fixtures"
EXPECT = re.compile(r"#\s*expect(\[project\])?:\s*([A-Z0-9, ]+)")


def expectations(root: Path) -> tuple[set, set]:
    """(expected from every front end, expected only where the project is visible) as (path, line, code)."""
    everywhere, project_only = set(), set()
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in EXPECT.finditer(line):
                target = project_only if match.group(1) else everywhere
                for code in match.group(2).replace(",", " ").split():
                    target.add((path.relative_to(root).as_posix(), number, code))
    return everywhere, project_only


def cli_findings(cwd: Path, *args: str) -> set:
    result = run_cli("--format", "json", *args, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return {(r["path"], r["line"], r["code"]) for r in json.loads(result.stdout)}


def text_findings(output: str) -> set:
    found = set()
    for line in output.splitlines():
        match = re.match(r"^(?P<path>[^:\s][^:]*):(?P<line>\d+):\d+: (?:(?P<code>NIL\d{3})|(?P<msgid>[EW]9\d{3}))", line)
        if match:
            code = match.group("code") or "NIL" + match.group("msgid")[2:]
            found.add((match.group("path"), int(match.group("line")), code))
    return found


def test_three_module_chain_fully_reported_by_cli():
    root = FIXTURES / "chain"
    everywhere, project_only = expectations(root)
    assert project_only, "the chain fixture must carry cross-module expectations"
    assert cli_findings(root, "--ignore", "NIL403", "agentkit") == everywhere | project_only


def test_pylint_sees_the_chain_like_the_cli():
    root = FIXTURES / "chain"
    everywhere, project_only = expectations(root)
    result = run_pylint("agentkit", cwd=root)
    assert "Traceback" not in result.stderr
    assert text_findings(result.stdout) == everywhere | project_only


def test_flake8_sees_only_single_file_findings_by_design():
    root = FIXTURES / "chain"
    everywhere, project_only = expectations(root)
    result = run_flake8("agentkit", cwd=root)
    found = text_findings(result.stdout)
    assert found == everywhere
    assert not found & project_only


def test_nil403_reports_each_missing_critical_event_once():
    root = FIXTURES / "events_missing"
    result = run_cli("--format", "json", ".", cwd=root)
    rows = [r for r in json.loads(result.stdout) if r["code"] == "NIL403"]
    assert len(rows) == 1
    assert "'tool_completed'" in rows[0]["message"]  # the f-string sink does not count as emitting it
    assert result.returncode == 1


def test_nil403_quiet_when_every_critical_event_is_emitted():
    root = FIXTURES / "events_complete"
    result = run_cli(".", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_nil403_only_when_a_directory_is_given():
    """A pre-commit hook names the staged files: a verdict on the whole project cannot come from them."""
    root = FIXTURES / "events_missing"
    for files in (["other.py"], ["other.py", "agent.py"]):
        rows = json.loads(run_cli("--format", "json", "--no-cache", *files, cwd=root).stdout)
        assert [r for r in rows if r["code"] == "NIL403"] == [], files
    rows = json.loads(run_cli("--format", "json", "--no-cache", ".", cwd=root).stdout)
    # no emitter class defined, no config: at the first file in path order
    assert [(r["path"], r["line"], r["code"]) for r in rows] == [("agent.py", 1, "NIL403")]


def test_two_unrelated_clean_files_pass_even_as_a_directory(tmp_path):
    """Code that uses no emitter and no bridge is not judged at all."""
    (tmp_path / "a.py").write_text("def a():\n    return 1\n")
    (tmp_path / "b.py").write_text("import os\n")
    for args in (["a.py", "b.py"], ["."]):
        result = run_cli("--no-cache", *args, cwd=tmp_path)
        assert (result.returncode, result.stdout) == (0, ""), args


def test_nil403_is_placed_at_the_emitter_method_of_the_event():
    root = FIXTURES / "events_broken"  # agent_completed is only sent by a call that raises
    rows = json.loads(run_cli("--format", "json", "--no-cache", ".", cwd=root).stdout)
    assert [(r["path"], r["line"], r["code"]) for r in rows if r["code"] == "NIL403"] == [("emitter.py", 14, "NIL403")]


@pytest.mark.parametrize("config", ["/dev/null", "outside"])
def test_nil403_is_never_placed_outside_the_tree(tmp_path, config):
    """`--config /dev/null` and a contract in $RUNNER_TEMP (docs/ci.md) put results at the first file instead."""
    import shutil

    shutil.copytree(FIXTURES / "events_missing", tmp_path / "tree", ignore=shutil.ignore_patterns(".netra-*"))
    if config == "outside":
        (tmp_path / "contract.yaml").write_text("critical_events: [agent_started, tool_completed]\n")
        config = str(tmp_path / "contract.yaml")
    result = run_cli("--format", "sarif", "--no-cache", "--config", config, ".", cwd=tmp_path / "tree")
    locations = [loc["physicalLocation"]["artifactLocation"]["uri"] for run in json.loads(result.stdout)["runs"]
                 for r in run["results"] if r["ruleId"] == "NIL403" for loc in r["locations"]]
    assert locations == ["agent.py"], locations


def test_nil403_counts_production_code_only():
    """tool_completed is sent only under tests/ and testing/: the production code never sends it."""
    root = FIXTURES / "events_in_tests_only"
    rows = json.loads(run_cli("--format", "json", ".", cwd=root).stdout)
    assert [r["message"].split("'")[1] for r in rows if r["code"] == "NIL403"] == ["tool_completed"]


def test_nil403_test_paths_are_configurable(tmp_path):
    import shutil

    shutil.copytree(FIXTURES / "events_in_tests_only", tmp_path / "p")
    (tmp_path / "p" / ".netra-isolation.yaml").write_text("test_paths: [spec]\n")
    rows = json.loads(run_cli("--format", "json", ".", cwd=tmp_path / "p").stdout)
    assert [r for r in rows if r["code"] == "NIL403"] == []


def test_nil403_is_reported_at_the_config_entry_when_the_config_is_in_the_tree(tmp_path):
    (tmp_path / ".netra-isolation.yaml").write_text("# the contract\ncritical_events: [agent_started, agent_done]\n")
    (tmp_path / "a.py").write_text("async def f(emitter):\n    await emitter.emit_agent_started({})\n")
    (tmp_path / "b.py").write_text("")
    result = run_cli("--format", "json", ".", cwd=tmp_path)
    rows = json.loads(result.stdout)
    assert [(Path(r["path"]).name, r["line"], r["code"]) for r in rows] == [(".netra-isolation.yaml", 2, "NIL403")]
    assert "'agent_done'" in rows[0]["message"]


def test_examples_same_findings_cli_flake8_pylint():
    cli = cli_findings(ROOT, "examples")
    flake8 = text_findings(run_flake8("examples", cwd=ROOT).stdout)
    pylint = text_findings(run_pylint("examples/legacy", "examples/migrated", cwd=ROOT).stdout)
    assert cli, "the legacy example must produce findings"
    assert cli == flake8 == pylint


def test_pylint_clean_on_migrated_example_and_reports_legacy():
    clean = run_pylint("examples/migrated", cwd=ROOT)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    legacy = run_pylint("examples/legacy", cwd=ROOT)
    assert legacy.returncode != 0
    assert {c for _, _, c in text_findings(legacy.stdout)} >= {"NIL101", "NIL102", "NIL103", "NIL104", "NIL201"}


@pytest.mark.parametrize("target", ["tests", "netra_isolation_lint", "examples"])
def test_pylint_plugin_never_crashes_on_the_project_itself(target):
    result = run_pylint(target, "--recursive", "y", cwd=ROOT)
    assert "Traceback" not in result.stderr
    assert "astroid-error" not in result.stdout and "F0002" not in result.stdout
    assert result.returncode & (1 | 32) == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_nil403_does_not_count_an_emit_that_raises():
    """agent_completed is only emitted by a call NIL405 shows will raise TypeError: it emits nothing."""
    root = FIXTURES / "events_broken"
    rows = json.loads(run_cli("--format", "json", ".", cwd=root).stdout)
    assert sorted((r["code"], r["line"]) for r in rows if r["code"] != "NIL403") == [("NIL405", 10)]
    missing = [r["message"] for r in rows if r["code"] == "NIL403"]
    assert len(missing) == 1 and "'agent_completed'" in missing[0]


# --------------------------------------------------------------------------- the isolation API model (NIL404–NIL407)

def test_api_model_cli_reports_every_broken_call_and_nothing_else():
    """Receivers typed through annotations, getters, properties with untyped setters, factory return types,
    class aliases, package re-exports, TYPE_CHECKING imports and lazy imports, across modules."""
    root = FIXTURES / "api"
    everywhere, project_only = expectations(root)
    assert {c for _, _, c in project_only} >= {"NIL404", "NIL405", "NIL406", "NIL407"}
    assert cli_findings(root, "--ignore", "NIL403", "netra") == everywhere | project_only


def test_api_model_pylint_sees_the_package_like_the_cli():
    root = FIXTURES / "api"
    everywhere, project_only = expectations(root)
    result = run_pylint("netra", cwd=root)
    assert "Traceback" not in result.stderr
    assert text_findings(result.stdout) == everywhere | project_only


def test_pylint_answers_a_package_from_one_run_with_the_clis_cache(tmp_path):
    """Checking a package, the plugin runs the engine once over it (the CLI's cache written, as the CLI writes it)
    and answers every module from that run; asked for one module, it judges that module alone (no store)."""
    root = tmp_path / "api"
    shutil.copytree(FIXTURES / "api", root)
    everywhere, project_only = expectations(root)
    env = {"NETRA_ISOLATION_CACHE_DIR": str(tmp_path / "cache")}
    result = run_pylint("netra", cwd=root, env=env)
    assert "Traceback" not in result.stderr
    assert text_findings(result.stdout) == everywhere | project_only
    assert [p.suffix for p in (tmp_path / "cache").iterdir() if p.name != ".gitignore"] == [".sqlite"]
    shutil.rmtree(tmp_path / "cache")
    one = "netra/agents/forecast_agent.py"
    result = run_pylint(one, cwd=root, env=env)
    assert text_findings(result.stdout) == {f for f in everywhere | project_only if f[0] == one} != set()
    assert not (tmp_path / "cache").exists()


def test_api_model_flake8_sees_what_one_file_shows():
    root = FIXTURES / "api"
    everywhere, project_only = expectations(root)
    found = text_findings(run_flake8("netra", cwd=root).stdout)
    assert found == everywhere
    assert not found & project_only


# --------------------------------------------------------------------------- a base class in a file that does not parse

BROKEN = {("kit/mid.py", 6, "NIL201"), ("kit/mid.py", 10, "NIL900"), ("kit/child.py", 5, "NIL201")}


def test_unparseable_base_module_still_gives_its_classes_to_the_cli():
    """mid.py has a syntax error in one method: its class header and the members that parse are recovered,
    so MidAgent (and ChildAgent, through it) are still judged, and the file still gets its NIL900."""
    assert cli_findings(FIXTURES / "broken_base", "--ignore", "NIL403", "kit") == BROKEN


def test_pylint_follows_a_chain_through_an_unparseable_module():
    result = run_pylint("kit", cwd=FIXTURES / "broken_base")
    assert "Traceback" not in result.stderr
    assert "syntax-error" in result.stdout  # pylint's own message for the broken file
    assert text_findings(result.stdout) == {("kit/child.py", 5, "NIL201")}


def test_flake8_reports_only_its_e999_for_the_broken_file():
    result = run_flake8("--select", "NIL,E999", "kit", cwd=FIXTURES / "broken_base")
    assert text_findings(result.stdout) == set()
    assert "kit/mid.py:10:" in result.stdout and "E999" in result.stdout


def test_a_base_outside_the_given_paths_is_read_from_the_project_root(tmp_path):
    """The bridge's base lives in lib/, beside the linted app/: read on demand, never reported itself."""
    import shutil

    root = FIXTURES / "outside_base"
    assert cli_findings(root, "--ignore", "NIL403", "app") == {("app/tracker.py", 6, "NIL404")}
    shutil.copytree(root / "app", tmp_path / "app")  # without lib/, the base is unknown: nothing is said
    (tmp_path / ".git").mkdir()
    assert cli_findings(tmp_path, "--ignore", "NIL403", "app") == set()


def test_namespace_directories_inside_a_package_keep_the_module_names_imports_use(tmp_path):
    """PEP 420: ``app/admin/`` has no ``__init__.py`` (as in the Netra backend), yet ``app.admin.corpus.agent``
    is what importers write; the base class there must still be found."""
    from netra_isolation_lint.model.names import module_name_for

    (tmp_path / ".git").mkdir()
    (tmp_path / "app" / "admin" / "corpus").mkdir(parents=True)
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "admin" / "corpus" / "__init__.py").write_text("")
    (tmp_path / "app" / "admin" / "corpus" / "base.py").write_text(
        "from netra_backend.app.agents.base_agent import BaseAgent\n\n\nclass CorpusAgent(BaseAgent):\n"
        "    def __init__(self, llm, user_context=None):\n        super().__init__(llm, user_context=user_context)\n")
    (tmp_path / "app" / "child.py").write_text(
        "from app.admin.corpus.base import CorpusAgent\n\n\nclass Child(CorpusAgent):\n"
        "    def __init__(self, llm):\n        super().__init__(llm)\n")
    (tmp_path / "loose").mkdir()
    (tmp_path / "loose" / "script.py").write_text("")
    assert module_name_for(str(tmp_path / "app" / "admin" / "corpus" / "base.py")) == "app.admin.corpus.base"
    assert module_name_for(str(tmp_path / "loose" / "script.py")) == "script"
    assert cli_findings(tmp_path, "--ignore", "NIL403", "app") == {("app/child.py", 5, "NIL201")}


# --------------------------------------------------------------------------- --explain-finding


def test_explain_finding_shows_the_chain_of_types_behind_a_finding():
    """The emitter comes from a getter defined in the base class, in another module: each step names its source."""
    root = FIXTURES / "api"
    result = run_cli("--no-cache", "--explain-finding", "netra/agents/forecast_agent.py:17", "netra", cwd=root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "netra/agents/forecast_agent.py:17:15: NIL405 UnifiedWebSocketEmitter.emit_agent_thinking()")
    assert lines[1] == "  how the model typed the call:"
    steps = [line.strip() for line in lines[2:]]
    assert steps[0].startswith("1. ForecastAgent: a value of type netra.agents.forecast_agent.ForecastAgent")
    assert steps[1] == "2. method BaseAgent._get_user_emitter (netra/agents/base_agent.py:22)"
    assert "returned values of method BaseAgent._get_user_emitter" in steps[2]
    assert steps[2].endswith("-> an instance of UnifiedWebSocketEmitter (netra/websocket_core/unified_emitter.py:1)")
    assert steps[3] == (
        "4. method UnifiedWebSocketEmitter.emit_agent_thinking (netra/websocket_core/unified_emitter.py:1)")


def test_explain_finding_says_which_class_lacks_the_method():
    root = FIXTURES / "api"
    result = run_cli("--no-cache", "--explain-finding", "netra/agents/forecast_agent.py:48", "netra", cwd=root)
    assert result.stdout.splitlines()[-1].strip() == (
        "2. UserExecutionContext.from_ids: UserExecutionContext (with its known bases) defines no from_ids"
        " -> no known value")


@pytest.mark.parametrize("where, status, message", [
    ("netra/agents/forecast_agent.py:2", 1, "no finding at netra/agents/forecast_agent.py:2"),
    ("netra/agents/forecast_agent.py", 2, "expected PATH:LINE"),
    ("netra/agents/forecast_agent.py:0", 2, "expected PATH:LINE"),
])
def test_explain_finding_without_a_finding_or_with_a_bad_location(where, status, message):
    result = run_cli("--no-cache", "--explain-finding", where, "netra", cwd=FIXTURES / "api")
    assert result.returncode == status and message in result.stderr and "Traceback" not in result.stderr
