"""The rule docs and the configuration reference stay true to the code.

- docs/rules/*.md are exactly what scripts/gen_rule_docs.py renders from the registry (no missing or extra pages);
- every rule doc has ruff's sections in order;
- the Python under "Example" triggers the rule and the Python under "Use instead" does not;
- slugs are unique kebab-case and message templates take exactly the fields the code passes;
- docs/configuration.md mentions every configuration key.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import string
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from netra_isolation_lint import engine
from netra_isolation_lint.config import DEFAULTS, SCHEMA
from netra_isolation_lint.registry import ENGINE, RULES

REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Configuration")
OPTIONAL_SECTIONS = ("Limitations", "Suppression")
PACKAGE = ROOT / "netra_isolation_lint"


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_rule_docs", ROOT / "scripts" / "gen_rule_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sections(doc: str) -> list[tuple[str, str]]:
    """(heading, body) for every ``## `` heading, in order, ignoring headings inside code fences."""
    found: list[tuple[str, list[str]]] = []
    fenced = False
    for line in doc.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            found.append((line[3:].strip(), []))
        elif found:
            found[-1][1].append(line)
    return [(heading, "\n".join(body)) for heading, body in found]


def python_blocks(body: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", body, flags=re.S | re.M)


def section_blocks(code: str, heading: str) -> list[str]:
    return [block for h, body in sections(RULES[code].doc) if h == heading for block in python_blocks(body)]


# --------------------------------------------------------------------------- generated pages

def test_generated_pages_match_registry():
    problems = _load_generator().check()
    assert not problems, "run: python scripts/gen_rule_docs.py\n" + "\n".join(problems)


def test_check_reports_missing_differing_and_extra_pages(tmp_path):
    generator = _load_generator()
    generator.write(tmp_path)
    assert generator.check(tmp_path) == []
    (tmp_path / "NIL101.md").unlink()
    (tmp_path / "NIL102.md").write_text("stale\n", encoding="utf-8")
    (tmp_path / "NIL999.md").write_text("no such rule\n", encoding="utf-8")
    problems = generator.check(tmp_path)
    assert any(p.startswith("missing:") and p.endswith("NIL101.md") for p in problems)
    assert any(p.startswith("differs:") and p.endswith("NIL102.md") for p in problems)
    assert any(p.startswith("extra:") and p.endswith("NIL999.md") for p in problems)
    assert generator.main(["--check", "--docs-dir", str(tmp_path)]) == 1
    generator.write(tmp_path)
    assert not (tmp_path / "NIL999.md").exists()
    assert generator.main(["--check", "--docs-dir", str(tmp_path)]) == 0


def test_index_lists_every_rule():
    index = (ROOT / "docs" / "rules" / "README.md").read_text(encoding="utf-8")
    for code, rule in RULES.items():
        assert re.search(rf"^\| \[{code}\]\({code}\.md\) \| `{rule.slug}` \| {rule.severity} \|", index, re.M), code


# --------------------------------------------------------------------------- doc shape

@pytest.mark.parametrize("code", sorted(RULES))
def test_doc_sections_in_order(code):
    headings = [h for h, _ in sections(RULES[code].doc)]
    assert headings[: len(REQUIRED_SECTIONS)] == list(REQUIRED_SECTIONS), headings
    extra = headings[len(REQUIRED_SECTIONS):]
    assert all(h in OPTIONAL_SECTIONS for h in extra), extra
    assert extra == sorted(extra, key=OPTIONAL_SECTIONS.index) and len(set(extra)) == len(extra), extra
    assert all(body.strip() for _, body in sections(RULES[code].doc)), "empty section"
    assert "TBD" not in RULES[code].doc
    assert 30 <= len(RULES[code].doc.strip().splitlines()) <= 70


@pytest.mark.parametrize("code", sorted(RULES))
def test_doc_examples_are_short(code):
    for heading in ("Example", "Use instead"):
        for block in section_blocks(code, heading):
            assert len(block.splitlines()) <= 15, (heading, block)


# --------------------------------------------------------------------------- examples really trigger

EXAMPLE_RULES = sorted(c for c in RULES if section_blocks(c, "Example") and section_blocks(c, "Use instead"))


def _codes_in_process(tmp_path: Path, source: str) -> set[str]:
    path = tmp_path / "example.py"
    path.write_text(source, encoding="utf-8")
    tree = engine.parse(path.read_bytes(), str(path))
    return {f.code for f in ENGINE.check_tree_alone(tree, str(path), DEFAULTS)}


# Rules that are off by default, and the config their examples are checked with.
OPT_IN = {"NIL903": "report_unused_noqa: true\n"}


def _codes_from_cli(tmp_path: Path, source: str, config: str = "") -> set[str]:
    """The CLI over a directory holding just the example: a whole project, so NIL403 runs too."""
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / ".git").mkdir(exist_ok=True)  # config discovery stops here: built-in defaults
    if config:
        (project / ".netra-isolation.yaml").write_text(config, encoding="utf-8")
    (project / "example.py").write_text(source, encoding="utf-8")
    result = run_cli("--format", "text", ".", cwd=project)
    assert result.returncode in (0, 1), result.stderr
    return set(re.findall(r"^\S+:\d+:\d+: (NIL\d+) ", result.stdout, re.M))


