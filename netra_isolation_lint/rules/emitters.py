"""NIL3xx: an emitter belongs to one request. Never keep it across a context change or share it."""

from __future__ import annotations

import ast

from ..model.names import assignment_pairs, ast_text
from ..model.semantic import EMITTER, FileContext
from .rule import Rule

NIL301 = Rule(
    "NIL301", "cached-emitter-survives-context-change", "warning",
    "{attr} is rebound here but the cached emitter {emitters} is not reset in this method, so events "
    "keep going to the previous user; set it to None (or create a new emitter) here",
    "A cached emitter is not reset where the user context changes.",
    doc='''
## What it does
Reports, in a class that caches an emitter on `self` (an attribute assigned from an
`emitters.factories` call anywhere in the class), each assignment to a context attribute
(`self.user_context = ...`, `self._user_context = ...`) in a method other than
`__init__` when that same method does not also reset every cached emitter attribute
(assign `None` or a fresh factory result).

## Why is this bad?
An emitter is bound to the context it was created from. If `set_user_context` rebinds
the agent to user B but keeps `self._websocket_emitter` from user A, every later
`agent_thinking` or `tool_completed` goes to user A.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    async def _emitter(self):
        if self._websocket_emitter is None:
            bridge = AgentWebSocketBridge()
            self._websocket_emitter = await bridge.create_user_emitter(self.user_context)
        return self._websocket_emitter

    def set_user_context(self, user_context) -> None:
        self.user_context = user_context
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    async def _emitter(self):
        if self._websocket_emitter is None:
            bridge = AgentWebSocketBridge()
            self._websocket_emitter = await bridge.create_user_emitter(self.user_context)
        return self._websocket_emitter

    def set_user_context(self, user_context) -> None:
        self.user_context = user_context
        self._websocket_emitter = None
```

## Configuration
- `context.attributes`: the attributes whose assignment is a context change.
- `emitters.factories`: calls whose result, stored on `self`, is a cached emitter.

## Limitations
The reset must be written in the same method: calling `self._reset_emitter()` is not
recognised and is reported. Emitters cached from `emitters.getters` or from other
methods are not tracked, and the cache and the context change must be in the same class
body (a subclass overriding `set_user_context` of a caching base is not checked).
''',
)


NIL302 = Rule(
    "NIL302", "emitter-shared-beyond-request", "warning",
    "emitter stored in {target} ({where}) outlives the request and can deliver events to another user; "
    "keep it local to the request or on a per-request object",
    "An emitter from a factory is stored in a module global, class attribute or module-level container.",
    doc='''
## What it does
Reports an emitter created by an `emitters.factories` or `emitters.getters` call that is
stored where it outlives the request: a module global, a class attribute (class body,
`cls.` in a classmethod, `ClassName.`), an item of a module-level container
(`_CACHE[key] = emitter`), or an argument of `append`, `add`, `insert`, `setdefault`,
`appendleft`, `extend` or `update` on a module-level container.

## Why is this bad?
An emitter belongs to the `UserExecutionContext` it was created from. Caching it in
shared state means the next request that finds it (a key collision, a reused run id, a
class attribute every instance sees) sends its events to the wrong user.

## Example
```python
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge

_EMITTERS = {}


async def emitter_for(user_context):
    emitter = await AgentWebSocketBridge().create_user_emitter(user_context)
    _EMITTERS[user_context.thread_id] = emitter
    return emitter
```

## Use instead
```python
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


async def emitter_for(user_context):
    emitter = await AgentWebSocketBridge().create_user_emitter(user_context)
    return emitter
```

## Configuration
- `emitters.factories`, `emitters.getters`: the calls whose result is an emitter (exact
  call names, not dotted).

## Limitations
Only emitters whose origin is visible are tracked: a value known only by its name
(`emitters.names`) or returned from your own helper is not. Containers reached through
`self` (`self._cache[key] = emitter`), imported containers and storage on instance
attributes are not reported.
''',
)

RULES = (NIL301, NIL302)

CONTAINER_METHODS = frozenset({"append", "add", "insert", "setdefault", "appendleft", "extend", "update"})


def _is_factory_emitter(expr: ast.AST | None, ctx: FileContext) -> bool:
    if expr is None:
        return False
    value = ctx.value_of(expr)
    return value is not None and value.kind == EMITTER and bool(value.origin)


def _pairs(node: ast.Assign | ast.AnnAssign) -> list[tuple[ast.AST, ast.AST | None]]:
    targets = node.targets if isinstance(node, ast.Assign) else (node.target,)
    return [pair for target in targets for pair in assignment_pairs(target, node.value)]


def emitter_stored_in_shared_place(node: ast.Assign | ast.AnnAssign, ctx: FileContext) -> None:
    if node.value is None:
        return
    for target, part in _pairs(node):
        where = ctx.shared_storage(target)  # first: most targets are locals, and this is cheaper
        if where is not None and _is_factory_emitter(part, ctx):
            ctx.report(node, NIL302, target=ast_text(target), where=where)


def emitter_added_to_module_container(node: ast.Call, ctx: FileContext) -> None:
    func = node.func
    if (isinstance(func, ast.Attribute) and func.attr in CONTAINER_METHODS
            and ctx.is_module_container(func.value)
            and any(_is_factory_emitter(a, ctx) for a in (*node.args, *(k.value for k in node.keywords)))):
        ctx.report(node, NIL302, target=ast_text(func.value), where="a module-level container")


def record_emitter_cache_and_context_change(node: ast.Assign | ast.AnnAssign, ctx: FileContext) -> None:
    """Collect, per method, emitter attributes set from a factory or reset, and context rebinds."""
    method = ctx.method
    if method is None or method.cls is None or node.value is None:
        return
    cls = method.cls
    for target, part in _pairs(node):
        if not (isinstance(target, ast.Attribute) and ctx.is_self(target.value)):
            continue
        attr = target.attr
        value = ctx.value_of(part) if part is not None else None
        if value is not None and value.kind == EMITTER and value.origin[:1] == ("factory",):
            cls.emitter_attrs.setdefault(attr, node)
            method.emitter_resets.add(attr)
        elif isinstance(part, ast.Constant) and part.value is None:
            method.emitter_resets.add(attr)
        if attr in ctx.config.context_attributes and method.name != "__init__":
            method.context_assignments.append((node, f"self.{attr}"))


def cached_emitter_not_reset_on_context_change(node: ast.ClassDef, ctx: FileContext) -> None:
    cls = ctx.scope.cls
    if cls is None or not cls.emitter_attrs:
        return
    for statement, attr, resets in cls.context_changes:
        missing = [name for name in cls.emitter_attrs if name not in resets]
        if missing:
            ctx.report(statement, NIL301, attr=attr, emitters=", ".join(f"self.{m}" for m in missing))


ON = {
    ast.Assign: (emitter_stored_in_shared_place, record_emitter_cache_and_context_change),
    ast.AnnAssign: (emitter_stored_in_shared_place, record_emitter_cache_and_context_change),
    ast.Call: (emitter_added_to_module_container,),
}
ON_LEAVE = {
    ast.ClassDef: (cached_emitter_not_reset_on_context_change,),
}
