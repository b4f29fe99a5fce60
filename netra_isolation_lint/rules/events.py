"""NIL4xx: only configured events reach the user's chat, through methods the emitter really has."""

from __future__ import annotations

import ast
import difflib

from ..engine import EMITTER, FileContext
from ..facts import EmitterCall, Finding, ModuleFacts, Signature
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
        "critical event {event!r} is never emitted by a working call in the analysed files; emit it with "
        "emitter.emit_{event}(...) where the agent reaches that stage, or the user's chat never shows it",
        "A configured critical event is emitted nowhere in the analysed project.",
        docs.NIL403, front_ends="cli",
    ),
    Rule(
        "NIL404", "emitter-method-does-not-exist", "error",
        "{cls} has no method {method}(); this call raises AttributeError and the user never gets the event; "
        "{hint}",
        "A method called on an emitter is not defined by the emitter's class.",
        docs.NIL404,
    ),
    Rule(
        "NIL405", "emitter-call-does-not-fit-signature", "error",
        "{cls}.{method}() {problem}; this call raises TypeError and the user never gets the event: "
        "call it as {method}({params})",
        "A call to an emitter method passes arguments its signature cannot accept.",
        docs.NIL405,
    ),
)
BY_CODE = {rule.code: rule for rule in RULES}


def _closest(word: str, candidates: list[str]) -> str | None:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def on_emitter_receiver(node: ast.Call, ctx: FileContext, then) -> None:
    """Call ``then(value)`` when the call's receiver is an emitter (``self`` itself never is one)."""
    func = node.func
    if isinstance(func, ast.Attribute) and not ctx.is_self(func.value):
        ctx.on_value(func.value, lambda value: then(value) if value is not None and value.kind == EMITTER else None)


def unknown_emit_method(node: ast.Call, ctx: FileContext) -> None:
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr.startswith("emit_") and func.attr not in ctx.config.emitter_helpers:
        on_emitter_receiver(node, ctx, lambda value: _judge_emit_method(node, ctx))


def _judge_emit_method(node: ast.Call, ctx: FileContext) -> None:
    func = node.func
    event = func.attr[len("emit_"):]
    if event in ctx.config.events:
        ctx.facts.emits.append((event, node.lineno, node.col_offset))
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
        ctx.facts.emits.append((event, node.lineno, node.col_offset))
        return
    suggestion = _closest(event, sorted(ctx.config.events))
    hint = f"did you mean {suggestion!r}?" if suggestion else "declare it in custom_events if it is intended"
    ctx.report(first, "NIL402", event=_printable(event), sink=sink, hint=hint)


def _printable(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def record_emitter_call(node: ast.Call, ctx: FileContext) -> None:
    """Calls on emitters whose factory is known, and emitter factory calls on a known class, for the
    emitter API contract (NIL404/NIL405)."""
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in ctx.config.emitter_factories:
        owner = ctx.class_of(func.value)
        if owner:
            _record_emitter_call(node, ctx, ("of", owner, ""))
    on_emitter_receiver(node, ctx, lambda value: value.origin and _record_emitter_call(node, ctx, value.origin))


def _record_emitter_call(node: ast.Call, ctx: FileContext, origin: tuple[str, ...]) -> None:
    ctx.facts.emitter_calls.append(EmitterCall(
        origin, node.func.attr, node.lineno, node.col_offset,
        positional=sum(1 for a in node.args if not isinstance(a, ast.Starred)),
        keywords=tuple(k.arg for k in node.keywords if k.arg is not None),
        star_args=any(isinstance(a, ast.Starred) for a in node.args),
        star_kwargs=any(k.arg is None for k in node.keywords),
    ))


def critical_events_never_emitted(project, broken: set[tuple[str, int, int]]) -> list[str]:
    """NIL403: critical events no analysed file emits by a call that can work, in configuration order."""
    emitted = project.emitted_events(broken)
    return [event for event in project.config.critical_events if event not in emitted]


def emitter_api_contract(module: ModuleFacts, project) -> list[Finding]:
    """NIL404/NIL405: calls on an emitter checked against the class its factory returns."""
    found = []
    for call in module.emitter_calls:
        classes = project.emitter_classes(call.origin, module)
        if not classes:
            continue
        members = [(cls, *project.member(cls, call.method)) for cls in classes]
        if any(exists is None for _, exists, _ in members):
            continue
        present = [(cls, sig) for cls, exists, sig in members if exists]
        names = " or ".join(sorted({cls.name for cls in classes}))
        if not present:
            methods = sorted({m for cls in classes for m, _ in cls.methods if not m.startswith("_")})
            suggestion = _closest(call.method, methods)
            hint = f"did you mean {suggestion}()?" if suggestion else f"it has: {', '.join(methods[:8]) or 'no public methods'}"
            found.append(Finding(call.line, call.col, "NIL404",
                                 BY_CODE["NIL404"].format(cls=names, method=call.method, hint=hint)))
            continue
        if any(sig is None for _, sig in present):
            continue
        problems = [signature_problem(sig, call) for _, sig in present]
        if all(problems):
            sig = present[0][1]
            found.append(Finding(call.line, call.col, "NIL405", BY_CODE["NIL405"].format(
                cls=present[0][0].name, method=call.method, problem=problems[0], params=describe(sig))))
    return found


def signature_problem(sig: Signature, call: EmitterCall) -> str | None:
    """Why a call cannot bind to a signature, judged only where the call's shape is fully visible."""
    if call.star_args or call.star_kwargs:
        return None
    positional_names = sig.positional
    if call.positional > len(positional_names) and not sig.varargs:
        return f"takes {len(positional_names)} positional argument(s) but {call.positional} were given"
    filled = set(positional_names[:call.positional])
    for keyword in call.keywords:
        if keyword in filled and keyword not in sig.positional[:sig.positional_only]:
            return f"got multiple values for argument {keyword!r}"
        if not sig.accepts_keyword(keyword):
            return f"got an unexpected keyword argument {keyword!r}"
    given = filled | set(call.keywords)
    missing = [name for name in positional_names[:sig.required_positional] if name not in given]
    missing += [name for name in sig.required_keyword_only if name not in given]
    if missing:
        return f"is missing required argument(s) {', '.join(repr(m) for m in missing)}"
    return None


def describe(sig: Signature) -> str:
    parts = list(sig.positional)
    if sig.varargs:
        parts.append("*args")
    elif sig.keyword_only:
        parts.append("*")
    parts.extend(sig.keyword_only)
    if sig.varkw:
        parts.append("**kwargs")
    return ", ".join(parts)


PROJECT_CHECKS = (emitter_api_contract,)

ON = {
    ast.Call: (unknown_emit_method, unknown_sink_event, record_emitter_call),
}
