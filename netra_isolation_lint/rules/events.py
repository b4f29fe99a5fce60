"""NIL401–NIL403: only configured events reach the user's chat, and every critical event does."""

from __future__ import annotations

import ast

from ..model.facts import Finding
from ..model.names import closest, is_test_path, name_matches
from ..model.semantic import EMITTER, FileContext
from .fix import UNSAFE, Edit, Fix, Source, Where
from .rule import Rule

NIL401 = Rule(
    "NIL401", "unknown-emitter-event-method", "warning",
    "{method}() is not a configured event; {hint}",
    "`emitter.emit_<name>()` names an event that is not configured.",
    doc='''
## What it does
Reports `<receiver>.emit_<name>(...)` when `<name>` is not in `critical_events` or
`custom_events` and `emit_<name>` is not an `emitters.helpers` method. The receiver must
be an emitter: bound from an `emitters.factories` or `emitters.getters` call, or named to
match `emitters.names` (default `emitter`, `*_emitter`, so `self._websocket_emitter`
counts). Calls on `self` are ignored. The message suggests the closest configured method.

## Why is this bad?
The frontend renders only the events it knows. A misspelt or invented event method
either fails at run time or sends a message the chat never shows, so the user sees an
agent that went silent; the five critical events are the contract with the client.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    async def _run_tool(self, tool_name: str) -> None:
        await self._websocket_emitter.emit_tool_started({"tool_name": tool_name})
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    async def _run_tool(self, tool_name: str) -> None:
        await self._websocket_emitter.emit_tool_executing({"tool_name": tool_name})
```

## Configuration
- `critical_events`, `custom_events`: the events that may be emitted.
- `emitters.helpers`: generic methods that are always allowed (default `emit_custom_event`).
- `emitters.names`, `emitters.factories`, `emitters.getters`: what counts as an emitter.

## Limitations
Receivers are classified by name when their binding is not visible, so an unrelated
object called `metrics_emitter` is checked, and an emitter passed in under another name
(`self._ws = ws`) is not.
Generic methods that real emitters have (`emit_critical_event`, `emit_auth_event`) are
reported unless added to `emitters.helpers`. Whether the method exists on the emitter
class is not checked.
''',
    fix=Fix(UNSAFE, "The method is renamed to the suggestion when there is exactly one close "
            "configured event: the call then sends an event it did not send before.",
            lambda *args: _rename_emit_method(*args)),
)


NIL402 = Rule(
    "NIL402", "unknown-event-name", "warning",
    "event {event!r} passed to {sink}() is not in critical_events or custom_events; {hint}",
    "A literal event name passed to an event sink is not configured.",
    doc='''
## What it does
Reports a string literal passed as the first positional argument of an
`emitters.event_sinks` call (default `emit_custom_event`) when it is not in
`critical_events` or `custom_events`. The sink is matched by call name alone, on any
receiver or as a plain function. The message suggests the closest configured event.

## Why is this bad?
A custom event name is a string contract with the frontend. A typo
(`"agent_thinkng"`) or an undeclared name produces an event no client handles, and it
cannot be found by searching for the event's declaration.

## Example
```python
async def report_progress(emitter, agent_name: str, message: str) -> None:
    await emitter.emit_custom_event("agent_progres", {"agent_name": agent_name, "message": message})
```

## Use instead
```python
async def report_progress(emitter, agent_name: str, message: str) -> None:
    await emitter.emit_agent_thinking({"agent_name": agent_name, "thought": message})
```
or declare the event:
```yaml
custom_events: [agent_progress]
```

## Configuration
- `critical_events`, `custom_events`: the known events.
- `emitters.event_sinks`: calls whose first positional argument is an event name.

## Limitations
Only literal strings are judged. f-strings (`f"agent_{status}"`), variables, constants
and names passed by keyword are not; nor are sinks reached through `getattr`.
''',
    fix=Fix(UNSAFE, "The literal is replaced by the suggestion when there is exactly one close configured "
            "event (quotes kept): the chat then receives a different event name.",
            lambda *args: _rename_event_literal(*args)),
)


