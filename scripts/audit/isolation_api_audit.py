#!/usr/bin/env python3
"""Independent recall audit: broken calls into the per-user WebSocket isolation API.

    python scripts/audit/isolation_api_audit.py TREE [--package netra_backend] [--scope app]
                                                [--output FILE.json] [--debug-unresolved FILE]

TREE holds the package directory (``TREE/netra_backend/app/...``). The audit parses every ``.py``
file under ``TREE/<package>/<scope>`` with :mod:`ast` (nothing is imported or executed), finds the
isolation API by reading its definitions, and classifies every call site it can tie to that API:

  missing-method       the method is not defined on the class or its in-tree bases
  bad-arguments        the arguments cannot bind to the signature
  await-sync           ``await`` of a synchronous API function/method whose result is not awaitable
  unawaited-coroutine  an ``async`` API function/method called as a bare expression statement
  out-of-order         a positional argument named like a different parameter, in the wrong slot
  bad-constructor      emitter/bridge/context/agent constructor called with args ``__init__`` rejects

This script is deliberately independent of ``netra_isolation_lint``: it shares no code with the
linter, so it can be used to measure the linter's recall.  It uses only the standard library.
See scripts/audit/README.md for the heuristics and the known blind spots.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional

# --------------------------------------------------------------------------------------------
# Configuration: seed names.  Everything else is discovered from the definitions.
# --------------------------------------------------------------------------------------------

EMITTER_SEED_CLASSES = ("UnifiedWebSocketEmitter", "UserWebSocketEmitter")
BRIDGE_SEED_CLASSES = ("AgentWebSocketBridge",)
CONTEXT_SEED_CLASSES = ("UserExecutionContext",)
AGENT_SEED_CLASSES = ("BaseAgent",)
WEBSOCKET_PACKAGE_SUFFIX = ".websocket_core"
BRIDGE_MODULE_SUFFIX = ".services.agent_websocket_bridge"

# Receiver names (last component of the receiver expression) that mean "an emitter" / "a bridge"
# when nothing contradicts it.
EMITTER_NAMES = {
    "emitter", "user_emitter", "websocket_emitter", "ws_emitter", "_emitter", "_user_emitter",
    "_websocket_emitter", "_ws_emitter", "user_websocket_emitter", "_user_websocket_emitter",
    "scoped_emitter", "isolated_emitter", "_isolated_emitter",
}
BRIDGE_NAMES = {
    "bridge", "websocket_bridge", "_websocket_bridge", "ws_bridge", "_ws_bridge", "agent_bridge",
    "_agent_bridge", "agent_websocket_bridge", "_agent_websocket_bridge", "user_bridge",
    "isolated_bridge", "_isolated_bridge",
}
# Calls whose result is an emitter / a bridge when the callee itself cannot be resolved.
EMITTER_FACTORY_NAMES = {"create_user_emitter", "create_scoped_emitter", "create_emitter",
                         "create_user_emitter_from_ids", "create_for_user", "for_user"}
BRIDGE_FACTORY_NAMES = {"create_agent_websocket_bridge"}

SAFE_DECORATORS = {"staticmethod", "classmethod", "property", "abstractmethod", "abc.abstractmethod",
                   "override", "typing.override", "typing_extensions.override", "lru_cache",
                   "functools.lru_cache", "cache", "functools.cache", "cached_property",
                   "functools.cached_property"}
AWAITABLE_MARKERS = ("Awaitable", "Coroutine", "Future", "Task", "AsyncGenerator")
NON_AWAITABLE_NAMES = {
    "bool", "int", "str", "float", "bytes", "dict", "list", "tuple", "set", "frozenset", "None",
    "Dict", "List", "Tuple", "Set", "FrozenSet", "Type", "type", "Callable", "Iterable", "Iterator",
    "Mapping", "Sequence", "Literal", "NoReturn", "Generator", "AsyncIterator", "AsyncIterable",
    "Enum", "object_",
}
UNKNOWN_ANNOTATIONS = {"Any", "object", "TypeVar", "T"}
SAFE_EXTERNAL_BASES = {"object", "ABC", "abc.ABC", "Exception", "BaseException", "dict", "list",
                       "Generic", "Protocol", "typing.Protocol", "typing.Generic"}

KINDS = ("missing-method", "bad-arguments", "await-sync", "unawaited-coroutine", "out-of-order",
         "bad-constructor")


# --------------------------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------------------------

@dataclass
class Param:
    name: str
    kind: str  # posonly | pos | vararg | kwonly | kwarg
    has_default: bool


@dataclass(eq=False)
class FuncInfo:
    name: str
    qualname: str
    module: "ModuleInfo"
    node: ast.AST
    is_async: bool
    is_generator: bool
    decorators: list
    kind: str  # function | method | classmethod | staticmethod | property
    params: list
    returns: Optional[ast.expr]
    cls: Optional["ClassInfo"] = None

    @property
    def line(self) -> int:
        return self.node.lineno

    @property
    def where(self) -> str:
        return f"{self.module.relpath}:{self.line}"

    def unknown_decorators(self) -> list:
        out = []
        for d in self.decorators:
            base = d.split("(")[0]
            if base in SAFE_DECORATORS or base.endswith((".setter", ".getter", ".deleter")):
                continue
            out.append(d)
        return out

    def signature(self) -> str:
        parts, star_done = [], False
        for p in self.params:
            if p.kind == "vararg":
                parts.append("*" + p.name)
                star_done = True
            elif p.kind == "kwonly":
                if not star_done:
                    parts.append("*")
                    star_done = True
                parts.append(p.name + ("=" if p.has_default else ""))
            elif p.kind == "kwarg":
                parts.append("**" + p.name)
            else:
                parts.append(p.name + ("=" if p.has_default else ""))
        prefix = "async " if self.is_async else ""
        return f"{prefix}{self.name}({', '.join(parts)})"

    def to_json(self) -> dict:
        return {"name": self.name, "line": self.line, "async": self.is_async, "kind": self.kind,
                "signature": self.signature(), "decorators": self.decorators,
                "returns": ast.unparse(self.returns) if self.returns is not None else None}


@dataclass(eq=False)
class ClassInfo:
    name: str
    qualname: str
    module: "ModuleInfo"
    node: ast.ClassDef
    bases: list
    methods: dict = field(default_factory=dict)     # name -> FuncInfo (last definition wins)
    properties: set = field(default_factory=set)
    class_attrs: set = field(default_factory=set)
    inst_attrs: set = field(default_factory=set)
    patched_attrs: set = field(default_factory=set)  # Class.attr = ... outside the class body
    dynamic_setattr: bool = False                    # setattr(self, <not a literal>, ...)
    dynamic_names: set = field(default_factory=set)  # names a setattr loop provably creates
    has_getattr: bool = False
    is_dataclass: bool = False
    dataclass_kw_only: bool = False
    fields: list = field(default_factory=list)       # (name, has_default, kw_only, init)
    has_metaclass: bool = False
    is_frozen: bool = False
    decorators: list = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.node.lineno

    @property
    def where(self) -> str:
        return f"{self.module.relpath}:{self.line}"

    @property
    def dotted(self) -> str:
        return f"{self.module.name}.{self.qualname}"


@dataclass(eq=False)
class ModuleInfo:
    name: str
    path: str
    relpath: str
    tree: ast.Module
    is_package: bool
    bindings: dict = field(default_factory=dict)    # module-level name -> list of binding tuples
    star_imports: list = field(default_factory=list)
    any_imports: dict = field(default_factory=dict)  # name -> list of bindings from any import
    classes: list = field(default_factory=list)
    functions: dict = field(default_factory=dict)   # module-level name -> list[FuncInfo]
    has_module_getattr: bool = False


def dotted_name(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def decorator_text(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    text = dotted_name(target) or ast.unparse(target)
    return text + ("()" if isinstance(node, ast.Call) else "")


def own_body_nodes(body: Iterable[ast.stmt]):
    """Walk statements without descending into nested functions, lambdas or classes."""
    stack = list(body)[::-1]
    while stack:
        node = stack.pop()
        yield node
        for child in reversed(list(ast.iter_child_nodes(node))):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                yield child  # the definition itself binds a name, its body is another scope
                continue
            stack.append(child)


def make_params(args: ast.arguments) -> list:
    out = []
    positional = list(args.posonlyargs) + list(args.args)
    n_def = len(args.defaults)
    first_default = len(positional) - n_def
    for i, a in enumerate(positional):
        kind = "posonly" if i < len(args.posonlyargs) else "pos"
        out.append(Param(a.arg, kind, i >= first_default))
    if args.vararg:
        out.append(Param(args.vararg.arg, "vararg", True))
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        out.append(Param(a.arg, "kwonly", d is not None))
    if args.kwarg:
        out.append(Param(args.kwarg.arg, "kwarg", True))
    return out


def is_generator(node: ast.AST) -> bool:
    for sub in own_body_nodes(node.body):
        if isinstance(sub, (ast.Yield, ast.YieldFrom)):
            return True
    return False


def make_func(node, module, qualname, cls=None) -> FuncInfo:
    decos = [decorator_text(d) for d in node.decorator_list]
    base_names = {d.split("(")[0] for d in decos}
    if cls is None:
        kind = "function"
    elif "staticmethod" in base_names:
        kind = "staticmethod"
    elif "classmethod" in base_names:
        kind = "classmethod"
    elif "property" in base_names or "cached_property" in base_names or "functools.cached_property" in base_names \
            or any(b.endswith((".setter", ".getter", ".deleter")) for b in base_names):
        kind = "property"
    else:
        kind = "method"
    return FuncInfo(node.name, qualname, module, node, isinstance(node, ast.AsyncFunctionDef),
                    is_generator(node), decos, kind, make_params(node.args), node.returns, cls)


# --------------------------------------------------------------------------------------------
# Values produced by the (flow-insensitive) inference
# --------------------------------------------------------------------------------------------
# ("class", ClassInfo)                 the class object
# ("func", FuncInfo, bound_cls|None)   a function or a method (bound when bound_cls is set)
# ("module", name)
# ("inst", ClassInfo, evidence)        an instance of an in-tree class
# ("role", role, evidence)             an instance of some class of that API role (unknown which)
# ("coro", FuncInfo)                   the coroutine of an un-awaited async call
# ("other", text)                      a value known not to be an in-tree instance (literal, ...)
# ("none",)
# ("unknown",)
UNKNOWN = ("unknown",)
NONE = ("none",)


class Audit:
    def __init__(self, tree: str, package: str, scope: str):
        self.tree = os.path.abspath(tree)
        self.package = package
        self.scope = scope
        self.modules: dict[str, ModuleInfo] = {}
        self.parse_failures: list[str] = []
        self.class_by_node: dict[int, ClassInfo] = {}
        self.func_by_node: dict[int, FuncInfo] = {}
        self.scope_by_node: dict[int, "Scope"] = {}
        self._resolve_memo: dict = {}
        self._resolving: set = set()
        self._attr_memo: dict = {}
        self._attr_stack: set = set()
        self._ret_memo: dict = {}
        self._ret_stack: set = set()
        self._name_stack: set = set()
        self.roles: dict[int, str] = {}   # id(ClassInfo) -> role
        self.role_classes: dict[str, list] = {"emitter": [], "bridge": [], "context": [], "agent": []}
        self.emitter_aliases: dict[str, list] = {}
        self.api_modules: list[ModuleInfo] = []
        self.findings: list[dict] = []
        self.suppressed: Counter = Counter()
        self.seen: set = set()
        self.debug: Optional[list] = None
        self.checked: Counter = Counter()
        self.external_attrs: set = set()
        self.secondary: list = []

    # ---------------------------------------------------------------- loading
    def load(self) -> None:
        root = os.path.join(self.tree, self.package, self.scope) if self.scope else os.path.join(self.tree, self.package)
        pkg_root = os.path.join(self.tree, self.package)
        files = []
        init = os.path.join(pkg_root, "__init__.py")
        if os.path.isfile(init) and self.scope:
            files.append(init)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for fn in sorted(filenames):
                if fn.endswith(".py"):
                    files.append(os.path.join(dirpath, fn))
        for path in files:
            rel = os.path.relpath(path, self.tree)
            parts = rel[:-3].split(os.sep)
            is_pkg = parts[-1] == "__init__"
            if is_pkg:
                parts = parts[:-1]
            name = ".".join(parts)
            try:
                with open(path, "rb") as fh:
                    src = fh.read()
                tree = ast.parse(src, filename=rel)
            except (SyntaxError, ValueError) as exc:
                self.parse_failures.append(f"{rel}: {exc.__class__.__name__}")
                continue
            self.modules[name] = ModuleInfo(name, path, rel, tree, is_pkg)
        for mod in self.modules.values():
            self._index_module(mod)
        for mod in self.modules.values():
            self._collect_patches(mod)

    def _resolve_relative(self, mod: ModuleInfo, level: int, target: Optional[str]) -> str:
        if level == 0:
            return target or ""
        parts = mod.name.split(".")
        if not mod.is_package:
            parts = parts[:-1]
        if level > 1:
            parts = parts[: len(parts) - (level - 1)]
        base = ".".join(parts)
        return f"{base}.{target}" if target else base

    def _import_bindings(self, mod: ModuleInfo, node) -> list:
        out = []
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    out.append((a.asname, ("importmod", a.name)))
                else:
                    top = a.name.split(".")[0]
                    out.append((top, ("importmod", top)))
        else:
            base = self._resolve_relative(mod, node.level, node.module)
            for a in node.names:
                if a.name == "*":
                    out.append(("*", ("star", base)))
                else:
                    out.append((a.asname or a.name, ("importfrom", base, a.name)))
        return out

    def _index_module(self, mod: ModuleInfo) -> None:
        # module-level bindings (into if/try/with blocks, not into defs)
        def visit_block(stmts):
            for st in stmts:
                if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    fi = make_func(st, mod, st.name)
                    self.func_by_node[id(st)] = fi
                    mod.functions.setdefault(st.name, []).append(fi)
                    mod.bindings.setdefault(st.name, []).append(("def", st))
                    if st.name == "__getattr__":
                        mod.has_module_getattr = True
                elif isinstance(st, ast.ClassDef):
                    mod.bindings.setdefault(st.name, []).append(("classdef", st))
                elif isinstance(st, (ast.Import, ast.ImportFrom)):
                    for name, b in self._import_bindings(mod, st):
                        if name == "*":
                            mod.star_imports.append(b[1])
                        else:
                            mod.bindings.setdefault(name, []).append(b)
                elif isinstance(st, ast.Assign):
                    for t in st.targets:
                        self._bind_target(mod.bindings, t, st.value)
                elif isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
                    mod.bindings.setdefault(st.target.id, []).append(("annassign", st.annotation, st.value))
                elif isinstance(st, (ast.If, ast.While)):
                    visit_block(st.body)
                    visit_block(st.orelse)
                elif isinstance(st, ast.Try) or st.__class__.__name__ == "TryStar":
                    visit_block(st.body)
                    for h in st.handlers:
                        visit_block(h.body)
                    visit_block(st.orelse)
                    visit_block(st.finalbody)
                elif isinstance(st, (ast.With, ast.AsyncWith, ast.For, ast.AsyncFor)):
                    visit_block(st.body)
                    visit_block(getattr(st, "orelse", []))
        visit_block(mod.tree.body)
        # imports anywhere in the module (used as a fallback for annotation strings)
        for node in ast.walk(mod.tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for name, b in self._import_bindings(mod, node):
                    if name != "*":
                        mod.any_imports.setdefault(name, []).append(b)
        # classes (all, nested too) and functions; scopes
        self._index_scopes(mod, mod.tree, None, "", None)

    def _bind_target(self, bindings: dict, target: ast.expr, value: Optional[ast.expr]) -> None:
        if isinstance(target, ast.Name):
            bindings.setdefault(target.id, []).append(("assign", value) if value is not None else ("unknown",))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._bind_target(bindings, elt.value if isinstance(elt, ast.Starred) else elt, None)

    def _index_scopes(self, mod, node, parent_scope, prefix, cls_info):
        """Create ClassInfo / FuncInfo / Scope objects for every def in ``node``'s own body."""
        if parent_scope is None:
            parent_scope = Scope(self, mod, mod.tree, None, None)
            self.scope_by_node[id(mod.tree)] = parent_scope
        if isinstance(node, (ast.Module, ast.ClassDef)):
            iterable = self._flat_defs(node.body)
        else:
            iterable = list(own_body_nodes(node.body))
        for child in iterable:
            if isinstance(child, ast.ClassDef):
                ci = self._make_class(mod, child, prefix + child.name)
                mod.classes.append(ci)
                self.class_by_node[id(child)] = ci
                class_scope = Scope(self, mod, child, parent_scope, None, is_class_body=True)
                self.scope_by_node[id(child)] = class_scope
                # methods: scopes whose parent is the enclosing function scope (class bodies do not nest)
                for st in self._flat_defs(child.body):
                    if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        fi = ci.methods.get(st.name) if ci.methods.get(st.name) and ci.methods[st.name].node is st else None
                        if fi is None:
                            fi = make_func(st, mod, f"{prefix}{child.name}.{st.name}", ci)
                        self.func_by_node[id(st)] = fi
                        sc = Scope(self, mod, st, parent_scope, ci)
                        self.scope_by_node[id(st)] = sc
                        self._index_scopes(mod, st, sc, f"{prefix}{child.name}.{st.name}.", ci)
                    elif isinstance(st, ast.ClassDef):
                        # nested class: treat like a class at this level
                        self._index_scopes(mod, ast.Module(body=[st], type_ignores=[]), parent_scope,
                                           f"{prefix}{child.name}.", None)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if id(child) not in self.func_by_node:
                    self.func_by_node[id(child)] = make_func(child, mod, prefix + child.name)
                sc = Scope(self, mod, child, parent_scope, None)
                self.scope_by_node[id(child)] = sc
                self._index_scopes(mod, child, sc, prefix + child.name + ".", None)
            elif isinstance(child, ast.Lambda):
                sc = Scope(self, mod, child, parent_scope, None)
                self.scope_by_node[id(child)] = sc

    @staticmethod
    def _flat_defs(stmts):
        """Statements of a module/class body, looking into if/try/with blocks."""
        out = []
        def visit(block):
            for st in block:
                out.append(st)
                if isinstance(st, (ast.If, ast.While, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith)):
                    visit(st.body)
                    visit(getattr(st, "orelse", []))
                elif isinstance(st, ast.Try) or st.__class__.__name__ == "TryStar":
                    visit(st.body)
                    for h in st.handlers:
                        visit(h.body)
                    visit(st.orelse)
                    visit(st.finalbody)
                elif not isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    # defs nested in other statements at module level, e.g. lambdas: ignore
                    pass
        visit(stmts)
        return out

    def _make_class(self, mod, node: ast.ClassDef, qualname: str) -> ClassInfo:
        decos = [decorator_text(d) for d in node.decorator_list]
        ci = ClassInfo(node.name, qualname, mod, node, list(node.bases), decorators=decos)
        ci.has_metaclass = any(k.arg == "metaclass" for k in node.keywords)
        for d in node.decorator_list:
            base = decorator_text(d).split("(")[0]
            if base in ("dataclass", "dataclasses.dataclass"):
                ci.is_dataclass = True
                if isinstance(d, ast.Call):
                    for k in d.keywords:
                        if k.arg == "kw_only" and isinstance(k.value, ast.Constant) and k.value.value is True:
                            ci.dataclass_kw_only = True
                        if k.arg == "frozen" and isinstance(k.value, ast.Constant) and k.value.value is True:
                            ci.is_frozen = True
                        if k.arg == "init" and isinstance(k.value, ast.Constant) and k.value.value is False:
                            ci.is_dataclass = False  # no generated __init__
        kw_only_marker = False
        for st in self._flat_defs(node.body):
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                fi = make_func(st, mod, f"{qualname}.{st.name}", ci)
                prev = ci.methods.get(st.name)
                if fi.kind == "property":
                    ci.properties.add(st.name)
                    if prev is None or prev.kind != "property":
                        ci.methods[st.name] = fi  # keep the getter (the first property definition)
                else:
                    ci.methods[st.name] = fi
                if st.name in ("__getattr__", "__getattribute__"):
                    ci.has_getattr = True
            elif isinstance(st, ast.Assign):
                for t in st.targets:
                    for n in ast.walk(t):
                        if isinstance(n, ast.Name):
                            ci.class_attrs.add(n.id)
            elif isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
                name = st.target.id
                ann = ast.unparse(st.annotation)
                if ann in ("KW_ONLY", "dataclasses.KW_ONLY"):
                    kw_only_marker = True
                    continue
                if st.value is not None:
                    ci.class_attrs.add(name)
                if ci.is_dataclass and not ann.startswith(("ClassVar", "typing.ClassVar")):
                    has_default, init, kw = st.value is not None, True, kw_only_marker or ci.dataclass_kw_only
                    if isinstance(st.value, ast.Call) and dotted_name(st.value.func) in ("field", "dataclasses.field"):
                        has_default = False
                        for k in st.value.keywords:
                            if k.arg in ("default", "default_factory"):
                                has_default = True
                            elif k.arg == "init" and isinstance(k.value, ast.Constant):
                                init = bool(k.value.value)
                            elif k.arg == "kw_only" and isinstance(k.value, ast.Constant):
                                kw = bool(k.value.value)
                    ci.fields.append((name, has_default, kw, init))
                ci.class_attrs.add(name)
        # instance attributes and dynamic setattr in the methods
        for fi in ci.methods.values():
            self._collect_instance_attrs(ci, fi)
        # all defs with the same name (e.g. the first of two definitions) also count for attrs
        for st in self._flat_defs(node.body):
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)) and ci.methods.get(st.name) is not None \
                    and ci.methods[st.name].node is not st:
                self._collect_instance_attrs(ci, make_func(st, mod, f"{qualname}.{st.name}", ci))
        return ci

    def _collect_instance_attrs(self, ci: ClassInfo, fi: FuncInfo) -> None:
        if not fi.params or fi.kind == "staticmethod":
            return
        self_name = fi.params[0].name
        for sub in ast.walk(fi.node):
            targets = []
            if isinstance(sub, ast.Assign):
                targets = sub.targets
            elif isinstance(sub, (ast.AnnAssign, ast.AugAssign)):
                targets = [sub.target]
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == self_name:
                        ci.inst_attrs.add(n.attr)
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == "setattr" \
                    and len(sub.args) >= 2 and isinstance(sub.args[0], ast.Name) and sub.args[0].id in (self_name, "cls"):
                name_arg = sub.args[1]
                if isinstance(name_arg, ast.Constant) and isinstance(name_arg.value, str):
                    ci.inst_attrs.add(name_arg.value)
                else:
                    names = self._expand_setattr_names(ci, fi, name_arg)
                    if names is None:
                        ci.dynamic_setattr = True
                    else:
                        ci.dynamic_names.update(names)

    def _expand_setattr_names(self, ci: ClassInfo, fi: FuncInfo, name_arg: ast.expr) -> Optional[set]:
        """setattr(self, f'prefix_{v}', ...) inside ``for v in self.CONST`` where CONST is a literal list."""
        expr = name_arg
        if isinstance(expr, ast.Name):  # method_name = f'...'; setattr(self, method_name, ...)
            for sub in ast.walk(fi.node):
                if isinstance(sub, ast.Assign) and len(sub.targets) == 1 and isinstance(sub.targets[0], ast.Name) \
                        and sub.targets[0].id == expr.id:
                    expr = sub.value
                    break
        if not isinstance(expr, ast.JoinedStr):
            return None
        loop_var, prefix, suffix = None, "", ""
        seen_value = False
        for part in expr.values:
            if isinstance(part, ast.Constant):
                if seen_value:
                    suffix += str(part.value)
                else:
                    prefix += str(part.value)
            elif isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name) and not seen_value:
                loop_var = part.value.id
                seen_value = True
            else:
                return None
        if loop_var is None:
            return None
        for sub in ast.walk(fi.node):
            if isinstance(sub, ast.For) and isinstance(sub.target, ast.Name) and sub.target.id == loop_var:
                it = sub.iter
                const_name = it.attr if isinstance(it, ast.Attribute) else it.id if isinstance(it, ast.Name) else None
                if const_name is None:
                    return None
                for st in ci.node.body:
                    if isinstance(st, ast.Assign) and any(isinstance(t, ast.Name) and t.id == const_name for t in st.targets) \
                            and isinstance(st.value, (ast.List, ast.Tuple)) \
                            and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in st.value.elts):
                        return {f"{prefix}{e.value}{suffix}" for e in st.value.elts}
                return None
        return None

    def _collect_patches(self, mod: ModuleInfo) -> None:
        """``SomeClass.attr = value`` anywhere in a module adds ``attr`` to that class."""
        for node in ast.walk(mod.tree):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
                if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
            for t in targets:
                for sub in ast.walk(t):
                    if isinstance(sub, ast.Attribute) and not (isinstance(sub.value, ast.Name) and sub.value.id in ("self", "cls")):
                        self.external_attrs.add(sub.attr)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr" \
                    and len(node.args) >= 2:
                if isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                    self.external_attrs.add(node.args[1].value)
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name):
                        for v in self.resolve_name(mod, t.value.id):
                            if v[0] == "class":
                                v[1].patched_attrs.add(t.attr)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr" \
                    and len(node.args) >= 2 and isinstance(node.args[0], ast.Name):
                for v in self.resolve_name(mod, node.args[0].id):
                    if v[0] == "class":
                        if isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                            v[1].patched_attrs.add(node.args[1].value)
                        else:
                            v[1].dynamic_setattr = True

    # ---------------------------------------------------------------- name resolution
    def resolve_module_attr(self, modname: str, attr: str) -> list:
        mod = self.modules.get(modname)
        if mod is not None:
            vals = self.resolve_name(mod, attr)
            if vals:
                return vals
        sub = f"{modname}.{attr}"
        if sub in self.modules:
            return [("module", sub)]
        if mod is None:
            return [("ext", sub)]
        return []

    def resolve_binding(self, mod: ModuleInfo, b: tuple, scope: Optional["Scope"]) -> list:
        kind = b[0]
        if kind == "def":
            return [("func", self.func_by_node[id(b[1])], None)]
        if kind == "classdef":
            return [("class", self.class_by_node[id(b[1])])]
        if kind == "importmod":
            name = b[1]
            return [("module", name)] if name in self.modules else [("ext", name)]
        if kind == "importfrom":
            return self.resolve_module_attr(b[1], b[2])
        if kind == "star":
            return []
        if kind == "assign":
            sc = scope or self.scope_by_node[id(mod.tree)]
            return sc.infer(b[1])
        if kind == "annassign":
            sc = scope or self.scope_by_node[id(mod.tree)]
            vals = sc.annotation_values(b[1])
            if b[2] is not None and not vals:
                vals = sc.infer(b[2])
            return vals
        return [UNKNOWN]

    def resolve_name(self, mod: ModuleInfo, name: str) -> list:
        key = (mod.name, name)
        if key in self._resolve_memo:
            return self._resolve_memo[key]
        if key in self._resolving:
            return []
        self._resolving.add(key)
        try:
            out = []
            for b in mod.bindings.get(name, []):
                out.extend(self.resolve_binding(mod, b, None))
            if not mod.bindings.get(name):
                for star in mod.star_imports:
                    out.extend(v for v in self.resolve_module_attr(star, name) if v[0] != "ext")
        finally:
            self._resolving.discard(key)
        out = dedupe(out)
        self._resolve_memo[key] = out
        return out

    # ---------------------------------------------------------------- classes
    def class_bases(self, ci: ClassInfo) -> tuple:
        """(in-tree base ClassInfos, names of bases that are outside the tree or unresolved)."""
        memo = self.__dict__.setdefault("_bases_memo", {})
        if id(ci) not in memo:
            memo[id(ci)] = self._class_bases(ci)
        return memo[id(ci)]

    def _class_bases(self, ci: ClassInfo) -> tuple:
        scope = self.scope_by_node[id(ci.module.tree)]
        inside, outside = [], []
        for b in ci.bases:
            text = ast.unparse(b)
            target = b.value if isinstance(b, ast.Subscript) else b
            vals = [v for v in scope.infer_static(target) if v[0] != "none"]
            classes = [v[1] for v in vals if v[0] == "class"]
            if classes:
                inside.append(classes[0])
            elif text in SAFE_EXTERNAL_BASES or (isinstance(b, ast.Subscript) and dotted_name(b.value) in ("Generic", "typing.Generic", "Protocol")):
                continue
            else:
                ext = [v[1] for v in vals if v[0] == "ext"]
                outside.append(ext[0] if ext else text)
        return inside, outside

    def mro(self, ci: ClassInfo) -> tuple:
        order, outside, seen = [], [], set()
        def visit(c):
            if id(c) in seen:
                return
            seen.add(id(c))
            order.append(c)
            inside, out = self.class_bases(c)
            outside.extend(o for o in out if o not in outside)
            for b in inside:
                visit(b)
        visit(ci)
        return order, outside

    def subclasses_of(self, roots: list) -> list:
        if not hasattr(self, "_children"):
            self._children = {}
            for mod in self.modules.values():
                for ci in mod.classes:
                    for b in self.class_bases(ci)[0]:
                        self._children.setdefault(id(b), []).append(ci)
        result = list(roots)
        i = 0
        while i < len(result):
            for ch in self._children.get(id(result[i]), []):
                if ch not in result:
                    result.append(ch)
            i += 1
        return result

    def lookup_member(self, ci: ClassInfo, name: str) -> tuple:
        """('method', FuncInfo, owner) | ('attr', None, owner) | ('dynamic', None, owner) | ('missing', None, outside_bases)."""
        order, outside = self.mro(ci)
        for c in order:
            if name in c.methods:
                return ("method", c.methods[name], c)
            if name in c.class_attrs or name in c.inst_attrs or name in c.patched_attrs or name in c.dynamic_names:
                return ("attr", None, c)
        for c in order:
            if c.has_getattr or c.dynamic_setattr:
                return ("dynamic", None, c)
        return ("missing", None, outside)

    def provably_missing(self, ci: ClassInfo, attr: str) -> bool:
        """``instance.attr`` raises AttributeError: not defined in the class or its (in-tree) bases, and
        never assigned from outside (or the class refuses new attributes: frozen dataclass, __slots__)."""
        m = self.lookup_member(ci, attr)
        if m[0] != "missing" or m[2]:
            return False
        order, _ = self.mro(ci)
        closed = any(c.is_frozen or "__slots__" in c.class_attrs for c in order)
        return closed or attr not in self.external_attrs

    def is_awaitable_class(self, ci: ClassInfo) -> Optional[bool]:
        order, outside = self.mro(ci)
        for c in order:
            if "__await__" in c.methods or "__await__" in c.class_attrs:
                return True
        for o in outside:
            if any(m in o for m in AWAITABLE_MARKERS):
                return True
        return False

    def constructor(self, ci: ClassInfo) -> tuple:
        """('sig', params_without_self, where) | ('object', None, where) | ('unknown', reason, None)."""
        if ci.has_metaclass:
            return ("unknown", "metaclass", None)
        order, outside = self.mro(ci)
        for c in order:
            if "__new__" in c.methods:
                return ("unknown", "__new__", None)
            if "__init__" in c.methods:
                fi = c.methods["__init__"]
                if fi.unknown_decorators():
                    return ("unknown", "decorated __init__", None)
                return ("sig", fi.params[1:], fi.where)
            if c.is_dataclass:
                return ("sig", self.dataclass_params(c), f"{c.where} (dataclass fields)")
            if "__init__" in c.class_attrs or "__init__" in c.patched_attrs:
                return ("unknown", "__init__ assigned", None)
            _, c_out = self.class_bases(c)
            if c_out:
                return ("unknown", "base outside tree: " + ", ".join(c_out), None)
        return ("object", None, ci.where)

    def dataclass_params(self, ci: ClassInfo) -> list:
        order, _ = self.mro(ci)
        fields: dict = {}
        for c in reversed(order):
            if c.is_dataclass:
                for name, has_default, kw, init in c.fields:
                    fields[name] = (has_default, kw, init)
        pos = [Param(n, "pos", d) for n, (d, kw, init) in fields.items() if init and not kw]
        kwo = [Param(n, "kwonly", d) for n, (d, kw, init) in fields.items() if init and kw]
        return pos + kwo

    # ---------------------------------------------------------------- return values
    def return_values(self, fi: FuncInfo, bound_cls: Optional[ClassInfo]) -> list:
        scope = self.scope_by_node.get(id(fi.node))
        if scope is None:
            return [UNKNOWN]
        if fi.returns is not None:
            vals = scope.annotation_values(fi.returns)
            return vals or [UNKNOWN]
        key = (id(fi), id(bound_cls))
        if key in self._ret_memo:
            return self._ret_memo[key]
        if key in self._ret_stack or len(self._ret_stack) > 6:
            return [UNKNOWN]
        self._ret_stack.add(key)
        try:
            out = []
            has_return = False
            for sub in own_body_nodes(fi.node.body):
                if isinstance(sub, ast.Return):
                    has_return = True
                    out.extend(scope.infer(sub.value) if sub.value is not None else [NONE])
            if not has_return:
                out.append(NONE)
        finally:
            self._ret_stack.discard(key)
        out = dedupe(out)
        self._ret_memo[key] = out
        return out

    def function_awaitable_result(self, fi: FuncInfo) -> Optional[bool]:
        """Whether calling the *sync* function ``fi`` gives an awaitable: True/False/None (unknown)."""
        if fi.is_generator:
            return False
        scope = self.scope_by_node.get(id(fi.node))
        if fi.returns is not None:
            return scope.annotation_awaitable(fi.returns)
        vals = self.return_values(fi, fi.cls)
        result = False
        for v in vals:
            if v[0] in ("none", "other"):
                continue
            if v[0] == "inst":
                aw = self.is_awaitable_class(v[1])
                if aw is False:
                    continue
                return aw
            if v[0] == "role":
                continue
            if v[0] == "coro":
                return True
            return None
        return result


