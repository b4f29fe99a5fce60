"""NIL1xx: no process-wide bridge. Events for one user must never pass through an object every user shares."""

from __future__ import annotations

import ast

from ..model.facts import Finding, ModuleFacts
from ..model.names import assignment_pairs, ast_text, name_matches
from ..model.semantic import BRIDGE, FileContext
from .rule import Rule

NIL101 = Rule(
    "NIL101", "singleton-bridge-accessor-call", "warning",
    "{name}() returns the process-wide bridge that can deliver one user's events to another; "
    "create a per-user emitter with AgentWebSocketBridge().create_user_emitter(user_context) instead",
    "A configured singleton accessor (default `get_agent_websocket_bridge`) is called.",
    doc='''
## What it does
Reports every call of a configured singleton accessor, by default
`get_agent_websocket_bridge()`, whether called by name, through an import alias
(`from ... import get_agent_websocket_bridge as get_bridge`) or as an attribute of an
imported module (`bridge_module.get_agent_websocket_bridge()`).

## Why is this bad?
The accessor returns one bridge object shared by the whole process. Anything sent
through it is routed by `run_id` lookups in shared state, so a race or a stale mapping
delivers user A's `agent_thinking` or `tool_completed` event to user B. A per-user
emitter created from the request's `UserExecutionContext` can only reach that user.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import get_agent_websocket_bridge


class ForecastAgent(BaseAgent):
    async def _send_update(self, run_id: str, message: str) -> None:
        bridge = await get_agent_websocket_bridge()
        await bridge.notify_agent_thinking(run_id, self.name, message)
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    async def _send_update(self, message: str) -> None:
        emitter = await AgentWebSocketBridge().create_user_emitter(self.user_context)
        await emitter.emit_agent_thinking({"agent_name": self.name, "thought": message})
```

## Configuration
- `singleton.accessors`: the accessor functions. A bare name matches a function of that
  name from any module; a dotted name (`agent_websocket_bridge.get_agent_websocket_bridge`)
  matches only qualified names ending with it.

## Limitations
A call through an attribute is recognised only when the attribute chain starts at an
imported name: `self.get_agent_websocket_bridge()` or a function that merely wraps the
accessor under another name is not reported.
''',
)


NIL102 = Rule(
    "NIL102", "singleton-bridge-accessor-import", "warning",
    "{name} is the singleton bridge accessor; import AgentWebSocketBridge and create a per-user "
    "emitter from the request's user_context instead",
    "A configured singleton accessor is imported.",
    doc='''
## What it does
Reports `from <module> import <accessor>` for a configured singleton accessor (default
`get_agent_websocket_bridge`), at the imported name. It fires once per import, even when
the name is never called, and also for imports inside functions.

## Why is this bad?
The import is the way the shared bridge gets into a module. Flagging it points at every
module that still depends on the singleton, including those that only hand the accessor
on to other code (where NIL101 never fires because nothing is called here).

## Example
```python
from netra_backend.app.services.agent_websocket_bridge import get_agent_websocket_bridge

BRIDGE_ACCESSOR = get_agent_websocket_bridge
```

## Use instead
```python
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


async def make_emitter(user_context):
    return await AgentWebSocketBridge().create_user_emitter(user_context)
```

## Configuration
- `singleton.accessors`: the accessor names. The imported name matches a bare entry;
  `<module>.<name>` matches a dotted entry by suffix.

## Limitations
Only `from ... import` is checked. `import netra_backend.app.services.agent_websocket_bridge
as m` is not reported; a later `m.get_agent_websocket_bridge()` call is (NIL101).
Re-exports are reported where they are written, so a compatibility module that re-exports
the accessor needs a `# noqa: NIL102` or a `per_path_ignores` entry.
''',
)


