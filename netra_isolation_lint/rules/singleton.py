"""NIL1xx: no process-wide bridge. Events for one user must never pass through an object every user shares."""

from __future__ import annotations

import ast

from ..model.facts import ClassInfo, Finding, ModuleFacts, Signature
from ..model.names import assignment_pairs, ast_text, is_test_path, name_matches
from ..model.semantic import BRIDGE, FileContext
from ..model.types import Meaning, signature_of
from .fix import (SAFE, UNSAFE, Edit, Fix, Source, Where, alone_on_its_lines, enclosing_function,
                  enclosing_statement, has_comment, indentation, statement_list)
from .rule import Rule

USER_EMITTER_FIX = Fix(
    UNSAFE, "Inside an async method of a context-bound class, the accessor's assignment becomes "
    "`emitter = await self._get_user_emitter()` (the first `emitters.getters` entry the class has) and "
    "each `await bridge.notify_<event>(...)` on its result becomes `if emitter:` / "
    "`await emitter.emit_<event>(...)`, the arguments mapped by the parameter names of the two "
    "signatures the project shows: by keyword when the emit method takes those names, else as the "
    "payload dict of an emit method that takes one. Offered only when every use of the bridge is such "
    "a send and every argument maps. Unsafe: the event now goes to the agent's own user, and only when "
    "it has a context, which is the point of the migration but changes what the chat receives.",
    lambda *args: _use_user_emitter(*args))

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
    fix=USER_EMITTER_FIX,
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
    fix=Fix(SAFE, "An accessor import that nothing in the file uses any more (after NIL101's fix, say) is "
            "removed, with the whole statement when it imports nothing else. Not in `__init__.py`, where an "
            "import is a re-export, nor when the name appears in a string (`__all__`, an annotation).",
            lambda *args: _drop_unused_import(*args)),
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
    fix=USER_EMITTER_FIX,
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


# --------------------------------------------------------------------------- fixes
# Inside a context-bound class's async method, the accessor-and-notify pair becomes the per-user emitter:
#     bridge = await get_agent_websocket_bridge()        emitter = await self._get_user_emitter()
#     await bridge.notify_agent_started(run_id, name) -> if emitter:
#                                                            await emitter.emit_agent_started({"run_id": ...})
# Every finding of one group (the accessor call and each notify call on its result) offers the same edits, so
# the driver applies them once. Any part that does not map leaves the whole group alone.

_EMITTER_NAMES = ("emitter", "user_emitter")


def _use_user_emitter(source: Source, line: int, col: int, where: Where) -> tuple[str, tuple[Edit, ...]] | None:
    call = source.call_at(line, col)
    method, cls = _context_bound_method(call, where)
    if method is None:
        return None
    made = _emitter_getter(cls, where) or _emitter_factory(cls, where)
    if made is None:
        return None
    statements = _group(call, method, where)
    if not statements:
        return None
    name = next((n for n in _EMITTER_NAMES if not _mentions(method, n)), None)
    if name is None:
        return None
    make, emitter_ref = made
    indent = indentation(source, statements[0]).decode()
    fetch = make(name).replace("\n", "\n" + indent)
    assignment = statements[0] if isinstance(statements[0], ast.Assign) else None
    sent = statements[1:] if assignment is not None else statements
    texts = [_emit_text(source, statement, name, emitter_ref, where) for statement in sent]
    if assignment is None:  # sends on an attribute: each one that maps, as long as this finding's does
        mapped = [(s, t) for s, t in zip(sent, texts) if t is not None and _rewritable(source, s)]
        if enclosing_statement(call) not in {s for s, _ in mapped}:
            return None
        sent, texts = [s for s, _ in mapped], [t for _, t in mapped]
    if None in texts or not all(_rewritable(source, s) for s in statements):
        return None
    # the accessor's binding becomes the emitter's; with none, the emitter is fetched right before the first send
    edits = [Edit(*source.span(assignment), fetch.encode())] if assignment is not None else []
    prelude = b"" if assignment is not None else f"{indent}{fetch}\n".encode()
    unit = _indent_unit(source, method)
    previous = None
    for statement, text in zip(sent, texts):
        indent = indentation(source, statement).decode()
        start, end = source.starts[statement.lineno - 1], source.span(statement)[1]
        opens = (previous is None or statement.lineno != previous.end_lineno + 1
                 or statement_list(previous) is not statement_list(statement))
        head = f"{indent}if {name}:\n" if opens else ""
        edits.append(Edit(start, end, (prelude if previous is None else b"") + f"{head}{indent}{unit}{text}".encode()))
        previous = statement
    return UNSAFE, tuple(edits)


