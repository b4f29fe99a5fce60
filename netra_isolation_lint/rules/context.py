"""NIL2xx: context-bound classes accept the request's ``user_context`` and pass it on.

The walk records what each ``__init__`` does with the context and every class instantiation; whether a
class is context-bound can depend on other modules, so the verdicts are given by :mod:`..project`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..engine import FileContext, assignment_pairs, ast_text
from ..facts import Finding, Instantiation, ModuleFacts
from ..rule import Rule
from . import docs

RULES = (
    Rule(
        "NIL201", "context-bound-init-without-user-context", "warning",
        "{cls}.__init__ does not accept user_context; add a `user_context: {ctype}` parameter and pass it on "
        "so the instance serves exactly one request",
        "A context-bound class defines `__init__` without a `user_context` parameter.",
        docs.NIL201,
    ),
    Rule(
        "NIL202", "context-bound-init-drops-user-context", "warning",
        "{cls}.__init__ accepts {param} but drops it; pass it to super().__init__, store it on self, "
        "or hand it to {setter}()",
        "`__init__` accepts `user_context` but neither passes it on nor keeps it.",
        docs.NIL202,
    ),
    Rule(
        "NIL203", "context-bound-created-without-user-context", "warning",
        "{cls}(...) is created without its user context; pass {param}=... (or call {setter}() on it) "
        "so it cannot fall back to shared state",
        "A context-bound class is instantiated without `user_context`.",
        docs.NIL203,
    ),
)


BY_CODE = {rule.code: rule for rule in RULES}


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
        if param is not None and _passes(node, param):
            function.context_kept = True
        if function.kwargs_name and any(k.arg is None and mentions(k.value, function.kwargs_name)
                                        for k in node.keywords):
            function.kwargs_forwarded = True
    elif name in ctx.config.context_setters:
        if param is not None and _passes(node, param):
            function.context_kept = True
        if isinstance(func, ast.Attribute):
            function.setter_receivers.add(ast_text(func.value))


def record_context_stored(node: ast.Assign | ast.AnnAssign, ctx: FileContext) -> None:
    function = ctx.function
    if function is None or function.context_param is None or node.value is None:
        return
    targets = node.targets if isinstance(node, ast.Assign) else (node.target,)
    for top in targets:
        for target, part in assignment_pairs(top, node.value):
            if (isinstance(target, ast.Attribute) and ctx.is_self(target.value)
                    and mentions(part if part is not None else node.value, function.context_param)):
                function.context_kept = True


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
        positional=sum(1 for a in node.args if not isinstance(a, ast.Starred)),
        keywords=tuple(k.arg for k in node.keywords if k.arg is not None),
        star_args=any(isinstance(a, ast.Starred) for a in node.args),
        star_kwargs=any(k.arg is None for k in node.keywords),
        context_like_positional=any(_looks_like_context(a) for a in node.args),
        context_set_after=False,
    )
    function = ctx.function
    if function is None:
        ctx.facts.instantiations.append(instantiation)
    else:
        function.instantiations.append((instantiation, ctx.assignment_target_of(node)))


def _looks_like_context(expr: ast.AST) -> bool:
    name = expr.id if isinstance(expr, ast.Name) else expr.attr if isinstance(expr, ast.Attribute) else ""
    return "context" in name.lower() or name.lower().endswith("ctx")


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
            yield Finding(init.line, init.col, "NIL201", BY_CODE["NIL201"].format(
                cls=cls.name, ctype=(config.context_types or ("UserExecutionContext",))[0]))
        elif init.context_param is not None and not init.keeps_context:
            yield Finding(init.line, init.col, "NIL202", BY_CODE["NIL202"].format(
                cls=cls.name, param=init.context_param, setter=(config.context_setters or ("set_user_context",))[0]))


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
        yield Finding(inst.line, inst.col, "NIL203", BY_CODE["NIL203"].format(
            cls=name, param=param, setter=(config.context_setters or ("set_user_context",))[0]))


PROJECT_CHECKS = (init_checks, instantiation_checks)
