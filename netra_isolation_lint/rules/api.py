"""NIL404–NIL407: every call into the isolation API must work. The type model (:mod:`..model.types`) says what
each receiver is across the project; a call whose target resolves to an API class or function is checked
against its definition. Unknown is silent: a receiver, class or base the project does not show is never judged.
"""

from __future__ import annotations

import ast
import dataclasses
import re

from ..model.facts import ApiCall, ClassInfo, Finding, ModuleFacts, Signature
from ..model.names import ast_text, call_shape, closest, looks_like_context
from ..model.semantic import FileContext
from ..model.types import Meaning, describe_ref, signature_of
from .fix import SAFE, UNSAFE, Edit, Fix, Source, Where, enclosing_function
from .rule import Rule

NIL404 = Rule(
    "NIL404", "api-method-does-not-exist", "error",
    "{receiver} is {cls} ({where}), which has no method {method}(); this call raises AttributeError at run time; "
    "{hint}",
    "A method called on an isolation API class (emitter, bridge, context, agent) is defined nowhere in it.",
    doc='''
## What it does
Checks every method call whose receiver the type model resolves to a class of the
isolation API: the configured bridge, emitter and context classes, the emitter classes
their factories return, the classes of the modules that define them or match
`api.modules`, and the context-bound classes (agents). The receiver's class comes from
annotations (parameters, attributes, returns; `Optional`, unions, quoted names),
assignments in `__init__` and setters, property getters, factory and classmethod return
types and constructor calls, across modules. It reports the call when the class and
all its bases are known and none defines the method or assigns an attribute of that
name; with a union, a method missing on any member is reported, naming it.

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
- `api.modules`: module globs whose classes and functions are API (default: `websocket_core`).
- `api.complete_classes`: classes whose methods are all known even when a base cannot be read.
- `emitters.factories`, `emitters.getters`, `emitters.classes`, `singleton.bridge_classes`.

## Limitations
Nothing is reported when the receiver's class, or one of its bases, is not visible to
the front end (flake8 sees one file; the CLI reads a base outside the paths given from the
project root), defines `__getattr__` or was recovered from a file that does not parse, or
when the receiver is an emitter only by its name.
''',
)


NIL405 = Rule(
    "NIL405", "api-call-does-not-fit-signature", "error",
    "{callee}() ({where}) {problem}; this call raises TypeError at run time: call it as {callee}({params})",
    "A call into the isolation API passes arguments the callee's signature cannot accept.",
    doc='''
## What it does
For a call that NIL404 can check and whose target exists, and for calls of API
functions, classmethods and constructors (`__init__`, the nearest one up the bases),
reports the call when its arguments cannot bind to the signature (`self` and `cls`
excluded): too many positional arguments, an unexpected keyword, a value given twice, or
a required argument missing. With several candidate targets, it reports only when the
call fits none of them. The message shows the parameters to use.

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
- As for NIL404: `api.modules`, `api.complete_classes` and the emitter and bridge names.

## Limitations
Calls with `*args` or `**kwargs` are not judged. The signature is the one written in
the `def`: a decorator that changes it (a retry wrapper taking extra keywords) is not
seen and can cause a false report. Dataclass fields are not a signature yet: a
dataclass without its own `__init__` is not judged. The visibility limits of NIL404 apply.
''',
    fix=Fix(UNSAFE, "For a callee that takes one positional parameter (the payload) and a call that passes "
            "more, no keywords: the leading arguments, each a plain name or `self.<name>`, go into the last "
            "one under their names as keys, when it is a dict display or a name the enclosing function only "
            "binds to a dict: `emit_agent_thinking(self.name, metadata)` becomes "
            "`emit_agent_thinking({\"name\": self.name, **metadata})`. Unsafe: the key is the argument's "
            "name, not one the receiver is known to read, so the payload may still not be what the chat "
            "expects.",
            lambda *args: _merge_into_payload(*args)),
)