def dedupe(vals: list) -> list:
    out, seen = [], set()
    for v in vals:
        key = tuple(id(x) if isinstance(x, (ClassInfo, FuncInfo)) else x for x in v)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


# --------------------------------------------------------------------------------------------
# Scopes and inference
# --------------------------------------------------------------------------------------------

class Scope:
    def __init__(self, audit: Audit, module: ModuleInfo, node, parent, cls: Optional[ClassInfo], is_class_body=False):
        self.audit = audit
        self.module = module
        self.node = node
        self.parent = parent
        self.cls = cls            # set for methods: the class the method belongs to
        self.is_class_body = is_class_body
        self._bindings = None
        self._memo: dict = {}

    # -- bindings of this scope
    @property
    def bindings(self) -> dict:
        if self._bindings is not None:
            return self._bindings
        if isinstance(self.node, ast.Module):
            self._bindings = self.module.bindings
            return self._bindings
        b: dict = {}
        node = self.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            fi = self.audit.func_by_node.get(id(node))
            params = make_params(node.args)
            args = node.args
            all_args = list(args.posonlyargs) + list(args.args)
            for i, p in enumerate(params):
                arg_node = None
                for a in all_args + list(args.kwonlyargs) + [args.vararg, args.kwarg]:
                    if a is not None and a.arg == p.name:
                        arg_node = a
                        break
                if p.kind in ("vararg", "kwarg"):
                    b.setdefault(p.name, []).append(("other", "*args"))
                    continue
                first = (i == 0 and fi is not None and fi.cls is not None and fi.kind in ("method", "classmethod", "property"))
                if first:
                    b.setdefault(p.name, []).append(("self" if fi.kind != "classmethod" else "cls", fi.cls))
                else:
                    b.setdefault(p.name, []).append(("param", arg_node.annotation if arg_node else None))
            body = node.body if not isinstance(node, ast.Lambda) else [ast.Expr(node.body)]
            globals_ = set()
            for sub in own_body_nodes(body):
                if isinstance(sub, (ast.Global, ast.Nonlocal)):
                    globals_.update(sub.names)
            for sub in own_body_nodes(body):
                if isinstance(sub, ast.Assign):
                    for t in sub.targets:
                        self.audit._bind_target(b, t, sub.value)
                elif isinstance(sub, ast.AnnAssign) and isinstance(sub.target, ast.Name):
                    b.setdefault(sub.target.id, []).append(("annassign", sub.annotation, sub.value))
                elif isinstance(sub, ast.AugAssign) and isinstance(sub.target, ast.Name):
                    b.setdefault(sub.target.id, []).append(("unknown",))
                elif isinstance(sub, ast.NamedExpr):
                    b.setdefault(sub.target.id, []).append(("assign", sub.value))
                elif isinstance(sub, (ast.For, ast.AsyncFor, ast.comprehension)):
                    self.audit._bind_target(b, sub.target, None)
                elif isinstance(sub, (ast.With, ast.AsyncWith)):
                    for item in sub.items:
                        if item.optional_vars is not None:
                            self.audit._bind_target(b, item.optional_vars, None)
                elif isinstance(sub, ast.ExceptHandler) and sub.name:
                    b.setdefault(sub.name, []).append(("other", "exception"))
                elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                    for name, bb in self.audit._import_bindings(self.module, sub):
                        if name != "*":
                            b.setdefault(name, []).append(bb)
                elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    b.setdefault(sub.name, []).append(("def", sub))
                elif isinstance(sub, ast.ClassDef):
                    b.setdefault(sub.name, []).append(("classdef", sub))
            for g in globals_:
                b.pop(g, None)
        self._bindings = b
        return b

    def _lookup(self, name: str) -> tuple:
        scope = self
        while scope is not None:
            if scope.is_class_body and scope is not self:
                scope = scope.parent
                continue
            if name in scope.bindings:
                return scope, scope.bindings[name]
            scope = scope.parent
        return None, None

    # -- inference
    def infer_name(self, name: str) -> list:
        scope, bindings = self._lookup(name)
        if bindings is None:
            return [("other", "builtin")] if name in BUILTIN_NAMES else [UNKNOWN]
        key = (id(scope), name)
        audit = self.audit
        if key in audit._name_stack:
            return []
        audit._name_stack.add(key)
        try:
            out = []
            for b in bindings:
                kind = b[0]
                if kind == "self":
                    out.append(("inst", b[1], "self"))
                elif kind == "cls":
                    out.append(("class", b[1]))
                elif kind == "param":
                    if b[1] is None:
                        out.append(UNKNOWN)
                    else:
                        out.extend(scope.annotation_values(b[1]) or [UNKNOWN])
                elif kind == "other":
                    out.append(("other", b[1]))
                elif kind == "unknown":
                    out.append(UNKNOWN)
                elif kind == "assign":
                    out.extend(scope.infer(b[1]))
                elif kind == "annassign":
                    vals = scope.annotation_values(b[1])
                    out.extend(vals if vals else (scope.infer(b[2]) if b[2] is not None else [UNKNOWN]))
                elif kind in ("def", "classdef"):
                    if isinstance(scope.node, ast.Module):
                        out.extend(audit.resolve_binding(scope.module, b, scope))
                    elif kind == "def":
                        out.append(("func", audit.func_by_node[id(b[1])], None))
                    else:
                        out.append(("class", audit.class_by_node[id(b[1])]))
                else:
                    out.extend(audit.resolve_binding(scope.module, b, scope))
        finally:
            audit._name_stack.discard(key)
        return dedupe(out)

    def infer_static(self, expr: ast.expr) -> list:
        """Resolve a Name/Attribute chain to classes, functions, modules (no instance inference)."""
        if isinstance(expr, ast.Name):
            return self.infer_name(expr.id)
        if isinstance(expr, ast.Attribute):
            out = []
            for v in self.infer_static(expr.value):
                if v[0] == "module":
                    out.extend(self.audit.resolve_module_attr(v[1], expr.attr))
                elif v[0] == "ext":
                    out.append(("ext", f"{v[1]}.{expr.attr}"))
                elif v[0] == "class":
                    m = self.audit.lookup_member(v[1], expr.attr)
                    if m[0] == "method":
                        out.append(("func", m[1], v[1]))
                    else:
                        out.append(UNKNOWN)
                else:
                    out.append(UNKNOWN)
            return dedupe(out)
        return [UNKNOWN]

    def infer(self, expr: Optional[ast.expr], awaited: bool = False) -> list:
        if expr is None:
            return [NONE]
        key = (id(expr), awaited)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = [UNKNOWN]  # recursion guard
        result = dedupe(self._infer(expr, awaited))
        self._memo[key] = result
        return result

    def _infer(self, expr: ast.expr, awaited: bool) -> list:
        audit = self.audit
        if isinstance(expr, ast.Constant):
            return [NONE] if expr.value is None else [("other", "literal")]
        if isinstance(expr, (ast.JoinedStr, ast.Dict, ast.List, ast.Tuple, ast.Set, ast.ListComp, ast.DictComp,
                             ast.SetComp, ast.GeneratorExp, ast.Compare, ast.BinOp, ast.UnaryOp, ast.Lambda)):
            return [("other", "literal")]
        if isinstance(expr, ast.Await):
            return self.infer(expr.value, awaited=True)
        if isinstance(expr, ast.Name):
            return self.infer_name(expr.id)
        if isinstance(expr, ast.IfExp):
            return self.infer(expr.body) + self.infer(expr.orelse)
        if isinstance(expr, ast.BoolOp):
            out = []
            for v in expr.values:
                out.extend(self.infer(v))
            # `a or b`: the falsy branches are just noise for our purposes
            return [v for v in out if v[0] != "other" or v[1] != "literal"] or out
        if isinstance(expr, ast.NamedExpr):
            return self.infer(expr.value)
        if isinstance(expr, ast.Attribute):
            out = []
            for v in self.infer(expr.value):
                out.extend(self.attribute_values(v, expr.attr))
            return out
        if isinstance(expr, ast.Call):
            return self.call_values(expr, awaited)
        if isinstance(expr, ast.Subscript):
            return [UNKNOWN]
        return [UNKNOWN]

    def attribute_values(self, v: tuple, attr: str) -> list:
        audit = self.audit
        kind = v[0]
        if kind == "module":
            return audit.resolve_module_attr(v[1], attr)
        if kind == "ext":
            return [("ext", f"{v[1]}.{attr}")]
        if kind == "class":
            m = audit.lookup_member(v[1], attr)
            if m[0] == "method":
                return [("func", m[1], v[1] if m[1].kind == "classmethod" else None)]
            return [UNKNOWN]
        if kind == "inst":
            vals = audit_instance_attr(audit, v[1], attr)
            if vals == [UNKNOWN] and audit.provably_missing(v[1], attr):
                return [("broken", f"{v[1].qualname} has no attribute '{attr}'")]
            return vals
        if kind == "broken":
            return [v]
        return [UNKNOWN]

    def call_values(self, call: ast.Call, awaited: bool) -> list:
        audit = self.audit
        out = []
        funcs = self.infer(call.func)
        for f in funcs:
            kind = f[0]
            if kind == "class":
                if awaited and audit.is_awaitable_class(f[1]) is False:
                    out.append(("broken", f[1].name))
                else:
                    out.append(("inst", f[1], "constructor"))
            elif kind == "func":
                fi, bound = f[1], f[2]
                if fi.kind == "property":
                    out.append(UNKNOWN)
                elif fi.is_async and not awaited:
                    out.append(("coro", fi))
                else:
                    if fi.unknown_decorators():
                        out.append(UNKNOWN)
                    elif awaited and not fi.is_async and audit.function_awaitable_result(fi) is False:
                        # awaiting a non-awaitable raises TypeError: the value never exists
                        out.append(("broken", fi.name))
                    else:
                        out.extend(audit.return_values(fi, bound))
            elif kind == "ext":
                out.append(("other", "external") if f[1].split(".")[-1][:1].isupper() else UNKNOWN)
            elif kind == "other" and f[1] == "builtin":
                fname = call.func.id if isinstance(call.func, ast.Name) else ""
                builtin = getattr(__import__("builtins"), fname, None)
                out.append(("other", f"builtin {fname}") if isinstance(builtin, type) else UNKNOWN)
            elif kind == "broken":
                out.append(f)
            else:
                out.append(UNKNOWN)
        # weak evidence from the callee's name
        name = call.func.attr if isinstance(call.func, ast.Attribute) else call.func.id if isinstance(call.func, ast.Name) else None
        if name and all(v == UNKNOWN for v in out):
            if name in EMITTER_FACTORY_NAMES:
                return [("role", "emitter", f"factory {name}()")]
            if name in BRIDGE_FACTORY_NAMES:
                return [("role", "bridge", f"factory {name}()")]
        return out

    # -- annotations
    def _annotation_expr(self, ann: ast.expr) -> Optional[ast.expr]:
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            try:
                return ast.parse(ann.value, mode="eval").body
            except SyntaxError:
                return None
        return ann

    def annotation_parts(self, ann: ast.expr) -> list:
        """Split Optional/Union/X|None into parts (ast nodes)."""
        ann = self._annotation_expr(ann)
        if ann is None:
            return []
        if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
            return self.annotation_parts(ann.left) + self.annotation_parts(ann.right)
        if isinstance(ann, ast.Subscript):
            head = dotted_name(ann.value) or ""
            last = head.split(".")[-1]
            if last in ("Optional", "Union"):
                sl = ann.slice
                elts = sl.elts if isinstance(sl, ast.Tuple) else [sl]
                out = []
                for e in elts:
                    out.extend(self.annotation_parts(e))
                return out
        return [ann]

    def resolve_annotation_name(self, part: ast.expr) -> list:
        vals = [v for v in self.infer_static(part) if v != UNKNOWN]
        if vals:
            return vals
        name = dotted_name(part)
        if name is None:
            return []
        first = name.split(".")[0]
        # fall back to an import of that name anywhere in the module (TYPE_CHECKING, local imports)
        out = []
        for b in self.module.any_imports.get(first, []):
            vals2 = self.audit.resolve_binding(self.module, b, None)
            if "." in name:
                for v in vals2:
                    if v[0] == "module":
                        out.extend(self.audit.resolve_module_attr(v[1], name.split(".")[-1]))
            else:
                out.extend(vals2)
        if not out and "." not in name and name in self.audit.emitter_aliases:
            out = [("class", c) for c in self.audit.emitter_aliases[name]]
        return dedupe(out)

    def annotation_values(self, ann: ast.expr) -> list:
        out = []
        for part in self.annotation_parts(ann):
            if isinstance(part, ast.Constant) and part.value is None:
                out.append(NONE)
                continue
            target = part.value if isinstance(part, ast.Subscript) else part
            name = dotted_name(target) or ""
            last = name.split(".")[-1]
            if last in UNKNOWN_ANNOTATIONS:
                out.append(UNKNOWN)
                continue
            if last in NON_AWAITABLE_NAMES or last in BUILTIN_NAMES:
                out.append(("other", last))
                continue
            vals = self.resolve_annotation_name(target)
            classes = [v for v in vals if v[0] == "class"]
            if classes:
                written = name.split(".")[-1]
                out.extend(("inst", v[1], f"annotation {written}") for v in classes)
            elif any(v[0] == "ext" for v in vals):
                out.append(("other", "external " + name))
            else:
                out.append(UNKNOWN)
        return dedupe(out)

    def annotation_awaitable(self, ann: ast.expr) -> Optional[bool]:
        parts = self.annotation_parts(ann)
        if not parts:
            return None
        result = False
        for part in parts:
            if isinstance(part, ast.Constant) and part.value is None:
                continue
            target = part.value if isinstance(part, ast.Subscript) else part
            name = dotted_name(target) or ""
            last = name.split(".")[-1]
            if any(m in last for m in AWAITABLE_MARKERS):
                return True
            if last in UNKNOWN_ANNOTATIONS or not name:
                return None
            if last in NON_AWAITABLE_NAMES or last in BUILTIN_NAMES:
                continue
            vals = self.resolve_annotation_name(target)
            classes = [v[1] for v in vals if v[0] == "class"]
            if classes:
                aws = {self.audit.is_awaitable_class(c) for c in classes}
                if aws != {False}:
                    return None if None in aws or len(aws) > 1 else True
                continue
            if any(v[0] == "ext" for v in vals):
                continue  # an external class: assume not awaitable (markers handled above)
            return None
        return result


