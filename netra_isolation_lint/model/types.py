"""What a value is across the project, without importing or running anything: the isolation API type model.

The walk describes a value by a small symbolic *type reference*, resolved only when a project check asks:

- ``("c", Q)``: an instance of the class named ``Q`` (from an annotation);
- ``("n", Q)``: the object the qualified name ``Q`` denotes (a class, a function, a module variable);
- ``("call", R)``: what calling ``R`` gives (a class: an instance; a function or method: its return type);
- ``("attr", R, NAME)``: attribute ``NAME`` of ``R`` (an instance attribute, a property, a method);
- ``("emitters",)``: an instance of the configured or discovered emitter classes (a factory or getter whose
  receiver the project does not show).

References are tuples of strings, so facts stay small, hashable and JSON-friendly; the cache stores them,
never an AST. Resolution follows re-exports and class aliases through the project index, loads modules on
demand, and gives up (unknown, which every check treats as silence) on cycles and past a depth bound.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from .facts import EMITTERS, MAX_REF_DEPTH, ClassInfo, FunctionInfo, ModuleFacts, Signature, TypeRef
from .names import is_test_path, matches_any, name_matches

VALUE = "value"  # ``Project.lookup(load=VALUE)``: load only a module that can tell a value's type
Project = Any  # model.project.Project, which imports this module (no import back: one direction)
MAX_UNION = 8  # members of one union kept; more is noise, not knowledge
_RESOLVE_DEPTH = 24


def attribute(refs: Iterable[TypeRef], name: str) -> tuple[TypeRef, ...]:
    return tuple(("attr", ref, name) for ref in refs if depth(ref) < MAX_REF_DEPTH)


def called(refs: Iterable[TypeRef]) -> tuple[TypeRef, ...]:
    return tuple(("call", ref) for ref in refs if depth(ref) < MAX_REF_DEPTH)


def depth(ref: TypeRef) -> int:
    count = 0
    while ref and ref[0] in ("call", "attr"):
        ref = ref[1]
        count += 1
    return count


def union(*groups: Iterable[TypeRef]) -> tuple[TypeRef, ...]:
    return tuple(dict.fromkeys(ref for group in groups for ref in group))[:MAX_UNION]


def _root(ref: TypeRef) -> str:
    while ref and ref[0] in ("call", "attr"):
        ref = ref[1]
    return ref[1] if len(ref) > 1 else ""


def describe_ref(ref: TypeRef) -> str:
    """A short, source-like spelling of a reference for messages (``self._emitter``, ``make().emit``)."""
    parts: list[str] = []
    while ref and ref[0] in ("call", "attr"):
        parts.append("()" if ref[0] == "call" else "." + ref[2])
        ref = ref[1]
    if not ref or ref[0] == "emitters":
        root = "emitter"
    else:
        root = ref[1].rpartition(".")[2]
    return root + "".join(reversed(parts))


class Meaning(NamedTuple):
    """What a reference denotes. ``kind``: instance | class | function | method."""

    kind: str
    cls: ClassInfo | None = None
    function: FunctionInfo | None = None
    name: str = ""  # a method's name
    via_instance: bool = True  # a method reached through an instance (self is bound) or through the class


class TypeModel:
    """Resolves type references against a :class:`~.project.Project`; one per project, memoised."""

    def __init__(self, project: Project):
        self.project = project
        self._memo: dict[tuple[TypeRef, int], tuple[Meaning, ...]] = {}
        self._active: set[tuple[TypeRef, int]] = set()
        self._api: dict[int, bool] = {}
        self._emitters: tuple[ClassInfo, ...] | None = None
        self._modules: frozenset[str] | None = None
        self._made: set[int] = set()  # id() of the emitter classes
        self._fallback: tuple[ClassInfo, ...] = ()
        self.verdicts: dict = {}  # what the project checks derive from the model, kept as long as the model is

    # ------------------------------------------------------------------ resolution
    # ``home`` is the module whose facts hold the reference: a name is looked up there first, then in the first
    # module that defines it (two scripts outside any package can share a module name).
    def meanings(self, ref: TypeRef, home: ModuleFacts | None = None, level: int = 0) -> tuple[Meaning, ...]:
        # Only a name of the home module itself can mean something else from another module: the key
        # holds the home just for those, so an imported name is resolved once for the whole project.
        key = (ref, id(home) if home is not None and _root(ref).startswith(home.module + ".") else 0)
        if key in self._memo:
            return self._memo[key]
        if key in self._active or level > _RESOLVE_DEPTH:
            return ()  # a cycle (a = a.b) or a pathological chain: unknown
        self._active.add(key)
        try:
            found = self._resolve(ref, home, level)
        finally:
            self._active.discard(key)
        unique = {(m.kind, id(m.cls), id(m.function), m.name, m.via_instance): m for m in found}
        result = tuple(unique.values())[:MAX_UNION]
        self._memo[key] = result
        return result

    def _resolve(self, ref: TypeRef, home: ModuleFacts | None, level: int) -> list[Meaning]:
        kind = ref[0]
        if kind == "c":
            cls = self.project.class_info(ref[1], home, load=VALUE)
            if cls is not None:
                return [Meaning("instance", cls)]
            # an annotation naming a typing alias (``EmitterT = Optional[Emitter]``): what the alias allows
            facts, aliased = self._variable(self.project.lookup(ref[1], load=VALUE))
            return [m for r in aliased if r[0] == "c" for m in self.meanings(r, facts, level + 1)]
        if kind == "n":
            return self._named(ref[1], home, level)
        if kind == "emitters":
            self.emitter_classes()
            return [Meaning("instance", c) for c in self._fallback]
        if kind == "attr":
            found: list[Meaning] = []
            for base in self.meanings(ref[1], home, level + 1):
                found.extend(self._member(base, ref[2], level))
            return found
        if kind == "call":
            return self._call(ref[1], home, level)
        return []

    def _named(self, qualname: str, home: ModuleFacts | None, level: int) -> list[Meaning]:
        project = self.project
        cls = project.class_info(qualname, home, load=VALUE)
        if cls is not None:
            return [Meaning("class", cls)]
        target = project.lookup(qualname, load=VALUE)
        function = project.functions.get(target)
        if function is not None and function.kind == "function":
            return [Meaning("function", function=function)]
        facts, refs = self._variable(target)
        if facts is not None:
            return [m for r in refs for m in self.meanings(r, facts, level + 1)]
        module, _, name = target.rpartition(".")
        if module:  # ``Class.method`` or ``module.Class.attr``: an attribute of what the owner names
            return [m for base in self.meanings(("n", module), home, level + 1)
                    for m in self._member(base, name, level)]
        return []

    def _variable(self, qualname: str) -> tuple[ModuleFacts | None, tuple[TypeRef, ...]]:
        """The module a ``module.name`` lives in, and what that module-level name holds."""
        module, _, name = qualname.rpartition(".")
        facts = self.project.modules.get(module)
        return facts, facts.variables.get(name, ()) if facts is not None else ()

    def _member(self, base: Meaning, name: str, level: int) -> list[Meaning]:
        if base.kind not in ("instance", "class"):
            return []
        cls = self._owner_of(base.cls, name)
        if cls is None:
            return []
        if name in cls.method_map:
            if base.kind == "instance" and name in cls.properties:
                return self._returns(cls, name, level)
            return [Meaning("method", cls, name=name, via_instance=base.kind == "instance")]
        home = self.project.home_of(cls)
        return [m for r in cls.attr_type_map.get(name, ()) for m in self.meanings(r, home, level + 1)]

    def _owner_of(self, cls: ClassInfo, name: str) -> ClassInfo | None:
        """The class in ``cls``'s hierarchy that defines ``name`` as a method or a typed attribute."""
        return next((c for c in self.project.hierarchy(cls) if name in c.method_map or name in c.attr_type_map),
                    None)

    def _call(self, callee: TypeRef, home: ModuleFacts | None, level: int) -> list[Meaning]:
        found: list[Meaning] = []
        for meaning in self.meanings(callee, home, level + 1):
            if meaning.kind == "class":
                found.append(Meaning("instance", meaning.cls))
            elif meaning.kind == "function":
                where = self.project.function_home(meaning.function)
                found.extend(m for r in meaning.function.refs for m in self.meanings(r, where, level + 1))
            elif meaning.kind == "method":
                found.extend(self._returns(meaning.cls, meaning.name, level))
        maker = callee[2] if callee[0] == "attr" else callee[1].rpartition(".")[2] if callee[0] == "n" else ""
        if not found and maker in self._emitter_makers():
            found = list(self._resolve(EMITTERS, home, level))
        return found

    def _returns(self, cls: ClassInfo, name: str, level: int) -> list[Meaning]:
        function = self.project.functions.get(f"{cls.qualname}.{name}")
        if function is None:
            return []
        home = self.project.home_of(cls)
        return [m for r in function.refs for m in self.meanings(r, home, level + 1)]

    def _emitter_makers(self) -> frozenset[str]:
        config = self.project.config
        return frozenset(config.emitter_factories) | frozenset(config.emitter_getters)

    # ------------------------------------------------------------------ explanations
    def trace(self, ref: TypeRef, home: ModuleFacts | None) -> list[str]:
        """How the model reached what ``ref`` may be, innermost step first: one line per step, each saying
        where the step's type came from and what it concluded (``--explain-finding``)."""
        steps: list[str] = []
        self._trace(ref, home, steps)
        return steps

    def _trace(self, ref: TypeRef, home: ModuleFacts | None, steps: list[str]) -> None:
        if ref and ref[0] == "n" and "." in ref[1] and not self.meanings(ref, home):
            owner, _, name = ref[1].rpartition(".")  # ``Class.method`` spelled through an import
            ref = ("attr", ("n", owner), name)
        if ref and ref[0] in ("attr", "call"):
            self._trace(ref[1], home, steps)
        source = self._source_of(ref, home)
        shown = ", ".join(self._show(m) for m in self.meanings(ref, home))
        if not shown:
            shown = "no known value" if ref[0] == "attr" and "defines no" in source else "unknown: judged silently"
        steps.append(source if shown in source else f"{describe_ref(ref)}: {source} -> {shown}")

    def _source_of(self, ref: TypeRef, home: ModuleFacts | None) -> str:
        kind = ref[0]
        if kind == "c":
            return f"a value of type {ref[1]}"
        if kind == "n":
            return f"the name {ref[1]}"
        if kind == "emitters":
            return "what an emitter factory or getter returns"
        if kind == "attr":
            sources, lacking = [], []
            for base in self.meanings(ref[1], home):
                owner = self._owner_of(base.cls, ref[2]) if base.kind in ("instance", "class") else None
                if owner is None:
                    lacking.extend([base.cls.name] if base.cls is not None else [])
                    continue
                if ref[2] in owner.method_map:
                    what = "property" if base.kind == "instance" and ref[2] in owner.properties else "method"
                    where = self.where(Meaning("method", owner, name=ref[2]))
                    sources.append(f"{what} {owner.name}.{ref[2]} ({where})")
                else:
                    held = ", ".join(describe_ref(r) for r in owner.attr_type_map.get(ref[2], ()))
                    sources.append(f"attribute {owner.name}.{ref[2]}, assigned or annotated as {held}")
            if lacking:
                sources.append(f"{' and '.join(dict.fromkeys(lacking))} (with its known bases) defines no {ref[2]}")
            return "; ".join(sources) or f"attribute {ref[2]} of a value the model does not know"
        if kind == "call":
            callees = self.meanings(ref[1], home)
            if not callees:
                return "the result of a call the model does not know"
            return "; ".join(
                f"an instance made by {m.cls.name}()" if m.kind == "class"
                else f"the return annotation and returned values of {self._show(m)}" for m in callees)
        return "a reference the model does not know"

    def _show(self, meaning: Meaning) -> str:
        if meaning.kind == "function":
            return f"function {meaning.function.qualname.rpartition('.')[2]} ({self.where(meaning)})"
        if meaning.kind == "method":
            return f"method {meaning.cls.name}.{meaning.name} ({self.where(meaning)})"
        return f"{'class' if meaning.kind == 'class' else 'an instance of'} {meaning.cls.name} ({self.where(meaning)})"

    def where(self, meaning: Meaning) -> str:
        """``path:line`` of the definition a meaning stands for (a method's own line when the walk recorded its
        function, else its class's): what messages and explanations name as judged against."""
        project = self.project
        function = meaning.function if meaning.kind == "function" else project.functions.get(
            f"{meaning.cls.qualname}.{meaning.name}") if meaning.kind == "method" else None
        if function is not None:
            home = project.function_home(function)
            return f"{home.path}:{function.line}" if home is not None else function.qualname
        home = project.home_of(meaning.cls)
        return f"{home.path}:{meaning.cls.line}" if home is not None else meaning.cls.qualname

    # ------------------------------------------------------------------ the isolation API
    def emitter_classes(self) -> tuple[ClassInfo, ...]:
        """Configured emitter classes, and the classes that the project's emitter factories and getters (methods
        and functions named in ``emitters.factories`` / ``emitters.getters``) return."""
        if self._emitters is None:
            self._emitters = ()  # re-entrancy guard while the factories are resolved
            project, config = self.project, self.project.config
            found = {id(c): c for q, c in project.classes.items()
                     if config.emitter_classes and name_matches(q, config.emitter_classes)}
            fallback = dict(found)
            makers = self._emitter_makers()
            for function in list(project.functions.values()):
                owner, _, name = function.qualname.rpartition(".")
                if name in makers:
                    home = project.function_home(function)
                    made = {id(m.cls): m.cls for r in function.refs for m in self.meanings(r, home)
                            if m.kind == "instance"}
                    found.update(made)
                    if name_matches(owner, config.bridge_classes):
                        fallback.update(made)
            self._memo.clear()  # resolutions made while the emitter classes were still unknown
            self._emitters = tuple(found.values())
            # What a factory or getter on a receiver the project does not show returns: the configured emitter
            # classes and what the bridge's own factories return, never a guess from an unrelated class.
            self._fallback = tuple(fallback.values())
            self._made = {id(c) for c in self._emitters}
        return self._emitters

    def _emitter_ids(self) -> set[int]:
        self.emitter_classes()
        return self._made

    def is_api_class(self, cls: ClassInfo) -> bool:
        key = id(cls)
        if key not in self._api:
            self._api[key] = False  # cycle guard
            self._api[key] = self._judge_api_class(cls)
        return self._api[key]

    def _judge_api_class(self, cls: ClassInfo) -> bool:
        project, config = self.project, self.project.config
        if name_matches(cls.qualname, config.bridge_classes) or name_matches(cls.qualname, config.context_types):
            return True
        if id(cls) in self._emitter_ids() or project.class_is_context_bound(cls):
            return True
        home = project.home_of(cls)
        return home is not None and self.is_api_module(home)

    def is_api_module(self, module: ModuleFacts) -> bool:
        """A module of the isolation API; never one of the test suite (a ``tests/websocket_core/`` fixture named
        ``manager`` is no API function)."""
        config = self.project.config
        return ((module.module in self._api_modules() or matches_any(module.module, config.api_modules))
                and not is_test_path(module.path, config))

    def _api_modules(self) -> frozenset[str]:
        """Modules that define a configured bridge, emitter or context class, or a discovered emitter."""
        if self._modules is None:
            project, config = self.project, self.project.config
            configured = config.bridge_classes + config.emitter_classes + config.context_types
            defining = [c for q, c in project.classes.items() if name_matches(q, configured)]
            homes = (project.home_of(c) for c in (*defining, *self.emitter_classes()))
            self._modules = frozenset(home.module for home in homes if home is not None)
        return self._modules

    def is_complete(self, cls: ClassInfo) -> bool:
        return name_matches(cls.qualname, self.project.config.complete_classes)

    def is_api_function(self, function: FunctionInfo) -> bool:
        home = self.project.function_home(function)
        return home is not None and self.is_api_module(home)


