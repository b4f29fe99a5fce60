"""One parse, one iterative traversal per file; every rule is fed from that pass.

The walker keeps a small semantic model as it goes: scopes with their import bindings and aliases
(so ``import a.b as m; m.f()`` and ``from a import f as g; g()`` resolve to ``a.b.f`` / ``a.f``), what
kind of value a local name or ``self`` attribute holds (bridge, emitter, something else), and the
class and function being walked. Rules are small functions registered per node type in their family
module; they read the model and report. What needs more than one file is recorded as facts
(:mod:`facts`) and judged by :mod:`project`, which every front end runs, over one file or many.

The traversal uses an explicit stack: any tree ``ast.parse`` accepts is walked without recursion.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase
from typing import NamedTuple

from .config import Config
from .facts import ClassInfo, EmitterCall, Finding, FunctionInfo, InitInfo, Instantiation, ModuleFacts, Signature

BRIDGE, EMITTER, OTHER = "bridge", "emitter", "other"
MOCK_FACTORIES = frozenset({"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "create_autospec", "patch", "mock"})
SCOPE_NODES = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)


class Value(NamedTuple):
    kind: str  # BRIDGE | EMITTER | OTHER
    # Where the value comes from; empty when only its name says what it is.
    #   bridge:  ("accessor", name) | ("class", qualname)
    #   emitter: ("factory", receiver class qualname or "", factory name) | ("getter", class qualname, name)
    origin: tuple[str, ...] = ()


class FunctionState:
    """What a function body shows about the context and emitters, judged when it is left."""

    __slots__ = ("name", "node", "cls", "self_name", "cls_name", "context_param", "context_kept", "kwargs_name",
                 "kwargs_forwarded", "setter_receivers", "instantiations", "context_assignments",
                 "emitter_resets", "returns")

    def __init__(self, name: str, node: ast.AST, cls: ClassState | None, self_name: str | None,
                 cls_name: str | None = None):
        self.name = name
        self.node = node
        self.cls = cls  # the class this is a method of (directly in its body)
        self.self_name = self_name  # first parameter of an instance method
        self.cls_name = cls_name  # first parameter of a classmethod
        self.context_param: str | None = None
        self.context_kept = False
        self.kwargs_name: str | None = None
        self.kwargs_forwarded = False
        self.setter_receivers: set[str] = set()
        self.instantiations: list[tuple[Instantiation, str | None]] = []
        self.context_assignments: list[tuple[ast.AST, str]] = []
        self.emitter_resets: set[str] = set()
        self.returns: list[ast.expr] = []


class ClassState:
    __slots__ = ("qualname", "name", "node", "bases", "init", "methods", "attributes", "attr_values",
                 "emitter_attrs", "context_changes", "pending")

    def __init__(self, qualname: str, name: str, node: ast.ClassDef, bases: tuple[str, ...]):
        self.qualname = qualname
        self.name = name
        self.node = node
        self.bases = bases
        self.init: InitInfo | None = None
        self.methods: dict[str, Signature] = {}
        self.attributes: set[str] = set()
        # What self.<attr> holds: the first known kind assigned anywhere in the class. Flow-insensitive on
        # purpose: a reset to None in one method does not make the attribute stop being an emitter.
        self.attr_values: dict[str, Value] = {}
        # (attribute, callback) for receivers self.<attr> met before the class was fully seen
        self.pending: list[tuple[str, Callable[[Value | None], None]]] = []
        self.emitter_attrs: dict[str, ast.AST] = {}  # self.<attr> assigned from an emitter factory
        # (statement, context attribute, emitter attributes reset in the same method), methods other than __init__
        self.context_changes: list[tuple[ast.AST, str, frozenset[str]]] = []


class Scope:
    __slots__ = ("kind", "qualname", "names", "imported", "values", "globals", "function", "cls")

    def __init__(self, kind: str, qualname: str, function: FunctionState | None = None,
                 cls: ClassState | None = None):
        self.kind = kind  # module | class | function
        self.qualname = qualname
        self.names: dict[str, str] = {}  # name -> qualified name (imports, defs, classes, aliases)
        self.imported: set[str] = set()  # names bound by an import statement
        self.values: dict[str, Value] = {}
        self.globals: set[str] = set()
        self.function = function
        self.cls = cls


Handler = Callable[[ast.AST, "FileContext"], None]


class FileContext:
    """The semantic model of one file during the walk, and the sink for its findings."""

    def __init__(self, config: Config, path: str, module: str):
        self.config = config
        self.facts = ModuleFacts(path=path, module=module)
        self.module = module
        self.scopes: list[Scope] = [Scope("module", module)]
        self.assigned_calls: dict[int, str] = {}  # id(call) -> the single target it is assigned to
        self.bridge_name_patterns = config.bridge_names
        self.emitter_name_patterns = config.emitter_names
        self.accessor_tails = frozenset(a.rpartition(".")[2] for a in config.accessors)
        self.accessor_aliases: set[str] = set()  # local names ever bound to an accessor (Y = accessor)
        self.bridge_tails = frozenset(c.rpartition(".")[2] for c in config.bridge_classes)
        self.bridge_aliases: set[str] = set()  # names ever bound to a bridge class (make = AgentWebSocketBridge)
        self.local_functions: set[str] = set()  # qualified names of functions defined in this file

    # ----------------------------------------------------------------- reporting
    def report(self, node: ast.AST, code: str, **fmt: str) -> None:
        from .registry import RULES

        line = getattr(node, "lineno", 1) or 1
        col = getattr(node, "col_offset", 0) or 0
        self.facts.findings.append(Finding(line, col, code, RULES[code].format(**fmt)))

    # ----------------------------------------------------------------- scopes
    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    @property
    def module_scope(self) -> Scope:
        return self.scopes[0]

    @property
    def function(self) -> FunctionState | None:
        for scope in reversed(self.scopes):
            if scope.function is not None:
                return scope.function
        return None

    @property
    def method(self) -> FunctionState | None:
        """The nearest enclosing function that is a method (directly in a class body)."""
        for scope in reversed(self.scopes):
            if scope.function is not None and scope.function.cls is not None:
                return scope.function
        return None

    def _visible_scopes(self) -> Iterable[Scope]:
        innermost = True
        for scope in reversed(self.scopes):
            if scope.kind != "class" or innermost:
                yield scope
            innermost = False

    def lookup(self, name: str) -> tuple[str | None, bool]:
        """(qualified name, bound by an import) for a name, or (None, False) when it is not bound."""
        for scope in self._visible_scopes():
            if name in scope.globals:
                scope = self.module_scope
            if name in scope.names:
                return scope.names[name], name in scope.imported
        return None, False

    def value_of_name(self, name: str) -> Value | None:
        for scope in self._visible_scopes():
            if name in scope.globals:
                scope = self.module_scope
            if name in scope.values:
                return scope.values[name]
            if name in scope.names:
                return None
        return None

    def bind(self, name: str, value: Value | None, qualname: str | None = None) -> None:
        """Bind a name in the current scope (or the module's, after ``global``); it shadows outer ones."""
        scope = self.module_scope if name in self.scope.globals else self.scope
        if value is None:
            scope.values.pop(name, None)
        else:
            scope.values[name] = value
        scope.names[name] = qualname or (f"{scope.qualname}.{name}" if scope.qualname else name)
        scope.imported.discard(name)
        if qualname is not None:
            tail = qualname.rpartition(".")[2]
            if tail in self.accessor_tails:
                self.accessor_aliases.add(name)
            elif tail in self.bridge_tails:
                self.bridge_aliases.add(name)

    def binding_scope(self, name: str) -> Scope | None:
        for scope in self._visible_scopes():
            if name in scope.globals:
                return self.module_scope
            if name in scope.names:
                return scope
        return None

    def shared_storage(self, target: ast.AST) -> str | None:
        """Where an assignment target outlives the request: a module global, a class attribute, or an
        item of a module-level container. None for locals and instance attributes."""
        if isinstance(target, ast.Name):
            if self.scope.kind in ("module", "class"):
                return "a module global" if self.scope.kind == "module" else "a class attribute"
            return "a module global" if target.id in self.scope.globals else None
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            owner = target.value.id
            function = self.function
            if function is not None and function.cls_name == owner:
                return "a class attribute"
            if owner[:1].isupper() and self.binding_scope(owner) is not None and not self.value_of_name(owner):
                return "a class attribute"
            return None
        if isinstance(target, ast.Subscript):
            return "a module-level container" if self.is_module_container(target.value) else None
        return None

    def is_module_container(self, expr: ast.AST) -> bool:
        return (isinstance(expr, ast.Name) and self.binding_scope(expr.id) is self.module_scope
                and expr.id not in self.module_scope.imported)

    def assignment_target_of(self, call: ast.Call) -> str | None:
        return self.assigned_calls.get(id(call))

    # ----------------------------------------------------------------- resolution
    def resolve(self, expr: ast.AST) -> tuple[str | None, bool]:
        """Dotted qualified name of a Name/Attribute chain, and whether its root came from an import."""
        attrs: list[str] = []
        while isinstance(expr, ast.Attribute):
            attrs.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None, False
        root, imported = self.lookup(expr.id)
        parts = [root or expr.id] + attrs[::-1]
        return ".".join(parts), imported

    def self_name(self) -> str | None:
        method = self.method
        return method.self_name if method else None

    def is_self(self, expr: ast.AST) -> bool:
        name = self.self_name()
        return isinstance(expr, ast.Name) and name is not None and expr.id == name

    def value_of(self, expr: ast.AST) -> Value | None:
        """What kind of thing an expression evaluates to, as far as this file shows."""
        while isinstance(expr, ast.Await):
            expr = expr.value
        if isinstance(expr, ast.Call):
            return self._value_of_call(expr)
        if isinstance(expr, ast.Name):
            value = self.value_of_name(expr.id)
            return value if value is not None else self._value_by_name(expr.id)
        if isinstance(expr, ast.Attribute):
            if self.is_self(expr.value):
                cls = self.method.cls if self.method else None
                if cls is not None and expr.attr in cls.attr_values:
                    return cls.attr_values[expr.attr]
            return self._value_by_name(expr.attr)
        return None

    def on_value(self, expr: ast.AST, then: Callable[[Value | None], None]) -> None:
        """Call ``then`` with what ``expr`` holds. For ``self.<attr>`` that is decided when the class has
        been seen whole, so a method may use an attribute that a later method assigns."""
        method = self.method
        if method is not None and method.cls is not None and isinstance(expr, ast.Attribute) and self.is_self(expr.value):
            method.cls.pending.append((expr.attr, then))
        else:
            then(self.value_of(expr))

    def _value_by_name(self, name: str) -> Value | None:
        if matches_any(name, self.emitter_name_patterns):
            return Value(EMITTER)
        if matches_any(name, self.bridge_name_patterns):
            return Value(BRIDGE)
        return None

    def _value_of_call(self, call: ast.Call) -> Value | None:
        """What a call returns, as far as its name tells. Name-only tests come first: most calls are
        neither an accessor, a factory nor a class, and resolving them through the scopes costs."""
        func = call.func
        cfg = self.config
        if isinstance(func, ast.Name):
            name = func.id
        elif isinstance(func, ast.Attribute):
            name = func.attr
        else:
            return None
        if self.is_accessor_call(call):
            return Value(BRIDGE, ("accessor", name))
        if name in cfg.emitter_factories:
            receiver = ""
            if isinstance(func, ast.Attribute):
                receiver = self.class_of(func.value) or ""
            else:
                receiver = (self.resolve(func)[0] or "").rpartition(".")[0]
            return Value(EMITTER, ("factory", receiver, name))
        if name in cfg.emitter_getters:
            owner = ""
            if isinstance(func, ast.Attribute) and self.is_self(func.value) and self.method and self.method.cls:
                owner = self.method.cls.qualname
            return Value(EMITTER, ("getter", owner, name))
        if name in MOCK_FACTORIES:
            return Value(OTHER)
        if not name[:1].isupper() and name not in self.bridge_aliases:
            return None
        qualname = self.resolve(func)[0] or name
        if name_matches(qualname, cfg.bridge_classes):
            return Value(BRIDGE, ("class", qualname))
        if qualname.rpartition(".")[2] in MOCK_FACTORIES:
            return Value(OTHER)
        return Value(OTHER, ("class", qualname)) if name[:1].isupper() else None

    def class_of(self, expr: ast.AST) -> str | None:
        """The class a receiver is an instance of (or is), when the file shows it. Looks one call deep
        only, so a chain of a thousand calls costs a thousand steps, never a thousand frames."""
        while isinstance(expr, ast.Await):
            expr = expr.value
        if isinstance(expr, ast.Call):
            func = expr.func
            last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if not last[:1].isupper() or last in MOCK_FACTORIES:
                return None
            qualname, _ = self.resolve(func)
            return qualname or last
        if isinstance(expr, ast.Name):
            value = self.value_of_name(expr.id)
            if value is not None and value.origin[:1] == ("class",):
                return value.origin[1]
            if expr.id == self.self_name() and self.method and self.method.cls:
                return self.method.cls.qualname
            qualname, _ = self.lookup(expr.id)
            return qualname if qualname and expr.id[:1].isupper() else None
        if isinstance(expr, ast.Attribute):
            qualname, _ = self.resolve(expr)
            return qualname if expr.attr[:1].isupper() else None
        return None

    def is_accessor_call(self, call: ast.Call) -> bool:
        """A call of a configured singleton accessor: by name, alias, or module attribute."""
        func = call.func
        accessors = self.config.accessors
        if isinstance(func, ast.Name):
            if func.id not in self.accessor_tails and func.id not in self.accessor_aliases:
                return False
            qualname, _ = self.lookup(func.id)
            if qualname in self.local_functions:
                return False  # this file's own function that happens to share the name
            return name_matches(qualname or func.id, accessors)
        if isinstance(func, ast.Attribute) and func.attr in self.accessor_tails:
            qualname, imported = self.resolve(func)
            return imported and qualname is not None and name_matches(qualname, accessors)
        return False

    def annotation_names(self, annotation: ast.AST | None) -> list[str]:
        """Qualified names mentioned by an annotation, also inside strings, Optional[...] and X | None."""
        names: list[str] = []
        stack = [annotation] if annotation is not None else []
        budget = 64
        while stack and budget:
            budget -= 1
            node = stack.pop()
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 200:
                try:
                    stack.append(ast.parse(node.value.strip(), mode="eval").body)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    continue
            elif isinstance(node, (ast.Name, ast.Attribute)):
                qualname, _ = self.resolve(node)
                if qualname:
                    names.append(qualname)
            elif isinstance(node, ast.Subscript):
                stack.append(node.slice)
                stack.append(node.value)
            elif isinstance(node, ast.BinOp):
                stack.extend((node.left, node.right))
            elif isinstance(node, ast.Tuple):
                stack.extend(node.elts)
        return names

    def is_context_annotation(self, annotation: ast.AST | None) -> bool:
        return any(name_matches(n, self.config.context_types) for n in self.annotation_names(annotation))


def name_matches(qualname: str, configured: Iterable[str]) -> bool:
    """A configured name matches the last segment (bare names) or a dotted suffix (dotted names)."""
    for name in configured:
        if "." in name:
            if qualname == name or qualname.endswith("." + name):
                return True
        elif qualname == name or qualname.endswith("." + name):
            return True
    return False


def assignment_pairs(target: ast.AST, value: ast.AST | None) -> list[tuple[ast.AST, ast.AST | None]]:
    """(target, the part of the value it receives) with tuple unpacking paired element by element;
    None where the part cannot be told (``a, b = f()``, starred targets)."""
    pairs: list[tuple[ast.AST, ast.AST | None]] = []
    stack = [(target, value)]
    while stack:
        target, value = stack.pop()
        if isinstance(target, ast.Starred):
            stack.append((target.value, None))
        elif isinstance(target, (ast.Tuple, ast.List)):
            elements = target.elts
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
            if values is None or len(values) != len(elements) or any(isinstance(v, ast.Starred) for v in values):
                values = [None] * len(elements)
            stack.extend(reversed(list(zip(elements, values))))
        else:
            pairs.append((target, value))
    return pairs


def ast_text(node: ast.AST) -> str:
    """A short source-like name for a target or receiver (not ``ast.unparse``: it recurses)."""
    parts: list[str] = []
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call, ast.Await)):
        if isinstance(node, ast.Attribute):
            parts.append("." + node.attr)
        elif isinstance(node, ast.Subscript):
            parts.append("[...]")
        elif isinstance(node, ast.Call):
            parts.append("(...)")
        node = node.value if not isinstance(node, ast.Call) else node.func
    parts.append(node.id if isinstance(node, ast.Name) else "...")
    return "".join(reversed(parts))