BUILTIN_NAMES = set(dir(__import__("builtins")))


def audit_instance_attr(audit: Audit, ci: ClassInfo, attr: str) -> list:
    """Values of ``instance.attr`` for an instance of ``ci``: methods, properties, self.attr assignments."""
    key = (id(ci), attr)
    if key in audit._attr_memo:
        return audit._attr_memo[key]
    if key in audit._attr_stack:
        return []
    audit._attr_stack.add(key)
    out = []
    try:
        order, _ = audit.mro(ci)
        for c in order:
            fi = c.methods.get(attr)
            if fi is not None:
                if fi.kind == "property":
                    if fi.unknown_decorators():
                        out.append(UNKNOWN)
                    else:
                        out.extend(audit.return_values(fi, ci))
                else:
                    out.append(("func", fi, ci))
                break
        if not out:
            for c in order:
                found = False
                for st in c.node.body:
                    if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name) and st.target.id == attr:
                        sc = audit.scope_by_node[id(c.node)]
                        out.extend(sc.annotation_values(st.annotation) or [UNKNOWN])
                        found = True
                    elif isinstance(st, ast.Assign) and any(isinstance(t, ast.Name) and t.id == attr for t in st.targets):
                        sc = audit.scope_by_node[id(c.node)]
                        out.extend(sc.infer(st.value))
                        found = True
                for kind, sc, node in self_assignments(audit, c).get(attr, []):
                    found = True
                    if kind == "assign":
                        out.extend(sc.infer(node))
                    elif kind == "ann":
                        out.extend(sc.annotation_values(node) or [UNKNOWN])
                    else:
                        out.append(UNKNOWN)
                if found:
                    pass
            if not out:
                out.append(UNKNOWN)
    finally:
        audit._attr_stack.discard(key)
    out = dedupe(out)
    audit._attr_memo[key] = out
    return out