NIL406 = Rule(
    "NIL406", "api-await-mismatch", "error",
    "{callee}() ({where}) {problem}; {fix}",
    "`await` of a synchronous isolation API call, or an API coroutine created and dropped.",
    doc='''
## What it does
Reports two mistakes on calls whose target the type model resolves to the isolation API:
- `await f(...)` where `f` is a plain `def` whose result is known not to be awaitable:
  its return annotation is not `Awaitable`, `Coroutine`, `Task` or `Future` (nor `Any`),
  or every value it returns is an instance of a class without `__await__`;
- a call of an `async def` API function or method as a statement of its own, neither
  awaited nor handed to `asyncio.create_task`, `gather` or anything else.

## Why is this bad?
Awaiting a synchronous factory raises `TypeError: object X can't be used in 'await'
expression` on every call; when the factory became synchronous in a merge, every
`await` site broke at once, each inside a `try` that logs and goes on. A dropped
coroutine never runs: the event it would send is silently lost (Python only warns
"coroutine was never awaited" when it is garbage-collected).

## Example
```python
class AgentWebSocketBridge:
    async def create_user_emitter(self, user_context):
        return None


def create_agent_websocket_bridge(user_context) -> AgentWebSocketBridge:
    return AgentWebSocketBridge()


async def start(user_context) -> None:
    bridge = await create_agent_websocket_bridge(user_context)
```

## Use instead
```python
class AgentWebSocketBridge:
    async def create_user_emitter(self, user_context):
        return None


def create_agent_websocket_bridge(user_context) -> AgentWebSocketBridge:
    return AgentWebSocketBridge()


async def start(user_context) -> None:
    bridge = create_agent_websocket_bridge(user_context)
```

## Configuration
- `api.modules` and the configured bridge, emitter and context classes decide what the
  API is, as for NIL404.

## Limitations
A plain `def` without a return annotation that returns something the model cannot type
is not judged, nor is a decorated function whose decorator makes it async.
''',
    fix=Fix("safe or unsafe", "Safe: the `await` on a synchronous call is removed (the call raised TypeError "
            "every time; now it runs). Unsafe: a dropped coroutine is awaited, inside an async function only "
            "(the caller now waits for it, which changes timing and lets its exceptions through).",
            lambda *args: _fix_await(*args)),
)


NIL407 = Rule(
    "NIL407", "api-arguments-out-of-order", "warning",
    "{callee}() ({where}) gets {name!r} in slot {slot}, where it takes {param!r}; {name!r} is its parameter {right}: "
    "pass the arguments in order or by keyword",
    "Positional arguments to an isolation API call are named like the callee's parameters, in the wrong slots.",
    doc='''
## What it does
For a call into the isolation API whose signature is known, reports a positional
argument that is a plain name (or `self.<name>`) equal to another positional parameter
of the callee, in a slot that belongs to a different parameter (pylint's
`arguments-out-of-order`, for the API only, and without needing the swapped pair).

## Why is this bad?
The identifiers that route an event (`user_id`, `thread_id`, `run_id`, `agent_name`) are
all strings: swapping two of them raises nothing. The event is built for the wrong run
or the wrong user, and at best the chat shows nothing; at worst another user's thread
receives it.

## Example
```python
class UserExecutionContext:
    @classmethod
    def from_request(cls, user_id: str, thread_id: str, run_id: str):
        return cls()


def context_for(user_id: str, thread_id: str, run_id: str):
    return UserExecutionContext.from_request(thread_id, user_id, run_id)
```

## Use instead
```python
class UserExecutionContext:
    @classmethod
    def from_request(cls, user_id: str, thread_id: str, run_id: str):
        return cls()


def context_for(user_id: str, thread_id: str, run_id: str):
    return UserExecutionContext.from_request(user_id=user_id, thread_id=thread_id, run_id=run_id)
```

## Configuration
- What the API is: as for NIL404.

## Limitations
Only names are compared: `self._agent_name` or `ctx.run_id` in the wrong slot is not
seen, and a variable that happens to share a parameter's name is taken at its word.
''',
)

