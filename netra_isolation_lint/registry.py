"""The one rule registry: every front end, output format and doc page reads from here."""

from __future__ import annotations

from .rule import Rule

def _collect() -> dict[str, Rule]:
    from .rules import FAMILIES

    rules: dict[str, Rule] = {}
    for family in FAMILIES:
        for rule in family.RULES:
            if rule.code in rules:
                raise RuntimeError(f"duplicate rule code {rule.code}")
            rules[rule.code] = rule
    return dict(sorted(rules.items()))


RULES: dict[str, Rule] = _collect()


def rule_doc_page(rule: Rule) -> str:
    """The Markdown page for ``docs/rules/<code>.md`` and ``--explain``."""
    where = "" if rule.front_ends == "all" else "\n\n*Reported by the command-line interface only.*"
    header = (
        f"# {rule.code}: {rule.slug}\n\n"
        f"{rule.summary}\n\n"
        f"Severity: {rule.severity} · pylint: `{rule.pylint_msgid}` / `{rule.slug}`{where}\n\n"
    )
    return header + rule.doc.strip() + "\n"
