"""--write-baseline / --baseline: gradual adoption with line-independent fingerprints."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from ci_support import EXPECTED, FIXTURE, ROOT, copy_fixture, found, lint_json, small_project, stderr_lines
from conftest import run_cli

from netra_isolation_lint import __version__

# Corpora the baseline round trip runs on, each as a temporary copy.
# LEAD: "examples" is the project's example tree; retarget or add corpora here (the key is the test id).
CORPORA = {
    "ci-fixture": FIXTURE,
    "examples": ROOT / "examples",
}
BASELINE = "isolation-baseline.json"
REPORT_AGENT = "agents/report_agent.py"


def corpus_copy(tmp_path: Path, name: str) -> Path:
    source = CORPORA[name]
    if not source.is_dir() or not any(source.rglob("*.py")):
        pytest.skip(f"corpus {name} not present yet")
    return copy_fixture(tmp_path, source=source)


def write_baseline(project: Path, *args: str) -> dict:
    completed = run_cli("--write-baseline", BASELINE, *args, ".", cwd=project)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == ""
    assert "baseline: wrote" in completed.stderr
    return json.loads((project / BASELINE).read_text(encoding="utf-8"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_baseline_round_trip_on_corpus(tmp_path, corpus):
    project = corpus_copy(tmp_path, corpus)
    before, rows = lint_json(".", cwd=project)
    assert before.returncode == 1 and rows, "the corpus must have findings"
    document = write_baseline(project)
    assert sum(e["count"] for e in document["entries"]) == len(rows)
    after = run_cli("--baseline", BASELINE, ".", cwd=project)
    assert after.returncode == 0, after.stdout + after.stderr
    assert after.stdout == ""
    assert stderr_lines(after) == [f"netra-isolation-lint: baseline: 0 new findings, {len(rows)} matched the "
                                   "baseline, 0 fixed"]


def test_baseline_file_shape(tmp_path):
    project = copy_fixture(tmp_path)
    document = write_baseline(project)
    assert document["version"] == 1
    assert document["tool"] == "netra-isolation-lint"
    assert document["tool_version"] == __version__
    entries = document["entries"]
    for entry in entries:
        assert set(entry) == {"code", "path", "scope", "fingerprint", "message", "count"}
        assert entry["count"] == 1
        assert len(entry["fingerprint"]) == 64
    assert sorted((e["path"], e["code"]) for e in entries) == sorted((p, c) for p, _, c in EXPECTED)
    scopes = {(e["code"], e["scope"]) for e in entries if e["path"] == REPORT_AGENT}
    assert scopes == {
        ("NIL102", "<module>"),
        ("NIL201", "QuarterlyReportAgent.__init__"),
        ("NIL101", "QuarterlyReportAgent._send_update"),
        ("NIL103", "QuarterlyReportAgent._send_update"),
        ("NIL101", "QuarterlyReportAgent._report_progress"),
        ("NIL103", "QuarterlyReportAgent._report_progress"),
        ("NIL101", "announce_completion"),
        ("NIL103", "announce_completion"),
    }
    assert [(e["path"], e["code"], e["scope"]) for e in entries] == sorted(
        (e["path"], e["code"], e["scope"]) for e in entries)


def test_write_baseline_is_deterministic(tmp_path):
    project = copy_fixture(tmp_path)
    write_baseline(project)
    first = (project / BASELINE).read_bytes()
    write_baseline(project)
    assert (project / BASELINE).read_bytes() == first


def test_one_new_violation_fails_and_is_the_only_one_reported(tmp_path):
    project = copy_fixture(tmp_path)
    write_baseline(project)
    with (project / REPORT_AGENT).open("a", encoding="utf-8") as handle:
        handle.write("\n\nasync def late_hook(run_id):\n    get_agent_websocket_bridge()\n")
    completed, rows = lint_json("--baseline", BASELINE, ".", cwd=project)
    assert completed.returncode == 1
    assert found(rows) == [(REPORT_AGENT, 28, "NIL101")]
    assert "1 new finding," in completed.stderr


def test_lines_inserted_above_and_reindented_code_report_nothing_new(tmp_path):
    project = copy_fixture(tmp_path)
    write_baseline(project)
    agent = project / REPORT_AGENT
    edit(agent, '"""CI fixture', '# a header\n\nimport logging\n\nLOG = logging.getLogger(__name__)\n"""CI fixture')
    edit(agent, "    async def _send_update", "    retries = 3\n\n    async def _send_update")
    edit(agent, "        bridge = get_agent_websocket_bridge()\n        await",
         "        bridge  =  get_agent_websocket_bridge()\n\n\n        await")
    completed, rows = lint_json(".", cwd=project)
    assert len(rows) == len(EXPECTED)
    moved = [(p, line, c) for p, line, c in found(rows) if p == REPORT_AGENT]
    assert all(line > original for (_, line, _), (_, original, _) in zip(moved, sorted(EXPECTED)[:8]))
    completed = run_cli("--baseline", BASELINE, ".", cwd=project)
    assert completed.returncode == 0, completed.stdout
    assert completed.stdout == ""
    assert "0 fixed" in completed.stderr


