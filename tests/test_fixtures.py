"""Rule fixture corpus: inline ``# expect: CODE`` comments against the engine, and every front end agreeing.

See :mod:`fixture_support` for the fixture format. Fixtures that pin a known disagreement between the engine
and the rule specification are listed in :data:`KNOWN_DISCREPANCIES` and run as strict xfails: once the
engine is fixed the test XPASSes, fails, and the entry (and its note) should be removed.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from fixture_support import (
    FIXTURES,
    FRONT_ENDS,
    RULE_CODES,
    discover,
    diff_report,
    engine_findings,
    expected_keys,
    mentions_any,
    negative_code,
    run_front_ends,
    source_lines,
)

ALL = discover()
BY_REL = {fixture.rel: fixture for fixture in ALL}
NOTE = "/work/notes/fixture_discrepancies.md"

# fixture (relative to tests/fixtures) -> discrepancy id in the note
KNOWN_DISCREPANCIES: dict[str, str] = {}

# What a negative fixture of each code must contain, so it exercises the rule's trigger rather than nothing.
# Matched against the code's tokens joined by spaces (comments and strings removed).
TRIGGERS = {
    "NIL101": [r"get_agent_websocket_bridge", r"[Bb]ridge\w* \("],
    "NIL102": [r"\bimport\b"],
    "NIL103": [r"\. notify_\w+ \("],
    "NIL104": [r"[Bb]ridge\w* ="],
    "NIL201": [r"\bclass\b"],
    "NIL202": [r"user_context|UserExecutionContext"],
    "NIL203": [r"\b[A-Z]\w* \("],
    "NIL301": [r"self \. _?user_context ="],
    "NIL302": [r"emitter"],
    "NIL401": [r"\. emit\w* \("],
    "NIL402": [r"emit_custom_event \(", r"\w+_event \("],
}
MIN_POSITIVE_LINES = 3
MIN_NEGATIVE_FILES = 3


def _param(fixture):
    marks = ()
    if fixture.rel in KNOWN_DISCREPANCIES:
        marks = (pytest.mark.xfail(strict=True, reason=f"{KNOWN_DISCREPANCIES[fixture.rel]} (see {NOTE})"),)
    return pytest.param(fixture, id=fixture.rel, marks=marks)


def test_corpus_is_there():
    assert len(ALL) >= 60, f"only {len(ALL)} fixtures under {FIXTURES}"
    stale = set(KNOWN_DISCREPANCIES) - set(BY_REL)
    assert not stale, f"KNOWN_DISCREPANCIES names missing fixtures: {sorted(stale)}"


@pytest.mark.parametrize("fixture", [_param(f) for f in ALL])
def test_engine_matches_expectations(fixture):
    expected = fixture.expected_keys()
    actual = engine_findings(fixture)
    if actual != expected:
        pytest.fail(f"{fixture.rel}:\n" + diff_report(expected, actual, source_lines([fixture])), pytrace=False)


def test_front_ends_agree():
    """The CLI (one run per config group over the whole tree), flake8 (likewise) and the engine in process
    report the same (path, line, code) set. Disagreement with the expectations is judged per fixture above."""
    results = run_front_ends(ALL)
    lines = source_lines(ALL)
    baseline_name = next(iter(FRONT_ENDS))
    baseline = results[baseline_name]
    problems = []
    for name, found in results.items():
        if found != baseline:
            problems.append(f"--- {baseline_name} vs {name}\n" + diff_report(baseline, found, lines))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    # Outside the known discrepancies, what every front end reports is exactly what the corpus expects.
    settled = [f for f in ALL if f.rel not in KNOWN_DISCREPANCIES]
    settled_rels = {f.rel for f in settled}
    expected = expected_keys(settled)
    actual = {key for key in baseline if key[0] in settled_rels}
    if actual != expected:
        pytest.fail("front ends disagree with the corpus:\n" + diff_report(expected, actual, lines), pytrace=False)


def test_expectations_name_known_codes():
    unknown = {(f.rel, line, code) for f in ALL for line, codes in f.expected.items() for code in codes
               if code not in RULE_CODES}
    assert not unknown, f"expectations with unknown rule codes: {sorted(unknown)}"


def test_every_code_has_positive_lines():
    counts = Counter(code for f in ALL if f.rel not in KNOWN_DISCREPANCIES
                     for codes in f.expected.values() for code in codes)
    short = {code: counts[code] for code in RULE_CODES if counts[code] < MIN_POSITIVE_LINES}
    assert not short, f"codes with fewer than {MIN_POSITIVE_LINES} expected lines: {short}"


def test_every_code_has_negative_files():
    negatives = {code: [] for code in RULE_CODES}
    for fixture in ALL:
        code = negative_code(fixture)
        if code is None:
            continue
        assert code in negatives, f"{fixture.rel}: negative fixture for unknown code {code}"
        if fixture.rel not in KNOWN_DISCREPANCIES:
            negatives[code].append(fixture)
    short = {code: len(files) for code, files in negatives.items() if len(files) < MIN_NEGATIVE_FILES}
    assert not short, f"codes with fewer than {MIN_NEGATIVE_FILES} negative fixtures: {short}"
    for code, files in negatives.items():
        for fixture in files:
            flagged = sorted(line for line, codes in fixture.expected.items() if code in codes)
            assert not flagged, f"{fixture.rel}: negative fixture for {code} expects it on lines {flagged}"
            assert mentions_any(fixture.path, TRIGGERS[code]), (
                f"{fixture.rel}: negative fixture for {code} never shows the rule's trigger {TRIGGERS[code]}")


def test_migration_snippets():
    """The migration report's before/after: every leak family flagged before, nothing after."""
    before = BY_REL["rules/migration_before.py"]
    after = BY_REL["rules/migration_after.py"]
    flagged = {code for codes in before.expected.values() for code in codes}
    assert {"NIL101", "NIL102", "NIL103", "NIL201"} <= flagged
    assert after.expected == {}


def test_noqa_fixtures_cover_the_forms():
    text = BY_REL["rules/noqa_suppression.py"].path.read_text()
    for form in ("# noqa\n", "# noqa: NIL101", "# noqa: NIL1\n", "# noqa:NIL2"):
        assert form in text, form
    assert re.search(r"# noqa:NIL2\s+# expect: NIL101", text)
