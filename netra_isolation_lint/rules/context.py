"""NIL2xx: context-bound classes accept the request's ``user_context`` and pass it on.

The walk records what each ``__init__`` does with the context and every class instantiation; whether a
class is context-bound can depend on other modules, so the verdicts are given by :mod:`..project`.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator

from ..model.facts import Finding, Instantiation, ModuleFacts
from ..model.names import assignment_pairs, ast_text, call_shape, is_test_path, looks_like_context
from ..model.semantic import FileContext
from .fix import SAFE, UNSAFE, Edit, Fix, Source, Where, enclosing_function
from .rule import Rule

NIL201 = Rule(
    "NIL201", "context-bound-init-without-user-context", "warning",
    "{cls}.__init__ does not accept user_context; add a `user_context: {ctype}` parameter and pass it on "
    "so the instance serves exactly one request",
    "A context-bound class defines `__init__` without a `user_context` parameter.",
    doc='''
## What it does
Reports the `__init__` of a context-bound class when it has no parameter for the user
context and does not forward `**kwargs` to a base `__init__`. A class is context-bound
when it is named in `context.bound_classes` or derives, directly or through classes the
linter can see, from a class in `context.agent_bases` or `context.bound_classes`. A
parameter carries the context when it is named `context.parameter` or annotated with a
`context.types` type (also inside `Optional[...]`, `X | None` or a string annotation).

## Why is this bad?
An agent that cannot be given a `UserExecutionContext` when it is built has to find out
whom it works for later, from shared state, or never does and falls back to the
singleton bridge. Accepting `user_context` in `__init__` ties each instance to one request.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    def __init__(self, llm_manager, tool_dispatcher):
        super().__init__(llm_manager, name="ForecastAgent")
        self.tool_dispatcher = tool_dispatcher
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.user_execution_context import UserExecutionContext


class ForecastAgent(BaseAgent):
    def __init__(self, llm_manager, tool_dispatcher, user_context: UserExecutionContext | None = None):
        super().__init__(llm_manager, name="ForecastAgent", user_context=user_context)
        self.tool_dispatcher = tool_dispatcher
```

## Configuration
- `context.agent_bases`, `context.bound_classes`: which classes are context-bound.
- `context.parameter`, `context.types`: how the context parameter is recognised; the
  first `context.types` entry is named in the message.

## Limitations
Whether a class is context-bound is decided over the files the front end sees: flake8
sees one file, pylint that file plus the modules it imports from the same top-level
package, the CLI every file given. So `class ForecastAgent(MidAgent)` with `MidAgent`
deriving `BaseAgent` in another module is missed by flake8. A base matching
`agent_bases` by name is trusted whatever module it comes from.
''',
    fix=Fix(SAFE, "The parameter `user_context: Optional[UserExecutionContext] = None` is added after "
            "the existing ones (before `**kwargs`) and passed to `super().__init__` under the name the base "
            "class's `__init__` takes it by; a caller that does not pass it hands the base `None`, as before. "
            "The context type is imported under `TYPE_CHECKING` (a block is opened when the file has none) and "
            "the annotation quoted, so no import runs that could close a cycle. With no `super().__init__` "
            "call, `self.<attribute> = user_context` is assigned first in `__init__`, the attribute the "
            "base's code reads. Offered only when the project shows where the base takes the context.",
            lambda *args: _accept_context(*args)),
)


NIL202 = Rule(
    "NIL202", "context-bound-init-drops-user-context", "warning",
    "{cls}.__init__ accepts {param} but {fate}; pass it to super().__init__({target}=...) or hand it to "
    "{setter}()",
    "`__init__` accepts `user_context` but it never reaches where the base class keeps and reads it.",
    doc='''
## What it does
Reports the `__init__` of a context-bound class (see NIL201) that accepts the user
context but does not get it to where the base class keeps it: it drops it; or stores it
under another attribute (`self.context`) than the one the base's `__init__` stores and
its emitter code reads (`self.user_context`); or passes it to the base `__init__` in a
parameter that is not the base's context. Handing it to a setter from `context.setters`
(`self.set_user_context(user_context)`) or through `**kwargs` always counts. The message
names where the context went and where the base keeps it.

## Why is this bad?
The caller did the right thing and passed the request's context, and the instance then
silently forgets it. Later code finds no context and falls back to shared state, so the
signature promises isolation that the object does not deliver.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    def __init__(self, llm_manager, user_context=None):
        super().__init__(llm_manager, name="ForecastAgent")
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    def __init__(self, llm_manager, user_context=None):
        super().__init__(llm_manager, name="ForecastAgent")
        if user_context is not None:
            self.set_user_context(user_context)
```

## Configuration
- `context.parameter`, `context.types`: which parameter carries the context.
- `context.setters`: calls that count as keeping it; the first entry is named in the message.
- `context.agent_bases`, `context.bound_classes`: which classes are context-bound.

## Limitations
The hand-offs count anywhere in the body of `__init__`. Passing the context to a private
helper (`self._configure(user_context)`) is reported even when the helper stores it.
Where the base reads the context is taken from where its `__init__` stores it; a base
the front end cannot see accepts any hand-off. The visibility limits of NIL201 apply.
''',
    fix=Fix(SAFE, "The accepted context is also passed to `super().__init__` under the name the base class's "
            "`__init__` takes it by, where the base's emitter code reads it; no call site changes. Offered "
            "only when the class calls `super().__init__` without that keyword and the project shows it.",
            lambda *args: _forward_context(*args)),
)


NIL203 = Rule(
    "NIL203", "context-bound-created-without-user-context", "warning",
    "{cls}(...) is created without its user context; pass {param}=... (or call {setter}() on it) "
    "so it cannot fall back to shared state",
    "A context-bound class is instantiated without `user_context`.",
    doc='''
## What it does
Reports the creation of a context-bound class (see NIL201) without the user context: no
`user_context=` keyword (or the class's own context parameter name), no positional
argument in the context parameter's slot, no `**kwargs`, and no
`<same target>.set_user_context(...)` call anywhere in the same function.

## Why is this bad?
An agent or orchestrator created without a context serves no particular user. Until
someone remembers to bind it, its events have nowhere safe to go and code paths fall
back to the process-wide bridge.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    def __init__(self, llm_manager, user_context=None):
        super().__init__(llm_manager, user_context=user_context)


def build_agent(llm_manager):
    return ForecastAgent(llm_manager)
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    def __init__(self, llm_manager, user_context=None):
        super().__init__(llm_manager, user_context=user_context)


def build_agent(llm_manager, user_context):
    return ForecastAgent(llm_manager, user_context=user_context)
```

## Configuration
- `context.agent_bases`, `context.bound_classes`: which classes are context-bound; a
  `bound_classes` name counts even when the class is defined in an unseen module.
- `context.parameter`: the keyword that always satisfies the rule.
- `context.setters`: a setter call on the assigned name counts as binding it later.

## Limitations
When the class's `__init__` is not visible (it is in a file the front end does not
see), any positional argument whose name contains `context` or ends in `ctx` is assumed
to be the context. A class whose `__init__` cannot take the context is not reported
here (NIL201 reports the `__init__`). The visibility limits of NIL201 apply.
''',
    fix=Fix(UNSAFE, "`user_context=<name>` (under the name the class's `__init__` takes it by) is passed when "
            "exactly one value in scope is the context: a parameter of the enclosing function annotated "
            "with the context type or named like the context parameter. Unsafe: that the value is this "
            "request's context is what the name suggests, not what the code proves.",
            lambda *args: _pass_context(*args)),
)

RULES = (NIL201, NIL202, NIL203)




def mentions(expr: ast.AST, name: str) -> bool:
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and node.id == name:
            return True
        stack.extend(ast.iter_child_nodes(node))
    return False


def _passes(call: ast.Call, name: str) -> bool:
    return any(mentions(a, name) for a in call.args) or any(mentions(k.value, name) for k in call.keywords)


def record_context_hand_off(node: ast.Call, ctx: FileContext) -> None:
    """``super().__init__(user_context=...)``, ``Base.__init__(self, ...)`` and context setters."""
    function = ctx.function
    if function is None:
        return
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    param = function.context_param
    if name == "__init__":
        if param is not None:
            function.context_routes.extend(_super_routes(node, param))
        if function.kwargs_name and any(k.arg is None and mentions(k.value, function.kwargs_name)
                                        for k in node.keywords):
            function.kwargs_forwarded = True
    elif name in ctx.config.context_setters:
        if param is not None and _passes(node, param):
            function.context_routes.append("setter")
        if isinstance(func, ast.Attribute):
            function.setter_receivers.add(ast_text(func.value))


def _super_routes(call: ast.Call, param: str) -> list[str]:
    """How a base ``__init__`` call receives the context: by keyword, or in a positional slot (``self`` not
    counted in ``Base.__init__(self, ...)``)."""
    routes = [f"super={k.arg}" for k in call.keywords if k.arg is not None and mentions(k.value, param)]
    explicit_self = isinstance(call.func, ast.Attribute) and not isinstance(call.func.value, ast.Call)
    known = True  # after a *starred argument, slots are unknown
    for slot, argument in enumerate(call.args):
        known = known and not isinstance(argument, ast.Starred)
        if mentions(argument, param):
            routes.append(f"super#{slot - 1 if explicit_self else slot}" if known else "super=**")
    if any(k.arg is None and mentions(k.value, param) for k in call.keywords):
        routes.append("super=**")
    return routes


def record_context_stored(node: ast.Assign | ast.AnnAssign, ctx: FileContext) -> None:
    function = ctx.function
    if function is None or function.context_param is None or node.value is None:
        return
    targets = node.targets if isinstance(node, ast.Assign) else (node.target,)
    for top in targets:
        for target, part in assignment_pairs(top, node.value):
            if (isinstance(target, ast.Attribute) and ctx.is_self(target.value)
                    and mentions(part if part is not None else node.value, function.context_param)):
                function.context_routes.append(f"attr={target.attr}")


def record_instantiation(node: ast.Call, ctx: FileContext) -> None:
    func = node.func
    last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if not last[:1].isupper():
        return
    callee, _ = ctx.resolve(func)
    if callee is None:
        return
    instantiation = Instantiation(
        callee, node.lineno, node.col_offset,
        **call_shape(node),
        context_like_positional=any(_looks_like_context(a) for a in node.args),
        context_set_after=False,
    )
    function = ctx.function
    if function is None:
        ctx.facts.instantiations.append(instantiation)
    else:
        function.instantiations.append((instantiation, ctx.assignment_target_of(node)))


def _looks_like_context(expr: ast.AST) -> bool:
    return looks_like_context(expr.id if isinstance(expr, ast.Name) else expr.attr if isinstance(expr, ast.Attribute)
                              else "")


ON = {
    ast.Call: (record_context_hand_off, record_instantiation),
    ast.Assign: (record_context_stored,),
    ast.AnnAssign: (record_context_stored,),
}


# --------------------------------------------------------------------------- project verdicts

def init_checks(module: ModuleFacts, project) -> Iterator[Finding]:
    """NIL201 and NIL202 for the context-bound classes this module defines."""
    config = project.config
    for cls in module.classes:
        init = cls.init
        if init is None or not project.class_is_context_bound(cls):
            continue
        if init.context_param is None and not init.forwards_kwargs:
            yield Finding(init.line, init.col, NIL201.code, NIL201.format(
                cls=cls.name, ctype=(config.context_types or ("UserExecutionContext",))[0]))
        elif init.context_param is not None:
            fate, target = context_fate(cls, init, project)
            if fate is not None:
                yield Finding(init.line, init.col, NIL202.code, NIL202.format(
                    cls=cls.name, param=init.context_param, fate=fate, target=target,
                    setter=(config.context_setters or ("set_user_context",))[0]))


def context_fate(cls, init, project) -> tuple[str | None, str]:
    """(what happens to the accepted context, or None when it reaches where the base keeps it; the base's
    context parameter). Unknown is silent: a base the project does not show accepts any hand-off."""
    routes = init.routes
    target = project.config.context_parameter
    if not routes:
        return "drops it", target
    if "setter" in routes or "super=**" in routes:
        return None, target
    base, base_init = _base_init(cls, project)
    if base_init is None or base_init.forwards_kwargs:
        return None, target
    if base_init.context_param is not None:
        target = base_init.context_param
        if f"super={target}" in routes or f"super#{base_init.context_slot}" in routes:
            return None, target
    where = f"{base.name} ({project.home_of(base).path}:{base_init.line})" if project.home_of(base) else base.name
    reads = _kept_attributes(base, project)
    stored = [r[len("attr="):] for r in routes if r.startswith("attr=")]
    if stored and (not reads or set(stored) & reads):
        return None, target
    if stored:
        return (f"keeps it as self.{stored[0]}, while {where} keeps and reads its context as "
                f"self.{sorted(reads)[0]}"), target
    slots = ", ".join(r[len("super"):].replace("=", "keyword ").replace("#", "slot ") for r in routes)
    if base_init.context_param is None:
        return f"passes it to {where}, whose __init__ takes no context ({slots})", target
    return f"passes it to {where} in the wrong place ({slots}, where it takes {target})", target


def _base_init(cls, project):
    """The nearest base (in the project) that defines ``__init__``, and that ``__init__``."""
    return next(((c, c.init) for c in project.hierarchy(cls)[1:] if c.init is not None), (None, None))


def _kept_attributes(cls, project) -> set[str]:
    """The ``self`` attributes a class and its bases store their context in (found in their ``__init__``):
    where their own code reads it."""
    return {r[len("attr="):] for c in project.hierarchy(cls) if c.init is not None
            for r in c.init.routes if r.startswith("attr=")}


def instantiation_checks(module: ModuleFacts, project) -> Iterator[Finding]:
    """NIL203 for instantiations of context-bound classes that do not pass the context."""
    config = project.config
    for inst in module.instantiations:
        if inst.star_kwargs or inst.context_set_after or not project.is_context_bound(inst.callee, module):
            continue
        init = project.init_of(inst.callee, module)
        param = config.context_parameter
        if init is not None:
            if init.context_param is None and not init.forwards_kwargs:
                continue  # the class cannot take it: NIL201 on its __init__ says so
            if init.forwards_kwargs and param in inst.keywords:
                continue  # user_context=... travels through **kwargs to the base
            param = init.context_param or param
            if param in inst.keywords:
                continue
            if init.context_slot is not None and (inst.positional > init.context_slot or inst.star_args):
                continue
        elif param in inst.keywords or inst.context_like_positional or inst.star_args:
            continue  # signature unknown: a positional argument that looks like the context may fill it
        name = inst.callee.rpartition(".")[2]
        yield Finding(inst.line, inst.col, NIL203.code, NIL203.format(
            cls=name, param=param, setter=(config.context_setters or ("set_user_context",))[0]))


PROJECT_CHECKS = (init_checks, instantiation_checks)


# --------------------------------------------------------------------------- fixes


def _accept_context(source: Source, line: int, col: int, where: Where) -> tuple[str, tuple[Edit, ...]] | None:
    """NIL201: accept the context and hand it to the base, where its emitter code reads it."""
    config, project = where.config, where.project
    init, cls = _init_at(source, line, col, where)
    if init is None:
        return None
    param = config.context_parameter
    hand_off = _hand_off(source, init, cls, where)
    importing = _context_import(source, config, project)
    if hand_off is None or importing is None:
        return None
    safety, annotation, import_edits = importing
    added = _parameter_edit(source, init.args, f"{param}: {annotation} = None")
    return (safety, (added, hand_off, *import_edits)) if added is not None else None


def _hand_off(source: Source, init: ast.FunctionDef, cls, where: Where) -> Edit | None:
    """Where the accepted context goes: to ``super().__init__`` under the base's own name for it; with no super
    call, to the attribute the base's emitter code reads (or the first configured one when no base keeps it),
    assigned first thing in ``__init__``."""
    config, param = where.config, where.config.context_parameter
    base, base_init = _base_init(cls, where.project)
    keyword = base_init.context_param if base_init is not None else None
    keyword = keyword or (param if base_init is not None and base_init.forwards_kwargs else None)
    call = _super_init_call(init)
    if call is not None:
        return _keyword_edit(source, call, f"{keyword}={param}") if keyword is not None else None
    kept = sorted(_kept_attributes(base, where.project)) if base is not None else []
    attribute = (kept or list(config.context_attributes) or [param])[0]
    body = init.body[1:] if _is_docstring(init.body[0]) else init.body
    first = body[0] if body else None
    if first is None or first.lineno == init.lineno or first.col_offset == 0:
        return None  # a one-line or empty body: not worth guessing the layout
    at = source.offset(first.lineno, 0)
    return Edit(at, at, b" " * first.col_offset + f"self.{attribute} = {param}\n".encode())


def _is_docstring(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def _forward_context(source: Source, line: int, col: int, where: Where) -> tuple[str, tuple[Edit, ...]] | None:
    """NIL202: hand the context the class accepts to the base's ``__init__``."""
    init, cls = _init_at(source, line, col, where)
    if init is None or cls.init.context_param is None:
        return None
    _, base_init = _base_init(cls, where.project)
    call = _super_init_call(init)
    keyword = base_init.context_param if base_init is not None else None
    if keyword is None or call is None or any(k.arg in (keyword, None) for k in call.keywords):
        return None  # the base's name unknown, no super call, or something is passed already (**kwargs included)
    return SAFE, (_keyword_edit(source, call, f"{keyword}={cls.init.context_param}"),)