def self_assignments(audit: Audit, ci: ClassInfo) -> dict:
    """attr -> [(kind, scope, node)] for every ``self.attr = ...`` in the methods of ``ci``."""
    memo = audit.__dict__.setdefault("_self_assign_memo", {})
    if id(ci) in memo:
        return memo[id(ci)]
    out: dict = {}
    for st in Audit._flat_defs(ci.node.body):
        if not isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        fi = audit.func_by_node.get(id(st))
        if fi is None or not fi.params or fi.kind == "staticmethod":
            continue
        self_name = fi.params[0].name

        def walk(n, sc):
            for child in ast.iter_child_nodes(n):
                csc = sc
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                    csc = audit.scope_by_node.get(id(child), sc)
                if isinstance(child, ast.ClassDef):
                    continue
                if isinstance(child, ast.Assign):
                    for t in child.targets:
                        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == self_name:
                            out.setdefault(t.attr, []).append(("assign", csc, child.value))
                        elif isinstance(t, (ast.Tuple, ast.List)):
                            for e in t.elts:
                                if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == self_name:
                                    out.setdefault(e.attr, []).append(("unknown", csc, None))
                elif isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Attribute) \
                        and isinstance(child.target.value, ast.Name) and child.target.value.id == self_name:
                    out.setdefault(child.target.attr, []).append(("ann", csc, child.annotation))
                    if child.value is not None:
                        out[child.target.attr].append(("assign", csc, child.value))
                elif isinstance(child, ast.AugAssign) and isinstance(child.target, ast.Attribute) \
                        and isinstance(child.target.value, ast.Name) and child.target.value.id == self_name:
                    out.setdefault(child.target.attr, []).append(("unknown", csc, None))
                walk(child, csc)
        walk(st, audit.scope_by_node[id(st)])
    memo[id(ci)] = out
    return out