def matches_any(name: str, patterns: Iterable[str]) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in patterns)


# --------------------------------------------------------------------------- the walk

def _signature(args: ast.arguments, drop_first: bool) -> Signature:
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    posonly = len(args.posonlyargs)
    if drop_first and positional:
        positional = positional[1:]
        posonly = max(0, posonly - 1)
    required = len(positional) - len(args.defaults)
    kwonly = tuple(a.arg for a in args.kwonlyargs)
    required_kw = tuple(a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is None)
    return Signature(tuple(positional), max(0, required), kwonly, required_kw,
                     args.vararg is not None, args.kwarg is not None, posonly)


def _is_method_decorator(node: ast.AST, names: tuple[str, ...]) -> bool:
    return any(isinstance(d, ast.Name) and d.id in names for d in getattr(node, "decorator_list", ()))


_OPEN, _LEAVE = 1, 2
_SCOPE_TYPES = frozenset({ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef})
# Fields that never hold a node we visit: expression contexts (a third of all nodes) and scalars.
_NOT_CHILDREN = frozenset({"ctx", "type_comment", "id", "attr", "arg", "asname", "module", "level", "conversion",
                           "is_async", "simple", "kind", "kwd_attrs", "rest"})
# Leaves no rule or binding looks at by themselves: never pushed onto the stack.
_LEAVES = frozenset({ast.Name, ast.Constant, ast.Pass, ast.Break, ast.Continue, ast.Load, ast.Store, ast.Del})