NIL103 = Rule(
    "NIL103", "legacy-bridge-notify-call", "warning",
    "{method}() on a bridge is the legacy path that is not bound to one user; emit through the request's "
    "emitter instead: {replacement}",
    "A legacy `notify_*` method is called on a bridge rather than on a per-user emitter.",
    doc='''
## What it does
Reports a legacy `notify_*` method called on a receiver that is, or may be, a bridge: by
what the file shows (an accessor's result, a bridge constructor, an annotation, a
`singleton.bridge_names` name) or, across modules, by the type model (a factory annotated
`-> AgentWebSocketBridge`, a `Union` with a bridge, an attribute a base assigns). The methods are
`notify_<event>` for every event in `critical_events` (`notify_agent_thinking`,
`notify_tool_executing`, ...) plus `singleton.legacy_methods`. The message names the
emitter call to use: `emitter.emit_<event>(...)` for a configured event, otherwise
`emitter.<first emitters.helpers entry>("<event>", ...)`.

## Why is this bad?
`notify_*` on the bridge routes by `run_id` through the process-wide singleton: the
event can reach whichever user's connection is currently mapped to that run. The
per-user emitter is bound to one `UserExecutionContext` and cannot address anyone else.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    async def _send_update(self, run_id: str, message: str) -> None:
        await self.websocket_bridge.notify_agent_thinking(run_id, self.name, message)
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    async def _send_update(self, message: str) -> None:
        emitter = await AgentWebSocketBridge().create_user_emitter(self.user_context)
        await emitter.emit_agent_thinking({"agent_name": self.name, "thought": message})
```

## Configuration
- `critical_events`: each event `e` makes `notify_e` a legacy method.
- `singleton.legacy_methods`: further legacy method names (exact names, not dotted).
- `singleton.accessors`, `singleton.bridge_classes`: a name bound from an accessor call,
  a bridge class instantiation or a bridge-class annotation is a bridge.
- `singleton.bridge_names`: otherwise a name or attribute matching these patterns
  (default `bridge`, `*_bridge`) is taken to be a bridge.
- `emitters.names`: checked first; a receiver matching it (`bridge_emitter`) is an emitter.
- `emitters.helpers`: the first entry is named in the suggested replacement.

## Limitations
Receivers are classified by binding in the same file (for `self.<attr>`, an assignment
anywhere in the class), else by name only. A bridge that arrives under another name
(`self._ws = ws` from a constructor argument, or the result of your own helper) is
missed; a per-user object that happens to be called `user_bridge` is reported.
`custom_events` do not add `notify_*` methods. For a method such as
`notify_agent_error` the suggested `emit_custom_event("agent_error", ...)` is itself
reported by NIL402 unless `agent_error` is in `custom_events`.
''',
)


NIL104 = Rule(
    "NIL104", "shared-bridge-instance", "warning",
    "bridge bound to {target} ({where}) is one instance shared by every user; create it inside the "
    "request and use a per-user emitter",
    "A bridge instance or singleton accessor result is stored at module level or on a class.",
    doc='''
## What it does
Reports a bridge stored where it outlives the request: a module global (including via
`global` inside a function), a class attribute (in the class body, through `cls.` in a
classmethod, or through `ClassName.`), or an item of a module-level container. Only
values whose origin is known count: an accessor call, a bridge class instantiation, or a
parameter annotated with a bridge class (`bridge: AgentWebSocketBridge` stored on `cls.`
is as shared as one built there); a value that is only named like a bridge does not.

## Why is this bad?
A bridge kept at module or class level is one instance shared by every request that
touches the module or class. Whatever it caches (run-to-user mappings, connections) is
shared too, which is exactly how one user's events end up on another user's socket.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    _bridge = AgentWebSocketBridge()

    async def _send_update(self, message: str) -> None:
        emitter = await self._bridge.create_user_emitter(self.user_context)
        await emitter.emit_agent_thinking({"thought": message})
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    async def _send_update(self, message: str) -> None:
        bridge = AgentWebSocketBridge()
        emitter = await bridge.create_user_emitter(self.user_context)
        await emitter.emit_agent_thinking({"thought": message})
```

## Configuration
- `singleton.accessors`: calls whose result is a shared bridge.
- `singleton.bridge_classes`: classes whose instances are bridges (matched by name or
  dotted suffix).

## Limitations
Instance attributes (`self._bridge = AgentWebSocketBridge()`) are not reported: the
instance may itself be per-request. A bridge known only by its name (`bridge_names`),
or stored through a helper function, is not reported either.
''',
)