# --------------------------------------------------------------------------------------------
# API discovery
# --------------------------------------------------------------------------------------------

def discover_api(audit: Audit) -> dict:
    by_name: dict[str, list] = {}
    for mod in audit.modules.values():
        for ci in mod.classes:
            by_name.setdefault(ci.name, []).append(ci)

    def in_ws(mod):
        return mod.name.endswith(WEBSOCKET_PACKAGE_SUFFIX) or WEBSOCKET_PACKAGE_SUFFIX + "." in mod.name

    # emitter: the unified emitter in websocket_core + every class of a seed name + aliases + subclasses
    emit_roots = [c for c in by_name.get(EMITTER_SEED_CLASSES[0], []) if in_ws(c.module)]
    emit_roots += [c for n in EMITTER_SEED_CLASSES[1:] for c in by_name.get(n, [])]
    # aliases: module-level `X = Emitter` and `import Emitter as X`
    aliases: dict[str, list] = {}
    for mod in audit.modules.values():
        for name, bindings in mod.bindings.items():
            for b in bindings:
                vals = audit.resolve_binding(mod, b, None) if b[0] in ("importfrom", "assign") else []
                for v in vals:
                    if v[0] == "class" and v[1] in emit_roots and name != v[1].name:
                        aliases.setdefault(name, []).append(v[1])
        for name, bindings in mod.any_imports.items():
            for b in bindings:
                for v in audit.resolve_binding(mod, b, None):
                    if v[0] == "class" and v[1] in emit_roots and name != v[1].name:
                        aliases.setdefault(name, []).append(v[1])
    for name in list(aliases):
        uniq = []
        for c in aliases[name]:
            if c not in uniq:
                uniq.append(c)
        aliases[name] = uniq
    # classes defined under an alias name are emitters too (e.g. a separate UserWebSocketEmitter)
    for name in aliases:
        for c in by_name.get(name, []):
            if c not in emit_roots:
                emit_roots.append(c)
    audit.emitter_aliases = aliases
    emitters = audit.subclasses_of(emit_roots)
    bridges = audit.subclasses_of([c for n in BRIDGE_SEED_CLASSES for c in by_name.get(n, [])])
    contexts = audit.subclasses_of([c for n in CONTEXT_SEED_CLASSES for c in by_name.get(n, [])])
    agent_roots = [c for n in AGENT_SEED_CLASSES for c in by_name.get(n, []) if ".agents." in c.module.name + "."]
    agents = audit.subclasses_of(agent_roots)
    for role, classes in (("agent", agents), ("context", contexts), ("bridge", bridges), ("emitter", emitters)):
        audit.role_classes[role] = classes
        for c in classes:
            audit.roles[id(c)] = role
    api_mods = []
    for mod in audit.modules.values():
        if in_ws(mod) or mod.name.endswith(BRIDGE_MODULE_SUFFIX) or \
                any(c.module is mod for c in contexts if c.name in CONTEXT_SEED_CLASSES):
            api_mods.append(mod)
    audit.api_modules = api_mods

    def class_json(c):
        inside, outside = audit.class_bases(c)
        ctor = audit.constructor(c)
        return {
            "class": c.qualname, "module": c.module.name, "path": c.module.relpath, "line": c.line,
            "bases": [ast.unparse(b) for b in c.bases],
            "bases_in_tree": [f"{b.module.relpath}:{b.line} {b.qualname}" for b in inside],
            "bases_outside_tree": audit.mro(c)[1],
            "dataclass": c.is_dataclass, "has_getattr": c.has_getattr,
            "dynamic_setattr": c.dynamic_setattr, "dynamic_names": sorted(c.dynamic_names),
            "patched_attrs": sorted(c.patched_attrs),
            "constructor": ({"signature": "(" + ", ".join(p.name + ("=" if p.has_default else "") if p.kind != "kwonly" else "*" + p.name + ("=" if p.has_default else "") for p in ctor[1]) + ")", "from": ctor[2]}
                            if ctor[0] == "sig" else {"signature": ctor[0], "from": ctor[1] or ctor[2]}),
            "methods": [m.to_json() for m in sorted(c.methods.values(), key=lambda m: m.line)],
        }

    funcs = []
    for mod in api_mods:
        for name, fis in sorted(mod.functions.items()):
            for fi in fis:
                funcs.append({"module": mod.name, "path": mod.relpath, "line": fi.line, "name": name,
                              "async": fi.is_async, "signature": fi.signature(),
                              "returns": ast.unparse(fi.returns) if fi.returns is not None else None,
                              "decorators": fi.decorators})
    return {
        "emitter_classes": [class_json(c) for c in emitters],
        "emitter_aliases": {n: [c.dotted for c in cs] for n, cs in sorted(aliases.items())},
        "bridge_classes": [class_json(c) for c in bridges],
        "context_classes": [class_json(c) for c in contexts],
        "agent_classes": [f"{c.module.relpath}:{c.line} {c.qualname}" for c in agents],
        "api_modules": [m.relpath for m in api_mods],
        "api_functions": funcs,
    }


