"""Every report format on the CI fixture corpus: shape, mappings, escaping, SARIF schema validity."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from ci_support import (
    EXPECTED, NON_ASCII_BYTE_COL0, NON_ASCII_CHAR_COL0, NON_ASCII_LINE, SCHEMA, VIOLATION_IMPORT, copy_fixture,
    found, normpath, small_project,
)
from conftest import run_cli

from netra_isolation_lint import __version__
from netra_isolation_lint.registry import RULES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


def run_format(fmt: str, *args: str, cwd) -> tuple[int, str, str]:
    completed = run_cli("--format", fmt, *args, cwd=cwd)
    return completed.returncode, completed.stdout, completed.stderr


def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def assert_valid_sarif(document: dict) -> None:
    errors = sorted(sarif_validator().iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message[:300]}" for e in errors[:10])


# -- text and json (unchanged behaviour) -----------------------------------------------------------
def test_text_format_lists_every_fixture_finding(project):
    code, out, err = run_format("text", ".", cwd=project)
    assert code == 1, err
    rows = [re.match(r"^(.+?):(\d+):(\d+): (NIL\d{3}) ", line) for line in out.splitlines()]
    assert all(rows), out
    assert sorted((normpath(m[1]), int(m[2]), m[4]) for m in rows) == sorted(EXPECTED)
    # Text columns stay flake8's: UTF-8 byte offset + 1.
    assert f"report_agent.py:{NON_ASCII_LINE}:{NON_ASCII_BYTE_COL0 + 1}: NIL101" in out


def test_json_format_keeps_its_shape(project):
    code, out, _ = run_format("json", ".", cwd=project)
    rows = json.loads(out)
    assert code == 1
    assert found(rows) == sorted(EXPECTED)
    for row in rows:
        assert set(row) == {"path", "line", "col", "code", "message", "severity", "symbol"}
        assert row["severity"] == RULES[row["code"]].severity
        assert row["symbol"] == RULES[row["code"]].slug


def test_format_choices_match_the_formats_table():
    from netra_isolation_lint.cli import FORMAT_CHOICES
    from netra_isolation_lint.formats import FORMATS

    assert tuple(sorted(FORMATS)) == FORMAT_CHOICES


# -- SARIF ----------------------------------------------------------------------------------------
def test_sarif_validates_against_the_official_schema(project):
    code, out, err = run_format("sarif", ".", cwd=project)
    assert code == 1, err
    document = json.loads(out)
    assert_valid_sarif(document)
    assert document["version"] == "2.1.0"
    assert document["$schema"] == json.loads(SCHEMA.read_text(encoding="utf-8"))["$id"]
    assert len(document["runs"]) == 1


def test_sarif_driver_carries_every_rule_with_its_documentation(project):
    document = json.loads(run_format("sarif", ".", cwd=project)[1])
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "netra-isolation-lint"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert [rule["id"] for rule in driver["rules"]] == list(RULES)
    for descriptor in driver["rules"]:
        rule = RULES[descriptor["id"]]
        page = rule.doc_page()
        assert descriptor["name"] == rule.slug
        assert descriptor["shortDescription"] == {"text": rule.summary}
        assert descriptor["fullDescription"]["text"] == page
        assert descriptor["help"] == {"text": page, "markdown": page}
        assert descriptor["helpUri"] == rule.help_uri
        assert descriptor["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning"}[rule.severity]


def test_sarif_results(project):
    document = json.loads(run_format("sarif", ".", cwd=project)[1])
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(EXPECTED)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    seen = []
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "warning"
        assert set(result["message"]) == {"text"}, "message must be text only, never markdown"
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        artifact = physical["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert not artifact["uri"].startswith(("/", "file:", "./"))
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        fingerprints = result["partialFingerprints"]
        assert re.fullmatch(r"[0-9a-f]{64}", fingerprints["netraIsolation/v1"])
        seen.append((unquote(artifact["uri"]), region["startLine"], result["ruleId"]))
    assert sorted(seen) == sorted(EXPECTED)


def test_sarif_columns_are_characters_not_bytes(project):
    document = json.loads(run_format("sarif", ".", cwd=project)[1])
    (result,) = [r for r in document["runs"][0]["results"]
                 if r["locations"][0]["physicalLocation"]["region"]["startLine"] == NON_ASCII_LINE]
    assert result["locations"][0]["physicalLocation"]["region"]["startColumn"] == NON_ASCII_CHAR_COL0 + 1
    assert document["runs"][0]["columnKind"] == "unicodeCodePoints"


WEIRD_NAMES = ["legacy handlers/notify progress.py", "odd/per%cent#hash?q.py", "üñí/cödé.py", "a;b/c=d&e.py"]


def test_sarif_uris_are_percent_encoded_per_segment(tmp_path):
    project = small_project(tmp_path / "p", {name: VIOLATION_IMPORT for name in WEIRD_NAMES})
    code, out, err = run_format("sarif", ".", cwd=project)
    assert code == 1, err
    document = json.loads(out)
    assert_valid_sarif(document)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]]
    assert sorted(unquote(u) for u in uris) == sorted(WEIRD_NAMES)
    for uri in uris:
        assert re.fullmatch(r"[A-Za-z0-9._~%/-]+", uri), uri
        split = urlsplit(uri)
        assert (split.scheme, split.netloc, split.query, split.fragment) == ("", "", "", "")
        assert uri == "/".join(quote(unquote(segment), safe="") for segment in uri.split("/"))


def test_sarif_for_a_clean_tree_is_valid_and_empty(tmp_path):
    small_project(tmp_path, {"clean.py": "x = 1\n"})
    code, out, _ = run_format("sarif", ".", cwd=tmp_path)
    assert code == 0
    document = json.loads(out)
    assert_valid_sarif(document)
    assert document["runs"][0]["results"] == []


def test_error_severity_maps_in_every_format(tmp_path):
    small_project(tmp_path, {"broken.py": "def broken(:\n    get_agent_websocket_bridge()\n"})  # NIL900: an error
    sarif = json.loads(run_format("sarif", ".", cwd=tmp_path)[1])
    assert_valid_sarif(sarif)
    assert [r["level"] for r in sarif["runs"][0]["results"]] == ["error"]
    assert run_format("github", ".", cwd=tmp_path)[1].startswith("::error ")
    assert [i["severity"] for i in json.loads(run_format("gitlab", ".", cwd=tmp_path)[1])] == ["critical"]
    rd = json.loads(run_format("rdjson", ".", cwd=tmp_path)[1])
    assert [d["severity"] for d in rd["diagnostics"]] == ["ERROR"]
    assert rd["severity"] == "ERROR"


def test_whole_project_findings_in_sarif(tmp_path):
    project = copy_fixture(tmp_path)
    path = project / "services" / "tool_runner.py"
    path.write_text(path.read_text(encoding="utf-8").replace("emit_agent_started", "emit_agent_begun"),
                    encoding="utf-8")
    for config in (None, ".netra-isolation.yaml"):
        if config:
            (project / config).write_text("custom_events: []\n", encoding="utf-8")
        document = json.loads(run_format("sarif", ".", cwd=project)[1])
        assert_valid_sarif(document)
        (result,) = [r for r in document["runs"][0]["results"] if r["ruleId"] == "NIL403"]
        location = result["locations"][0]["physicalLocation"]
        # anchored at the config file, else at the first file checked: always a file, never a directory
        assert location["artifactLocation"]["uri"] == (config or "agents/report_agent.py")
        assert location["region"] == {"startLine": 1, "startColumn": 1}


# -- GitHub workflow commands ---------------------------------------------------------------------
COMMAND = re.compile(r"^::(error|warning|notice) file=([^,:]*),line=(\d+),col=(\d+),title=([^,:]*)::(.*)$")


def test_github_annotations(project):
    code, out, err = run_format("github", ".", cwd=project)
    assert code == 1, err
    lines = out.splitlines()
    assert len(lines) == len(EXPECTED)
    parsed = [COMMAND.match(line) for line in lines]
    assert all(parsed), out
    assert sorted((m[2], int(m[3]), m[5]) for m in parsed) == sorted(EXPECTED)
    assert {m[1] for m in parsed} == {"warning"}
    (non_ascii,) = [m for m in parsed if int(m[3]) == NON_ASCII_LINE]
    assert int(non_ascii[4]) == NON_ASCII_CHAR_COL0 + 1


@pytest.mark.skipif(sys.platform == "win32", reason="newlines and colons in file names")
def test_github_escaping_blocks_command_injection(tmp_path):
    name = "x\n::error file=evil.py::pwned,a:b%c.py"
    project = small_project(tmp_path / "p", {
        name: VIOLATION_IMPORT,
        "events.py": "async def f(emitter):\n    await emitter.emit_custom_event('50%\\r\\n::warning::x')\n",
    })
    code, out, err = run_format("github", ".", cwd=project)
    assert code == 1, err
    lines = out.splitlines()
    assert len(lines) == 2, out  # one per finding: nothing was injected
    for line in lines:
        assert COMMAND.match(line), line
    (evil,) = [line for line in lines if "NIL102" in line]
    assert "file=x%0A%3A%3Aerror file=evil.py%3A%3Apwned%2Ca%3Ab%25c.py," in evil
    (event,) = [line for line in lines if "NIL402" in line]
    assert "50%25" in event


def test_github_says_when_annotations_exceed_the_cap(tmp_path):
    files = {f"m{number:02}.py": VIOLATION_IMPORT for number in range(11)}
    project = small_project(tmp_path, files)
    lines = run_format("github", ".", cwd=project)[1].splitlines()
    assert len(lines) == 12
    assert all(COMMAND.match(line) for line in lines[:11])
    assert lines[11].startswith("::notice title=netra-isolation-lint::11 warnings reported; GitHub shows only")
    (project / "m10.py").unlink()
    assert "::notice" not in run_format("github", ".", cwd=project)[1]


def test_github_escape_functions_follow_actions_toolkit():
    from netra_isolation_lint.formats import GITHUB_COMMAND, escape_data, escape_property

    assert escape_data("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e"
    assert escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"
    assert escape_data("\x1b[2Kbell\x07") == "\\x1b[2Kbell\\x07"
    assert GITHUB_COMMAND == {"error": "error", "warning": "warning", "info": "notice"}


# -- GitLab Code Quality --------------------------------------------------------------------------
def test_gitlab_code_quality(project):
    code, out, err = run_format("gitlab", ".", cwd=project)
    assert code == 1, err
    issues = json.loads(out)
    assert len(issues) == len(EXPECTED)
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["check_name"] in RULES
        assert issue["description"].startswith(issue["check_name"] + " ")
        assert issue["severity"] == "major"
        assert set(issue["location"]) == {"path", "lines"}
        assert issue["location"]["lines"]["begin"] >= 1
    assert sorted((i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"]) for i in issues) \
        == sorted(EXPECTED)
    assert len({i["fingerprint"] for i in issues}) == len(issues)


DUPLICATES = VIOLATION_IMPORT + """

