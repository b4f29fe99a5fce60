"""NIL1xx: no process-wide bridge. Events for one user must never pass through an object every user shares."""

from __future__ import annotations

import ast

from ..engine import BRIDGE, FileContext, assignment_pairs, ast_text, name_matches
from ..rule import Rule
from . import docs

RULES = (
    Rule(
        "NIL101", "singleton-bridge-accessor-call", "warning",
        "{name}() returns the process-wide bridge that can deliver one user's events to another; "
        "create a per-user emitter with AgentWebSocketBridge().create_user_emitter(user_context) instead",
        "A configured singleton accessor (default `get_agent_websocket_bridge`) is called.",
        docs.NIL101,
    ),
    Rule(
        "NIL102", "singleton-bridge-accessor-import", "warning",
        "{name} is the singleton bridge accessor; import AgentWebSocketBridge and create a per-user "
        "emitter from the request's user_context instead",
        "A configured singleton accessor is imported.",
        docs.NIL102,
    ),
    Rule(
        "NIL103", "legacy-bridge-notify-call", "warning",
        "{method}() on a bridge is the legacy path that is not bound to one user; emit through the request's "
        "emitter instead: {replacement}",
        "A legacy `notify_*` method is called on a bridge rather than on a per-user emitter.",
        docs.NIL103,
    ),
    Rule(
        "NIL104", "shared-bridge-instance", "warning",
        "bridge bound to {target} ({where}) is one instance shared by every user; create it inside the "
        "request and use a per-user emitter",
        "A bridge instance or singleton accessor result is stored at module level or on a class.",
        docs.NIL104,
    ),
)


def singleton_accessor_called(node: ast.Call, ctx: FileContext) -> None:
    if ctx.is_accessor_call(node):
        func = node.func
        ctx.report(node, "NIL101", name=func.id if isinstance(func, ast.Name) else func.attr)


def singleton_accessor_imported(node: ast.ImportFrom, ctx: FileContext) -> None:
    for alias in node.names:
        if name_matches(alias.name, ctx.config.accessors) or name_matches(
            f"{node.module or ''}.{alias.name}", ctx.config.accessors
        ):
            ctx.report(alias, "NIL102", name=alias.name)


def legacy_notify_on_bridge(node: ast.Call, ctx: FileContext) -> None:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in ctx.config.legacy_bridge_methods:
        return

    def judge(value) -> None:
        if value is not None and value.kind == BRIDGE:
            ctx.report(node, "NIL103", method=func.attr, replacement=emit_replacement(func.attr, ctx))

    ctx.on_value(func.value, judge)


def emit_replacement(method: str, ctx: FileContext) -> str:
    """Critical events have their own emit_<event> method; anything else goes through the helper and,
    to pass NIL402, must be declared."""
    event = method[len("notify_"):]
    if event in ctx.config.critical_events:
        return f"emitter.emit_{event}(...)"
    helper = ctx.config.emitter_helpers[0] if ctx.config.emitter_helpers else "emit_custom_event"
    declare = "" if event in ctx.config.custom_events else f' (declare "{event}" in custom_events)'
    return f'emitter.{helper}("{event}", ...){declare}'


def bridge_stored_in_shared_place(node: ast.Assign | ast.AnnAssign, ctx: FileContext) -> None:
    if node.value is None:
        return
    for top in node.targets if isinstance(node, ast.Assign) else (node.target,):
        for target, part in assignment_pairs(top, node.value):
            where = ctx.shared_storage(target)  # first: most targets are locals, and this is cheaper
            if where is None or part is None:
                continue
            value = ctx.value_of(part)
            if value is not None and value.kind == BRIDGE and value.origin:
                ctx.report(node, "NIL104", target=ast_text(target), where=where)


ON = {
    ast.Call: (singleton_accessor_called, legacy_notify_on_bridge),
    ast.ImportFrom: (singleton_accessor_imported,),
    ast.Assign: (bridge_stored_in_shared_place,),
    ast.AnnAssign: (bridge_stored_in_shared_place,),
}