# --------------------------------------------------------------------------------------------
# Call-site checks
# --------------------------------------------------------------------------------------------

def bind_problems(params: list, call: ast.Call) -> list:
    positional = [p for p in params if p.kind in ("posonly", "pos")]
    has_var = any(p.kind == "vararg" for p in params)
    has_kw = any(p.kind == "kwarg" for p in params)
    by_name = {p.name: p for p in params if p.kind in ("pos", "kwonly")}
    starred = any(isinstance(a, ast.Starred) for a in call.args)
    dstar = any(k.arg is None for k in call.keywords)
    problems = []
    n_pos = len([a for a in call.args if not isinstance(a, ast.Starred)])
    bound = set()
    if not starred:
        if n_pos > len(positional) and not has_var:
            problems.append(f"takes {len(positional)} positional argument(s) but {n_pos} given")
        bound = {p.name for p in positional[:n_pos]}
    else:
        first_star = next(i for i, a in enumerate(call.args) if isinstance(a, ast.Starred))
        bound = {p.name for p in positional[:first_star]}
    for k in call.keywords:
        if k.arg is None:
            continue
        p = by_name.get(k.arg)
        if p is None:
            if not has_kw:
                problems.append(f"unexpected keyword argument '{k.arg}'")
        elif p.name in bound and not starred:
            problems.append(f"multiple values for argument '{k.arg}'")
        else:
            bound.add(p.name)
    if not starred and not dstar:
        missing = [p.name for p in positional + [p for p in params if p.kind == "kwonly"]
                   if not p.has_default and p.name not in bound]
        if missing:
            problems.append("missing required argument(s): " + ", ".join(missing))
    return problems


