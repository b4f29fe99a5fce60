"""The rule registry: every front end, output format and doc page reads the rules from here, and the one
:class:`~.engine.Engine` they all run is built here from the families' handlers."""

from __future__ import annotations

from .engine import Engine, RuleSet
from .rules import api, context, diagnostics, emitters, events, singleton
from .rules.rule import Rule

FAMILIES = (singleton, context, emitters, events, api, diagnostics)


def _collect() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for family in FAMILIES:
        for rule in family.RULES:
            if rule.code in rules:
                raise RuntimeError(f"duplicate rule code {rule.code}")
            rules[rule.code] = rule
    return dict(sorted(rules.items()))


def _merge(attribute: str) -> dict[type, tuple]:
    merged: dict[type, tuple] = {}
    for family in FAMILIES:
        for node_type, handlers in getattr(family, attribute, {}).items():
            merged[node_type] = merged.get(node_type, ()) + tuple(handlers)
    return merged


def _checks(attribute: str) -> tuple:
    return tuple(check for family in FAMILIES for check in getattr(family, attribute, ()))


RULES: dict[str, Rule] = _collect()
ENGINE = Engine(RuleSet(RULES, _merge("ON"), _merge("ON_LEAVE"), _checks("PROJECT_CHECKS"), _checks("WIDE_CHECKS")))
