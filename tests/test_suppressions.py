"""Suppressions a security gate can trust: ``# noqa`` with a reason, a config that requires one, codes nothing
may suppress, NIL903 for NIL codes in a ``# noqa`` that suppress nothing, and SARIF ``suppressions``.

Each behaviour is checked in the CLI and in pylint (both apply ``# noqa`` through ``noqa.py``) and, where the
docs promise something there, under flake8, which applies ``# noqa`` itself.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from ci_support import SCHEMA
from conftest import run_cli, run_flake8, run_pylint
from netra_isolation_lint import noqa
from netra_isolation_lint.config import DEFAULTS, Config
from netra_isolation_lint.model.facts import Finding
from netra_isolation_lint.registry import RULES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")

IMPORT = "from netra_backend.app.services.agent_websocket_bridge import get_agent_websocket_bridge"

# Every comment gives a reason, in the forms a flake8 or ruff user writes.
REASONS = f"""\
{IMPORT}  # noqa: NIL102 -- kept until the last caller moves (PR 42)


async def run():
    a = await get_agent_websocket_bridge()  # noqa: NIL101 -- legacy path, removed in PR 42
    b = await get_agent_websocket_bridge()  # noqa: NIL101 reason text without a separator
    c = await get_agent_websocket_bridge()  # noqa:NIL101,NIL102 - both codes, then the reason
    d = await get_agent_websocket_bridge()  # noqa: NIL1 — a prefix and an em dash
    e = await get_agent_websocket_bridge()  # noqa reason after a bare noqa
    return a, b, c, d, e
"""

# No comment gives a reason: each suppresses under the defaults, none under noqa_requires_reason.
NO_REASONS = f"""\
{IMPORT}  # noqa: NIL102


async def run():
    a = await get_agent_websocket_bridge()  # noqa: NIL101
    b = await get_agent_websocket_bridge()  # noqa
    c = await get_agent_websocket_bridge()  # noqa: NIL101 --
    d = await get_agent_websocket_bridge()  # noqa: NIL101  # type: ignore[misc]
    return a, b, c, d
"""
NO_REASONS_FLAGGED = {(1, "NIL102"), (5, "NIL101"), (6, "NIL101"), (7, "NIL101"), (8, "NIL101")}

# NIL903 on the lines marked here: a used noqa, another tool's code, a bare noqa and a noqa in a string are
# left alone; a multi-code noqa names only its unused code; a multi-line string's noqa is one comment.
UNUSED = f'''\
{IMPORT}  # noqa: NIL102 -- used


async def run(emitter, run_id):
    used = await get_agent_websocket_bridge()  # noqa: NIL101 -- used
    partly = await get_agent_websocket_bridge()  # NOQA:NIL101,NIL103 -- one of two is used
    await emitter.emit_agent_started(run_id)  # noqa: NIL401 -- the event was fixed since
    await emitter.emit_agent_started(run_id)  # noqa: E501 -- not ours to judge
    await emitter.emit_agent_started(run_id)  # noqa
    await emitter.emit_agent_started(run_id)  # noqa: NIL401, NIL903 -- kept on purpose
    await emitter.emit_agent_started("# noqa: NIL101")
    await emitter.emit_custom_event("""agent
failed""", {{}})  # noqa: NIL402 -- used, for every line of the string
    await emitter.emit_custom_event("""agent