def signature_of(meaning: Meaning, project: Project) -> Signature | None:
    """The signature a call to this meaning binds against: a method's (self dropped; kept when an instance method
    is called on the class, where self is passed by hand), a function's, or a class's ``__init__`` (its own, a
    dataclass's generated one, or the nearest base's)."""
    if meaning.kind == "function":
        return meaning.function.signature
    if meaning.kind == "method":
        sig = meaning.cls.method_map.get(meaning.name)
        if sig is None or meaning.via_instance or meaning.name in meaning.cls.class_level:
            return sig
        return Signature(("self", *sig.positional), sig.required_positional + 1, sig.keyword_only,
                         sig.required_keyword_only, sig.varargs, sig.varkw,
                         sig.positional_only and sig.positional_only + 1)
    if meaning.kind == "class":
        return _constructor(meaning.cls, project)
    return None


def _constructor(cls: ClassInfo, project: Project) -> Signature | None:
    chain = project.hierarchy(cls)
    for index, current in enumerate(chain):
        if current.init is not None:
            return current.init.signature
        if current.fields is not None:
            return _dataclass_signature([c for c in chain[index:] if c.fields is not None])
        if "__init__" in current.method_map or current.dynamic:
            return None
    return None


def _dataclass_signature(classes: list[ClassInfo]) -> Signature:
    """Fields in definition order, bases first; a field redefined in a subclass keeps its first place."""
    fields: dict[str, tuple[bool, bool]] = {}
    for cls in reversed(classes):
        for name, has_default, kw_only in cls.fields:
            fields[name] = (has_default, kw_only)
    positional = [n for n, (_, kw) in fields.items() if not kw]
    keyword = [n for n, (_, kw) in fields.items() if kw]
    required = 0
    for name in positional:
        if fields[name][0]:
            break
        required += 1
    return Signature(tuple(positional), required, tuple(keyword), tuple(n for n in keyword if not fields[n][0]),
                     False, False)