NIL403 = Rule(
    "NIL403", "critical-event-never-emitted", "warning",
    "critical event {event!r} is never emitted by a working call in the analysed files; emit it with "
    "emitter.emit_{event}(...) where the agent reaches that stage, or the user's chat never shows it",
    "A configured critical event is emitted nowhere in the analysed project.",
    doc='''
## What it does
Reported by the command-line interface, once per event, when a `critical_events` entry
is emitted by no working call in the production files (outside `test_paths`): an
`emit_<event>(...)` on an emitter, or the event as a literal first argument of an
`emitters.event_sinks` call, that NIL404–NIL406 do not show will raise. It is placed in
the tree: at the production emitter's `emit_<event>` definition, else at the config's
`critical_events` when the config is in the tree, else at line 1 of the first file; never
at a config outside it (`--config /dev/null`, a contract in `$RUNNER_TEMP`).

## Why is this bad?
The chat UI is driven by the five critical events. If no code path sends, say,
`agent_completed`, users watch an agent that never finishes, even though every emitter
call that does exist is correct. This is typically lost in a migration from the bridge's
`notify_agent_completed` to the emitter.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    async def execute(self, query: str) -> str:
        emitter = await AgentWebSocketBridge().create_user_emitter(self.user_context)
        await emitter.emit_agent_started({"agent_name": self.name})
        await emitter.emit_agent_thinking({"thought": "Reading usage data"})
        await emitter.emit_tool_executing({"tool_name": "usage_query"})
        rows = await self.tools.run("usage_query", query)
        await emitter.emit_tool_completed({"tool_name": "usage_query"})
        return self.summarise(rows)
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    async def execute(self, query: str) -> str:
        emitter = await AgentWebSocketBridge().create_user_emitter(self.user_context)
        await emitter.emit_agent_started({"agent_name": self.name})
        await emitter.emit_agent_thinking({"thought": "Reading usage data"})
        await emitter.emit_tool_executing({"tool_name": "usage_query"})
        rows = await self.tools.run("usage_query", query)
        await emitter.emit_tool_completed({"tool_name": "usage_query"})
        summary = self.summarise(rows)
        await emitter.emit_agent_completed({"result": summary})
        return summary
```

## Configuration
- `critical_events`: the events that must be emitted somewhere.
- `test_paths`: files whose emits do not count (the test suite, by default).
- `emitters.names`, `emitters.factories`, `emitters.getters`, `emitters.event_sinks`:
  what counts as emitting (see NIL401 and NIL402).
- `select`, `ignore`, `per_path_ignores`: apply with the finding's path.

## Limitations
A whole-project check: judged only when a directory is given, never for files named one by
one (a pre-commit hook's staged files), never on code with no emitter and no bridge. Emits
on `self`, legacy `notify_*` calls, f-string event names and unparseable or skipped files
do not count; it checks that the project emits each event somewhere, not every agent.

## Suppression
There is no line to put `# noqa` on. Use `ignore: [NIL403]`, or remove the event from
`critical_events` if the project really does not use it.
''', front_ends="cli",
)


RULES = (NIL401, NIL402, NIL403)


def on_emitter_receiver(node: ast.Call, ctx: FileContext, then) -> None:
    """Call ``then(value)`` when the call's receiver is an emitter (``self`` itself never is one)."""
    func = node.func
    if isinstance(func, ast.Attribute) and not ctx.is_self(func.value):
        ctx.on_value(func.value, lambda value: then(value) if value is not None and value.kind == EMITTER else None)


def unknown_emit_method(node: ast.Call, ctx: FileContext) -> None:
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr.startswith("emit_") and func.attr not in ctx.config.emitter_helpers:
        on_emitter_receiver(node, ctx, lambda value: _judge_emit_method(node, ctx))


def _method_suggestion(method: str, config) -> str | None:
    """The configured emit method a typo most likely meant: the message's advice and the fix's rename."""
    return closest(method, sorted([f"emit_{e}" for e in config.events] + list(config.emitter_helpers)))


def _event_suggestion(event: str, config) -> str | None:
    return closest(event, sorted(config.events))