failed""", {{}})  # noqa: NIL999 -- no such rule
    return used, partly
'''
UNUSED_ALWAYS = {(14, "NIL402")}
UNUSED_FLAGGED = {(6, "NIL903"), (7, "NIL903"), (15, "NIL903")}


def make_project(tmp_path: Path, files: dict[str, str], config: str | None = None) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / ".git").mkdir()  # config discovery stops here
    if config is not None:
        (root / ".netra-isolation.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def cli_rows(root: Path, *args: str, ok=(0, 1)) -> list[dict]:
    completed = run_cli("--no-cache", "--format", "json", *args, cwd=root)
    assert completed.returncode in ok, completed.stderr
    return [row for row in json.loads(completed.stdout) if row["code"] != "NIL403"]


def cli(root: Path, *args: str) -> set[tuple[str, int, str]]:
    return {(Path(row["path"]).name, row["line"], row["code"]) for row in cli_rows(root, *args)}


def pylint(root: Path, *files: str) -> set[tuple[str, int, str]]:
    completed = run_pylint("--msg-template", "{path}\t{line}\t{msg_id}", *files, cwd=root)
    assert not completed.returncode & (1 | 32), completed.stdout + completed.stderr
    found = set()
    for line in completed.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and re.fullmatch(r"[EWCRI]9\d{3}", parts[2]):
            found.add((Path(parts[0]).name, int(parts[1]), "NIL" + parts[2][2:]))
    return found


def flake8(root: Path, *files: str) -> set[tuple[str, int, str]]:
    completed = run_flake8("--format", "%(path)s\t%(row)d\t%(code)s", *files, cwd=root)
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    return {(Path(p).name, int(r), c) for p, r, c in (line.split("\t") for line in completed.stdout.splitlines())}


def keyed(name: str, pairs: set[tuple[int, str]]) -> set[tuple[str, int, str]]:
    return {(name, line, code) for line, code in pairs}


# --------------------------------------------------------------------------- reasons

@pytest.mark.parametrize(("comment", "codes", "reason"), [
    ("# noqa: NIL101 -- legacy", ("NIL101",), "legacy"),
    ("# noqa: NIL101 reason text", ("NIL101",), "reason text"),
    ("# noqa:NIL101,NIL102: why", ("NIL101", "NIL102"), "why"),
    ("# NOQA: NIL101 — em dash", ("NIL101",), "em dash"),
    # flake8 reads any letters-and-digits word after the codes as one more code: the reason starts after it
    ("# noqa: NIL101 PR42 approved", ("NIL101", "PR42"), "approved"),
    ("# noqa -- bare, with a reason", None, "bare, with a reason"),
    ("# noqa: NIL101", ("NIL101",), ""),
    ("# noqa: NIL101 --", ("NIL101",), ""),
    ("# noqa: NIL101  # type: ignore", ("NIL101",), ""),
    # no digits after the colon: flake8 sees a bare noqa, which suppresses every code
    ("# noqa: reason only", None, "reason only"),
])
def test_codes_and_reason_of_a_comment(comment, codes, reason):
    parsed = noqa.parse_noqa(f"x = f()  {comment}\n")
    assert (parsed.codes, parsed.reason) == (codes, reason)


def test_the_patterns_are_flake8s():
    """The CLI and pylint suppress exactly what flake8 does: the reason changes nothing in what is parsed."""
    from flake8 import defaults

    assert (noqa.NOQA_INLINE.pattern, noqa.NOQA_INLINE.flags) == (
        defaults.NOQA_INLINE_REGEXP.pattern, defaults.NOQA_INLINE_REGEXP.flags)
    assert (noqa.NOQA_FILE.pattern, noqa.NOQA_FILE.flags) == (defaults.NOQA_FILE.pattern, defaults.NOQA_FILE.flags)


def test_reasons_suppress_in_every_front_end(tmp_path):
    root = make_project(tmp_path, {"reasons.py": REASONS})
    assert cli(root) == set()
    assert pylint(root, "reasons.py") == set()
    assert flake8(root, "reasons.py") == set()


# --------------------------------------------------------------------------- noqa_requires_reason

def test_requires_reason_keeps_what_a_comment_without_reason_suppresses(tmp_path):
    root = make_project(tmp_path, {"reasons.py": REASONS, "no_reasons.py": NO_REASONS},
                        "noqa_requires_reason: true\n")
    expected = keyed("no_reasons.py", NO_REASONS_FLAGGED)
    assert cli(root) == expected
    assert pylint(root, "reasons.py", "no_reasons.py") == expected
    notes = {row["line"]: row["message"] for row in cli_rows(root)}
    assert "noqa_requires_reason is set" in notes[5] and "'# noqa: NIL101 -- <why>'" in notes[5]
    # flake8 reads # noqa itself: there the key cannot keep a finding (docs/configuration.md says so)
    assert flake8(root, "no_reasons.py") == set()


def test_without_the_key_no_reason_is_needed(tmp_path):
    root = make_project(tmp_path, {"no_reasons.py": NO_REASONS})
    assert cli(root) == set()
    assert pylint(root, "no_reasons.py") == set()


def test_requires_reason_applies_to_file_level_noqa(tmp_path):
    body = f"{IMPORT}\n\nSHARED = get_agent_websocket_bridge()\n"
    root = make_project(tmp_path, {"silent.py": "# flake8: noqa -- generated by the bridge compiler\n" + body,
                                   "bare.py": "# flake8: noqa\n" + body}, "noqa_requires_reason: true\n")
    expected = {("bare.py", 2, "NIL102"), ("bare.py", 4, "NIL101"), ("bare.py", 4, "NIL104")}
    assert cli(root) == expected
    assert pylint(root, "silent.py", "bare.py") == expected
    assert all("'# flake8: noqa -- <why>'" in row["message"] for row in cli_rows(root))


# --------------------------------------------------------------------------- unsuppressible

UNSUPPRESSIBLE_CODE = f"""\
{IMPORT}  # noqa: NIL102 -- legacy import