def _context_bound_method(call: ast.Call | None, where: Where) -> tuple[ast.AsyncFunctionDef | None, ClassInfo | None]:
    """The async method of a context-bound class that ``call`` is directly in (not in a nested function), and
    that class's facts; (None, None) otherwise."""
    node = enclosing_function(call) if call is not None else None
    owner = getattr(node, "parent", None)
    if not isinstance(node, ast.AsyncFunctionDef) or not isinstance(owner, ast.ClassDef) or where.project is None:
        return None, None
    arguments = node.args.posonlyargs + node.args.args
    if not arguments or arguments[0].arg != "self" or node.decorator_list:
        return None, None
    cls = next((c for c in getattr(where.module, "classes", ()) if (c.line, c.name) == (owner.lineno, owner.name)),
               None)
    if cls is None or not where.project.class_is_context_bound(cls):
        return None, None
    return node, cls


def _emitter_getter(cls: ClassInfo, where: Where):
    """The first ``emitters.getters`` entry the class has that takes no argument: (the fetch, what it returns)."""
    project = where.project
    for getter in where.config.emitter_getters:
        ref = ("attr", ("c", cls.qualname), getter)
        meanings = project.types.meanings(ref, where.module)
        if len(meanings) != 1 or meanings[0].kind != "method":
            continue
        sig = signature_of(meanings[0], project)
        if sig is not None and sig.required_positional == 0 and not sig.required_keyword_only:
            wait = "await " if getter in meanings[0].cls.async_methods else ""
            return (lambda name: f"{name} = {wait}self.{getter}()"), ("call", ref)
    return None


def _emitter_factory(cls: ClassInfo, where: Where):
    """Without a getter, the bridge's factory on the context the class keeps:
    ``emitter = await AgentWebSocketBridge().create_user_emitter(self.user_context) if self.user_context else None``
    (the bridge class imported in the method when the file does not bind it)."""
    project, module = where.project, where.module
    context = next((a for a in where.config.context_attributes if project.member(cls, a)[0]), None)
    bridges = [c for m in project.all_modules for c in m.classes
               if name_matches(c.qualname, where.config.bridge_classes) and not is_test_path(m.path, where.config)]
    if context is None or len(bridges) != 1:
        return None
    bridge = bridges[0]
    constructor = signature_of(Meaning("class", bridge), project)
    if constructor is None or constructor.required_positional or constructor.required_keyword_only:
        return None
    for factory in where.config.emitter_factories:
        sig = bridge.method_map.get(factory)
        if sig is None or sig.positional[:1] == () or sig.required_positional != 1 or sig.required_keyword_only:
            continue
        bound = next((n for n, q in module.bindings.items() if q == bridge.qualname), None)
        home = project.home_of(bridge)
        if bound is None and home is None:
            return None
        wait = "await " if factory in bridge.async_methods else ""
        imports = "" if bound else f"from {home.module} import {bridge.name}\n"

        def make(name, bound=bound or bridge.name, factory=factory, wait=wait, imports=imports):
            return (f"{imports}{name} = {wait}{bound}().{factory}(self.{context}) "
                    f"if self.{context} is not None else None")
        return make, ("call", ("attr", ("c", bridge.qualname), factory))
    return None


