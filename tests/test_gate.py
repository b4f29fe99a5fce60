"""A gate people can trust: unknown codes fail loudly, messages give the right advice, stdin is linted as the
file it stands for, paths are shown and configs found as ruff and flake8 users expect."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, run_cli, run_flake8, run_pylint

FIXTURES = ROOT / "tests" / "project_fixtures"
CLEAN = "def a():\n    return 1\n"


@pytest.mark.parametrize("args, message", [
    (["--select", "NIL999"], "--select: unknown rule code 'NIL999' (did you mean NIL900?)"),
    (["--select", "NIL130"], "--select: unknown rule code 'NIL130' (did you mean NIL103?)"),
    (["--ignore", "NIL5"], "--ignore: 'NIL5' is the prefix of no rule (prefixes of that length: NIL1, NIL2, NIL3,"),
    (["--fail-on", "NIL4,NIL777"], "--fail-on: unknown rule code 'NIL777'"),
])
def test_an_unknown_code_on_the_command_line_is_a_usage_error(tmp_path, args, message):
    (tmp_path / "a.py").write_text(CLEAN)
    result = run_cli("--no-cache", *args, ".", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr


@pytest.mark.parametrize("yaml, where", [
    ("select: [NIL130]\n", "select[0]: unknown rule code 'NIL130' (did you mean NIL103?)"),
    ("ignore: [NIL1, NIL50]\n", "ignore[1]: 'NIL50' is the prefix of no rule"),
    ("per_path_ignores:\n  'tests/*': [NIL777]\n", "per_path_ignores['tests/*']: unknown rule code 'NIL777'"),
])
def test_an_unknown_code_in_the_config_stops_every_front_end(tmp_path, yaml, where):
    (tmp_path / ".netra-isolation.yaml").write_text(yaml)
    (tmp_path / "a.py").write_text(CLEAN)
    cli = run_cli("--no-cache", "a.py", cwd=tmp_path)
    assert cli.returncode == 2 and where in cli.stderr and "Traceback" not in cli.stderr, cli.stderr
    flake8 = run_flake8("a.py", cwd=tmp_path)
    assert flake8.returncode != 0 and where in flake8.stdout + flake8.stderr
    pylint = run_pylint("a.py", cwd=tmp_path)
    assert pylint.returncode == 32 and where in pylint.stderr


def test_fail_on_codes_gates_only_on_those_codes():
    root = FIXTURES / "events_broken"  # NIL405 in agent.py, NIL403 at the emitter
    assert run_cli("--no-cache", "--fail-on", "NIL405", ".", cwd=root).returncode == 1
    assert run_cli("--no-cache", "--fail-on", "NIL1,NIL2", ".", cwd=root).returncode == 0


@pytest.mark.parametrize("code, message", [
    ("NIL1", "--explain: NIL1 is a prefix of NIL101, NIL102, NIL103, NIL104: name one of them"),
    ("NIL130", "--explain: unknown rule code 'NIL130' (did you mean NIL103?)"),
])
def test_explain_of_a_prefix_or_typo(code, message):
    result = run_cli("--explain", code)
    assert result.returncode == 2 and result.stderr.strip().endswith(message), result.stderr


def test_messages_give_the_right_advice(tmp_path):
    (tmp_path / "a.py").write_text(
        "from x import get_agent_websocket_bridge\n\n\nasync def f(emitter, run_id, agent):\n"
        "    await emitter.emit_custom_event('tool_executin', {})\n"
        "    bridge = await get_agent_websocket_bridge()\n"
        "    await bridge.notify_custom(run_id, agent, 'step_started', {})\n")
    out = run_cli("--no-cache", "a.py", cwd=tmp_path).stdout
    # a suggestion does not drop the way to declare an intended event
    assert "did you mean 'tool_executing'? If not, declare it in custom_events" in out
    # notify_custom's event is the one its arguments send, not "custom"
    assert 'emitter.emit_custom_event("step_started", ...) (declare "step_started" in custom_events)' in out


def test_an_unquoted_star_pattern_in_yaml_gets_the_quote_hint(tmp_path):
    (tmp_path / "c.yaml").write_text("singleton:\n  bridge_names: [*_bridge]\n")
    result = run_cli("--config", "c.yaml", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "c.yaml:2:18: YAML aliases are not allowed; quote a value that starts with '*' (\"*_bridge\")")


def test_paths_are_shown_without_a_leading_dot_slash(tmp_path):
    (tmp_path / "a.py").write_text("from x import get_agent_websocket_bridge\n")
    for given in (".", "./a.py", ".//a.py"):
        rows = json.loads(run_cli("--no-cache", "--format", "json", given, cwd=tmp_path).stdout)
        assert [r["path"] for r in rows if r["code"] == "NIL102"] == ["a.py"], given


def test_the_config_is_found_from_the_linted_paths_not_only_the_working_directory(tmp_path):
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / ".netra-isolation.yaml").write_text("ignore: [NIL102]\n")
    (project / "a.py").write_text("from x import get_agent_websocket_bridge\n")
    assert run_cli("--no-cache", "project/a.py", cwd=tmp_path).stdout == ""
    assert "NIL102" in run_cli("--no-cache", "--config", "/dev/null", "project/a.py", cwd=tmp_path).stdout


# --------------------------------------------------------------------------- standard input


def _stdin(cwd, name, text, *args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "netra_isolation_lint", "--no-cache", *args,
                           "--stdin-filename", name, "-"], input=text, cwd=cwd, capture_output=True, text=True)


def test_stdin_is_judged_with_the_rest_of_its_project():
    """The buffer (not the file on disk) is linted, under its name, against classes defined in other modules."""
    root = FIXTURES / "api"
    path = "netra/agents/forecast_agent.py"
    source = (root / path).read_text()
    on_disk = _stdin(root, path, source)
    assert on_disk.returncode == 1 and on_disk.stdout.startswith(f"{path}:17:15: NIL405 UnifiedWebSocketEmitter")
    assert {line.split(":")[0] for line in on_disk.stdout.splitlines()} == {path}  # only the buffer is reported
    fixed = _stdin(root, path, source.replace('emit_agent_thinking(run_id, {"thought": message})',
                                              'emit_agent_thinking({"thought": message})'))
    assert f"{path}:17:" not in fixed.stdout and f"{path}:19:15: NIL404" in fixed.stdout


def test_stdin_gets_the_per_path_ignores_of_its_name(tmp_path):
    (tmp_path / ".netra-isolation.yaml").write_text("per_path_ignores:\n  'legacy/*': [NIL102]\n")
    text = "from x import get_agent_websocket_bridge\n"
    assert _stdin(tmp_path, "legacy/a.py", text).stdout == ""
    assert "NIL102" in _stdin(tmp_path, "new/a.py", text).stdout


def test_stdin_without_a_name_and_mixed_with_paths():
    import subprocess
    import sys

    alone = subprocess.run([sys.executable, "-m", "netra_isolation_lint", "--no-cache", "-"], capture_output=True,
                           input="from x import get_agent_websocket_bridge\n", text=True)
    assert alone.returncode == 1 and alone.stdout.startswith("-:1:15: NIL102")
    mixed = run_cli("-", "a.py")
    assert mixed.returncode == 2 and "cannot be combined" in mixed.stderr


# --------------------------------------------------------------------------- one project root


def test_the_cache_lives_at_the_project_root_wherever_the_run_starts(tmp_path):
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "tests").mkdir()
    (project / "a.py").write_text(CLEAN)
    (project / "tests" / "test_a.py").write_text(CLEAN)
    assert run_cli("..", cwd=project / "tests").returncode == 0
    assert run_cli("project", cwd=tmp_path).returncode == 0
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob(".netra-isolation-cache")] == [
        "project/.netra-isolation-cache"]


def test_gitignored_files_are_not_walked_unless_asked(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("generated/\n*_pb2.py\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("local.py\n")
    legacy = "from x import get_agent_websocket_bridge\n"
    for path in ("generated/a.py", "api_pb2.py", "sub/local.py", "sub/kept.py"):
        (tmp_path / path).parent.mkdir(exist_ok=True)
        (tmp_path / path).write_text(legacy)

    def paths(*args):
        rows = json.loads(run_cli("--no-cache", "--format", "json", "--ignore", "NIL403", *args, cwd=tmp_path).stdout)
        return sorted({r["path"] for r in rows})

    assert paths(".") == ["sub/kept.py"]
    assert paths("--no-respect-gitignore", ".") == ["api_pb2.py", "generated/a.py", "sub/kept.py", "sub/local.py"]
    assert paths("api_pb2.py") == ["api_pb2.py"]  # named on the command line: checked


def test_an_exclude_with_a_slash_is_anchored_at_the_project_root(tmp_path):
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "app" / "legacy").mkdir(parents=True)
    (project / "app" / "legacy" / "old.py").write_text("from x import get_agent_websocket_bridge\n")
    for cwd, path in ((project, "."), (project / "app", "."), (tmp_path, "project")):
        result = run_cli("--no-cache", "--ignore", "NIL403", "--extend-exclude", "app/legacy", path, cwd=cwd)
        assert result.stdout == "", (cwd, path)


def test_a_directory_named_though_git_ignores_it_is_walked(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("/versions\n")
    (tmp_path / "versions" / "lib").mkdir(parents=True)
    (tmp_path / "versions" / "lib" / "a.py").write_text("from x import get_agent_websocket_bridge\n")
    rows = json.loads(run_cli("--no-cache", "--format", "json", "--ignore", "NIL403", "versions/lib",
                              cwd=tmp_path).stdout)
    assert [r["path"] for r in rows] == ["versions/lib/a.py"]
    assert run_cli("--no-cache", ".", cwd=tmp_path).stdout == ""