def test_removed_violation_is_reported_as_fixed(tmp_path):
    project = copy_fixture(tmp_path)
    write_baseline(project)
    edit(project / REPORT_AGENT, '    bridge.notify_agent_completed(run_id, "QuarterlyReportAgent", summary)\n',
         "    return summary\n")
    completed = run_cli("--baseline", BASELINE, ".", cwd=project)
    assert completed.returncode == 0
    assert completed.stdout == ""
    lines = stderr_lines(completed)
    assert lines[0] == f"netra-isolation-lint: baseline: fixed: {REPORT_AGENT}: NIL103 in announce_completion"
    assert lines[1].startswith("netra-isolation-lint: baseline: 0 new findings, 9 matched the baseline, 1 fixed")
    assert f"--write-baseline {BASELINE}" in lines[1]
    assert len(lines) == 2
    # Shrinking: regenerate, and the entry is gone.
    document = write_baseline(project)
    assert len(document["entries"]) == len(EXPECTED) - 1


def test_edited_line_is_new_and_its_old_entry_fixed(tmp_path):
    project = copy_fixture(tmp_path)
    write_baseline(project)
    edit(project / REPORT_AGENT, 'bridge.notify_agent_completed(run_id, "QuarterlyReportAgent", summary)',
         'bridge.notify_agent_completed(run_id, "QuarterlyReportAgent", summary, final=True)')
    completed, rows = lint_json("--baseline", BASELINE, ".", cwd=project)
    assert completed.returncode == 1
    assert found(rows) == [(REPORT_AGENT, 24, "NIL103")]
    assert "fixed: agents/report_agent.py: NIL103 in announce_completion" in completed.stderr


MULTI = """from netra_backend.app.services.agent_websocket_bridge import get_agent_websocket_bridge


def fan_out(run_id):
    get_agent_websocket_bridge()
    get_agent_websocket_bridge()
"""


def test_duplicates_are_a_multiset(tmp_path):
    small_project(tmp_path, {"multi.py": MULTI})
    module = tmp_path / "multi.py"
    document = write_baseline(tmp_path)
    (entry,) = [e for e in document["entries"] if e["code"] == "NIL101"]
    assert entry["count"] == 2 and entry["scope"] == "fan_out"
    assert run_cli("--baseline", BASELINE, ".", cwd=tmp_path).returncode == 0
    module.write_text(MULTI + "    get_agent_websocket_bridge()\n", encoding="utf-8")
    completed, rows = lint_json("--baseline", BASELINE, ".", cwd=tmp_path)
    assert completed.returncode == 1
    assert found(rows) == [("multi.py", 7, "NIL101")]
    module.write_text(MULTI.rsplit("    get_agent", 1)[0], encoding="utf-8")
    completed = run_cli("--baseline", BASELINE, ".", cwd=tmp_path)
    assert completed.returncode == 0
    assert "fixed: multi.py: NIL101 in fan_out" in completed.stderr
    assert "1 fixed" in completed.stderr


def test_partial_runs_and_deselected_codes_report_no_false_fixes(tmp_path):
    project = copy_fixture(tmp_path)
    write_baseline(project)
    only_services = run_cli("--baseline", BASELINE, "services", cwd=project)
    assert only_services.returncode == 0
    assert "fixed:" not in only_services.stderr
    assert "0 fixed" in only_services.stderr
    ignoring = run_cli("--baseline", BASELINE, "--ignore", "NIL103", ".", cwd=project)
    assert ignoring.returncode == 0
    assert "fixed:" not in ignoring.stderr
    (project / ".netra-isolation.yaml").write_text("per_path_ignores:\n  agents: [NIL1]\n", encoding="utf-8")
    per_path = run_cli("--baseline", BASELINE, ".", cwd=project)
    assert per_path.returncode == 0
    assert "fixed:" not in per_path.stderr