def _judge_emit_method(node: ast.Call, ctx: FileContext) -> None:
    func = node.func
    event = func.attr[len("emit_"):]
    if event in ctx.config.events:
        ctx.facts.emits.append((event, node.lineno, node.col_offset))
        return
    suggestion = _method_suggestion(func.attr, ctx.config)
    hint = (f"did you mean {suggestion}?" if suggestion
            else "emit one of the configured events or declare it in custom_events")
    ctx.report(node, NIL401, method=func.attr, hint=hint)


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
    suggestion = _event_suggestion(event, ctx.config)
    hint = (f"did you mean {suggestion!r}? If not, declare it in custom_events" if suggestion
            else "declare it in custom_events if it is intended")
    ctx.report(first, NIL402, event=_printable(event), sink=sink, hint=hint)


def _printable(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def critical_events_never_emitted(project, broken: set[tuple[str, int, int]],
                                  fallback: tuple[str, int] | None) -> list[tuple[str, Finding]]:
    """NIL403: critical events no analysed file emits by a call that can work, in configuration order, each
    placed where a reader can act: the emitter's ``emit_<event>`` definition, else ``fallback`` (the config entry
    or the first file of the tree). Silent on code that uses no emitter and no bridge at all."""
    if fallback is None or not _uses_the_isolation_api(project):
        return []
    emitted = project.emitted_events(broken)
    definitions = _emitter_methods(project)
    found = []
    for event in project.config.critical_events:
        if event not in emitted:
            path, line = definitions.get(f"emit_{event}", fallback)
            found.append((path, Finding(line, 0, NIL403.code, NIL403.format(event=event))))
    return found


def _uses_the_isolation_api(project) -> bool:
    """Some file emits an event, defines or is handed an emitter, or names a bridge or its accessor."""
    if any(module.emits for module in project.all_modules) or project.types.emitter_classes():
        return True
    config = project.config
    names = config.bridge_classes + config.accessors
    return any(name_matches(target, names) for module in project.all_modules for target in module.bindings.values())


def _emitter_methods(project) -> dict[str, tuple[str, int]]:
    """``emit_*`` method -> (path, line) of its definition in a production emitter class, first by path."""
    found: dict[str, tuple[str, int]] = {}
    for cls in project.types.emitter_classes():
        home = project.home_of(cls)
        if home is None or is_test_path(home.path, project.config):
            continue
        for name, line in cls.method_lines:
            if name.startswith("emit_") and (name not in found or (home.path, line) < found[name]):
                found[name] = (home.path, line)
    return found


WIDE_CHECKS = (critical_events_never_emitted,)

ON = {
    ast.Call: (unknown_emit_method, unknown_sink_event),
}


# --------------------------------------------------------------------------- fixes


def _rename_emit_method(source: Source, line: int, col: int, where: Where) -> tuple[str, tuple[Edit, ...]] | None:
    call = source.call_at(line, col)
    func = call.func if call is not None else None
    if not isinstance(func, ast.Attribute) or func.end_lineno != func.lineno:
        return None
    suggestion = _method_suggestion(func.attr, where.config)
    if suggestion is None:
        return None
    end = source.offset(func.end_lineno, func.end_col_offset)
    if source.data[end - len(func.attr):end] != func.attr.encode():
        return None
    return UNSAFE, (Edit(end - len(func.attr), end, suggestion.encode()),)


def _rename_event_literal(source: Source, line: int, col: int, where: Where) -> tuple[str, tuple[Edit, ...]] | None:
    literal = next((n for n in source.at(line, col) if isinstance(n, ast.Constant) and isinstance(n.value, str)),
                   None)
    if literal is None:
        return None
    suggestion = _event_suggestion(literal.value, where.config)
    text = source.text(literal)
    quote = text[-1:]
    # only a plain one-line literal whose text is its value: no prefix, escape or implicit concatenation
    if suggestion is None or text != quote + literal.value.encode() + quote or quote not in (b"'", b'"'):
        return None
    start, end = source.span(literal)
    return UNSAFE, (Edit(start + 1, end - 1, suggestion.encode()),)