def _node_fields(kind: type) -> tuple[str, ...]:
    fields = [f for f in getattr(kind, "_fields", ()) if f not in _NOT_CHILDREN]
    if kind is ast.Constant or kind in (ast.Global, ast.Nonlocal):
        fields = []  # a constant's value and the names of global/nonlocal are not nodes
    elif "name" in fields and kind.__name__ != "TypeAlias":  # a str everywhere but PEP 695's TypeAlias
        fields.remove("name")
    return tuple(reversed(fields))


# Per node type, its fields that can hold nodes, reversed so a stack visits them in source order.
# Expression contexts (Load/Store) are skipped: a third of all nodes, never of interest.
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {
    kind: _node_fields(kind) for kind in vars(ast).values() if isinstance(kind, type) and issubclass(kind, ast.AST)
}


def _outer_parts(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    parts: list[ast.AST] = list(node.decorator_list)
    if isinstance(node, ast.ClassDef):
        parts.extend(node.bases)
        parts.extend(node.keywords)
    else:
        parts.append(node.args)
        if node.returns is not None:
            parts.append(node.returns)
    parts.extend(getattr(node, "type_params", ()))
    return parts


class Walker:
    """Drives the traversal: semantic bookkeeping around the rule handlers."""

    def __init__(self, ctx: FileContext, handlers: dict[type, list[Handler]],
                 leave_handlers: dict[type, list[Handler]]):
        self.ctx = ctx
        self.handlers = handlers
        self.leave_handlers = leave_handlers

    def run(self, tree: ast.Module) -> None:
        ctx = self.ctx
        handlers = self.handlers
        entering = {
            ast.Import: self._enter_Import, ast.ImportFrom: self._enter_ImportFrom, ast.Global: self._enter_Global,
            ast.Assign: self._enter_Assign, ast.AnnAssign: self._enter_AnnAssign, ast.With: self._enter_With,
            ast.AsyncWith: self._enter_With, ast.Return: self._enter_Return,
        }
        child_fields = _CHILD_FIELDS
        leaves = _LEAVES
        # Entries are nodes to visit, or (phase, node) markers to open or leave a scope.
        stack: list = [(_LEAVE, tree)]
        stack.extend(reversed(tree.body))
        while stack:
            node = stack.pop()
            kind = type(node)
            if kind is tuple:
                phase, node = node
                if phase == _OPEN:
                    self._open(node)
                else:
                    self._leave(node)
                continue
            for handler in handlers.get(kind, ()):
                handler(node, ctx)
            enter = entering.get(kind)
            if enter is not None:
                enter(node)
            if kind in _SCOPE_TYPES:
                # Decorators, bases, defaults and annotations belong to the enclosing scope;
                # the body to the new one, opened in between.
                stack.append((_LEAVE, node))
                stack.extend(reversed(node.body))
                stack.append((_OPEN, node))
                stack.extend(reversed(_outer_parts(node)))
                continue
            fields = child_fields.get(kind)
            for name in fields if fields is not None else _node_fields(kind):
                value = getattr(node, name, None)
                if value is None:
                    continue
                if type(value) is list:
                    stack.extend(item for item in reversed(value)
                                 if type(item) not in leaves and isinstance(item, ast.AST))
                elif type(value) not in leaves and isinstance(value, ast.AST):
                    stack.append(value)

    def _enter_Import(self, node: ast.Import) -> None:
        scope = self.ctx.scope
        for alias in node.names:
            if alias.asname:
                local, target = alias.asname, alias.name
            else:
                local = target = alias.name.partition(".")[0]
            scope.names[local] = target
            scope.imported.add(local)
            scope.values.pop(local, None)

    def _enter_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = absolute_module(self.ctx.module, self.ctx.facts.path, node.module, node.level)
        scope = self.ctx.scope
        for alias in node.names:
            if alias.name == "*":
                continue
            local = alias.asname or alias.name
            scope.names[local] = f"{base}.{alias.name}" if base else alias.name
            scope.imported.add(local)
            if alias.name in self.ctx.accessor_tails:
                self.ctx.accessor_aliases.add(local)
            elif alias.name in self.ctx.bridge_tails:
                self.ctx.bridge_aliases.add(local)
            scope.values.pop(local, None)

    def _enter_Global(self, node: ast.Global) -> None:
        self.ctx.scope.globals.update(node.names)

    def _note_assigned_call(self, target: ast.AST, value: ast.AST) -> None:
        call = value.value if isinstance(value, ast.Await) else value
        if isinstance(call, ast.Call):
            self.ctx.assigned_calls[id(call)] = ast_text(target)

    def _enter_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) == 1:
            self._note_assigned_call(node.targets[0], node.value)
        value = self.ctx.value_of(node.value)
        for target in node.targets:
            self._bind_target(target, node.value, value)

    def _enter_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is None:
            return
        self._note_assigned_call(node.target, node.value)
        value = self.ctx.value_of(node.value)
        if value is None and isinstance(node.target, ast.Name):
            value = self._value_from_annotation(node.annotation)
        self._bind_target(node.target, node.value, value)

    def _enter_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind_target(item.optional_vars, None, self.ctx.value_of(item.context_expr))

    def _bind_target(self, target: ast.AST, source: ast.AST | None, value: Value | None) -> None:
        ctx = self.ctx
        if isinstance(target, ast.Name) and ctx.scope.cls is not None:
            ctx.scope.cls.attributes.add(target.id)
        if isinstance(target, ast.Name):
            alias = None
            if isinstance(source, (ast.Name, ast.Attribute)) and (value is None or not value.origin):
                alias, _ = ctx.resolve(source)  # Y = X: Y stands for whatever X names
            ctx.bind(target.id, value, alias)
        elif isinstance(target, ast.Attribute) and ctx.is_self(target.value):
            cls = ctx.method.cls if ctx.method else None
            if cls is not None:
                cls.attributes.add(target.attr)
                if value is not None:
                    cls.attr_values.setdefault(target.attr, value)
        elif isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
            for element, part in assignment_pairs(target, source):
                self._bind_target(element, part, ctx.value_of(part) if part is not None else None)

    def _value_from_annotation(self, annotation: ast.AST | None) -> Value | None:
        for name in self.ctx.annotation_names(annotation):
            if name_matches(name, self.ctx.config.bridge_classes):
                return Value(BRIDGE, ("class", name))
            if name_matches(name, MOCK_FACTORIES):
                return Value(OTHER)
        return None

    def _open(self, node: ast.AST) -> None:
        if isinstance(node, ast.ClassDef):
            self._open_class(node)
        else:
            self._open_function(node)

    def _open_class(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        bases = tuple(q for q, _ in (ctx.resolve(b) for b in node.bases) if q)
        qualname = f"{ctx.scope.qualname}.{node.name}" if ctx.scope.qualname else node.name
        ctx.bind(node.name, None, qualname)
        state = ClassState(qualname, node.name, node, bases)
        ctx.scopes.append(Scope("class", qualname, cls=state))

    def _open_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        outer = ctx.scope
        qualname = f"{outer.qualname}.{node.name}" if outer.qualname else node.name
        ctx.bind(node.name, None, qualname)
        ctx.local_functions.add(qualname)
        cls = outer.cls if outer.kind == "class" else None
        args = node.args
        params = [*args.posonlyargs, *args.args]
        first = params[0].arg if cls is not None and params else None
        if _is_method_decorator(node, ("staticmethod",)):
            first = None
        is_classmethod = _is_method_decorator(node, ("classmethod",)) or node.name in ("__new__", "__init_subclass__")
        state = FunctionState(node.name, node, cls, None if is_classmethod else first,
                              first if is_classmethod else None)
        ctx.scopes.append(Scope("function", qualname, function=state))
        for arg in (*params, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is None:
                continue
            ctx.bind(arg.arg, None if arg.arg == first else self._value_from_annotation(arg.annotation))
            if arg.arg != first and state.context_param is None and arg not in (args.vararg, args.kwarg) and (
                arg.arg == ctx.config.context_parameter or ctx.is_context_annotation(arg.annotation)
            ):
                state.context_param = arg.arg
        if args.kwarg is not None:
            state.kwargs_name = args.kwarg.arg
        if cls is not None:
            cls.methods.setdefault(node.name, _signature(args, drop_first=first is not None))

    def _enter_Return(self, node: ast.Return) -> None:
        function = self.ctx.function
        if function is not None and node.value is not None:
            function.returns.append(node.value)

    # -- leaving scopes
    def _leave(self, node: ast.AST) -> None:
        ctx = self.ctx
        if isinstance(node, ast.ClassDef):
            cls = ctx.scope.cls
            for attr, then in cls.pending:
                then(cls.attr_values.get(attr) or ctx._value_by_name(attr))
        for handler in self.leave_handlers.get(type(node), ()):
            handler(node, ctx)
        if isinstance(node, FUNCTION_NODES):
            self._leave_function(ctx.scope.function)
            ctx.scopes.pop()
        elif isinstance(node, ast.ClassDef):
            self._leave_class(ctx.scope.cls)
            ctx.scopes.pop()

    def _leave_function(self, state: FunctionState) -> None:
        ctx = self.ctx
        facts = ctx.facts
        for instantiation, target in state.instantiations:
            if target is not None and target in state.setter_receivers:
                instantiation = dataclasses.replace(instantiation, context_set_after=True)
            facts.instantiations.append(instantiation)
        node = state.node
        cls = state.cls
        if cls is not None and state.name == "__init__":
            sig = cls.methods["__init__"]
            slot = None
            if state.context_param is not None and state.context_param in sig.positional:
                slot = sig.positional.index(state.context_param)
            cls.init = InitInfo(node.lineno, node.col_offset, state.context_param, slot,
                                state.kwargs_forwarded, state.context_kept, sig)
        elif cls is not None:
            for statement, attr in state.context_assignments:
                cls.context_changes.append((statement, attr, frozenset(state.emitter_resets)))
        # Still inside the function's scope: lazy imports in its body resolve its annotation.
        returns = tuple(dict.fromkeys(ctx.annotation_names(getattr(node, "returns", None))))
        origins = tuple(dict.fromkeys(
            v.origin for v in (ctx.value_of(r) for r in state.returns) if v is not None and v.kind == EMITTER and v.origin
        ))
        constructed = tuple(dict.fromkeys(
            v.origin[1] for v in (ctx.value_of(r) for r in state.returns)
            if v is not None and v.kind == OTHER and v.origin[:1] == ("class",)
        ))
        if returns or origins or constructed:
            facts.functions.append(FunctionInfo(ctx.scope.qualname, returns + constructed, origins))

    def _leave_class(self, state: ClassState) -> None:
        self.ctx.facts.classes.append(ClassInfo(
            state.qualname, state.name, state.node.lineno, state.bases, state.init,
            tuple(sorted(state.methods.items())), tuple(sorted(state.attributes - state.methods.keys())),
            dynamic=bool({"__getattr__", "__getattribute__"} & state.methods.keys()),
        ))


def absolute_module(module: str, path: str, target: str | None, level: int) -> str:
    """``from ..x import y`` inside ``module`` -> the absolute module it names."""
    if not level:
        return target or ""
    package = module if os.path.basename(path) in ("__init__.py", "__init__.pyi") else module.rpartition(".")[0]
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        parts = []
    elif level > 1:
        parts = parts[: len(parts) - (level - 1)]
    if target:
        parts.append(target)
    return ".".join(parts)


_PACKAGE_CACHE_LIMIT = 4096


def module_name_for(path: str, package_dirs: dict[str, bool] | None = None) -> str:
    """Dotted module name from a file path, walking up through directories with ``__init__.py``."""
    absolute = os.path.abspath(path)
    directory, filename = os.path.split(absolute)
    stem = filename.rsplit(".", 1)[0]
    parts = [] if stem == "__init__" else [stem]
    cache = package_dirs if package_dirs is not None else {}
    while True:
        is_package = cache.get(directory)
        if is_package is None:
            is_package = os.path.isfile(os.path.join(directory, "__init__.py"))
            if len(cache) < _PACKAGE_CACHE_LIMIT:
                cache[directory] = is_package
        if not is_package:
            break
        parent, name = os.path.split(directory)
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) or parent == directory:
            break
        parts.append(name)
        directory = parent
    return ".".join(reversed(parts)) if parts else stem