def test_baseline_with_machine_formats(tmp_path):
    project = copy_fixture(tmp_path)
    write_baseline(project)
    completed = run_cli("--baseline", BASELINE, "--format", "sarif", ".", cwd=project)
    assert completed.returncode == 0
    assert json.loads(completed.stdout)["runs"][0]["results"] == []


@pytest.mark.parametrize("content", [
    None,  # missing
    b"{",
    b"[]",
    b'{"entries": "nope", "version": 1}',
    b'{"version": 2, "entries": []}',
    b'{"version": 1, "entries": [{"code": "NIL101"}]}',
    b'{"version": 1, "entries": [{"code": "NIL101", "path": "a.py", "scope": "<module>", '
    b'"fingerprint": "ab", "message": "m", "count": 0}]}',
    b"\xff\xfe\x00garbage",
    "directory",
], ids=["missing", "truncated", "list", "entries-not-list", "version", "entry-fields", "count", "not-utf8",
        "directory"])
def test_unusable_baseline_is_a_one_line_error(tmp_path, content):
    project = copy_fixture(tmp_path)
    target = project / BASELINE
    if content == "directory":
        target.mkdir()
    elif content is not None:
        target.write_bytes(content)
    completed = run_cli("--baseline", BASELINE, ".", cwd=project)
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = stderr_lines(completed)
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"netra-isolation-lint: error: {BASELINE}")
    assert "Traceback" not in completed.stderr


def test_unwritable_baseline_is_a_one_line_error(tmp_path):
    project = copy_fixture(tmp_path)
    completed = run_cli("--write-baseline", "no/such/dir/b.json", ".", cwd=project)
    assert completed.returncode == 2
    assert len(stderr_lines(completed)) == 1
    assert stderr_lines(completed)[0].startswith("netra-isolation-lint: error: no/such/dir/b.json: cannot write")


def test_baseline_and_write_baseline_are_exclusive(tmp_path):
    project = copy_fixture(tmp_path)
    completed = run_cli("--baseline", "a.json", "--write-baseline", "b.json", ".", cwd=project)
    assert completed.returncode == 2
    assert "not allowed with argument" in completed.stderr


def test_whole_project_findings_are_told_apart_by_their_message(tmp_path):
    project = copy_fixture(tmp_path)
    runner = project / "services/tool_runner.py"
    edit(runner, "        await emitter.emit_agent_started(agent_name)\n", "")
    edit(runner, "        await emitter.emit_agent_thinking(agent_name, \"planning\")\n", "")
    document = write_baseline(project)
    never_emitted = [e for e in document["entries"] if e["code"] == "NIL403"]
    assert len(never_emitted) == 2 and all(e["count"] == 1 for e in never_emitted)
    assert len({e["fingerprint"] for e in never_emitted}) == 2
    assert run_cli("--baseline", BASELINE, ".", cwd=project).returncode == 0
    edit(runner, "        await emitter.emit_agent_completed(agent_name, {\"ok\": True})\n",
         "        await emitter.emit_agent_started(agent_name)\n")
    completed, rows = lint_json("--baseline", BASELINE, ".", cwd=project)
    assert completed.returncode == 1
    assert [(r["code"], "'agent_completed'" in r["message"]) for r in rows] == [("NIL403", True)]
    assert "1 fixed" in completed.stderr and ": NIL403 in <module>" in completed.stderr


def test_project_findings_anchored_to_the_first_file_of_the_tree(tmp_path):
    small_project(tmp_path, {"a.py": "async def f(emitter):\n    await emitter.emit_agent_started({})\n",
                             "b.py": "import sys\n"})
    (tmp_path / "emits_every_event.py").unlink()
    completed = run_cli("--write-baseline", BASELINE, ".", cwd=tmp_path)
    assert completed.returncode == 0
    entries = json.loads((tmp_path / BASELINE).read_text(encoding="utf-8"))["entries"]
    assert [(e["code"], e["path"], e["count"]) for e in entries] == [("NIL403", "a.py", 1)] * 4
    assert len({e["fingerprint"] for e in entries}) == 4
    shown = run_cli("--show-source", ".", cwd=tmp_path)
    assert "NIL403" in shown.stdout and "async def f" not in shown.stdout


# -- in-process units -----------------------------------------------------------------------------
def test_internal_errors_are_never_baselined(tmp_path):
    from netra_isolation_lint.baseline import apply, entries_for
    from netra_isolation_lint.fingerprint import SourceIndex
    from netra_isolation_lint.runner import Report, Result

    path = tmp_path / "m.py"
    path.write_text("x = 1\n", encoding="utf-8")
    results = [Result(str(path), 1, 0, "NIL901", "internal error"), Result(str(path), 1, 0, "NIL101", "call")]
    report = Report(results=results, files=1)
    index = SourceIndex(report, cwd=str(tmp_path))
    entries = entries_for(results, index)
    assert [e.code for e in entries] == ["NIL101"]
    outcome = apply(results, entries, index, lambda entry: True)
    assert [r.code for r in outcome.new] == ["NIL901"]
    assert outcome.fixed == []


