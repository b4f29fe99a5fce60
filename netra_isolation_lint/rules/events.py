"""NIL4xx: only configured events reach the user's chat, through methods the emitter really has."""

from __future__ import annotations

import ast
import difflib

from ..model.facts import EmitterCall, Finding, ModuleFacts, Signature
from ..model.semantic import EMITTER, FileContext
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
)


NIL403 = Rule(
    "NIL403", "critical-event-never-emitted", "warning",
    "critical event {event!r} is never emitted by a working call in the analysed files; emit it with "
    "emitter.emit_{event}(...) where the agent reaches that stage, or the user's chat never shows it",
    "A configured critical event is emitted nowhere in the analysed project.",
    doc='''
## What it does
Reported by the command-line interface, once per event, when a `critical_events` entry
is emitted nowhere in the files it was given. An event counts as emitted when some file
calls `<emitter>.emit_<event>(...)` on an emitter receiver (as classified for NIL401) or
passes it as a literal first argument to an `emitters.event_sinks` call, and that call can
work: a call that NIL404 or NIL405 shows will raise (a method the emitter does not have,
arguments its signature cannot take) emits nothing and does not count. The finding is
placed at line 1 of the config file, or of the first file checked when no config file is
used (code-scanning tools need a file).

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
- `emitters.names`, `emitters.factories`, `emitters.getters`, `emitters.event_sinks`:
  what counts as emitting (see NIL401 and NIL402).
- `select`, `ignore`, `per_path_ignores`: apply with the config file (or first PATH) as
  the finding's path.

## Limitations
It is a whole-project check: it runs only when a directory or more than one file is
given, and it is only as good as the set of files given. Tests that emit events count,
so lint the application code, not the test suite with it. Emits on `self`
(`self.emit_agent_started()`), legacy `notify_*` calls, f-string event names and files
that could not be parsed or were skipped do not count. It does not check that every
agent emits every event, only that the project does somewhere.

## Suppression
There is no line to put `# noqa` on. Use `ignore: [NIL403]`, or remove the event from
`critical_events` if the project really does not use it.
''', front_ends="cli",
)


NIL404 = Rule(
    "NIL404", "emitter-method-does-not-exist", "error",
    "{cls} has no method {method}(); this call raises AttributeError and the user never gets the event; "
    "{hint}",
    "A method called on an emitter is not defined by the emitter's class.",
    doc='''
## What it does
Checks method calls on an emitter whose origin is visible: a name bound from an
`emitters.factories` or `emitters.getters` call. The linter finds the class(es) that
factory returns (its return annotation, the constructor it returns, or the emitter it
gets from another factory), or, when the factory itself is not visible, the classes in
`emitters.classes`. It reports the call when none of those classes, nor their bases,
defines the method or assigns an attribute of that name. The message suggests the
closest public method. A factory called on a class the file shows (`AgentWebSocketBridge()
.create_user_emitter(...)`, or `SomeEmitter.create_scoped_emitter(...)` on the class
itself) is checked the same way against that class: NIL404 when it lacks the factory,
NIL405 when the arguments do not fit it.

## Why is this bad?
The call raises `AttributeError` when the agent runs, usually inside a `try` that logs
and carries on, so the user's chat simply never shows the event. The migration renamed
the bridge's `notify_agent_thinking(run_id, name, message)` to the emitter's
`emit_agent_thinking(data)`; code moved half-way calls the old name on the new object.

## Example
```python
class UserEmitter:
    async def emit_agent_thinking(self, data: dict) -> bool:
        return True


class EmitterFactory:
    async def create_user_emitter(self, user_context) -> UserEmitter:
        return UserEmitter()


async def think(user_context, message: str) -> None:
    emitter = await EmitterFactory().create_user_emitter(user_context)
    await emitter.notify_agent_thinking(message)
```

## Use instead
```python
class UserEmitter:
    async def emit_agent_thinking(self, data: dict) -> bool:
        return True


class EmitterFactory:
    async def create_user_emitter(self, user_context) -> UserEmitter:
        return UserEmitter()


async def think(user_context, message: str) -> None:
    emitter = await EmitterFactory().create_user_emitter(user_context)
    await emitter.emit_agent_thinking({"thought": message})
```

## Configuration
- `emitters.factories`, `emitters.getters`: calls whose result is checked.
- `emitters.classes`: the emitter classes to check against when the factory's own
  definition is not among the analysed files (a bare name or a dotted suffix).

## Limitations
Only what the front end sees can be judged: flake8 one file, pylint the file plus the
modules it imports from the same top-level package, the CLI every file given. Nothing is
reported when a class (or a base) is not visible, defines `__getattr__` or
`__getattribute__`, or when the receiver is an emitter only by its name.
''',
)