RULES = (NIL404, NIL405, NIL406, NIL407)
# Findings on calls that raise when they run: such an emit sends nothing (NIL403).
RAISING = frozenset({NIL404.code, NIL405.code, NIL406.code})


def record_api_call(node: ast.Call, ctx: FileContext) -> None:
    """Every call whose target the file can describe by type references, for the project checks."""
    func = node.func
    scope = id(ctx.function)
    if isinstance(func, ast.Name) and func.id in ("hasattr", "getattr") and len(node.args) >= 2:
        name = node.args[1]
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            ctx.guards.add((scope, ast_text(node.args[0]), name.value))
        return
    if (isinstance(func, ast.Attribute) and ctx.guards and any(g[2] == func.attr for g in ctx.guards)
            and (scope, ast_text(func.value), func.attr) in ctx.guards):  # ast_text is linear: only when it may match
        return  # inside ``if hasattr(x, "m"): x.m()``: the code itself allows for the method to be missing
    target = ctx.type_of(func)
    if not target:
        return
    ctx.facts.api_calls.append(ApiCall(
        target, node.lineno, node.col_offset,
        **call_shape(node),
        awaited=id(node) in ctx.awaited,
        dropped=id(node) in ctx.statements,
        arg_names=tuple(_plain_name(a, ctx) for a in node.args),
    ))


def _plain_name(expr: ast.AST, ctx: FileContext) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute) and ctx.is_self(expr.value):
        return expr.attr
    return ""


# --------------------------------------------------------------------------- project verdicts

def api_contract(module: ModuleFacts, project) -> list[Finding]:
    """NIL404–NIL407 for the calls this module makes into the isolation API."""
    found: list[Finding] = []
    for call in module.api_calls:
        finding = _judge_call(call, module, project)
        if finding is not None:
            found.append(finding)
    return found


def raising_emits(module: ModuleFacts, project) -> set[tuple[str, int, int]]:
    """(path, line, col) of the module's emitting calls that NIL404–NIL406 show will raise: what NIL403 counts
    out, judged without the verdicts on every other call (the language server's start)."""
    emitting = {(line, col) for _, line, col in module.emits}
    return {(module.path, call.line, call.col) for call in module.api_calls if (call.line, call.col) in emitting
            and (finding := _judge_call(call, module, project)) is not None and finding.code in RAISING}


def _judge_call(call: ApiCall, home: ModuleFacts, project) -> Finding | None:
    types = project.types
    if not any(_may_touch_api(ref, home, project) for ref in call.target):
        return None  # most calls: a receiver that is no API class, known without resolving the method
    methods = [member for member in (_as_member(ref, home, types) for ref in call.target) if member is not None]
    missing = _missing_method(call, methods, home, project)
    if missing is not None:
        return missing
    targets = [m for ref in call.target for m in types.meanings(ref, home) if _is_api_target(m, types)]
    if not targets:
        return None
    return _arguments_do_not_bind(call, targets, project) or _await_mismatch(call, targets, project) \
        or _arguments_out_of_order(call, targets, project)


def _may_touch_api(ref, home: ModuleFacts, project) -> bool:
    """Whether a call through ``ref`` may reach the API; asked once per receiver and module (a module calls
    ``self.logger.info`` a hundred times)."""
    key = (ref, id(home))
    known = project.types.verdicts.get(key)
    if known is None:
        known = project.types.verdicts[key] = _touches_api(ref, home, project)
    return known


