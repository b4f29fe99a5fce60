"""--diff-base REV: only findings on lines added or changed since a git revision."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from ci_support import VIOLATION_IMPORT, copy_fixture, found, git, git_available, lint_json, stderr_lines
from conftest import run_cli

from netra_isolation_lint.gitdiff import parse_diff

pytestmark = pytest.mark.skipif(not git_available(), reason="git is not installed")

AGENT = "agents/report_agent.py"
NEW_CALL = "        extra = get_agent_websocket_bridge()\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    project = copy_fixture(tmp_path, "repo", marker=False)
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    return project


def insert_after(path: Path, anchor: str, text: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert anchor in content
    path.write_text(content.replace(anchor, anchor + text, 1), encoding="utf-8")


def test_clean_working_tree_reports_nothing(repo):
    completed = run_cli("--diff-base", "HEAD", ".", cwd=repo)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout == ""


def test_only_changed_lines_and_untracked_files_are_reported(repo):
    agent = repo / AGENT
    # A new violation inside an existing method (line 15), which shifts every later finding down.
    insert_after(agent, "        bridge = get_agent_websocket_bridge()\n", NEW_CALL)
    # An edited line that already had a finding (now line 20).
    content = agent.read_text(encoding="utf-8")
    agent.write_text(content.replace('"percent": percent,', '"percent": round(percent),'), encoding="utf-8")
    spaced = repo / "new dir" / "legacy notify.py"
    spaced.parent.mkdir()
    spaced.write_text(VIOLATION_IMPORT, encoding="utf-8")
    completed, rows = lint_json("--diff-base", "HEAD", ".", cwd=repo)
    assert completed.returncode == 1, completed.stderr
    assert found(rows) == [
        (AGENT, 15, "NIL101"),
        (AGENT, 20, "NIL103"),
        ("new dir/legacy notify.py", 1, "NIL102"),
    ]
    # Without the filter every finding is still there.
    assert len(lint_json(".", cwd=repo)[1]) == 10 + 2


def test_committed_changes_since_an_older_revision(repo):
    base = git(repo, "rev-parse", "HEAD").strip()
    insert_after(repo / "services/tool_runner.py", "        await emitter.emit_tool_finished(tool_name)\n",
                 "        await emitter.emit_tool_exploded(tool_name)\n")
    git(repo, "commit", "-q", "-am", "second")
    completed, rows = lint_json("--diff-base", base, ".", cwd=repo)
    assert found(rows) == [("services/tool_runner.py", 14, "NIL401")]
    assert run_cli("--diff-base", "HEAD", ".", cwd=repo).returncode == 0


def test_removed_lines_above_findings_report_nothing(repo):
    agent = repo / AGENT
    content = agent.read_text(encoding="utf-8")
    agent.write_text(content.replace('"""CI fixture: a legacy agent that still reaches for the process-wide '
                                     'bridge."""\n\n', ""), encoding="utf-8")
    completed = run_cli("--diff-base", "HEAD", ".", cwd=repo)
    assert completed.returncode == 0, completed.stdout
    assert completed.stdout == ""


def test_staged_and_ignored_files(repo):
    (repo / ".gitignore").write_text("generated/\n", encoding="utf-8")
    (repo / "generated").mkdir()
    (repo / "generated" / "stub.py").write_text(VIOLATION_IMPORT, encoding="utf-8")
    (repo / "staged.py").write_text(VIOLATION_IMPORT, encoding="utf-8")
    git(repo, "add", "staged.py")
    completed, rows = lint_json("--diff-base", "HEAD", ".", cwd=repo)
    assert found(rows) == [("staged.py", 1, "NIL102")]


def test_from_a_subdirectory_and_with_paths_containing_spaces(repo):
    agent = repo / AGENT
    insert_after(agent, "        bridge = get_agent_websocket_bridge()\n", NEW_CALL)
    spaced = repo / "new dir" / "a b.py"
    spaced.parent.mkdir()
    spaced.write_text(VIOLATION_IMPORT, encoding="utf-8")
    completed, rows = lint_json("--diff-base", "HEAD", ".", "../new dir", "../services", cwd=repo / "agents")
    assert found(rows) == [("../new dir/a b.py", 1, "NIL102"), ("report_agent.py", 15, "NIL101")]
    completed, rows = lint_json("--diff-base", "HEAD", "new dir/a b.py", cwd=repo)
    assert found(rows) == [("new dir/a b.py", 1, "NIL102")]