def _codes(tmp_path: Path, code: str, source: str) -> set[str]:
    if RULES[code].front_ends == "cli" or code in OPT_IN:
        return _codes_from_cli(tmp_path, source, OPT_IN.get(code, ""))
    return _codes_in_process(tmp_path, source)


def test_rules_with_code_examples():
    """Every rule that can fire on code has a runnable example; only NIL901/NIL902 do without."""
    assert set(RULES) - set(EXAMPLE_RULES) == {"NIL901", "NIL902"}


@pytest.mark.parametrize("code", EXAMPLE_RULES)
def test_example_triggers_rule(code, tmp_path):
    for block in section_blocks(code, "Example"):
        assert code in _codes(tmp_path, code, block), block


@pytest.mark.parametrize("code", EXAMPLE_RULES)
def test_use_instead_does_not_trigger_rule(code, tmp_path):
    for block in section_blocks(code, "Use instead"):
        assert code not in _codes(tmp_path, code, block), block


@pytest.mark.parametrize("code", [c for c in EXAMPLE_RULES if RULES[c].front_ends == "all"])
def test_use_instead_is_clean(code, tmp_path):
    """The recommended code does not trade one finding for another."""
    for block in section_blocks(code, "Use instead"):
        assert _codes_in_process(tmp_path, block) == set(), block


# --------------------------------------------------------------------------- slugs and messages

def test_slugs_are_unique_kebab_case():
    slugs = [rule.slug for rule in RULES.values()]
    assert len(set(slugs)) == len(slugs)
    for slug in slugs:
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", slug), slug


def _template_fields(template: str) -> set[str]:
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(template) if field}


def _passed_fields() -> dict[str, set[str]]:
    """Code -> keyword names passed where the package formats its message: ``ctx.report(node, NILxxx, k=...)``
    with the rule's record, ``NILxxx.format(k=...)`` and ``RULES["NILxxx"].format(k=...)``."""
    passed: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            code = None
            if node.func.attr == "report" and len(node.args) >= 2 and isinstance(node.args[1], ast.Name):
                code = node.args[1].id
            elif node.func.attr == "format" and isinstance(node.func.value, ast.Name):
                code = node.func.value.id
            elif (node.func.attr == "format" and isinstance(node.func.value, ast.Subscript)
                  and isinstance(node.func.value.slice, ast.Constant)):
                code = node.func.value.slice.value
            if isinstance(code, str) and code in RULES:
                passed.setdefault(code, set()).update(k.arg for k in node.keywords if k.arg)
    return passed


def test_message_templates_match_what_the_code_passes():
    passed = _passed_fields()
    assert set(passed) == set(RULES), set(RULES) ^ set(passed)
    for code, rule in RULES.items():
        fields = _template_fields(rule.message)
        assert fields == passed[code], (code, fields, passed[code])
        rule.format(**{name: "x" for name in fields})  # no KeyError, no bad conversion


# --------------------------------------------------------------------------- configuration reference

def test_configuration_doc_mentions_every_key():
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for section, keys in SCHEMA.items():
        if section is not None:
            assert re.search(rf"^{section}:", text, re.M), f"example config lacks the {section}: section"
        for key in keys:
            name = key if section is None else f"{section}.{key}"
            assert f"`{name}`" in text, name


def test_configuration_doc_example_loads(tmp_path):
    """The example contract in docs/configuration.md is a valid config."""
    from netra_isolation_lint.config import load_config

    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```$", text, flags=re.S | re.M)
    assert blocks
    path = tmp_path / ".netra-isolation.yaml"
    path.write_text(max(blocks, key=len), encoding="utf-8")
    config = load_config(str(path))
    assert config.source == str(path)