def _init_at(source: Source, line: int, col: int, where: Where):
    """The ``__init__`` node a finding is reported at, and its class's facts; (None, None) when not found."""
    init = next((n for n in source.at(line, col) if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
    cls = next((c for c in getattr(where.module, "classes", ()) if c.init is not None
                and (c.init.line, c.init.col) == (line, col)), None)
    return (init, cls) if init is not None and cls is not None and where.project is not None else (None, None)


def _super_init_call(init: ast.FunctionDef) -> ast.Call | None:
    for node in ast.walk(init):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__"
                and isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Name)
                and node.func.value.func.id == "super"):
            return node
    return None


def _parameter_edit(source: Source, args: ast.arguments, text: str) -> Edit | None:
    """Keyword-friendly: before ``**kwargs``, else after the last parameter (after ``*args`` it is keyword-only)."""
    if args.kwarg is not None:
        start, _ = source.span(args.kwarg)
        stars = source.data.rfind(b"**", 0, start)
        return Edit(stars, stars, text.encode() + b", ") if stars >= 0 else None
    if args.posonlyargs and not (args.args or args.vararg or args.kwonlyargs):
        return None  # after "/" only: not worth guessing
    nodes = [*args.posonlyargs, *args.args, *args.defaults, args.vararg, *args.kwonlyargs,
             *(d for d in args.kw_defaults if d is not None)]
    end = max(source.span(n)[1] for n in nodes if n is not None)
    return Edit(end, end, b", " + text.encode())


