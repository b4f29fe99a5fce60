"""CLI options: --explain, --show-config, --exit-zero, --fail-on, --output, --statistics, --show-source,
--extend-select/--extend-ignore, --list-rules."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from ci_support import (
    EXPECTED, NON_ASCII_CHAR_COL0, NON_ASCII_LINE, ROOT, VIOLATION_IMPORT, copy_fixture, small_project,
    stderr_lines,
)
from conftest import run_cli

from netra_isolation_lint.registry import RULES


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


# -- --explain ------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", list(RULES))
def test_explain_every_code(code, tmp_path):
    completed = run_cli("--explain", code, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == RULES[code].doc_page()
    assert completed.stderr == ""


def test_explain_accepts_lowercase_and_the_symbol(tmp_path):
    page = RULES["NIL103"].doc_page()
    assert run_cli("--explain", "nil103", cwd=tmp_path).stdout == page
    assert run_cli("--explain", RULES["NIL103"].slug, cwd=tmp_path).stdout == page


@pytest.mark.parametrize("wanted, hint", [("NIL109", "did you mean NIL10"), ("NIL0103", "did you mean NIL10"),
                                          ("legacy-bridge-notify", "did you mean legacy-bridge-notify-call"),
                                          ("zzz", "known codes: NIL")])
def test_explain_unknown_code(tmp_path, wanted, hint):
    completed = run_cli("--explain", wanted, cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stdout == ""
    (line,) = stderr_lines(completed)
    assert line.startswith(f"netra-isolation-lint: error: --explain: unknown rule code '{wanted}'")
    assert hint in line


def test_explain_does_not_need_a_valid_config(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".netra-isolation.yaml").write_text("bogus_key: 1\n", encoding="utf-8")
    assert run_cli("--explain", "NIL101", cwd=tmp_path).returncode == 0


# -- --show-config --------------------------------------------------------------------------------
def show_config(*args: str, cwd) -> tuple[list[str], dict]:
    completed = run_cli("--show-config", *args, cwd=cwd)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    return lines, yaml.safe_load(completed.stdout)


def test_show_config_defaults(tmp_path):
    (tmp_path / ".git").mkdir()
    lines, data = show_config(cwd=tmp_path)
    assert lines[0] == "# source: built-in defaults"
    assert lines[1].startswith("# found: defaults")
    assert data["critical_events"] == ["agent_started", "agent_thinking", "tool_executing", "tool_completed",
                                       "agent_completed"]
    assert data["singleton"]["accessors"] == ["get_agent_websocket_bridge"]


def test_show_config_discovered_in_a_parent_directory(tmp_path):
    repo = tmp_path / "repo"
    deeper = repo / "backend" / "agents"
    deeper.mkdir(parents=True)
    (repo / ".git").mkdir()
    config = repo / ".netra-isolation.yaml"
    config.write_text("custom_events: [agent_error]\nsingleton:\n  accessors: [get_bridge]\n", encoding="utf-8")
    lines, data = show_config(cwd=deeper)
    assert lines[0] == f"# source: {config}"
    assert lines[1].startswith("# found: discovered")
    assert data["custom_events"] == ["agent_error"]
    assert data["singleton"]["accessors"] == ["get_bridge"]


def test_show_config_explicit(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".netra-isolation.yaml").write_text("custom_events: [ignored_one]\n", encoding="utf-8")
    explicit = tmp_path / "contract.yaml"
    explicit.write_text("custom_events: [chosen_one]\nignore: [NIL104]\n", encoding="utf-8")
    lines, data = show_config("--config", str(explicit), "--select", "NIL1", cwd=tmp_path)
    assert lines[0] == f"# source: {explicit}"
    assert lines[1] == "# found: --config (given on the command line)"
    assert data["custom_events"] == ["chosen_one"]
    assert data["select"] == ["NIL1"] and data["ignore"] == ["NIL104"]


def test_show_config_with_a_broken_config_is_exit_2(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".netra-isolation.yaml").write_text("bogus_key: 1\n", encoding="utf-8")
    completed = run_cli("--show-config", cwd=tmp_path)
    assert completed.returncode == 2
    assert "bogus_key" in completed.stderr


# -- exit status ----------------------------------------------------------------------------------
def test_exit_zero_still_reports(project):
    completed = run_cli("--exit-zero", ".", cwd=project)
    assert completed.returncode == 0
    assert len(completed.stdout.splitlines()) == len(EXPECTED)


def test_exit_zero_does_not_hide_usage_errors(project):
    assert run_cli("--exit-zero", "missing-dir", cwd=project).returncode == 2
    assert run_cli("--exit-zero", "--baseline", "missing.json", ".", cwd=project).returncode == 2


def test_fail_on(project):
    assert run_cli(".", cwd=project).returncode == 1
    assert run_cli("--fail-on", "warning", ".", cwd=project).returncode == 1
    only_errors = run_cli("--fail-on", "error", ".", cwd=project)
    assert only_errors.returncode == 0  # every fixture finding is a warning
    assert len(only_errors.stdout.splitlines()) == len(EXPECTED)  # still reported
    (project / "broken.py").write_text("def broken(:\n    get_agent_websocket_bridge()\n", encoding="utf-8")
    assert run_cli("--fail-on", "error", ".", cwd=project).returncode == 1
    assert run_cli("--fail-on", "error", "--exit-zero", ".", cwd=project).returncode == 0
    assert run_cli("--fail-on", "fatal", ".", cwd=project).returncode == 2


def test_internal_errors_exit_2_whatever_the_options(project, monkeypatch, capsys):
    from netra_isolation_lint import cli, runner
    from netra_isolation_lint.runner import Report, Result

    def broken_lint(sources, config, **_):
        return Report(results=[Result(sources[0].path, 1, 0, "NIL901", "internal error (boom)")], files=1)

    monkeypatch.setattr(runner, "lint", broken_lint)
    monkeypatch.chdir(project)
    assert cli.main(["."]) == 2
    assert cli.main(["--exit-zero", "."]) == 2
    assert cli.main(["--fail-on", "error", "--format", "sarif", "."]) == 2
    assert cli.main(["--write-baseline", "b.json", "."]) == 2
    assert json.loads((project / "b.json").read_text())["entries"] == []
    assert cli.main(["--baseline", "b.json", "."]) == 2
    capsys.readouterr()


# -- --output -------------------------------------------------------------------------------------
def test_output_to_a_file(project):
    completed = run_cli("--output", "report.txt", ".", cwd=project)
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert len((project / "report.txt").read_text(encoding="utf-8").splitlines()) == len(EXPECTED)


def test_output_clean_run_exits_0(tmp_path):
    small_project(tmp_path, {"ok.py": "x = 1\n"})
    completed = run_cli("--format", "json", "--output", "r.json", ".", cwd=tmp_path)
    assert completed.returncode == 0
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8")) == []


def test_output_unwritable_is_a_one_line_error(project):
    completed = run_cli("--output", "no/such/dir/report.txt", ".", cwd=project)
    assert completed.returncode == 2
    (line,) = stderr_lines(completed)
    assert line.startswith("netra-isolation-lint: error: no/such/dir/report.txt: cannot write report")


# -- --statistics ---------------------------------------------------------------------------------
def test_statistics_in_text_output(project):
    completed = run_cli("--statistics", ".", cwd=project)
    assert completed.returncode == 1
    out = completed.stdout
    report, _, stats = out.partition("Findings by rule:\n")
    assert len(report.splitlines()) == len(EXPECTED)
    by_rule, _, by_dir = stats.partition("Findings by top-level directory:\n")
    rows = [line.split() for line in by_rule.splitlines()]
    counts = {}
    for _, _, code in EXPECTED:
        counts[code] = counts.get(code, 0) + 1
    assert {code: (int(n), slug) for n, code, slug in rows} == {c: (n, RULES[c].slug) for c, n in counts.items()}
    dirs = [line.split() for line in by_dir.splitlines()]
    assert dirs[:2] == [["8", "agents"], ["2", "services"]]
    assert dirs[2] == ["10", "total", "in", "2", "files"]
    assert completed.stderr == ""


def test_statistics_groups_top_level_files_under_dot(tmp_path):
    small_project(tmp_path, {"top.py": VIOLATION_IMPORT, "pkg/deep/er/m.py": VIOLATION_IMPORT})
    out = run_cli("--statistics", ".", cwd=tmp_path).stdout
    assert re.search(r"^\s+1\s+\.$", out, re.M) and re.search(r"^\s+1\s+pkg$", out, re.M)


def test_statistics_go_to_the_report_file_for_text_and_stderr_for_json(project):
    completed = run_cli("--statistics", "--output", "r.txt", ".", cwd=project)
    assert completed.stdout == "" and completed.stderr == ""
    assert "Findings by rule:" in (project / "r.txt").read_text(encoding="utf-8")
    completed = run_cli("--statistics", "--format", "json", "--output", "r.json", ".", cwd=project)
    assert completed.stdout == ""
    assert "Findings by rule:" in completed.stderr
    json.loads((project / "r.json").read_text(encoding="utf-8"))


# -- --show-source --------------------------------------------------------------------------------
def source_blocks(out: str) -> dict[tuple[str, int], tuple[str, str]]:
    lines = out.splitlines()
    blocks = {}
    for number, line in enumerate(lines):
        match = re.match(r"^(\S.*?):(\d+):\d+: NIL\d{3} ", line)
        if match and number + 2 < len(lines) and lines[number + 1].startswith("    "):
            blocks[(os.path.normpath(match[1]), int(match[2]))] = (lines[number + 1], lines[number + 2])
    return blocks


def test_show_source_puts_a_caret_under_the_column(project):
    completed = run_cli("--show-source", ".", cwd=project)
    assert completed.returncode == 1
    blocks = source_blocks(completed.stdout)
    assert len(blocks) == len(EXPECTED)
    shown, caret = blocks[("agents/report_agent.py", NON_ASCII_LINE)]
    assert shown == '            label = "déjà vu"; bridge = get_agent_websocket_bridge()'
    assert caret == "    " + " " * NON_ASCII_CHAR_COL0 + "^"
    assert shown[4 + NON_ASCII_CHAR_COL0:].startswith("get_agent_websocket_bridge")
    shown, caret = blocks[("agents/report_agent.py", 8)]
    assert shown.strip() == "def __init__(self, llm_manager, tool_dispatcher):"
    assert caret.index("^") == shown.index("def")


def test_show_source_escapes_control_characters_and_expands_tabs(tmp_path):
    small_project(tmp_path, {"t.py": "def f():\n\tx = '\x1b[31m'; get_agent_websocket_bridge()\n"})
    out = run_cli("--show-source", ".", cwd=tmp_path).stdout
    assert "\x1b" not in out and "\t" not in out
    (shown, caret), = source_blocks(out).values()
    assert caret.index("^") == shown.index("get_agent")


def test_show_source_never_prints_a_refused_symlink_target(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.py"
    secret.write_text("# SECRET_MARKER_91c2\n" + VIOLATION_IMPORT, encoding="utf-8")
    project = small_project(tmp_path / "project", {"ok.py": VIOLATION_IMPORT})
    try:
        os.symlink(secret, project / "link.py")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks not available")
    completed = run_cli("--show-source", "--statistics", ".", "link.py", cwd=project)
    assert "NIL902" in completed.stdout
    assert "SECRET_MARKER" not in completed.stdout + completed.stderr
    # ok.py still gets its source line.
    assert "    from netra_backend.app.services.agent_websocket_bridge import" in completed.stdout


def test_show_source_for_a_file_that_does_not_parse(tmp_path):
    small_project(tmp_path, {"broken.py": "get_agent_websocket_bridge()\ndef broken(:  # UNPARSED_MARKER\n    pass\n"})
    blocks = source_blocks(run_cli("--show-source", "broken.py", cwd=tmp_path).stdout)
    assert blocks[("broken.py", 2)] == ("    def broken(:  # UNPARSED_MARKER", "    " + " " * 11 + "^")  # NIL900
    # a statement that parses on its own is still checked (NIL101), and shown
    assert blocks[("broken.py", 1)] == ("    get_agent_websocket_bridge()", "    ^")


def test_show_source_never_prints_the_config_a_project_finding_is_anchored_to(tmp_path):
    project = copy_fixture(tmp_path)
    (project / ".netra-isolation.yaml").write_text("# CONFIG_MARKER\ncustom_events: []\n", encoding="utf-8")
    runner = project / "services" / "tool_runner.py"
    runner.write_text(runner.read_text(encoding="utf-8").replace("emit_agent_started", "emit_agent_begun"),
                      encoding="utf-8")
    completed = run_cli("--show-source", ".", cwd=project)
    assert "NIL403" in completed.stdout
    assert "CONFIG_MARKER" not in completed.stdout


# -- --extend-select, --extend-ignore ------------------------------------------------------------
def selected(tmp_path: Path, config: str | None, *args: str) -> set[str]:
    """The codes reported on a tree with NIL101 and NIL102 (a.py) and NIL401 (e.py)."""
    small_project(tmp_path, {"a.py": VIOLATION_IMPORT + "get_agent_websocket_bridge()\n",
                             "e.py": "async def f(emitter):\n    await emitter.emit_not_configured({})\n"})
    if config is not None:
        (tmp_path / ".netra-isolation.yaml").write_text(config, encoding="utf-8")
    completed = run_cli("--no-cache", "--format", "json", *args, ".", cwd=tmp_path)
    assert completed.returncode in (0, 1), completed.stderr
    return {row["code"] for row in json.loads(completed.stdout)}


@pytest.mark.parametrize("config, args, expected", [
    # --ignore replaces the config's ignore; --extend-ignore adds to it
    ("ignore: [NIL102]\n", ("--ignore", "NIL401"), {"NIL101", "NIL102"}),
    ("ignore: [NIL102]\n", ("--extend-ignore", "NIL401"), {"NIL101"}),
    # --select replaces the config's select; --extend-select adds to it
    ("select: [NIL1]\n", ("--select", "NIL401"), {"NIL401"}),
    ("select: [NIL1]\n", ("--extend-select", "NIL401"), {"NIL101", "NIL102", "NIL401"}),
    # no select means every rule, and still does once extended; the longer code outweighs the ignored prefix
    ("ignore: [NIL1]\n", ("--extend-select", "NIL101"), {"NIL101", "NIL401"}),
    # they extend the command line's own --select / --ignore too
    (None, ("--select", "NIL1", "--extend-select", "NIL4"), {"NIL101", "NIL102", "NIL401"}),
    (None, ("--ignore", "NIL101", "--extend-ignore", "NIL102"), {"NIL401"}),
])
def test_extend_select_and_extend_ignore(tmp_path, config, args, expected):
    assert selected(tmp_path, config, *args) == expected


def test_show_config_shows_the_extended_selection(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".netra-isolation.yaml").write_text("select: [NIL1]\nignore: [NIL104]\n", encoding="utf-8")
    lines, data = show_config("--extend-select", "NIL4", "--extend-ignore", "NIL103", cwd=tmp_path)
    assert data["select"] == ["NIL1", "NIL4"] and data["ignore"] == ["NIL104", "NIL103"]
    assert "# select/ignore include command-line overrides" in lines


@pytest.mark.parametrize("option", ["--extend-select", "--extend-ignore"])
def test_extend_options_reject_unknown_and_malformed_codes(tmp_path, option):
    small_project(tmp_path, {})
    completed = run_cli(option, "NIL999", ".", cwd=tmp_path)
    assert completed.returncode == 2 and completed.stdout == ""
    (line,) = stderr_lines(completed)
    assert line.startswith(f"netra-isolation-lint: error: {option}: unknown rule code 'NIL999'")
    completed = run_cli(option, "E501", ".", cwd=tmp_path)
    assert completed.returncode == 2 and "is not a rule code or prefix" in completed.stderr


# -- --list-rules ---------------------------------------------------------------------------------
def test_list_rules_json(tmp_path):
    completed = run_cli("--list-rules", "--format", "json", cwd=tmp_path)
    assert completed.returncode == 0 and completed.stderr == ""
    front_ends = {"all": ["cli", "flake8", "pylint"], "cli": ["cli"]}
    assert json.loads(completed.stdout) == [
        {"code": r.code, "name": r.slug, "severity": r.severity, "front_ends": front_ends[r.front_ends],
         "summary": r.summary} for r in RULES.values()]


def test_list_rules_text_is_an_aligned_table(tmp_path):
    completed = run_cli("--list-rules", cwd=tmp_path)
    assert completed.returncode == 0 and completed.stderr == ""
    header, *rows = completed.stdout.splitlines()
    assert header.split() == ["CODE", "NAME", "SEVERITY", "FRONT", "ENDS", "SUMMARY"]
    starts = [header.index(title) for title in ("NAME", "SEVERITY", "FRONT ENDS", "SUMMARY")]
    assert len(rows) == len(RULES)
    for row, rule in zip(rows, RULES.values()):
        cells = [row[:starts[0]], *(row[a:b] for a, b in zip(starts, starts[1:])), row[starts[-1]:]]
        assert [cell.rstrip() for cell in cells] == [
            rule.code, rule.slug, rule.severity, "cli" if rule.front_ends == "cli" else "cli,flake8,pylint",
            rule.summary]
        assert all(cell.endswith("  ") for cell in cells[:-1])


def test_list_rules_needs_no_config_and_takes_only_text_or_json(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".netra-isolation.yaml").write_text("bogus_key: 1\n", encoding="utf-8")
    assert run_cli("--list-rules", cwd=tmp_path).returncode == 0
    completed = run_cli("--list-rules", "--format", "sarif", cwd=tmp_path)
    assert completed.returncode == 2 and completed.stdout == ""
    assert "--list-rules prints text or json, not --format sarif" in completed.stderr


# -- pre-commit hooks and the CI documentation ----------------------------------------------------
def test_pre_commit_hooks():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {hook["id"]: hook for hook in hooks}
    native = by_id["netra-isolation-lint"]
    assert native["entry"] == "netra-isolation-lint"
    assert native["language"] == "python"
    assert native["types"] == ["python"]
    assert native["require_serial"] is True
    flake8 = by_id["netra-isolation-lint-flake8"]
    assert flake8["entry"] == "flake8"
    assert flake8["args"] == ["--select=NIL,E999"]  # E999: a file flake8 cannot parse fails the hook
    assert flake8["language"] == "python" and flake8["types"] == ["python"]
    assert any(dep.startswith("flake8") for dep in flake8["additional_dependencies"])
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)


def yaml_blocks(path: Path) -> list[object]:
    text = path.read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M)]


def cli_invocations(commands: list[str]) -> list[str]:
    return [c for c in commands if "netra-isolation-lint " in c and "pip install" not in c]


def formats_in(command: str) -> list[str]:
    return re.findall(r"--format[ =](\w+)", command)


def test_ci_doc_yaml_snippets_parse_and_invoke_the_cli_correctly():
    from netra_isolation_lint.cli import FORMAT_CHOICES

    blocks = yaml_blocks(ROOT / "docs" / "ci.md")
    assert len(blocks) >= 6
    kinds = {"github": 0, "gitlab": 0, "pre-commit": 0}
    for block in blocks:
        assert isinstance(block, dict), block
        if "jobs" in block:  # GitHub Actions workflow
            kinds["github"] += 1
            assert "on" in block or True in block  # YAML 1.1 reads a bare `on` key as True
            commands, uses = [], []
            for job in block["jobs"].values():
                assert job["runs-on"]
                assert isinstance(job["steps"], list) and job["steps"]
                for step in job["steps"]:
                    assert "run" in step or "uses" in step, step
                    commands.extend([step["run"]] if "run" in step else [])
                    uses.extend([step["uses"]] if "uses" in step else [])
            invocations = cli_invocations(commands)
            assert invocations, block
            for command in invocations:
                assert all(f in FORMAT_CHOICES for f in formats_in(command)), command
            if any(u.startswith("github/codeql-action/upload-sarif") for u in uses):
                (sarif_step,) = [c for c in invocations if "sarif" in formats_in(c)]
                assert "--output isolation.sarif" in sarif_step
                upload = [s for j in block["jobs"].values() for s in j["steps"]
                          if s.get("uses", "").startswith("github/codeql-action/upload-sarif")][0]
                assert upload["with"]["sarif_file"] == "isolation.sarif"
                assert any(j.get("permissions", {}).get("security-events") == "write" for j in block["jobs"].values())
            if any("reviewdog" in c for c in commands):
                assert any("rdjson" in formats_in(c) for c in invocations)
        elif "repos" in block:  # pre-commit configuration
            kinds["pre-commit"] += 1
            hook_ids = {hook["id"] for repo in block["repos"] for hook in repo["hooks"]}
            assert hook_ids <= {"netra-isolation-lint", "netra-isolation-lint-flake8"}
            for repo in block["repos"]:
                assert repo["repo"] == "<REPOSITORY-URL>" and repo["rev"] == "<COMMIT-SHA>"  # no release exists to name
        else:  # GitLab CI jobs
            kinds["gitlab"] += 1
            for job in block.values():
                assert isinstance(job["script"], list)
                invocations = cli_invocations(job["script"])
                assert invocations
                for command in invocations:
                    assert formats_in(command) == ["gitlab"]
                    assert "--output gl-code-quality-report.json" in command
                assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert kinds["github"] >= 2 and kinds["gitlab"] >= 1 and kinds["pre-commit"] >= 2
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert "10 annotations of each type" in text
    assert "pass_filenames: false" in text


def test_baseline_doc_yaml_and_commands():
    text = (ROOT / "docs" / "baseline.md").read_text(encoding="utf-8")
    assert "--write-baseline" in text and "--baseline" in text
    assert "fixed" in text
