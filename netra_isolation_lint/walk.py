"""One parse, one iterative traversal per file; every rule is fed from that pass.

The walker keeps the file's semantic model (:mod:`.model.semantic`) up to date around the rule handlers it
is given: imports and assignments bind names, classes and functions open and close scopes. Rules are small
functions registered per node type in their family module; the registry hands them to the walker, which
never imports a rule. What needs more than one file is recorded as facts (:mod:`.model.facts`).

The traversal uses an explicit stack: any tree ``ast.parse`` accepts is walked without recursion.
"""

from __future__ import annotations

import ast
import dataclasses

from .model.facts import ClassInfo, FunctionInfo, InitInfo, Signature
from .model.names import absolute_module, assignment_pairs, ast_text, name_matches
from .model.types import union
from .model.semantic import (BRIDGE, MOCK_FACTORIES, OTHER, ClassState, FileContext, FunctionState, Handler,
                             Scope, Value)

FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)


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


def _dataclass_fields(node: ast.ClassDef, ctx: FileContext) -> list[tuple[str, bool, bool]] | None:
    """The parameters of a @dataclass's generated ``__init__``: annotated class-body names but ClassVar ones and
    ``field(init=False)``; a default or ``default_factory`` makes one optional; ``kw_only`` and ``KW_ONLY`` make
    one keyword-only."""
    kw_only = None
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (ctx.resolve(target)[0] or "").rpartition(".")[2] == "dataclass":
            kw_only = any(k.arg == "kw_only" and isinstance(k.value, ast.Constant) and k.value.value is True
                          for k in getattr(decorator, "keywords", ()))
    if kw_only is None:
        return None
    fields = []
    for statement in node.body:
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        annotation = (ctx.resolve(statement.annotation.value if isinstance(statement.annotation, ast.Subscript)
                                  else statement.annotation)[0] or "").rpartition(".")[2]
        if annotation == "ClassVar":
            continue
        if annotation == "KW_ONLY":
            kw_only = True
            continue
        value, has_default, in_init = statement.value, statement.value is not None, True
        if isinstance(value, ast.Call) and (ctx.resolve(value.func)[0] or "").rpartition(".")[2] == "field":
            keywords = {k.arg: k.value for k in value.keywords}
            has_default = "default" in keywords or "default_factory" in keywords
            init = keywords.get("init")
            in_init = not (isinstance(init, ast.Constant) and init.value is False)
            field_kw = keywords.get("kw_only")
            if isinstance(field_kw, ast.Constant) and isinstance(field_kw.value, bool):
                fields.append((statement.target.id, has_default, field_kw.value)) if in_init else None
                continue
        if in_init:
            fields.append((statement.target.id, has_default, kw_only))
    return fields