RULES = (NIL101, NIL102, NIL103, NIL104)


def singleton_accessor_called(node: ast.Call, ctx: FileContext) -> None:
    if ctx.is_accessor_call(node):
        func = node.func
        ctx.report(node, NIL101, name=func.id if isinstance(func, ast.Name) else func.attr)


def singleton_accessor_imported(node: ast.ImportFrom, ctx: FileContext) -> None:
    for alias in node.names:
        if name_matches(alias.name, ctx.config.accessors) or name_matches(
            f"{node.module or ''}.{alias.name}", ctx.config.accessors
        ):
            ctx.report(alias, NIL102, name=alias.name)


def legacy_notify_on_bridge(node: ast.Call, ctx: FileContext) -> None:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in ctx.config.legacy_bridge_methods:
        return

    def judge(value) -> None:
        if value is not None and value.kind == BRIDGE:
            ctx.report(node, NIL103, method=func.attr,
                       replacement=replacement_for(func.attr, ctx.config, _literal_event(node)))

    ctx.on_value(func.value, judge)


def _literal_event(node: ast.Call) -> str | None:
    """The event a generic ``notify_custom(run_id, agent, "step_started", ...)`` sends: its first string literal."""
    for arg in (*node.args, *(k.value for k in node.keywords)):
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.isidentifier():
            return arg.value
    return None


def replacement_for(method: str, config, literal: str | None = None) -> str:
    """Critical events have their own emit_<event> method; anything else goes through the helper and,
    to pass NIL402, must be declared. ``notify_custom`` names no event: the one its arguments send (``literal``)
    is the event."""
    event = method[len("notify_"):]
    helper = config.emitter_helpers[0] if config.emitter_helpers else "emit_custom_event"
    if event == "custom":
        if literal is None:
            return f"emitter.{helper}(<its event>, ...)"
        event = literal
    if event in config.critical_events:
        return f"emitter.emit_{event}(...)"
    declare = "" if event in config.custom_events else f' (declare "{event}" in custom_events)'
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
                ctx.report(node, NIL104, target=ast_text(target), where=where)


def legacy_notify_on_typed_bridge(module: ModuleFacts, project) -> list[Finding]:
    """NIL103 where only the project shows the receiver is a bridge: a factory annotated ``-> AgentWebSocketBridge``
    in another module, a ``Union[emitter, bridge]``, an attribute a base class assigns."""
    config = project.config
    seen = {(f.line, f.col) for f in module.findings if f.code == NIL103.code}
    found = []
    for call in module.api_calls:
        if (call.line, call.col) in seen:
            continue
        for ref in call.target:
            # ("c", ...) receivers are self and annotated names, which the file-level rule judges
            if ref[0] != "attr" or ref[2] not in config.legacy_bridge_methods or ref[1][0] == "c":
                continue
            if any(m.kind == "instance" and name_matches(m.cls.qualname, config.bridge_classes)
                   for m in project.types.meanings(ref[1], module)):
                found.append(Finding(call.line, call.col, NIL103.code, NIL103.format(
                    method=ref[2], replacement=replacement_for(ref[2], config))))
                break
    return found


PROJECT_CHECKS = (legacy_notify_on_typed_bridge,)

ON = {
    ast.Call: (singleton_accessor_called, legacy_notify_on_bridge),
    ast.ImportFrom: (singleton_accessor_imported,),
    ast.Assign: (bridge_stored_in_shared_place,),
    ast.AnnAssign: (bridge_stored_in_shared_place,),
}