def _touches_api(ref, home: ModuleFacts, project) -> bool:
    types = project.types
    if ref[0] == "n" and types.meanings(ref, home):
        return any(_is_api_target(m, types) for m in types.meanings(ref, home))
    member = _as_member(ref, home, types)
    if member is None:
        return True
    factories = project.config.emitter_factories
    return any(m.kind in ("instance", "class") and (member[2] in factories or any(
        types.is_api_class(c) for c in project.hierarchy(m.cls))) for m in types.meanings(member[1], home))


def _as_member(ref, home: ModuleFacts, types):
    """The call's target as ("attr", owner, name); ``Class.method`` spelled through an import is ("n", ...)."""
    if ref[0] == "attr":
        return ref
    if ref[0] == "n" and "." in ref[1] and not types.meanings(ref, home):
        owner, _, name = ref[1].rpartition(".")
        return ("attr", ("n", owner), name)
    return None


def _is_api_target(meaning: Meaning, types) -> bool:
    if meaning.kind == "function":
        return types.is_api_function(meaning.function)
    return meaning.cls is not None and types.is_api_class(meaning.cls)


def _missing_method(call: ApiCall, methods: list, home: ModuleFacts, project) -> Finding | None:
    """NIL404: some API class the receiver may be defines no such method, nor do its bases."""
    types = project.types
    for ref in methods:
        name = ref[2]
        for meaning in types.meanings(ref[1], home):
            if meaning.kind not in ("instance", "class"):
                continue
            if not types.is_api_class(meaning.cls) and name not in project.config.emitter_factories:
                continue  # an emitter factory called on a class: that class is meant to be a bridge
            cls = meaning.cls
            exists, _ = project.member(cls, name, complete=types.is_complete(cls))
            if exists is False:
                public = sorted({m for c in project.hierarchy(cls) for m, _ in c.methods if not m.startswith("_")})
                suggestion = closest(name, public)
                hint = (f"did you mean {suggestion}()?" if suggestion
                        else f"it has: {', '.join(public[:8]) or 'no public methods'}")
                return Finding(call.line, call.col, NIL404.code, NIL404.format(
                    receiver=describe_ref(ref[1]), cls=cls.name, where=types.where(Meaning("instance", cls)),
                    method=name, hint=hint))
    return None


def _arguments_do_not_bind(call: ApiCall, targets: list[Meaning], project) -> Finding | None:
    """NIL405: the arguments fit none of the signatures the target may have."""
    signatures = [(m, signature_of(m, project)) for m in targets]
    if not signatures or any(sig is None for _, sig in signatures):
        return None
    problems = [signature_problem(sig, _with_context(call, m, project)) for m, sig in signatures]
    if not all(problems):
        return None
    meaning, sig = signatures[0]
    return Finding(call.line, call.col, NIL405.code, NIL405.format(
        callee=_callee_name(meaning), where=project.types.where(meaning), problem=problems[0],
        params=describe(sig)))


def _with_context(call: ApiCall, meaning: Meaning, project) -> ApiCall:
    """A context-bound class created without its context is NIL203's finding: judge the rest of the call as if
    the context were passed (a context-like name given positionally to a keyword-only parameter is that
    context), so one mistake is reported once and a second one still is."""
    if meaning.kind != "class" or not project.class_is_context_bound(meaning.cls):
        return call
    init = project.init_of(meaning.cls.qualname, project.home_of(meaning.cls))
    if init is None or init.context_param is None or init.context_param in call.keywords or (
            init.context_slot is not None and call.positional > init.context_slot):
        return call
    positional, names = call.positional, call.arg_names
    if init.context_slot is None and names and looks_like_context(names[-1]):
        positional, names = positional - 1, names[:-1]
    return dataclasses.replace(call, positional=positional, arg_names=names,
                               keywords=(*call.keywords, init.context_param))


