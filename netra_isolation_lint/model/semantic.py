"""The semantic model of one file, as the walk builds it: scopes with their import bindings and aliases
(so ``import a.b as m; m.f()`` and ``from a import f as g; g()`` resolve to ``a.b.f`` / ``a.f``), what kind
of value a local name or ``self`` attribute holds (bridge, emitter, something else), and the class and
function being walked. Rules read it and report through it; only :mod:`..walk` writes to it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import NamedTuple, Protocol

from ..config import Config
from .facts import EMITTERS, MAX_REF_DEPTH, Finding, InitInfo, Instantiation, ModuleFacts, Signature
from .names import matches_any, name_matches
from .types import MAX_UNION, TypeRef, attribute, called, union

BRIDGE, EMITTER, OTHER = "bridge", "emitter", "other"
MOCK_FACTORIES = frozenset({"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "create_autospec", "patch", "mock"})


# Names an annotation uses that are no class of the analysed code.
_NOT_CLASSES = frozenset({"None", "Any", "object", "str", "int", "float", "bool", "bytes", "dict", "list", "set",
                          "tuple", "type", "Dict", "List", "Set", "Tuple", "Type", "Callable", "Iterable",
                          "Iterator", "Awaitable", "Coroutine", "Mapping", "Sequence", "TypeVar", "Self"})
_AWAITABLE = frozenset({"Awaitable", "Coroutine", "Future", "Task", "AsyncIterator", "AsyncGenerator"})


def _unquoted(node: ast.AST | None) -> ast.AST | None:
    """A string annotation (``"Optional[X]"``) as the expression it spells; other nodes as they are."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 200:
        try:
            return ast.parse(node.value.strip(), mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    return node


class Value(NamedTuple):
    kind: str  # BRIDGE | EMITTER | OTHER
    # Where the value comes from; empty when only its name says what it is.
    #   bridge:  ("accessor", name) | ("class", qualname)
    #   emitter: ("factory", receiver class qualname or "", factory name) | ("getter", class qualname, name)
    origin: tuple[str, ...] = ()


class FunctionState:
    """What a function body shows about the context and emitters, judged when it is left."""

    __slots__ = ("name", "node", "cls", "self_name", "cls_name", "context_param", "context_routes", "kwargs_name",
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
        self.context_routes: list[str] = []  # where the context parameter goes (see facts.InitInfo.routes)
        self.kwargs_name: str | None = None
        self.kwargs_forwarded = False
        self.setter_receivers: set[str] = set()
        self.instantiations: list[tuple[Instantiation, str | None]] = []
        self.context_assignments: list[tuple[ast.AST, str]] = []
        self.emitter_resets: set[str] = set()
        self.returns: list[ast.expr] = []


class ClassState:
    __slots__ = ("qualname", "name", "node", "bases", "init", "methods", "attributes", "attr_values",
                 "emitter_attrs", "context_changes", "pending", "attr_types", "properties", "class_level",
                 "async_methods", "fields", "method_lines")

    def __init__(self, qualname: str, name: str, node: ast.ClassDef, bases: tuple[str, ...]):
        self.qualname = qualname
        self.name = name
        self.node = node
        self.bases = bases
        self.init: InitInfo | None = None
        self.methods: dict[str, Signature] = {}
        self.method_lines: dict[str, int] = {}
        self.attributes: set[str] = set()
        # What self.<attr> holds: the first known kind assigned anywhere in the class. Flow-insensitive on
        # purpose: a reset to None in one method does not make the attribute stop being an emitter.
        self.attr_values: dict[str, Value] = {}
        # (attribute, callback) for receivers self.<attr> met before the class was fully seen
        self.pending: list[tuple[str, Callable[[Value | None], None]]] = []
        self.emitter_attrs: dict[str, ast.AST] = {}  # self.<attr> assigned from an emitter factory
        # (statement, context attribute, emitter attributes reset in the same method), methods other than __init__
        self.context_changes: list[tuple[ast.AST, str, frozenset[str]]] = []
        self.attr_types: dict[str, tuple[TypeRef, ...]] = {}  # the union of what every assignment shows
        self.properties: set[str] = set()
        self.class_level: set[str] = set()
        self.async_methods: set[str] = set()
        self.fields: list[tuple[str, bool, bool]] | None = None  # a dataclass's fields, in order


class Scope:
    __slots__ = ("kind", "qualname", "names", "imported", "values", "globals", "function", "cls", "types")

    def __init__(self, kind: str, qualname: str, function: FunctionState | None = None,
                 cls: ClassState | None = None):
        self.kind = kind  # module | class | function
        self.qualname = qualname
        self.names: dict[str, str] = {}  # name -> qualified name (imports, defs, classes, aliases)
        self.imported: set[str] = set()  # names bound by an import statement
        self.values: dict[str, Value] = {}
        self.types: dict[str, tuple[TypeRef, ...]] = {}  # name -> type references (model.types)
        self.globals: set[str] = set()
        self.function = function
        self.cls = cls


Handler = Callable[[ast.AST, "FileContext"], None]


class Reportable(Protocol):
    """What a finding is reported against: a rule record (:class:`..rules.rule.Rule`)."""

    code: str

    def format(self, **kwargs: str) -> str: ...


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
        self.awaited: set[int] = set()  # id() of expressions directly under ``await``
        self.statements: set[int] = set()  # id() of expressions that are whole statements (value dropped)
        # (id of the enclosing function, receiver text, attribute) tested with hasattr/getattr: calls of that
        # attribute on that receiver in that function may be guarded, so they are not judged
        self.guards: set[tuple[int, str, str]] = set()

    # ----------------------------------------------------------------- reporting
    def report(self, node: ast.AST, rule: Reportable, **fmt: str) -> None:
        line = getattr(node, "lineno", 1) or 1
        col = getattr(node, "col_offset", 0) or 0
        self.facts.findings.append(Finding(line, col, rule.code, rule.format(**fmt)))

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
        scope.types.pop(name, None)
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
            node = _unquoted(stack.pop())
            if isinstance(node, (ast.Name, ast.Attribute)):
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

    # ----------------------------------------------------------------- types (model.types references)
    def bind_types(self, name: str, refs: tuple[TypeRef, ...]) -> None:
        """What a name just bound may hold; call after :meth:`bind`."""
        if refs:
            scope = self.module_scope if name in self.scope.globals else self.scope
            scope.types[name] = refs

    def type_of(self, expr: ast.AST | None, depth: int = 0) -> tuple[TypeRef, ...]:
        """Type references for what ``expr`` evaluates to; empty when the file shows nothing, and for chains
        deeper than a reference may be (so a chain of a thousand calls costs a few steps, never a thousand frames)."""
        if depth > MAX_REF_DEPTH:
            return ()
        while isinstance(expr, (ast.Await, ast.NamedExpr)):
            expr = expr.value
        if isinstance(expr, ast.Name):
            return self._type_of_name(expr.id)
        if isinstance(expr, ast.Attribute):
            qualname, imported = self.resolve(expr)
            if imported and qualname:
                return (("n", qualname),)  # module.attribute
            return attribute(self.type_of(expr.value, depth + 1), expr.attr)
        if isinstance(expr, ast.Call):
            refs = called(self.type_of(expr.func, depth + 1))
            func = expr.func
            maker = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if not refs and (maker in self.config.emitter_factories or maker in self.config.emitter_getters):
                return (EMITTERS,)  # a factory on a receiver the file does not show: some emitter
            return refs
        if isinstance(expr, ast.BoolOp):
            return union(*(self.type_of(v, depth + 1) for v in expr.values))
        if isinstance(expr, ast.IfExp):
            return union(self.type_of(expr.body, depth + 1), self.type_of(expr.orelse, depth + 1))
        return ()

    def _type_of_name(self, name: str) -> tuple[TypeRef, ...]:
        method = self.method
        if method is not None and method.cls is not None:
            if name == method.self_name:
                return (("c", method.cls.qualname),)
            if name == method.cls_name:
                return (("n", method.cls.qualname),)
        for scope in self._visible_scopes():
            if name in scope.globals:
                scope = self.module_scope
            if name in scope.types:
                return scope.types[name]
            if name in scope.names:
                return (("n", scope.names[name]),) if name in scope.imported else ()
        return ()

    def annotation_types(self, annotation: ast.AST | None) -> tuple[TypeRef, ...]:
        """Instances an annotation allows: ``X``, ``"X"``, ``Optional[X]``, ``Union[X, Y]``, ``X | None``,
        ``Annotated[X, ...]``; a container (``list[X]``) holds an X but is not one, so it gives nothing."""
        found: list[TypeRef] = []
        stack = [annotation] if annotation is not None else []
        budget = 32
        while stack and budget:
            budget -= 1
            node = _unquoted(stack.pop())
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
                stack.extend((node.right, node.left))
            elif isinstance(node, ast.Subscript):
                wrapper = (self.resolve(node.value)[0] or "").rpartition(".")[2]
                if wrapper in ("Optional", "Union", "Final", "ClassVar"):
                    inner = node.slice
                    stack.extend(reversed(inner.elts) if isinstance(inner, ast.Tuple) else (inner,))
                elif wrapper == "Annotated" and isinstance(node.slice, ast.Tuple) and node.slice.elts:
                    stack.append(node.slice.elts[0])
            elif isinstance(node, (ast.Name, ast.Attribute)):
                qualname, _ = self.resolve(node)
                if qualname and qualname.rpartition(".")[2] not in _NOT_CLASSES:
                    found.append(("c", qualname))
        return tuple(dict.fromkeys(found))[:MAX_UNION]

    def annotation_awaitable(self, annotation: ast.AST | None) -> bool | None:
        """Whether a sync function's annotated result can be awaited: True, False, or None (unknown)."""
        if annotation is None:
            return None
        names = [n.rpartition(".")[2] for n in self.annotation_names(annotation)]
        if not names or any(n in ("Any", "object") or len(n) == 1 for n in names):
            return None  # Any, object or a type variable: anything, an awaitable included
        return any(n in _AWAITABLE for n in names)

    def module_variables(self) -> dict[str, tuple[TypeRef, ...]]:
        """Module-level names bound to a value the walk could type (not imports, classes or functions)."""
        scope = self.module_scope
        own = {f"{self.module}.{name}" if self.module else name for name in scope.types}
        return {name: refs for name, refs in scope.types.items()
                if name not in scope.imported and not (len(refs) == 1 and refs[0][0] == "n" and refs[0][1] in own)}