async def send(run_id):
    bridge = await get_agent_websocket_bridge()  # noqa: NIL101 -- a reason does not help
    await bridge.notify_agent_started(run_id, "agent")  # noqa: NIL103 -- suppressible
"""
FILE_LEVEL_CODE = "# flake8: noqa -- generated\n" + UNSUPPRESSIBLE_CODE.replace("  # noqa", "  # no-noqa")
PER_PATH_CODE = UNSUPPRESSIBLE_CODE.replace("  # noqa", "  # no-noqa")


@pytest.mark.parametrize(("listed", "also"), [("[NIL101]", set()), ("[NIL10]", {(1, "NIL102"), (6, "NIL103")})])
def test_unsuppressible_codes_survive_noqa_file_noqa_and_per_path_ignores(tmp_path, listed, also):
    """``also``: the further codes a prefix makes unsuppressible, at their lines in inline.py and ignored.py."""
    root = make_project(tmp_path, {"inline.py": UNSUPPRESSIBLE_CODE, "whole.py": FILE_LEVEL_CODE,
                                   "ignored.py": PER_PATH_CODE}, f"""\
        unsuppressible: {listed}
        per_path_ignores:
          "ignored.py": [NIL1]
        """)
    kept = {(5, "NIL101")} | also
    shifted = {(line + 1, code) for line, code in kept}  # whole.py starts with its # flake8: noqa line
    expected = keyed("inline.py", kept) | keyed("ignored.py", kept) | keyed("whole.py", shifted)
    assert cli(root) == expected
    assert pylint(root, "inline.py", "whole.py", "ignored.py") == expected
    notes = {Path(row["path"]).name: row["message"] for row in cli_rows(root) if row["code"] == "NIL101"}
    assert "NIL101 is unsuppressible" in notes["inline.py"] and "NIL101 is unsuppressible" in notes["whole.py"]
    assert "unsuppressible" not in notes["ignored.py"]  # no comment to explain: the finding is just kept
    # flake8: the per-path ignore is ours to refuse; its # noqa and # flake8: noqa are its own
    assert flake8(root, "inline.py", "whole.py", "ignored.py") == keyed("ignored.py", kept)


def test_without_unsuppressible_everything_is_suppressed(tmp_path):
    root = make_project(tmp_path, {"inline.py": UNSUPPRESSIBLE_CODE, "whole.py": FILE_LEVEL_CODE,
                                   "ignored.py": PER_PATH_CODE}, 'per_path_ignores:\n  "ignored.py": [NIL1]\n')
    assert cli(root) == set()
    assert pylint(root, "inline.py", "whole.py", "ignored.py") == set()


def test_unsuppressible_does_not_override_select_and_ignore(tmp_path):
    root = make_project(tmp_path, {"ignored.py": PER_PATH_CODE}, "unsuppressible: [NIL1]\nignore: [NIL101]\n")
    assert cli(root) == {("ignored.py", 1, "NIL102"), ("ignored.py", 6, "NIL103")}


# --------------------------------------------------------------------------- NIL903 unused-noqa

def test_unused_noqa_cli_and_pylint_agree(tmp_path):
    root = make_project(tmp_path, {"unused.py": UNUSED}, "report_unused_noqa: true\n")
    expected = keyed("unused.py", UNUSED_ALWAYS | UNUSED_FLAGGED)
    assert cli(root) == expected
    assert pylint(root, "unused.py") == expected
    messages = {row["line"]: row["message"] for row in cli_rows(root) if row["code"] == "NIL903"}
    assert "under NIL103;" in messages[6]  # the multi-code comment names only its unused code
    assert "under NIL999;" in messages[15]
    columns = {row["line"]: row["col"] for row in cli_rows(root) if row["code"] == "NIL903"}
    assert columns[6] == UNUSED.splitlines()[5].index("# NOQA") + 1


def test_unused_noqa_is_off_by_default(tmp_path):
    root = make_project(tmp_path, {"unused.py": UNUSED})
    assert cli(root) == keyed("unused.py", UNUSED_ALWAYS)
    assert pylint(root, "unused.py") == keyed("unused.py", UNUSED_ALWAYS)


def test_unused_noqa_is_selected_like_any_code(tmp_path):
    root = make_project(tmp_path, {"unused.py": UNUSED, "other.py": "x = 1  # noqa: NIL101\n"}, """\
        report_unused_noqa: true
        per_path_ignores:
          "unused.py": [NIL903]
        """)
    assert cli(root, "--no-prefilter") == keyed("unused.py", UNUSED_ALWAYS) | {("other.py", 1, "NIL903")}
    assert cli(root, "--no-prefilter", "--ignore", "NIL903") == keyed("unused.py", UNUSED_ALWAYS)


def test_unused_noqa_in_a_file_the_prefilter_leaves_unread(tmp_path):
    """Documented limit: the CLI reads no comment in a file that names nothing the rules look for (pylint
    and --no-prefilter do). Such a comment cannot be hiding a finding today."""
    root = make_project(tmp_path, {"other.py": "x = 1  # noqa: NIL101\n"}, "report_unused_noqa: true\n")
    assert cli(root) == set()
    assert cli(root, "--no-prefilter") == pylint(root, "other.py") == {("other.py", 1, "NIL903")}


def test_unused_noqa_under_requires_reason_and_unsuppressible(tmp_path):
    """NIL903 is suppressed by its own line's noqa only on the terms of any other code."""
    source = "x = 1  # noqa: NIL101, NIL903\ny = 2  # noqa: NIL101, NIL903 -- kept for the pylint run\n"
    root = make_project(tmp_path, {"own.py": source}, "report_unused_noqa: true\nnoqa_requires_reason: true\n")
    assert cli(root, "--no-prefilter") == pylint(root, "own.py") == {("own.py", 1, "NIL903")}
    (root / ".netra-isolation.yaml").write_text("report_unused_noqa: true\nunsuppressible: [NIL903]\n")
    assert cli(root, "--no-prefilter") == {("own.py", 1, "NIL903"), ("own.py", 2, "NIL903")}


