"""NIL3xx: an emitter belongs to one request. Never keep it across a context change or share it."""

from __future__ import annotations

import ast
from collections import Counter

from ..model.names import assignment_pairs, ast_text
from ..model.semantic import EMITTER, FileContext
from .fix import SAFE, UNSAFE, Edit, Fix, Source, Where, statement_list
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
    fix=Fix("safe or unsafe", "`self.<emitter> = None` is added on the line after the context change, at its "
            "indentation, for each cached emitter the method does not reset (once, after the last context change "
            "of that block; only when that statement has its lines to itself). Safe when every read of the attribute "
            "in the class is in a method that first creates it again from a factory when it is unset "
            "(`if self._websocket_emitter is None:` or `if not self._websocket_emitter:` before any other "
            "read): the next event gets an emitter for the new context. Unsafe otherwise: code that uses the "
            "attribute directly now finds None. Reads outside the class body (a subclass, another object) "
            "are not seen.",
            lambda *args: _reset_cached_emitters(*args)),
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


# --------------------------------------------------------------------------- fixes
# Rules may not import the walker, so the cache is read again from the tree: the forms the walk's value
# tracking sees (a factory call, awaited or not, or a local whose one binding is one) and None resets.


def _reset_cached_emitters(source: Source, line: int, col: int, where: Where) -> tuple[str, tuple[Edit, ...]] | None:
    """NIL301: ``self.<emitter> = None`` after the context change, for each cached emitter its method keeps."""
    statement = next((n for n in source.at(line, col) if isinstance(n, (ast.Assign, ast.AnnAssign))), None)
    cls, method = _method_of(statement)
    if method is None:
        return None
    config, me = where.config, _self_name(method)
    stores = {m: _stores(m, config.emitter_factories) for m in cls.body
              if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))}
    cached = sorted((s.lineno, s.col_offset, attr) for found in stores.values() for s, attr, made in found if made)
    reset = {attr for _, attr, _ in stores[method]}
    missing = list(dict.fromkeys(attr for *_, attr in cached if attr not in reset))  # the rule's order
    block = statement_list(statement)
    # Several context changes in one block (``self.user_context = c``, ``self._user_context = c``) get one reset,
    # after the last: each of their findings makes the same edit, which is applied once.
    last = next(s for s in reversed(block) if s is statement or isinstance(s, (ast.Assign, ast.AnnAssign)) and any(
        _is_attr_of(t, me) and t.attr in config.context_attributes for t, _ in _pairs(s)))
    start, end = source.span(last)
    at = source.line_after(last)
    indent, rest = source.data[source.starts[last.lineno - 1]:start], source.data[end:at]
    if not missing or indent.strip() or not rest.endswith(b"\n") or rest.lstrip(b" \t")[:1] not in (b"#", b"\r", b"\n"):
        return None  # it shares its lines with another statement (``;``, ``if x: ...``) or ends the file
    newline = b"\r\n" if rest.endswith(b"\r\n") else b"\n"
    resets = b"".join(indent + f"{me}.{attr} = None".encode() + newline for attr in missing)
    safe = all(_recreated_where_read(m, attr, found) for attr in missing for m, found in stores.items())
    return (SAFE if safe else UNSAFE), (Edit(at, at, resets),)


def _method_of(node: ast.AST | None) -> tuple[ast.ClassDef | None, ast.AST | None]:
    """The class and the method (a function directly in its body) ``node`` is in."""
    while node is not None:
        parent = getattr(node, "parent", None)
        if isinstance(parent, ast.ClassDef) and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return parent, node
        node = parent
    return None, None


def _self_name(method: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    params = [*method.args.posonlyargs, *method.args.args]
    if not params or any(isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod")
                         for d in method.decorator_list):
        return None
    return params[0].arg


def _is_attr_of(node: ast.AST, name: str | None) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == name


def _method_nodes(method: ast.AST):
    """A method's nodes, nested functions included, nested classes not (their methods are theirs)."""
    stack = [method]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.ClassDef))


def _stores(method: ast.AST, factories: tuple[str, ...]) -> list[tuple[ast.stmt, str, bool]]:
    """(statement, attribute, from a factory) for each ``self.<attribute> =`` a factory's emitter or None."""
    me = _self_name(method)
    nodes = list(_method_nodes(method))
    assigns = [n for n in nodes if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None]
    bound = Counter(n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    made = {t.id for n in assigns for t, part in _pairs(n)
            if isinstance(t, ast.Name) and bound[t.id] == 1 and _is_factory_call(part, factories)}
    found = []
    for node in assigns:
        for target, part in _pairs(node):
            if not _is_attr_of(target, me):
                continue
            if _is_factory_call(part, factories) or isinstance(part, ast.Name) and part.id in made:
                found.append((node, target.attr, True))
            elif isinstance(part, ast.Constant) and part.value is None:
                found.append((node, target.attr, False))
    return found


def _is_factory_call(expr: ast.AST | None, factories: tuple[str, ...]) -> bool:
    while isinstance(expr, ast.Await):
        expr = expr.value
    func = expr.func if isinstance(expr, ast.Call) else None
    return (func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)) in factories


def _recreated_where_read(method: ast.AST, attr: str, stores: list[tuple[ast.stmt, str, bool]]) -> bool:
    """No read of ``self.<attr>`` in the method, or all of them at or after a top-level ``if self.<attr> is None:``
    (or ``if not self.<attr>:``) whose body stores a factory's emitter in it: None then means "create again"."""
    me = _self_name(method)
    reads = [(n.lineno, n.col_offset) for n in _method_nodes(method)
             if _is_attr_of(n, me) and n.attr == attr and isinstance(n.ctx, ast.Load)]
    if not reads:
        return True
    created = {id(s) for s, a, from_factory in stores if a == attr and from_factory}
    for guard in method.body:
        test = guard.test if isinstance(guard, ast.If) else None
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            tested = test.operand
        elif (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is)
              and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None):
            tested = test.left
        else:
            continue
        if (_is_attr_of(tested, me) and tested.attr == attr
                and any(id(n) in created for b in guard.body for n in ast.walk(b))):
            return min(reads) > (guard.lineno, guard.col_offset)
    return False