def test_scope_finder_is_iterative_and_exact():
    import ast

    from netra_isolation_lint.fingerprint import MODULE_SCOPE, innermost, scope_spans

    depth = 60
    lines = [f"{'    ' * i}def level{i}():" for i in range(depth)] + [f"{'    ' * depth}return 1"]
    source = "\n".join(lines) + "\n"
    spans = scope_spans(ast.parse(source))
    assert innermost(spans, depth + 1) == ".".join(f"level{i}" for i in range(depth))
    source = (
        "import x\n"                      # 1
        "@decorate(get())\n"              # 2
        "class Agent(Base):\n"            # 3
        "    attr = 1\n"                  # 4
        "    if flag:\n"                  # 5
        "        async def run(self):\n"  # 6
        "            try:\n"              # 7
        "                pass\n"          # 8
        "            except E:\n"         # 9
        "                def inner():\n"  # 10
        "                    return 2\n"  # 11
        "    def other(self): return 3\n"  # 12
        "y = 2\n"                         # 13
    )
    spans = scope_spans(ast.parse(source))
    expected = {1: MODULE_SCOPE, 2: MODULE_SCOPE, 3: "Agent", 4: "Agent", 6: "Agent.run", 8: "Agent.run",
                11: "Agent.run.inner", 12: "Agent.other", 13: MODULE_SCOPE}
    assert {line: innermost(spans, line) for line in expected} == expected


def test_scope_of_unparseable_or_unreadable_files_is_module(tmp_path):
    from netra_isolation_lint.fingerprint import SourceIndex
    from netra_isolation_lint.runner import Report, Result

    deep = tmp_path / "deep.py"
    deep.write_text("def f():\n    return " + "(" * 5000 + ")" * 5000 + "\n", encoding="utf-8")
    gone = tmp_path / "gone.py"
    results = [Result(str(deep), 2, 4, "NIL101", "m"), Result(str(gone), 1, 0, "NIL101", "m")]
    index = SourceIndex(Report(results=results, files=2), cwd=str(tmp_path))
    assert index.scope(results[0]) == "<module>"
    assert index.scope(results[1]) == "<module>"
    assert len(index.fingerprint(results[1])) == 64


def test_each_file_is_read_once_and_refused_files_never(tmp_path, monkeypatch):
    from netra_isolation_lint import fingerprint
    from netra_isolation_lint.runner import Report, Result

    module = tmp_path / "m.py"
    module.write_text("def f():\n    a()\n    b()\n", encoding="utf-8")
    refused = tmp_path / "refused.py"
    refused.write_text("SECRET\n", encoding="utf-8")
    reads = []
    real = fingerprint.read_source

    def counting(source, max_bytes):
        reads.append(source.path)
        return real(source, max_bytes)

    monkeypatch.setattr(fingerprint, "read_source", counting)
    results = [Result(str(module), 2, 4, "NIL101", "m"), Result(str(module), 3, 4, "NIL101", "m"),
               Result(str(refused), 1, 0, "NIL902", "skipped")]
    index = fingerprint.SourceIndex(Report(results=results, files=2), cwd=str(tmp_path))
    for result in results:
        index.fingerprint(result)
        index.scope(result)
        index.column(result)
        index.source_line(result)
    assert reads == [str(module)]
    assert index.scope(results[0]) == "f"


def test_fingerprint_ignores_line_numbers_and_whitespace():
    from netra_isolation_lint.fingerprint import compute, normalise

    assert normalise("   bridge  =\tget() ") == "bridge = get()"
    assert compute("NIL101", "a.py", "f", "x") == compute("NIL101", "a.py", "f", "x")
    assert len({compute("NIL101", "a.py", "f", "x"), compute("NIL102", "a.py", "f", "x"),
                compute("NIL101", "b.py", "f", "x"), compute("NIL101", "a.py", "g", "x"),
                compute("NIL101", "a.py", "f", "y")}) == 5


def test_paths_in_the_baseline_are_relative_posix(tmp_path):
    project = copy_fixture(tmp_path)
    document = write_baseline(project)
    for entry in document["entries"]:
        assert not os.path.isabs(entry["path"]) and "\\" not in entry["path"] and not entry["path"].startswith(".")