def _group(call: ast.Call, method: ast.AsyncFunctionDef, where: Where) -> list[ast.stmt]:
    """The statements to rewrite: the accessor's assignment (when there is one) first, then the sends."""
    config = where.config
    statement = enclosing_statement(call)
    if isinstance(statement, ast.Assign):  # NIL101: ``bridge = [await] accessor()``
        variable = _assigned_name(statement)
    else:
        if not _is_send(statement, config):
            return []
        receiver = call.func.value
        if not isinstance(receiver, ast.Name):
            return _sends_on(receiver, statement, config)
        variable = receiver.id
        bindings = [n for n in ast.walk(method) if isinstance(n, ast.Name) and n.id == variable
                    and isinstance(n.ctx, ast.Store)]
        if not bindings and variable in {a.arg for a in ast.walk(method.args) if isinstance(a, ast.arg)}:
            return _sends_on(receiver, statement, config)  # a bridge handed in: its sends go, the parameter stays
        if len(bindings) != 1:
            return []
        statement = enclosing_statement(bindings[0])
    if variable is None or not _binds_accessor(statement, variable, where):
        return []
    sends = []
    for node in ast.walk(method):
        if isinstance(node, ast.Name) and node.id == variable and node is not statement.targets[0]:
            parent = getattr(node, "parent", None)
            send = enclosing_statement(parent.parent) if isinstance(parent, ast.Attribute) and isinstance(
                getattr(parent, "parent", None), ast.Call) and parent.parent.func is parent else None
            if send is None or not _is_send(send, config) or enclosing_function(send) is not method:
                return []  # the bridge has another use: it stays
            sends.append(send)
    return [statement, *sorted(set(sends), key=lambda s: (s.lineno, s.col_offset))] if sends else []


def _binds_accessor(statement: ast.stmt | None, variable: str, where: Where) -> bool:
    """``<variable> = [await] <accessor>()``, the accessor as NIL101 found it (aliases and module attributes)."""
    if not isinstance(statement, ast.Assign) or _assigned_name(statement) != variable:
        return False
    value = statement.value.value if isinstance(statement.value, ast.Await) else statement.value
    return isinstance(value, ast.Call) and not value.args and not value.keywords and any(
        f.code == NIL101.code and (f.line, f.col) == (value.lineno, value.col_offset) for f in where.module.findings)


def _sends_on(receiver: ast.expr, statement: ast.stmt, config) -> list[ast.stmt]:
    """The sends on the same receiver (``self.websocket_bridge``) in the statement list ``statement`` is in."""
    shape = ast.dump(receiver)
    return [s for s in statement_list(statement) or () if _is_send(s, config)
            and ast.dump(s.value.value.func.value) == shape]


def _assigned_name(statement: ast.Assign) -> str | None:
    targets = statement.targets
    return targets[0].id if len(targets) == 1 and isinstance(targets[0], ast.Name) else None


def _is_send(statement: ast.stmt | None, config) -> bool:
    """``await <receiver>.notify_<critical event>(...)`` as a statement of its own."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Await)):
        return False
    call = statement.value.value
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr.startswith("notify_") and call.func.attr[len("notify_"):] in config.critical_events)


def _emit_text(source: Source, statement: ast.Expr, name: str, emitter_ref: tuple, where: Where) -> str | None:
    """``await <name>.emit_<event>(...)`` with the notify call's arguments mapped by parameter name, or None."""
    call = statement.value.value
    notify = _notify_signature(call, where)
    event = call.func.attr[len("notify_"):]
    emit = _one_signature(where.project.types.meanings(("attr", emitter_ref, f"emit_{event}"), where.module),
                          where.project)
    if notify is None or emit is None:
        return None
    bound = _bind(call, notify[0], source)
    if bound is None:
        return None
    sig, is_async = emit
    if all(sig.accepts_keyword(n) and n not in sig.positional[:sig.positional_only] for n, _ in bound) and not (
            set(sig.positional[:sig.required_positional]) | set(sig.required_keyword_only)) - {n for n, _ in bound}:
        arguments = ", ".join(f"{n}={text}" for n, text in bound)
    elif (len(sig.positional) == 1 and sig.positional[0] not in notify[0].positional + notify[0].keyword_only
          and not sig.required_keyword_only and not sig.varargs):  # one parameter named unlike any: the payload
        arguments = "{" + ", ".join(f'"{n}": {text}' for n, text in bound) + "}"
    else:
        return None
    return f"{'await ' if is_async else ''}{name}.emit_{event}({arguments})"


