"""The rule families, one module each; this merges their node handlers and project checks."""

from __future__ import annotations

from . import context, diagnostics, emitters, events, singleton

FAMILIES = (singleton, context, emitters, events, diagnostics)


def _merge(attribute: str) -> dict[type, tuple]:
    merged: dict[type, tuple] = {}
    for family in FAMILIES:
        for node_type, handlers in getattr(family, attribute, {}).items():
            merged[node_type] = merged.get(node_type, ()) + tuple(handlers)
    return merged


ON = _merge("ON")
ON_LEAVE = _merge("ON_LEAVE")
PROJECT_CHECKS = tuple(check for family in FAMILIES for check in getattr(family, "PROJECT_CHECKS", ()))