def _keyword_edit(source: Source, call: ast.Call, text: str) -> Edit:
    """The keyword right after the last argument (after its trailing comma, if any; comments stay after it)."""
    _, end = source.span(call)
    arguments = [*call.args, *call.keywords]
    if not arguments:
        return Edit(end - 1, end - 1, text.encode())
    last = max(source.span(a)[1] for a in arguments)
    if source.data[last:end].lstrip(b" \t").startswith(b","):
        comma = source.data.index(b",", last)
        return Edit(comma + 1, comma + 1, b" " + text.encode() + b",")
    return Edit(last, last, b", " + text.encode())


def _context_import(source: Source, config, project) -> tuple[str, str, tuple[Edit, ...]] | None:
    """(safety, the annotation to write, the edits that import the context type) for this file."""
    name = (config.context_types or ("UserExecutionContext",))[0].rpartition(".")[2]
    runtime, typing_only, future, optional, guard = set(), set(), False, False, None
    for statement in source.tree.body:
        if isinstance(statement, ast.ImportFrom):
            future = future or (statement.module == "__future__" and any(a.name == "annotations"
                                                                         for a in statement.names))
            optional = optional or (statement.module == "typing" and any(
                (a.asname or a.name) == "Optional" for a in statement.names))
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            runtime.update((a.asname or a.name).partition(".")[0] for a in statement.names)
        elif isinstance(statement, ast.ClassDef):
            runtime.add(statement.name)
        elif isinstance(statement, ast.If) and ast.unparse(statement.test).endswith("TYPE_CHECKING"):
            guard = statement
            typing_only.update(a.asname or a.name for s in statement.body if isinstance(s, ast.ImportFrom)
                               for a in s.names)
    inner = f"Optional[{name}]" if optional else f"{name} | None"
    if name in runtime or future:
        return SAFE, inner, ()
    if name in typing_only:
        return SAFE, f'"{inner}"', ()
    home = _context_type_home(name, config, project)
    if home is None:
        return None
    line = f"from {home.module} import {name}\n".encode()
    if guard is not None:  # the file's own style: type-only imports under TYPE_CHECKING
        last = guard.body[-1]
        at = source.line_after(last)
        return SAFE, f'"{inner}"', (Edit(at, at, b" " * last.col_offset + line),)
    imports = [s for s in source.tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
    if not imports:
        return None
    last = imports[-1]
    at = source.line_after(last)
    # No type-only block yet: one is opened, so that no import runs (an import at run time could close a cycle)
    flag = b"" if "TYPE_CHECKING" in runtime else b"from typing import TYPE_CHECKING\n"
    return SAFE, f'"{inner}"', (Edit(at, at, flag + b"\nif TYPE_CHECKING:\n    " + line),)


def _context_type_home(name: str, config, project) -> ModuleFacts | None:
    """The module that defines the context type the project itself imports most (a codebase mid-migration can
    have several classes of that name: a re-export, a legacy copy)."""
    homes = [h for c in project.classes.values() if c.name == name
             for h in (project.home_of(c),) if h is not None and not is_test_path(h.path, config)]
    if not homes:
        return None
    used = Counter(q for m in project.all_modules for q in m.bindings.values())
    return max(homes, key=lambda h: (used[f"{h.module}.{name}"], -len(h.module)))


def _names_in(annotation: ast.AST | None) -> set[str]:
    """The names an annotation spells, quoted ones included (``"UserExecutionContext"``)."""
    names: set[str] = set()
    for node in ast.walk(annotation) if annotation is not None else ():
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.update(part.strip() for part in node.value.replace("|", "[").replace("]", "[").split("["))
    return names


def _pass_context(source: Source, line: int, col: int, where: Where) -> tuple[str, tuple[Edit, ...]] | None:
    """NIL203: pass the one context value in scope to the class that takes it."""
    config, project = where.config, where.project
    call = source.call_at(line, col)
    inst = next((i for i in getattr(where.module, "instantiations", ()) if (i.line, i.col) == (line, col)), None)
    if call is None or inst is None or project is None:
        return None
    init = project.init_of(inst.callee, where.module)
    keyword = (init.context_param if init is not None else None) or config.context_parameter
    function = enclosing_function(call)
    if function is None or isinstance(function, ast.Lambda):
        return None
    tails = {t.rpartition(".")[2] for t in config.context_types}
    arguments = function.args
    candidates = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
                  if a.arg == config.context_parameter or tails & _names_in(a.annotation)]
    if len(candidates) != 1:
        return None
    return UNSAFE, (_keyword_edit(source, call, f"{keyword}={candidates[0]}"),)