def test_unusual_file_names_in_git_output(repo):
    names = ["quote\"d.py", "tab\tname.py", "ünïcode.py", "star*glob.py"]
    for name in names:
        (repo / name).write_text("x = 1\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "names")
    for name in names:
        (repo / name).write_text("x = 1\n" + VIOLATION_IMPORT, encoding="utf-8")
    completed, rows = lint_json("--diff-base", "HEAD", ".", cwd=repo)
    assert found(rows) == sorted((name, 2, "NIL102") for name in names)


def test_user_git_configuration_does_not_change_the_result(repo):
    insert_after(repo / AGENT, "        bridge = get_agent_websocket_bridge()\n", NEW_CALL)
    hostile = {"diff.noprefix": "true", "diff.mnemonicPrefix": "true", "color.ui": "always",
               "color.diff": "always", "core.quotepath": "true", "diff.external": "false",
               "diff.renames": "false", "diff.context": "5", "diff.relative": "true"}
    env = {"GIT_CONFIG_COUNT": str(len(hostile))}
    for number, (key, value) in enumerate(hostile.items()):
        env[f"GIT_CONFIG_KEY_{number}"] = key
        env[f"GIT_CONFIG_VALUE_{number}"] = value
    completed = run_cli("--format", "json", "--diff-base", "HEAD", ".", cwd=repo, env=env)
    assert completed.returncode == 1, completed.stderr
    assert found(json.loads(completed.stdout)) == [(AGENT, 15, "NIL101")]
    completed = run_cli("--format", "json", "--diff-base", "HEAD", ".", cwd=repo / "agents", env=env)
    assert found(json.loads(completed.stdout)) == [("report_agent.py", 15, "NIL101")]


def test_diff_base_with_baseline_and_other_formats(repo):
    assert run_cli("--write-baseline", "b.json", ".", cwd=repo).returncode == 0
    insert_after(repo / AGENT, "        bridge = get_agent_websocket_bridge()\n", NEW_CALL)
    completed = run_cli("--diff-base", "HEAD", "--baseline", "b.json", "--format", "github", ".", cwd=repo)
    assert completed.returncode == 1
    (line,) = completed.stdout.splitlines()
    assert line.startswith(f"::warning file={AGENT},line=15,")


def test_write_baseline_refuses_diff_base(repo):
    completed = run_cli("--write-baseline", "b.json", "--diff-base", "HEAD", ".", cwd=repo)
    assert completed.returncode == 2
    assert not (repo / "b.json").exists()


@pytest.mark.parametrize("revision", ["no-such-branch", "HEAD~5", "--output=pwned", "0" * 40, "HEAD:agents"])
def test_unknown_revision_is_a_one_line_error(repo, revision):
    completed = run_cli(f"--diff-base={revision}", ".", cwd=repo)
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = stderr_lines(completed)
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("netra-isolation-lint: error: --diff-base: unknown revision")
    assert not (repo / "pwned").exists()


def test_outside_a_repository_is_a_one_line_error(tmp_path):
    project = copy_fixture(tmp_path, "plain", marker=False)
    env = {"GIT_CEILING_DIRECTORIES": str(tmp_path)}
    completed = run_cli("--diff-base", "HEAD", ".", cwd=project, env=env)
    assert completed.returncode == 2
    assert stderr_lines(completed) == ["netra-isolation-lint: error: --diff-base: not inside a git repository"]


def test_missing_git_is_a_one_line_error(repo, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    completed = run_cli("--diff-base", "HEAD", ".", cwd=repo, env={"PATH": str(empty)})
    assert completed.returncode == 2
    (line,) = stderr_lines(completed)
    assert "git is not installed" in line


# -- the patch parser -----------------------------------------------------------------------------
def test_parse_diff_hunks_and_headers():
    patch = (
        b"diff --git a/one.py b/one.py\n"
        b"index 1..2 100644\n"
        b"--- a/one.py\n"
        b"+++ b/one.py\n"
        b"@@ -3,0 +4,2 @@ def f():\n"
        b"+    a()\n"
        b"+++ this added line looks like a header\n"
        b"@@ -10 +12 @@\n"
        b"-old\n"
        b"+new\n"
        b"@@ -20,2 +21,0 @@\n"
        b"--- a removed line that looks like a header\n"
        b"-gone\n"
        b"diff --git a/sp ace.py b/sp ace.py\n"
        b"--- a/sp ace.py\t\n"
        b"+++ b/sp ace.py\t\n"
        b"@@ -1 +1 @@\n"
        b"-x\n"
        b"+y\n"
        b"\\ No newline at end of file\n"
        b'diff --git "a/q\\"t\\303\\274.py" "b/q\\"t\\303\\274.py"\n'
        b'+++ "b/q\\"t\\303\\274.py"\n'
        b"@@ -0,0 +1,3 @@\n"
        b"+1\n+2\n+3\n"
        b"diff --git a/deleted.py b/deleted.py\n"
        b"--- a/deleted.py\n"
        b"+++ /dev/null\n"
        b"@@ -1,2 +0,0 @@\n"
        b"-a\n-b\n"
    )
    assert parse_diff(patch) == {
        "one.py": {4, 5, 12},
        "sp ace.py": {1},
        'q"tü.py': {1, 2, 3},
    }


def test_realpath_mapping_through_a_symlinked_checkout(repo, tmp_path):
    link = tmp_path / "linked"
    try:
        os.symlink(repo, link)
    except (OSError, NotImplementedError):
        pytest.skip("symlinks not available")
    insert_after(repo / AGENT, "        bridge = get_agent_websocket_bridge()\n", NEW_CALL)
    completed, rows = lint_json("--diff-base", "HEAD", ".", cwd=link)
    assert found(rows) == [(AGENT, 15, "NIL101")]