def twice(run_id):
    bridge = get_agent_websocket_bridge()
    bridge = get_agent_websocket_bridge()
    return bridge
"""


def test_gitlab_fingerprints_are_unique_for_identical_findings(tmp_path):
    small_project(tmp_path, {"dup.py": DUPLICATES})
    issues = json.loads(run_format("gitlab", ".", cwd=tmp_path)[1])
    calls = [i for i in issues if i["check_name"] == "NIL101"]
    assert len(calls) == 2
    assert calls[0]["fingerprint"] != calls[1]["fingerprint"]
    # The first occurrence keeps the baseline's fingerprint; SARIF uses the same salting.
    assert run_cli("--write-baseline", "b.json", ".", cwd=tmp_path).returncode == 0
    entries = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["entries"]
    (entry,) = [e for e in entries if e["code"] == "NIL101"]
    assert entry["count"] == 2
    assert calls[0]["fingerprint"] == entry["fingerprint"]
    sarif = json.loads(run_format("sarif", ".", cwd=tmp_path)[1])
    sarif_fps = [r["partialFingerprints"]["netraIsolation/v1"] for r in sarif["runs"][0]["results"]
                 if r["ruleId"] == "NIL101"]
    assert sarif_fps == [c["fingerprint"] for c in calls]


def test_gitlab_and_sarif_fingerprints_equal_the_baseline_ones(project):
    assert run_cli("--write-baseline", "baseline.json", ".", cwd=project).returncode == 0
    baseline = {e["fingerprint"] for e in json.loads((project / "baseline.json").read_text())["entries"]}
    gitlab = {i["fingerprint"] for i in json.loads(run_format("gitlab", ".", cwd=project)[1])}
    sarif = json.loads(run_format("sarif", ".", cwd=project)[1])
    partial = {r["partialFingerprints"]["netraIsolation/v1"] for r in sarif["runs"][0]["results"]}
    assert baseline == gitlab == partial


def test_fingerprints_do_not_depend_on_where_the_checkout_lives(tmp_path):
    first = copy_fixture(tmp_path, "first")
    second = copy_fixture(tmp_path / "deeper" / "still", "second")
    one = json.loads(run_format("gitlab", ".", cwd=first)[1])
    two = json.loads(run_format("gitlab", ".", cwd=second)[1])
    assert [i["fingerprint"] for i in one] == [i["fingerprint"] for i in two]


# -- reviewdog rdjson -----------------------------------------------------------------------------
def test_rdjson(project):
    code, out, err = run_format("rdjson", ".", cwd=project)
    assert code == 1, err
    document = json.loads(out)
    assert document["source"]["name"] == "netra-isolation-lint"
    assert document["source"]["url"].startswith("https://")
    assert document["severity"] == "WARNING"
    diagnostics = document["diagnostics"]
    assert len(diagnostics) == len(EXPECTED)
    for diagnostic in diagnostics:
        assert set(diagnostic) - {"suggestions"} == {"message", "location", "severity", "code"}  # a fix: suggestions
        assert diagnostic["severity"] == "WARNING"
        assert diagnostic["code"] == {"value": diagnostic["code"]["value"],
                                      "url": RULES[diagnostic["code"]["value"]].help_uri}
        start = diagnostic["location"]["range"]["start"]
        assert start["line"] >= 1 and start["column"] >= 1
    assert sorted((d["location"]["path"], d["location"]["range"]["start"]["line"], d["code"]["value"])
                  for d in diagnostics) == sorted(EXPECTED)
    (non_ascii,) = [d for d in diagnostics if d["location"]["range"]["start"]["line"] == NON_ASCII_LINE]
    assert non_ascii["location"]["range"]["start"]["column"] == NON_ASCII_BYTE_COL0 + 1  # rdjson: UTF-8 bytes


def test_rdjson_for_a_clean_tree(tmp_path):
    small_project(tmp_path, {"ok.py": "x = 1\n"})
    code, out, _ = run_format("rdjson", ".", cwd=tmp_path)
    assert code == 0
    assert json.loads(out)["diagnostics"] == []


# -- --output and stream hygiene ------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "gitlab", "rdjson"])
def test_output_file_gets_the_report_and_stdout_nothing(project, fmt):
    direct = run_cli("--format", fmt, ".", cwd=project)
    completed = run_cli("--format", fmt, "--output", "report.out", ".", cwd=project)
    assert completed.returncode == direct.returncode == 1
    assert completed.stdout == ""
    assert (project / "report.out").read_text(encoding="utf-8") == direct.stdout


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab", "rdjson"])
def test_machine_formats_stay_valid_json_with_statistics(project, fmt):
    completed = run_cli("--format", fmt, "--statistics", ".", cwd=project)
    json.loads(completed.stdout)
    assert "Findings by rule:" in completed.stderr


def test_refused_symlink_contents_never_reach_any_format(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.py"
    secret.write_text(VIOLATION_IMPORT.rstrip("\n") + "  # SECRET_MARKER_7f3a\n", encoding="utf-8")
    project = small_project(tmp_path / "project", {"ok.py": VIOLATION_IMPORT})
    try:
        os.symlink(secret, project / "link.py")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks not available")
    for fmt in ("text", "json", "sarif", "github", "gitlab", "rdjson"):
        completed = run_cli("--format", fmt, "--show-source", "--statistics", ".", cwd=project)
        assert "NIL902" in completed.stdout, fmt
        assert "SECRET_MARKER" not in completed.stdout + completed.stderr, fmt
    assert run_cli("--write-baseline", "b.json", ".", cwd=project).returncode == 0
    assert "SECRET_MARKER" not in (project / "b.json").read_text(encoding="utf-8")


def test_text_format_does_not_load_the_fingerprint_machinery(project):
    """The editor/cold-start path (text, no cache) imports nothing it does not use: no hashing, no JSON, no
    subprocesses, and none of flake8, pylint or astroid."""
    probe = (
        "import sys\n"
        "from netra_isolation_lint.cli import main\n"
        "main(['--exit-zero', '--no-cache', '.'])\n"
        "loaded = [m for m in ('hashlib', 'json', 'subprocess', 'netra_isolation_lint.fingerprint',\n"
        "          'netra_isolation_lint.baseline', 'netra_isolation_lint.gitdiff', 'flake8', 'pylint',\n"
        "          'astroid', 'multiprocessing') if m in sys.modules]\n"
        "print('LOADED', loaded)\n"
    )
    import subprocess

    completed = subprocess.run([sys.executable, "-c", probe], cwd=project, capture_output=True, text=True)
    assert completed.stdout.strip().splitlines()[-1] == "LOADED []", completed.stdout + completed.stderr
