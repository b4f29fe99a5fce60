"""The rule registry: every front end, output format and doc page reads the rules from here, and the one
:class:`~.engine.Engine` they all run is built here from the families' handlers."""

from __future__ import annotations

from .config import Config, ConfigError, origin, resolve_config
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


def unknown_code(code: str) -> str | None:
    """Why ``code`` (a code or a prefix, already of the form NILddd) names no rule, with a did-you-mean; None
    when it names one. An unknown code in ``select`` would switch the gate off without a word."""
    if any(known.startswith(code) for known in RULES):
        return None
    if len(code) == 6:
        distance, close = min((_typo_distance(code[3:], known[3:]), known) for known in RULES)
        hint = f"did you mean {close}?" if distance <= 2 else f"known codes: {min(RULES)}..{max(RULES)}"
        return f"unknown rule code {code!r} ({hint})"
    prefixes = sorted({known[:len(code)] for known in RULES})
    return f"{code!r} is the prefix of no rule (prefixes of that length: {', '.join(prefixes)})"


def _typo_distance(a: str, b: str) -> int:
    """Edits between two digit strings, a swap of neighbours counting as one (NIL130 is a typo of NIL103)."""
    rows = [list(range(len(b) + 1))]
    for i, x in enumerate(a, 1):
        row = [i]
        for j, y in enumerate(b, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (x != y)))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def code_problems(config) -> list[str]:
    """One line per unknown code in the config's ``select``, ``ignore`` and ``per_path_ignores``, naming the file
    and key as the config's own validation does."""
    problems = []
    for key in ("select", "ignore", "fixable", "unfixable"):
        for index, code in enumerate(getattr(config, key)):
            problem = unknown_code(code)
            if problem is not None:
                problems.append(f"{origin(config, key)}: {key}[{index}]: {problem}")
    for glob, codes in config.per_path_ignores:
        for code in codes:
            problem = unknown_code(code)
            if problem is not None:
                problems.append(f"{origin(config, 'per_path_ignores')}: per_path_ignores[{glob!r}]: {problem}")
    return problems


def resolve_known_config(explicit: str | None, start: str | None = None) -> Config:
    """:func:`~.config.resolve_config` (discovery from ``start``, then the working directory), and every code it
    names must name a rule: what all front ends load."""
    config = resolve_config(explicit, start)
    if config.source is None and start is not None and explicit is None:
        config = resolve_config(None)
    problems = code_problems(config)
    if problems:
        raise ConfigError(problems)
    return config