def test_unused_noqa_is_not_judged_in_a_file_not_fully_checked(tmp_path):
    """A file that does not parse gives only the findings of its statements that parse alone: its comments
    would all look unused."""
    source = f"{IMPORT}\ny = 1  # noqa: NIL101 -- stale, but who can tell\ndef broken(:\n"
    root = make_project(tmp_path, {"broken.py": source}, "report_unused_noqa: true\n")
    assert {code for _, _, code in cli(root)} == {"NIL102", "NIL900"}


def test_unused_noqa_ignores_a_noqa_inside_a_string():
    lines = noqa.noqa_lines('x = "# noqa: NIL101"\ny = 1  # noqa: NIL101\nz = "a # b"  # noqa: NIL102\n')
    config = Config(report_unused_noqa=True)
    found = noqa.apply_noqa([], lines, config, "a.py")
    assert [(f.line, f.col, f.code) for f in found] == [(2, 7, "NIL903"), (3, 13, "NIL903")]


# --------------------------------------------------------------------------- SARIF suppressions

def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def sarif_run(root: Path, *args: str) -> tuple[int, dict]:
    completed = run_cli("--format", "sarif", "--ignore", "NIL403", *args, cwd=root)
    assert completed.returncode in (0, 1), completed.stderr
    document = json.loads(completed.stdout)
    errors = list(sarif_validator().iter_errors(document))
    assert not errors, [e.message for e in errors[:5]]
    return completed.returncode, document


def located(document: dict) -> dict[tuple[str, int, str], dict]:
    return {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"], r["ruleId"]): r
            for r in document["runs"][0]["results"] if r["ruleId"] != "NIL403"}


def test_sarif_carries_suppressed_findings_with_their_reasons(tmp_path):
    root = make_project(tmp_path, {"reasons.py": REASONS, "no_reasons.py": NO_REASONS.replace("# noqa\n", "\n")})
    code, document = sarif_run(root, "--no-cache", "--include-suppressed", "no_reasons.py", "reasons.py")
    results = located(document)
    suppressions = {key: result.get("suppressions") for key, result in results.items()}
    assert suppressions[("reasons.py", 1, "NIL102")] == [
        {"kind": "inSource", "justification": "kept until the last caller moves (PR 42)"}]
    assert suppressions[("reasons.py", 6, "NIL101")] == [
        {"kind": "inSource", "justification": "reason text without a separator"}]
    assert suppressions[("reasons.py", 9, "NIL101")] == [
        {"kind": "inSource", "justification": "reason after a bare noqa"}]
    assert suppressions[("no_reasons.py", 5, "NIL101")] == [{"kind": "inSource"}]  # no reason: none claimed
    assert suppressions[("no_reasons.py", 6, "NIL101")] is None  # its noqa was removed: reported
    assert sum(s is None for s in suppressions.values()) == 1
    assert code == 1  # the one reported finding gates; the suppressed ones do not

    plain_code, plain = sarif_run(root, "--no-cache", "no_reasons.py", "reasons.py")
    assert plain_code == 1
    assert list(located(plain)) == [("no_reasons.py", 6, "NIL101")]
    # A reported result is the same with or without the suppressed ones beside it.
    assert located(plain)[("no_reasons.py", 6, "NIL101")] == results[("no_reasons.py", 6, "NIL101")]


