"""The prefilter: files that mention no name any rule needs are not parsed, and results do not change.

"Results do not change" is checked on the fixture corpus, the project fixtures, the standard library and
fuzzed programs by comparing a run with the prefilter to one without (``--no-prefilter``). The one
difference allowed by design: a file the prefilter leaves unparsed cannot report NIL900, so a syntax
error in a file that mentions none of the rules' names is only reported with ``--no-prefilter`` or when
the file is named on the command line. Those files are asserted to hold none of the names.
"""

from __future__ import annotations

import json
import sysconfig
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesmith import from_grammar

from conftest import ROOT, run_cli
from netra_isolation_lint.config import DEFAULTS
from netra_isolation_lint.prefilter import base_tokens, mentions_any
from netra_isolation_lint.runner import lint
from netra_isolation_lint.sources import DEFAULT_EXCLUDES, discover


def rows(*args, cwd) -> set[tuple]:
    result = run_cli("--format", "json", "--no-cache", *args, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return {(r["path"], r["line"], r["code"], r["message"]) for r in json.loads(result.stdout)}


def allowed_difference(without: set, with_: set, root: Path) -> None:
    only_without = without - with_
    assert not (with_ - without), f"the prefilter added findings: {sorted(with_ - without)[:5]}"
    for path, _line, code, _message in only_without:
        assert code == "NIL900", f"the prefilter lost a finding: {path} {code}"
        assert not mentions_any((root / path).read_bytes(), base_tokens(DEFAULTS)), path


@pytest.mark.parametrize("tree", ["tests/fixtures/rules", "tests/project_fixtures", "examples"])
def test_same_results_on_the_corpus(tree):
    allowed_difference(rows("--no-prefilter", tree, cwd=ROOT), rows(tree, cwd=ROOT), ROOT)


def test_same_results_on_the_standard_library():
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    sources, _ = discover([str(stdlib)], DEFAULT_EXCLUDES + ("site-packages",))
    full = {(r.path, r.line, r.code, r.message) for r in lint(sources, DEFAULTS, str(stdlib)).results}
    quick = {(r.path, r.line, r.code, r.message)
             for r in lint(sources, DEFAULTS, str(stdlib), prefilter=True).results}
    assert full - quick, "the stdlib has unparseable token-free files: the allowed difference must show"
    allowed_difference({(str(Path(p).relative_to(stdlib)), *rest) for p, *rest in full},
                       {(str(Path(p).relative_to(stdlib)), *rest) for p, *rest in quick}, stdlib)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(from_grammar())
def test_same_results_on_fuzzed_programs(tmp_path_factory, source):
    # Append usages so that the prefilter's names are present in some programs and absent in others.
    directory = tmp_path_factory.mktemp("fuzz")
    (directory / "plain.py").write_text(source, encoding="utf-8")
    (directory / "mentions.py").write_text(source + "\nbridge = get_agent_websocket_bridge()\n", encoding="utf-8")
    sources, _ = discover([str(directory)], DEFAULT_EXCLUDES)
    full = lint(sources, DEFAULTS, str(directory)).results
    quick = lint(sources, DEFAULTS, str(directory), prefilter=True).results
    assert [r for r in full if r.code != "NIL900" or "mentions" in r.path] == quick


def test_unparseable_file_without_rule_names(tmp_path):
    (tmp_path / "plain.py").write_text("def broken(:\n", encoding="utf-8")
    (tmp_path / "agent.py").write_text("from x import get_agent_websocket_bridge\n", encoding="utf-8")
    quick = rows(".", cwd=tmp_path)
    assert {code for _, _, code, _ in quick} == {"NIL102", "NIL403"}  # plain.py left unparsed
    assert ("./plain.py", 1, "NIL900") in {r[:3] for r in rows("--no-prefilter", ".", cwd=tmp_path)}
    assert ("plain.py", 1, "NIL900") in {r[:3] for r in rows("plain.py", "agent.py", cwd=tmp_path)}


def test_class_found_through_a_file_without_rule_names(tmp_path):
    """A subclass of a subclass of BaseAgent whose file names neither: found in the second round."""
    (tmp_path / "core.py").write_text(
        "from app.base import BaseAgent\n\n\nclass CoreAgent(BaseAgent):\n    pass\n", encoding="utf-8")
    (tmp_path / "tool.py").write_text(
        "from core import CoreAgent\n\n\nclass ToolAgent(CoreAgent):\n    def __init__(self, llm):\n"
        "        super().__init__(llm)\n", encoding="utf-8")
    (tmp_path / "leaf.py").write_text(
        "from tool import ToolAgent as Tool\n\n\ndef build(llm):\n    return Tool(llm)\n", encoding="utf-8")
    found = {(p, code) for p, _, code, _ in rows("--ignore", "NIL403", ".", cwd=tmp_path)}
    assert found == {("./tool.py", "NIL201")}
    assert found == {(p, code) for p, _, code, _ in rows("--no-prefilter", "--ignore", "NIL403", ".",
                                                         cwd=tmp_path)}
