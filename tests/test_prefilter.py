"""The prefilter: files that mention no name any rule needs are not parsed, and results do not change.

"Results do not change" is checked on the fixture corpus, the project fixtures, the standard library and
fuzzed programs by comparing a run with the prefilter to one without (``--no-prefilter``). The one
difference allowed by design: a file the prefilter leaves unparsed cannot report NIL900, so a syntax
error in a file that mentions none of the rules' names is only reported with ``--no-prefilter`` or when
the file is named on the command line. Those files are asserted to hold none of the names.
"""

from __future__ import annotations

import json
import re
import sysconfig
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesmith import from_grammar

from conftest import ROOT, run_cli
from netra_isolation_lint.config import DEFAULTS
from netra_isolation_lint import runner
from netra_isolation_lint.prefilter import base_tokens, mentions_any, names_pattern
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


@pytest.mark.parametrize("tree", ["tests/fixtures/rules", "examples"])
def test_same_results_on_the_corpus(tree):
    allowed_difference(rows("--no-prefilter", tree, cwd=ROOT), rows(tree, cwd=ROOT), ROOT)


@pytest.mark.parametrize("project", sorted(p.name for p in (ROOT / "tests/project_fixtures").iterdir() if p.is_dir()))
def test_same_results_on_the_project_fixtures(project):
    """Each run from its own root, as its users would: from this repository's root, ``tests/`` is test code."""
    root = ROOT / "tests/project_fixtures" / project
    allowed_difference(rows("--no-prefilter", ".", cwd=root), rows(".", cwd=root), root)


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
    assert ("plain.py", 1, "NIL900") in {r[:3] for r in rows("--no-prefilter", ".", cwd=tmp_path)}
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
    assert found == {("tool.py", "NIL201")}
    assert found == {(p, code) for p, _, code, _ in rows("--no-prefilter", "--ignore", "NIL403", ".",
                                                         cwd=tmp_path)}


# --------------------------------------------------------------------------- the names search


@settings(max_examples=300, deadline=None)
@given(st.sets(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True), min_size=1, max_size=20),
       st.text(alphabet="abcXYZ_019 .(\n", max_size=80), st.integers(min_value=0, max_value=19))
def test_names_pattern_finds_exactly_the_whole_word_occurrences(names, filler, pick):
    """The trie-shaped pattern agrees with the obvious definition: some name occurs as a whole identifier."""
    name = sorted(names)[pick % len(names)]
    for text in (filler, filler + name, name + filler, f"{filler} {name}({filler}"):
        data = text.encode()
        words = set(re.findall(rb"\w+", data))
        assert bool(names_pattern(names).search(data)) == any(n.encode() in words for n in names), (names, text)


def test_a_very_long_name_is_searched_without_recursion():
    pattern = names_pattern(["Z" * 5000, "short"])
    assert pattern.search(b"x = " + b"Z" * 5000) and not pattern.search(b"Z" * 4999)


def test_a_module_that_mentions_no_api_name_is_not_parsed_to_type_a_value(tmp_path, monkeypatch):
    """A value can reach the API only through a module that names it; a base class can live anywhere."""
    (tmp_path / "helpers.py").write_text("def fmt(x):\n    return x\n\n\nclass Mixin:\n    pass\n", encoding="utf-8")
    (tmp_path / "agent.py").write_text(
        "from helpers import Mixin, fmt\nfrom base import BaseAgent\n\n\n"
        "class ToolAgent(Mixin, BaseAgent):\n    def __init__(self, user_context):\n"
        "        super().__init__(user_context=user_context)\n        fmt(user_context).strip()\n",
        encoding="utf-8")
    parsed: list[str] = []
    real = runner.analyse_bytes

    def counting(data, path, config, module):
        parsed.append(Path(path).name)
        return real(data, path, config, module)

    monkeypatch.setattr(runner, "analyse_bytes", counting)
    sources, _ = discover([str(tmp_path)], DEFAULT_EXCLUDES)
    lint(sources, DEFAULTS, str(tmp_path), prefilter=True)
    assert parsed.count("agent.py") == 1
    assert parsed.count("helpers.py") == 1  # parsed once, for the hierarchy (Mixin), not for fmt()'s value
    monkeypatch.setattr(runner, "analyse_bytes", real)
    (tmp_path / "agent.py").write_text((tmp_path / "agent.py").read_text().replace("Mixin, BaseAgent", "BaseAgent"))
    parsed.clear()
    monkeypatch.setattr(runner, "analyse_bytes", counting)
    lint(sources, DEFAULTS, str(tmp_path), prefilter=True)
    assert parsed == ["agent.py"]


def test_flake8_skips_only_files_that_cannot_hold_a_finding_on_their_own(tmp_path):
    """flake8 judges one file: a file that names nothing configured is not walked, and that changes nothing;
    a fullwidth spelling of a name still counts (identifiers are NFKC-normalised)."""
    from netra_isolation_lint.config import DEFAULTS
    from netra_isolation_lint.prefilter import may_matter_alone

    assert not may_matter_alone("import os\n\n\ndef f():\n    return os.sep\n", "pkg.util", DEFAULTS)
    assert may_matter_alone("bridge = await ｇet_agent_websocket_bridge()\n", "pkg.x", DEFAULTS)
    assert may_matter_alone("x = 1\n", "netra_backend.app.websocket_core.manager", DEFAULTS)  # an API module
    (tmp_path / "plain.py").write_text("import os\n\n\ndef f():\n    return os.sep\n")
    (tmp_path / "singleton.py").write_text("from s import get_agent_websocket_bridge\n")
    from conftest import run_flake8

    result = run_flake8(str(tmp_path))
    assert [line.split(": ")[0].rsplit(":", 2)[0] for line in result.stdout.splitlines()] == [
        str(tmp_path / "singleton.py")]