def _await_mismatch(call: ApiCall, targets: list[Meaning], project) -> Finding | None:
    """NIL406: ``await`` of a synchronous API callable whose result cannot be awaited, or an API coroutine
    created and dropped."""
    verdicts = [_is_async(m, project) for m in targets]
    if call.awaited and all(v is False for v in verdicts):
        if all(_result_not_awaitable(m, project) for m in targets):
            return Finding(call.line, call.col, NIL406.code, NIL406.format(
                callee=_callee_name(targets[0]), where=project.types.where(targets[0]),
                problem="is synchronous: awaiting its result raises TypeError",
                fix="call it without await"))
    if call.dropped and not call.awaited and all(v is True for v in verdicts):
        return Finding(call.line, call.col, NIL406.code, NIL406.format(
            callee=_callee_name(targets[0]), where=project.types.where(targets[0]),
            problem="is a coroutine function: this call creates a coroutine and drops it, so nothing runs",
            fix="await it, or schedule it with asyncio.create_task()"))
    return None


def _arguments_out_of_order(call: ApiCall, targets: list[Meaning], project) -> Finding | None:
    """NIL407: a positional argument named like another parameter of the callee, in the wrong slot."""
    if call.star_args:
        return None
    for meaning in targets:
        sig = signature_of(meaning, project)
        if sig is None:
            return None
        for slot, name in enumerate(call.arg_names[:len(sig.positional)]):
            expected = sig.positional[slot]
            if name and name != expected and name in sig.positional:
                return Finding(call.line, call.col, NIL407.code, NIL407.format(
                    callee=_callee_name(meaning), where=project.types.where(meaning), name=name,
                    slot=slot + 1, param=expected,
                    right=sig.positional.index(name) + 1))
    return None


def _is_async(meaning: Meaning, project) -> bool | None:
    if meaning.kind == "function":
        return meaning.function.is_async
    if meaning.kind == "method":  # its class is the one that defines it (TypeModel._member)
        return meaning.name in meaning.cls.async_methods
    return False if meaning.kind == "class" else None


def _result_not_awaitable(meaning: Meaning, project) -> bool:
    """Known not awaitable: annotated so, or every value it returns is an instance with no ``__await__``."""
    if meaning.kind == "class":
        return not _awaitable_class(meaning.cls, project)
    function = meaning.function if meaning.kind == "function" else project.functions.get(
        f"{meaning.cls.qualname}.{meaning.name}")
    if function is None:
        return False
    if function.awaitable is not None:
        return not function.awaitable
    where = project.function_home(function)
    returned = [m for ref in function.refs for m in project.types.meanings(ref, where)]
    return bool(returned) and all(m.kind == "instance" and not _awaitable_class(m.cls, project) for m in returned)


def _awaitable_class(cls: ClassInfo, project) -> bool:
    exists, _ = project.member(cls, "__await__")
    return exists is not False


def _callee_name(meaning: Meaning) -> str:
    if meaning.kind == "function":
        return meaning.function.qualname.rpartition(".")[2]
    if meaning.kind == "method":
        return f"{meaning.cls.name}.{meaning.name}"
    return meaning.cls.name if meaning.cls is not None else "?"


def signature_problem(sig: Signature, call: ApiCall) -> str | None:
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


PROJECT_CHECKS = (api_contract,)

ON = {
    ast.Call: (record_api_call,),
}


# --------------------------------------------------------------------------- fixes


def _fix_await(source: Source, line: int, col: int, where: Where) -> tuple[str, tuple[Edit, ...]] | None:
    """NIL406 is reported at the call: drop the ``await`` around it, or await it where it is dropped."""
    call = source.call_at(line, col)
    parent = getattr(call, "parent", None)
    if isinstance(parent, ast.Await):
        start, _ = source.span(parent)
        end = start + 5
        if source.data[start:end] != b"await":
            return None
        while source.data[end:end + 1] in (b" ", b"\t"):
            end += 1  # the keyword and its blanks; parentheses around the call stay balanced
        return SAFE, (Edit(start, end, b""),)
    if isinstance(parent, ast.Expr) and isinstance(enclosing_function(parent), ast.AsyncFunctionDef):
        start, _ = source.span(call)
        return UNSAFE, (Edit(start, start, b"await "),)
    return None