def test_sarif_suppressions_only_when_asked_and_never_from_a_stale_cache(tmp_path):
    root = make_project(tmp_path, {"reasons.py": REASONS})
    cache = ["--cache-dir", str(tmp_path / "cache")]
    assert sarif_run(root, *cache)[1]["runs"][0]["results"] == []
    code, first = sarif_run(root, *cache, "--include-suppressed")
    assert code == 0 and len(located(first)) == 6
    assert sarif_run(root, *cache, "--include-suppressed")[1] == first  # the verdict cache keeps the reasons
    assert sarif_run(root, *cache)[1]["runs"][0]["results"] == []
    (root / ".netra-isolation.yaml").write_text("include_suppressed: true\n", encoding="utf-8")
    assert located(sarif_run(root, *cache)[1]) == located(first)
    assert cli(root) == set()  # the key changes nothing in other formats


def test_include_suppressed_wants_sarif(tmp_path):
    root = make_project(tmp_path, {"reasons.py": REASONS})
    completed = run_cli("--include-suppressed", "--format", "json", cwd=root)
    assert completed.returncode == 2
    assert "--include-suppressed" in completed.stderr and "--format sarif" in completed.stderr


def test_suppressed_findings_are_handed_back_with_their_reasons():
    text = "x = f()  # noqa: NIL101 -- odd reason\ny = f()\n"
    findings = [Finding(1, 4, "NIL101", "first"), Finding(2, 4, "NIL101", "second")]
    hidden: list = []
    kept = noqa.apply_noqa(findings, noqa.noqa_lines(text), DEFAULTS, "a.py", suppressed=hidden)
    assert kept == noqa.apply_noqa(findings, noqa.noqa_lines(text), DEFAULTS, "a.py") == [findings[1]]
    assert hidden == [(findings[0], "odd reason")]


# --------------------------------------------------------------------------- configuration

@pytest.mark.parametrize(("line", "problem"), [
    ('noqa_requires_reason: "true"', "noqa_requires_reason: expected true or false, got 'true' (write it without "
                                     "quotes)"),
    ("report_unused_noqa: 1", "report_unused_noqa: expected true or false, got an integer 1"),
    ("include_suppressed:", "include_suppressed: expected true or false, got nothing (null)"),
    ("unsuppressible: NIL101", "unsuppressible: expected a list, got a string (write [NIL101])"),
    ("unsuppressible: [E501]", "unsuppressible[0]: expected a rule code or prefix such as NIL101 or NIL1, got 'E501'"),
])
def test_bad_values_fail_closed_with_one_line(tmp_path, line, problem):
    root = make_project(tmp_path, {"a.py": "x = 1\n"}, line + "\n")
    completed = run_cli("--no-cache", ".", cwd=root)
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in completed.stderr, completed.stderr
    assert lines[0].endswith(problem) and ".netra-isolation.yaml" in lines[0], lines[0]
    assert run_pylint("a.py", cwd=root).returncode == 32


def test_the_keys_load_from_yaml(tmp_path):
    from netra_isolation_lint.config import load_config

    path = tmp_path / "contract.yaml"
    path.write_text("noqa_requires_reason: true\nunsuppressible: [NIL1, NIL901]\nreport_unused_noqa: true\n"
                    "include_suppressed: true\n", encoding="utf-8")
    config = load_config(str(path))
    assert (config.noqa_requires_reason, config.unsuppressible, config.report_unused_noqa,
            config.include_suppressed) == (True, ("NIL1", "NIL901"), True, True)
    assert (DEFAULTS.noqa_requires_reason, DEFAULTS.unsuppressible, DEFAULTS.report_unused_noqa,
            DEFAULTS.include_suppressed) == (False, (), False, False)


def test_nil903_is_a_registered_warning():
    rule = RULES["NIL903"]
    assert (rule.slug, rule.severity, rule.front_ends, rule.pylint_msgid) == ("unused-noqa", "warning", "all",
                                                                              "W9903")
