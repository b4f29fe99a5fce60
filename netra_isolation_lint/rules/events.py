"""NIL4xx: only configured events reach the user's chat, through methods the emitter really has."""

from __future__ import annotations

import ast
import difflib

from ..engine import EMITTER, FileContext
from ..facts import EmitterCall
from ..rule import Rule
from . import docs

RULES = (
    Rule(
        "NIL401", "unknown-emitter-event-method", "warning",
        "{method}() is not a configured event; {hint}",
        "`emitter.emit_<name>()` names an event that is not configured.",
        docs.NIL401,
    ),
    Rule(
        "NIL402", "unknown-event-name", "warning",
        "event {event!r} passed to {sink}() is not in critical_events or custom_events; {hint}",
        "A literal event name passed to an event sink is not configured.",
        docs.NIL402,
    ),
    Rule(
        "NIL403", "critical-event-never-emitted", "warning",
        "critical event {event!r} is never emitted by any analysed file; emit it with "
        "emitter.emit_{event}(...) where the agent reaches that stage, or the user's chat never shows it",
        "A configured critical event is emitted nowhere in the analysed project.",
        docs.NIL403, front_ends="cli",
    ),
)


def _closest(word: str, candidates: list[str]) -> str | None:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def _receiver_value(node: ast.Call, ctx: FileContext):
    func = node.func
    if not isinstance(func, ast.Attribute) or ctx.is_self(func.value):
        return None
    value = ctx.value_of(func.value)
    return value if value is not None and value.kind == EMITTER else None


def unknown_emit_method(node: ast.Call, ctx: FileContext) -> None:
    func = node.func
    if not isinstance(func, ast.Attribute) or not func.attr.startswith("emit_"):
        return
    if func.attr in ctx.config.emitter_helpers or _receiver_value(node, ctx) is None:
        return
    event = func.attr[len("emit_"):]
    if event in ctx.config.events:
        ctx.facts.emitted_events.add(event)
        return
    allowed = sorted([f"emit_{e}" for e in ctx.config.events] + list(ctx.config.emitter_helpers))
    suggestion = _closest(func.attr, allowed)
    hint = (f"did you mean {suggestion}?" if suggestion
            else "emit one of the configured events or declare it in custom_events")
    ctx.report(node, "NIL401", method=func.attr, hint=hint)


def unknown_sink_event(node: ast.Call, ctx: FileContext) -> None:
    func = node.func
    sink = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if sink not in ctx.config.event_sinks or not node.args:
        return
    first = node.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return  # f-strings and other dynamic names cannot be judged
    event = first.value
    if event in ctx.config.events:
        ctx.facts.emitted_events.add(event)
        return
    suggestion = _closest(event, sorted(ctx.config.events))
    hint = f"did you mean {suggestion!r}?" if suggestion else "declare it in custom_events if it is intended"
    ctx.report(first, "NIL402", event=_printable(event), sink=sink, hint=hint)


def _printable(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def record_emitter_call(node: ast.Call, ctx: FileContext) -> None:
    """Calls on emitters whose factory is known, for the emitter API contract (NIL404/NIL405)."""
    value = _receiver_value(node, ctx)
    if value is None or not value.origin:
        return
    ctx.facts.emitter_calls.append(EmitterCall(
        value.origin, node.func.attr, node.lineno, node.col_offset,
        positional=sum(1 for a in node.args if not isinstance(a, ast.Starred)),
        keywords=tuple(k.arg for k in node.keywords if k.arg is not None),
        star_args=any(isinstance(a, ast.Starred) for a in node.args),
        star_kwargs=any(k.arg is None for k in node.keywords),
    ))


def critical_events_never_emitted(project) -> list[str]:
    """NIL403: critical events no analysed file emits, in configuration order."""
    emitted = project.emitted_events()
    return [event for event in project.config.critical_events if event not in emitted]


ON = {
    ast.Call: (unknown_emit_method, unknown_sink_event, record_emitter_call),
}