_DICT_TYPES = frozenset({"dict", "Dict", "Mapping", "MutableMapping"})
_INDENT = re.compile(rb"[ \t]*")


def _merge_into_payload(source: Source, line: int, col: int, where: Where) -> tuple[str, tuple[Edit, ...]] | None:
    """NIL405: the extra leading positional arguments of a one-payload call go into the payload dict."""
    call, project, module = source.call_at(line, col), where.project, where.module
    function = enclosing_function(call) if call is not None else None
    if project is None or module is None or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    if call.keywords or len(call.args) < 2 or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    recorded = next((c for c in module.api_calls if (c.line, c.col) == (line, col)
                     and c.positional == len(call.args)), None)
    if recorded is None:
        return None
    types = project.types
    targets = [m for r in recorded.target for m in types.meanings(r, module) if _is_api_target(m, types)]
    # No class: a constructor's arguments are judged with its context (_with_context), which is NIL203's
    signatures = {signature_of(m, project) if m.kind != "class" else None for m in targets}
    sig = signatures.pop() if len(signatures) == 1 else None
    if sig is None or len(sig.positional) != 1 or sig.varargs or sig.required_keyword_only:
        return None
    *extra, payload = call.args
    keys = recorded.arg_names[:-1]  # ``x`` and ``self.x`` are keyed "x"
    taken = {k.value for k in payload.keys if isinstance(k, ast.Constant)} if isinstance(payload, ast.Dict) else set()
    spans = [source.span(a) for a in call.args]
    if not all(keys) or len(set(keys)) < len(keys) or taken & set(keys) or any(
            source.data[end:start].strip() != b"," for (_, end), (start, _) in zip(spans, spans[1:])):
        return None  # a key to invent or repeat, or a comment or parenthesis between the arguments
    entries = [b'"%s": %s' % (key.encode(), source.text(a)) for key, a in zip(keys, extra)]
    first, (start, end) = spans[0][0], spans[-1]
    if isinstance(payload, ast.Dict):  # the entries go first, in its layout: after the brace, or one a line
        below = source.starts[payload.lineno] if payload.end_lineno > payload.lineno else None
        rest = source.data[start + 1:below]  # the rest of the brace's line
        if payload.keys and below is not None and not rest.strip():
            indent, newline = _INDENT.match(source.data, below).group(), rest.lstrip(b" \t")
            added = b"".join(indent + entry + b"," + newline for entry in entries)
            return UNSAFE, (Edit(first, start, b""), Edit(below, below, added))
        glue = b"" if not payload.keys else b"," if rest[:1].isspace() else b", "
        return UNSAFE, (Edit(first, start + 1, b"{" + b", ".join(entries) + glue),)
    if isinstance(payload, ast.Name) and _holds_dict(payload.id, function):
        return UNSAFE, (Edit(first, end, b"{" + b", ".join(entries) + b", **" + payload.id.encode() + b"}"),)
    return None


def _holds_dict(name: str, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``name`` is bound in ``function`` and only to dicts: a parameter annotated ``dict``/``Dict[...]``/``Mapping``,
    ``name = {...}`` or ``name = dict(...)``."""
    arguments = function.args
    params = [a.annotation for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs) if a.arg == name]
    stores = [n for n in ast.walk(function)
              if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)]
    return bool(params or stores) and all(map(_is_dict_type, params)) and all(map(_binds_dict, stores))


def _is_dict_type(annotation: ast.AST | None) -> bool:
    node = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return (node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)) in _DICT_TYPES


def _binds_dict(target: ast.Name) -> bool:
    statement = target.parent
    value = statement.value if isinstance(statement, ast.AnnAssign) or (
        isinstance(statement, ast.Assign) and statement.targets == [target]) else None
    return isinstance(value, ast.Dict) or (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                                           and value.func.id == "dict")