def _is_accessor_decorator(node: ast.AST) -> bool:
    """``@x.setter`` / ``@x.deleter``: the same property again, not a method of its own."""
    return any(isinstance(d, ast.Attribute) and d.attr in ("setter", "deleter") for d in node.decorator_list)


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
            ast.AsyncWith: self._enter_With, ast.Return: self._enter_Return, ast.Await: self._enter_Await,
            ast.Expr: self._enter_Expr,
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

    def _enter_Await(self, node: ast.Await) -> None:
        self.ctx.awaited.add(id(node.value))

    def _enter_Expr(self, node: ast.Expr) -> None:
        self.ctx.statements.add(id(node.value))

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
        ctx = self.ctx
        declared = ctx.annotation_types(node.annotation)
        if node.value is None:
            cls = ctx.scope.cls
            if isinstance(node.target, ast.Name) and cls is not None:  # ``x: T`` in a class body (dataclass field)
                cls.attributes.add(node.target.id)
                self._add_attr_types(cls, node.target.id, declared)
            return
        self._note_assigned_call(node.target, node.value)
        value = ctx.value_of(node.value)
        if value is None and isinstance(node.target, ast.Name):
            value = self._value_from_annotation(node.annotation)
        self._bind_target(node.target, node.value, value, declared)

    def _enter_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind_target(item.optional_vars, None, self.ctx.value_of(item.context_expr))

    def _bind_target(self, target: ast.AST, source: ast.AST | None, value: Value | None,
                     declared: tuple = ()) -> None:
        ctx = self.ctx
        if isinstance(target, ast.Name) and ctx.scope.cls is not None:
            ctx.scope.cls.attributes.add(target.id)
        if isinstance(target, ast.Name):
            if (isinstance(source, ast.Constant) and source.value is None and target.id in ctx.scope.imported
                    and target.id not in ctx.scope.globals):
                return  # ``except ImportError: X = None``: the fallback of an optional import, not a new X
            alias = None
            if isinstance(source, (ast.Name, ast.Attribute)) and (value is None or not value.origin):
                alias, _ = ctx.resolve(source)  # Y = X: Y stands for whatever X names
            ctx.bind(target.id, value, alias)
            if ctx.scope.kind == "module" and isinstance(source, (ast.Subscript, ast.BinOp)):
                declared = union(declared, ctx.annotation_types(source))  # a typing alias: X = Optional[Emitter]
            ctx.bind_types(target.id, union(declared, ctx.type_of(source)))
            if ctx.scope.cls is not None:
                self._add_attr_types(ctx.scope.cls, target.id, union(declared, ctx.type_of(source)))
        elif isinstance(target, ast.Attribute) and ctx.is_self(target.value):
            cls = ctx.method.cls if ctx.method else None
            if cls is not None:
                cls.attributes.add(target.attr)
                if value is not None:
                    cls.attr_values.setdefault(target.attr, value)
                self._add_attr_types(cls, target.attr, union(declared, ctx.type_of(source)))
        elif isinstance(target, ast.Attribute):  # Class.attr = ... from outside the class: it exists
            ctx.facts.patched.extend((ref[1], target.attr) for ref in ctx.type_of(target.value) if ref[0] == "n")
        elif isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
            for element, part in assignment_pairs(target, source):
                self._bind_target(element, part, ctx.value_of(part) if part is not None else None)

    @staticmethod
    def _add_attr_types(cls: ClassState, attr: str, refs: tuple) -> None:
        """An attribute holds the union of what every assignment shows; an untyped one adds nothing, so a
        setter's bare parameter never erases what a getter or another assignment says."""
        if refs:
            cls.attr_types[attr] = union(cls.attr_types.get(attr, ()), refs)

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
        # ``Base[T]`` is Base; a base the file cannot name (``declarative_base()``) is "?": never known.
        bases = tuple(ctx.resolve(b.value if isinstance(b, ast.Subscript) else b)[0] or "?" for b in node.bases
                      if not isinstance(b, ast.Starred))
        qualname = f"{ctx.scope.qualname}.{node.name}" if ctx.scope.qualname else node.name
        ctx.bind(node.name, None, qualname)
        ctx.bind_types(node.name, (("n", qualname),))
        state = ClassState(qualname, node.name, node, bases)
        state.fields = _dataclass_fields(node, ctx)
        ctx.scopes.append(Scope("class", qualname, cls=state))

    def _open_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        outer = ctx.scope
        qualname = f"{outer.qualname}.{node.name}" if outer.qualname else node.name
        ctx.bind(node.name, None, qualname)
        ctx.bind_types(node.name, (("n", qualname),))
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
            if arg.arg != first:
                ctx.bind_types(arg.arg, ctx.annotation_types(arg.annotation))
            if arg.arg != first and state.context_param is None and arg not in (args.vararg, args.kwarg) and (
                arg.arg == ctx.config.context_parameter or ctx.is_context_annotation(arg.annotation)
            ):
                state.context_param = arg.arg
        if args.kwarg is not None:
            state.kwargs_name = args.kwarg.arg
        if cls is not None and not _is_accessor_decorator(node):
            cls.methods.setdefault(node.name, _signature(args, drop_first=first is not None))
            cls.method_lines.setdefault(node.name, node.lineno)
            if _is_method_decorator(node, ("property", "cached_property")):
                cls.properties.add(node.name)
            if is_classmethod or _is_method_decorator(node, ("staticmethod",)):
                cls.class_level.add(node.name)
            if isinstance(node, ast.AsyncFunctionDef):
                cls.async_methods.add(node.name)

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
                                state.kwargs_forwarded, bool(state.context_routes), sig,
                                tuple(dict.fromkeys(state.context_routes)))
        elif cls is not None:
            for statement, attr in state.context_assignments:
                cls.context_changes.append((statement, attr, frozenset(state.emitter_resets)))
        # Still inside the function's scope: lazy imports in its body resolve its annotation.
        annotation = getattr(node, "returns", None)
        refs = union(ctx.annotation_types(annotation), *(ctx.type_of(r) for r in state.returns))
        is_async = isinstance(node, ast.AsyncFunctionDef)
        awaitable = None if is_async else ctx.annotation_awaitable(annotation)
        module_level = ctx.scopes[-2].kind == "module"
        if module_level or cls is not None and (refs or awaitable is False):
            facts.functions.append(FunctionInfo(
                ctx.scope.qualname, refs, "method" if cls is not None else "function", is_async, awaitable,
                _signature(node.args, drop_first=False) if module_level else None, node.lineno,
            ))

    def _leave_class(self, state: ClassState) -> None:
        self.ctx.facts.classes.append(ClassInfo(
            state.qualname, state.name, state.node.lineno, state.bases, state.init,
            tuple(sorted(state.methods.items())), tuple(sorted(state.attributes - state.methods.keys())),
            dynamic=(bool({"__getattr__", "__getattribute__"} & state.methods.keys())
                     or getattr(state.node, "incomplete", False)),  # recovered around a syntax error
            attr_types=tuple(sorted(state.attr_types.items())), properties=tuple(sorted(state.properties)),
            class_level=tuple(sorted(state.class_level)), async_methods=tuple(sorted(state.async_methods)),
            fields=None if state.fields is None else tuple(state.fields),
            method_lines=tuple(sorted(state.method_lines.items())),
        ))