NIL405 = Rule(
    "NIL405", "emitter-call-does-not-fit-signature", "error",
    "{cls}.{method}() {problem}; this call raises TypeError and the user never gets the event: "
    "call it as {method}({params})",
    "A call to an emitter method passes arguments its signature cannot accept.",
    doc='''
## What it does
For a call on an emitter that NIL404 can check, and a method that exists, reports the
call when its arguments cannot bind to the method's signature (`self` excluded): too
many positional arguments, an unexpected keyword, a value given twice, or a required
argument missing. With several candidate classes, it reports only when the call fits
none of them. The message shows the parameters to use.

## Why is this bad?
The call raises `TypeError` at run time and the event is lost. The typical slip is
keeping the bridge's argument list (`run_id, agent_name, message`) when switching to
the emitter, whose event methods take a single payload.

## Example
```python
class UserEmitter:
    async def emit_agent_thinking(self, data: dict) -> bool:
        return True


class EmitterFactory:
    async def create_user_emitter(self, user_context) -> UserEmitter:
        return UserEmitter()


async def think(user_context, run_id: str, message: str) -> None:
    emitter = await EmitterFactory().create_user_emitter(user_context)
    await emitter.emit_agent_thinking(run_id, "ForecastAgent", message)
```

## Use instead
```python
class UserEmitter:
    async def emit_agent_thinking(self, data: dict) -> bool:
        return True


class EmitterFactory:
    async def create_user_emitter(self, user_context) -> UserEmitter:
        return UserEmitter()


async def think(user_context, run_id: str, message: str) -> None:
    emitter = await EmitterFactory().create_user_emitter(user_context)
    await emitter.emit_agent_thinking({"run_id": run_id, "thought": message})
```

## Configuration
- `emitters.factories`, `emitters.getters`, `emitters.classes`: as for NIL404.

## Limitations
Calls with `*args` or `**kwargs` are not judged. The signature is the one written in
the `def`: a decorator that changes it (a retry wrapper taking extra keywords) is not
seen and can cause a false report. The visibility limits of NIL404 apply.
''',
)

RULES = (NIL401, NIL402, NIL403, NIL404, NIL405)


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
    suggestion = _closest(event, sorted(ctx.config.events))
    hint = f"did you mean {suggestion!r}?" if suggestion else "declare it in custom_events if it is intended"
    ctx.report(first, NIL402, event=_printable(event), sink=sink, hint=hint)


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


def critical_events_never_emitted(project, broken: set[tuple[str, int, int]]) -> list[Finding]:
    """NIL403: critical events no analysed file emits by a call that can work, in configuration order."""
    emitted = project.emitted_events(broken)
    return [Finding(1, 0, NIL403.code, NIL403.format(event=event))
            for event in project.config.critical_events if event not in emitted]


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
            found.append(Finding(call.line, call.col, NIL404.code,
                                 NIL404.format(cls=names, method=call.method, hint=hint)))
            continue
        if any(sig is None for _, sig in present):
            continue
        problems = [signature_problem(sig, call) for _, sig in present]
        if all(problems):
            sig = present[0][1]
            found.append(Finding(call.line, call.col, NIL405.code, NIL405.format(
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
WIDE_CHECKS = (critical_events_never_emitted,)

ON = {
    ast.Call: (unknown_emit_method, unknown_sink_event, record_emitter_call),
}