def _notify_signature(call: ast.Call, where: Where) -> tuple[Signature, bool] | None:
    """The bridge method the walk resolved the notify call to (its recorded target)."""
    recorded = next((c for c in where.module.api_calls if (c.line, c.col) == (call.lineno, call.col_offset)), None)
    meanings = [m for r in (recorded.target if recorded is not None else ())
                for m in where.project.types.meanings(r, where.module)]
    return _one_signature(meanings, where.project)


def _one_signature(meanings, project) -> tuple[Signature, bool] | None:
    """The one (signature, is async) that every method the reference may mean has."""
    shapes = {(signature_of(m, project), m.name in m.cls.async_methods) if m.kind == "method" else None
              for m in meanings}
    if len(shapes) != 1 or None in shapes or next(iter(shapes))[0] is None:
        return None
    return next(iter(shapes))


def _bind(call: ast.Call, sig: Signature, source: Source) -> list[tuple[str, str]] | None:
    """Each argument under the notify method's parameter name, with its source text."""
    if len(call.args) > len(sig.positional) or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    if any(k.arg is None or not sig.accepts_keyword(k.arg) for k in call.keywords):
        return None
    return ([(sig.positional[i], source.text(a).decode()) for i, a in enumerate(call.args)]
            + [(k.arg, source.text(k.value).decode()) for k in call.keywords])


def _mentions(function: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name or isinstance(n, ast.arg) and n.arg == name
               for n in ast.walk(function))


def _rewritable(source: Source, statement: ast.stmt) -> bool:
    return alone_on_its_lines(source, statement) and not has_comment(source, statement)


def _indent_unit(source: Source, method: ast.AsyncFunctionDef) -> str:
    body, outer = indentation(source, method.body[0]).decode(), indentation(source, method).decode()
    return body[len(outer):] if body.startswith(outer) and len(body) > len(outer) else "    "


def _drop_unused_import(source: Source, line: int, col: int, where: Where) -> tuple[str, tuple[Edit, ...]] | None:
    """NIL102: an accessor import nothing in its scope uses any more is removed (not from ``__init__.py``, where
    an import is a re-export)."""
    if getattr(where.module, "path", "").endswith("__init__.py"):
        return None
    alias = next((n for n in source.at(line, col) if isinstance(n, ast.alias)), None)
    statement = getattr(alias, "parent", None)
    if not isinstance(statement, ast.ImportFrom) or not alone_on_its_lines(source, statement):
        return None
    bound = alias.asname or alias.name
    scope = enclosing_function(statement) or source.tree  # an import in a function binds the name there only
    if any(isinstance(n, ast.Name) and n.id == bound or isinstance(n, ast.Constant) and n.value == bound
           for n in ast.walk(scope)):
        return None  # used, or named in __all__ or a string annotation
    if len(statement.names) == 1:
        body = statement_list(statement)
        if body is not None and len(body) == 1:
            return None  # the block would be left empty
        start, end = source.starts[statement.lineno - 1], source.line_after(statement)
        after = source.data.find(b"\n", end)
        if body is not None and body[0] is statement and after >= 0 and not source.data[end:after].strip():
            end = after + 1  # the blank line after a block's first statement goes too
        return SAFE, (Edit(start, end, b""),)
    index = statement.names.index(alias)
    if index + 1 < len(statement.names):
        start, _ = source.span(alias)
        end, _ = source.span(statement.names[index + 1])
    else:
        _, previous = source.span(statement.names[index - 1])
        start, (_, end) = previous, source.span(alias)
    return SAFE, (Edit(start, end, b""),)