def order_problems(params: list, call: ast.Call) -> list:
    positional = [p for p in params if p.kind in ("posonly", "pos")]
    names = {p.name for p in params if p.kind in ("posonly", "pos", "kwonly")}
    out = []
    for i, a in enumerate(call.args):
        if isinstance(a, ast.Starred):
            break
        if i >= len(positional):
            break
        n = a.id if isinstance(a, ast.Name) else a.attr if (isinstance(a, ast.Attribute) and isinstance(a.value, ast.Name) and a.value.id == "self") else None
        if n and n != positional[i].name and n in names:
            out.append(f"positional argument {i + 1} '{ast.unparse(a)}' binds to '{positional[i].name}' but the callee has a parameter '{n}'")
    return out


def method_params(fi: FuncInfo, via_instance: bool) -> list:
    if fi.kind == "staticmethod":
        return fi.params
    if fi.kind == "classmethod" or via_instance:
        return fi.params[1:]
    return fi.params  # plain function, or method called on the class object


def hasattr_guarded(parents: list, receiver_text: str, method: str) -> bool:
    for p in parents:
        if isinstance(p, (ast.If, ast.IfExp, ast.While, ast.BoolOp)):
            test = p.test if not isinstance(p, ast.BoolOp) else p
            for sub in ast.walk(test):
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in ("hasattr", "getattr") \
                        and len(sub.args) >= 2 and isinstance(sub.args[1], ast.Constant) and sub.args[1].value == method:
                    return True
    return False


class CallScanner:
    def __init__(self, audit: Audit, mod: ModuleInfo):
        self.audit = audit
        self.mod = mod

    def run(self):
        self._visit(self.mod.tree, self.audit.scope_by_node[id(self.mod.tree)], [])

    def _visit(self, node, scope, parents):
        for child in ast.iter_child_nodes(node):
            sc = scope
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                sc = self.audit.scope_by_node.get(id(child), scope)
                if isinstance(child, ast.ClassDef):
                    sc = scope  # class bodies evaluate in the enclosing scope for our purposes
            if isinstance(child, ast.Call):
                self.check_call(child, sc, node, parents + [node])
            self._visit(child, sc, parents + [node] if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else [])

    # ------------------------------------------------------------------
    def add(self, call, kind, receiver_text, method, cls, detail, target=None, evidence="", uncertain=None):
        key = (self.mod.relpath, call.lineno, call.col_offset, kind)
        if key in self.audit.seen:
            return
        self.audit.seen.add(key)
        row = {"path": self.mod.relpath, "line": call.lineno, "col": call.col_offset, "kind": kind,
               "receiver_text": receiver_text, "method": method, "class": cls, "detail": detail,
               "target": target, "evidence": evidence}
        row["unresolved_bases"] = uncertain or []
        self.audit.findings.append(row)

    def check_call(self, call: ast.Call, scope: Scope, parent, parents):
        func = call.func
        awaited = isinstance(parent, ast.Await)
        bare = isinstance(parent, ast.Expr)
        if isinstance(func, ast.Attribute):
            # super().__init__(...) in an API class / agent
            if func.attr == "__init__" and isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name) \
                    and func.value.func.id == "super":
                self.check_super_init(call, scope)
                return
            self.check_attribute_call(call, scope, awaited, bare, parents)
        elif isinstance(func, ast.Name):
            self.check_name_call(call, scope, awaited, bare)

    def receiver_candidates(self, recv: ast.expr, scope: Scope) -> tuple:
        """(list of (kind, ClassInfo|role, evidence), is_class_object, others_present)."""
        vals = scope.infer(recv)
        api, others, class_objs = [], [], []
        broken = False
        for v in vals:
            if v[0] == "inst":
                role = self.audit.roles.get(id(v[1]))
                if role:
                    api.append(("inst", v[1], v[2]))
                else:
                    others.append(v)
            elif v[0] == "role":
                api.append(("role", v[1], v[2]))
            elif v[0] == "class":
                class_objs.append(v[1])
            elif v[0] in ("none", "unknown"):
                continue
            elif v[0] == "broken":
                broken = True
            else:
                others.append(v)
        if class_objs and not api and not others:
            return class_objs, True, False
        if not api and not others and not class_objs:
            last = recv.attr if isinstance(recv, ast.Attribute) else recv.id if isinstance(recv, ast.Name) else None
            role = "emitter" if last in EMITTER_NAMES else "bridge" if last in BRIDGE_NAMES else None
            if role and broken:
                self.broken_receiver = (role, "; ".join(sorted({v[1] for v in vals if v[0] == "broken"})))
            elif role:
                api.append(("role", role, f"name '{last}'"))
        return api, False, bool(others or class_objs)

    def check_attribute_call(self, call, scope, awaited, bare, parents):
        func = call.func
        method = func.attr
        recv = func.value
        recv_text = ast.unparse(recv)
        if len(recv_text) > 80:
            recv_text = recv_text[:77] + "..."
        self.broken_receiver = None
        cands, is_class_obj, mixed = self.receiver_candidates(recv, scope)
        if self.broken_receiver:
            self.audit.suppressed["receiver-already-broken"] += 1
            self.audit.secondary.append({"path": self.mod.relpath, "line": call.lineno, "col": call.col_offset,
                                         "receiver_text": recv_text, "method": method,
                                         "role_by_name": self.broken_receiver[0],
                                         "why_not_counted": self.broken_receiver[1]})
        if not cands and self.audit.debug is not None:
            last = recv.attr if isinstance(recv, ast.Attribute) else recv.id if isinstance(recv, ast.Name) else ""
            if "emitter" in last.lower() or "bridge" in last.lower():
                vals = scope.infer(recv)
                self.audit.debug.append(f"{self.mod.relpath}:{call.lineno} {recv_text}.{method} -> "
                                        + ", ".join(v[0] + (":" + (v[1].qualname if isinstance(v[1], (ClassInfo, FuncInfo)) else str(v[1])) if len(v) > 1 else "") for v in vals))
        if not cands:
            # module attribute call: api_module.function(...)
            for v in scope.infer_static(func):
                if v[0] == "func" and v[2] is None and v[1].cls is None and v[1].module in self.audit.api_modules:
                    self.check_function(call, v[1], awaited, bare, recv_text + "." + method, evidence="import")
                    break
            return
        if mixed:
            self.audit.suppressed["mixed-receiver"] += 1
            if cands:
                self.audit.secondary.append({"path": self.mod.relpath, "line": call.lineno, "col": call.col_offset,
                                             "receiver_text": recv_text, "method": method,
                                             "why_not_counted": "receiver may be an API object or something else (not checked)"})
            return
        if is_class_obj:
            for ci in cands:
                if self.audit.roles.get(id(ci)) not in ("emitter", "bridge", "context") \
                        and ci.module not in self.audit.api_modules:
                    return
            self.check_member_call(call, [("inst", c, "class object") for c in cands], method, recv_text,
                                   awaited, bare, parents, via_instance=False)
            return
        self.check_member_call(call, cands, method, recv_text, awaited, bare, parents, via_instance=True)

    def expand(self, cand) -> list:
        """The classes a receiver candidate may be.  An annotation may name one of several same-named
        classes (or an alias) and may hold a subclass: take all of them, flag only what fails on all."""
        audit = self.audit
        if cand[0] == "inst":
            c = cand[1]
            if not cand[2].startswith("annotation"):
                return [(c, True)]
            written = cand[2].split(" ", 1)[1] if " " in cand[2] else c.name
            role = audit.roles.get(id(c))
            same = [o for o in audit.role_classes.get(role, []) if o.name in (c.name, written)] if role else []
            out = [(c, True)]
            for o in same:
                if all(o is not x for x, _ in out):
                    out.append((o, True))
            for o in audit.subclasses_of([c] + same):
                if all(o is not x for x, _ in out):
                    out.append((o, False))  # a subclass: may supply a missing method, not a signature
            return out
        return [(c, True) for c in audit.role_classes.get(cand[1], [])]

    def check_member_call(self, call, cands, method, recv_text, awaited, bare, parents, via_instance):
        audit = self.audit
        # only emitter/bridge/context roles get method checks (agents: constructors only)
        classes, evidence, primary = [], [], set()
        for cand in (cands if via_instance else []):
            for c, is_primary in self.expand(cand):
                role = audit.roles.get(id(c))
                if role not in ("emitter", "bridge", "context"):
                    return
                if c not in classes:
                    classes.append(c)
                if is_primary:
                    primary.add(id(c))
            evidence.append(cand[2])
        if not via_instance:
            classes = [cand[1] for cand in cands]
            primary = {id(c) for c in classes}
            evidence = [cand[2] for cand in cands]
        if not classes:
            return
        ev = "; ".join(sorted(set(evidence)))
        audit.checked[f"{audit.roles.get(id(classes[0])) or 'api-module class'} method call ({'name' if all(c[0] == 'role' and c[2].startswith('name') for c in cands) else 'typed'})"] += 1
        name_only = all(c[0] == "role" for c in cands)
        # a `self` receiver inside an API class: a method defined only in a subclass is fine
        results = []
        for c in classes:
            m = audit.lookup_member(c, method)
            if m[0] == "missing" and recv_text in ("self", "cls"):
                subs = audit.subclasses_of([c])
                if any(method in s.methods or method in s.inst_attrs or method in s.class_attrs for s in subs[1:]):
                    m = ("attr", None, c)
            results.append((c, m))
        label = f"any {audit.roles.get(id(results[0][0]))} class ({len(results)})" if name_only and len(results) > 1 \
            else results[0][0].qualname
        also = "" if len(results) == 1 or name_only else \
            " (also checked: " + ", ".join(f"{c.qualname}@{c.where}" for c, _ in results[1:]) + ")"
        if all(m[0] == "missing" for _, m in results):
            if hasattr_guarded(parents, recv_text, method):
                audit.suppressed["hasattr-guarded"] += 1
                audit.secondary.append({"path": self.mod.relpath, "line": call.lineno, "col": call.col_offset,
                                        "receiver_text": recv_text, "method": method, "class": label,
                                        "why_not_counted": f"missing method, but the call is guarded by hasattr(..., '{method}')"})
                return
            outside = sorted({o for _, m in results for o in m[2]})
            where = results[0][0].where if not name_only else ", ".join(sorted({c.where for c, _ in results}))
            detail = f"'{method}' is not defined on {label} ({where}){also}"
            if outside:
                detail += "; bases outside the tree: " + ", ".join(outside)
            self.add(call, "missing-method", recv_text, method, label, detail, None, ev, outside)
            return
        if any(m[0] in ("attr", "dynamic") for _, m in results):
            return
        # the candidates that define it as a method (the others lack it: the call fails there anyway)
        fis = [(c, m[1]) for c, m in results if m[0] == "method" and id(c) in primary]
        if not fis:
            return
        if any(fi.kind == "property" for _, fi in fis):
            return
        bad, orders = [], []
        checkable = all(not fi.unknown_decorators() and "overload" not in " ".join(fi.decorators) for _, fi in fis)
        if checkable:
            for c, fi in fis:
                params = method_params(fi, via_instance)
                bad.append(bind_problems(params, call))
                orders.append(order_problems(params, call))
            if all(bad):
                target = fis[0][1].where
                self.add(call, "bad-arguments", recv_text, method, label,
                         f"{fis[0][1].signature()}: " + "; ".join(bad[0]), target, ev)
            if all(orders):
                self.add(call, "out-of-order", recv_text, method, label,
                         f"{fis[0][1].signature()}: " + "; ".join(orders[0]), fis[0][1].where, ev)
        # await checks
        if awaited and all(not fi.is_async for _, fi in fis) and checkable:
            aws = {audit.function_awaitable_result(fi) for _, fi in fis}
            if aws == {False}:
                self.add(call, "await-sync", recv_text, method, label,
                         f"'{method}' is a plain def ({fis[0][1].where}) returning {ann_text(fis[0][1])}",
                         fis[0][1].where, ev)
        if bare and all(fi.is_async and not fi.is_generator for _, fi in fis) and checkable:
            self.add(call, "unawaited-coroutine", recv_text, method, label,
                     f"'{method}' is async def ({fis[0][1].where}); the coroutine is never awaited",
                     fis[0][1].where, ev)

    def check_name_call(self, call, scope, awaited, bare):
        audit = self.audit
        vals = scope.infer(call.func)
        vals = [v for v in vals if v[0] != "none"]
        funcs = [v for v in vals if v[0] == "func"]
        classes = [v[1] for v in vals if v[0] == "class"]
        if not vals or len(vals) != len(funcs) + len(classes) or (funcs and classes):
            return
        name = call.func.id
        if classes:
            if all(audit.roles.get(id(c)) for c in classes):
                self.check_constructor(call, classes, name, awaited)
            return
        api_funcs = [v[1] for v in funcs if v[1].cls is None and v[1].module in audit.api_modules]
        if api_funcs and len(api_funcs) == len(funcs):
            if len({(f.is_async, bool(f.unknown_decorators())) for f in api_funcs}) == 1:
                self.check_function(call, api_funcs[0], awaited, bare, name, evidence="import",
                                    alternatives=api_funcs)

    def check_function(self, call, fi, awaited, bare, recv_text, evidence, alternatives=None):
        alternatives = alternatives or [fi]
        self.audit.checked["api module function call"] += 1
        decos = any(f.unknown_decorators() for f in alternatives)
        where = fi.where
        label = fi.module.name
        if not decos:
            bads = [bind_problems(f.params, call) for f in alternatives]
            if all(bads):
                self.add(call, "bad-arguments", recv_text, fi.name, None,
                         f"{fi.signature()} ({where}): " + "; ".join(bads[0]), where, evidence)
            ords = [order_problems(f.params, call) for f in alternatives]
            if all(ords):
                self.add(call, "out-of-order", recv_text, fi.name, None,
                         f"{fi.signature()} ({where}): " + "; ".join(ords[0]), where, evidence)
            if awaited and all(not f.is_async for f in alternatives):
                aws = {self.audit.function_awaitable_result(f) for f in alternatives}
                if aws == {False}:
                    self.add(call, "await-sync", recv_text, fi.name, None,
                             f"'{fi.name}' in {label} is a plain def ({where}) returning {ann_text(fi)}",
                             where, evidence)
            if bare and all(f.is_async and not f.is_generator for f in alternatives):
                self.add(call, "unawaited-coroutine", recv_text, fi.name, None,
                         f"'{fi.name}' in {label} is async def ({where}); the coroutine is never awaited",
                         where, evidence)

    def check_constructor(self, call, classes, name, awaited):
        audit = self.audit
        audit.checked[f"{audit.roles.get(id(classes[0]))} constructor call"] += 1
        results = []
        for c in classes:
            ctor = audit.constructor(c)
            if ctor[0] == "unknown":
                return
            params = ctor[1] if ctor[0] == "sig" else []
            results.append((c, ctor, bind_problems(params, call)))
        if all(r[2] for r in results):
            c, ctor, probs = results[0]
            sig = "(" + ", ".join(p.name for p in ctor[1]) + ")" if ctor[0] == "sig" else "object.__init__()"
            role = audit.roles.get(id(c))
            self.add(call, "bad-constructor", name, "__init__", c.qualname,
                     f"{role} {c.qualname}{sig} from {ctor[2]}: " + "; ".join(probs), ctor[2], "constructor")
        if awaited and all(audit.is_awaitable_class(c) is False for c in classes):
            c = classes[0]
            self.add(call, "await-sync", name, "__init__", c.qualname,
                     f"awaiting an instance of {c.qualname} ({c.where}), which has no __await__", c.where, "constructor")

    def check_super_init(self, call, scope):
        audit = self.audit
        cls = scope.cls
        if cls is None or audit.roles.get(id(cls)) is None:
            return
        inside, outside = audit.class_bases(cls)
        if not inside or outside or len(cls.bases) != 1:
            return
        base = inside[0]
        ctor = audit.constructor(base)
        if ctor[0] == "unknown":
            return
        params = ctor[1] if ctor[0] == "sig" else []
        probs = bind_problems(params, call)
        if probs:
            sig = "(" + ", ".join(p.name for p in params) + ")"
            self.add(call, "bad-constructor", "super()", "__init__", base.qualname,
                     f"{cls.qualname} -> {base.qualname}{sig} from {ctor[2]}: " + "; ".join(probs), ctor[2],
                     "super()")


def ann_text(fi: FuncInfo) -> str:
    if fi.returns is not None:
        text = ast.unparse(fi.returns)
        return text if len(text) <= 60 else text[:57] + "..."
    return "a non-awaitable value (inferred from its returns)"


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def run(tree: str, package: str, scope: str, debug: Optional[list] = None) -> dict:
    audit = Audit(tree, package, scope)
    audit.debug = debug
    audit.load()
    api = discover_api(audit)
    # reset memos that were computed before roles existed
    audit._ret_memo.clear()
    audit._attr_memo.clear()
    for sc in audit.scope_by_node.values():
        sc._memo.clear()
    for mod in sorted(audit.modules.values(), key=lambda m: m.relpath):
        CallScanner(audit, mod).run()
    findings = sorted(audit.findings, key=lambda r: (r["path"], r["line"], r["col"], r["kind"]))
    summary = Counter(r["kind"] for r in findings)
    return {
        "tool": "scripts/audit/isolation_api_audit.py",
        "tree": os.path.basename(os.path.abspath(tree)),
        "package": package,
        "scope": scope,
        "files_scanned": len(audit.modules),
        "parse_failures": audit.parse_failures,
        "summary": {k: summary.get(k, 0) for k in KINDS} | {"total": len(findings)},
        "summary_by_evidence": dict(sorted(Counter(f"{r['kind']} / {'name' if r['evidence'].startswith('name') else 'typed'}" for r in findings).items())),
        "suppressed": dict(audit.suppressed),
        "call_sites_checked": dict(sorted(audit.checked.items())),
        "api": api,
        "findings": findings,
        "secondary": sorted(audit.secondary, key=lambda r: (r["path"], r["line"], r["col"])),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tree")
    ap.add_argument("--package", default="netra_backend")
    ap.add_argument("--scope", default="app")
    ap.add_argument("--output")
    ap.add_argument("--debug-unresolved", metavar="FILE",
                    help="write receivers named like an emitter/bridge that could not be tied to the API")
    args = ap.parse_args(argv)
    sys.setrecursionlimit(10000)
    debug = [] if args.debug_unresolved else None
    result = run(args.tree, args.package, args.scope, debug)
    if debug is not None:
        with open(args.debug_unresolved, "w", encoding="utf-8") as fh:
            fh.write("\n".join(sorted(set(debug))) + "\n")
    if args.output:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        with open(args.output, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=1, sort_keys=False)
            fh.write("\n")
    print(f"{result['tree']}: {result['files_scanned']} files, {len(result['parse_failures'])} unparseable")
    print(f"{'kind':<22}{'count':>6}")
    for k in KINDS:
        print(f"{k:<22}{result['summary'][k]:>6}")
    print(f"{'total':<22}{result['summary']['total']:>6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
