"""Plain records that one file's analysis leaves for whole-project checks (and the cache)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

TypeRef = tuple  # a model.types reference: what a value may be, resolved across the project on demand
TypeRefs = tuple  # of TypeRef
EMITTERS: TypeRef = ("emitters",)
MAX_REF_DEPTH = 10  # nesting of one reference (a.b.c().d ...); deeper chains are unknown


class Finding(NamedTuple):
    line: int
    col: int  # 0-based, as ast gives it and flake8 expects it
    code: str
    message: str


@dataclass(frozen=True, slots=True)  # tens of thousands per tree: no __dict__ each
class Signature:
    """What a ``def`` accepts, ``self``/``cls`` already dropped for methods."""

    positional: tuple[str, ...]
    required_positional: int
    keyword_only: tuple[str, ...]
    required_keyword_only: tuple[str, ...]
    varargs: bool
    varkw: bool
    positional_only: int = 0

    def accepts_keyword(self, name: str) -> bool:
        return self.varkw or name in self.keyword_only or name in self.positional[self.positional_only:]


@dataclass(frozen=True, slots=True)
class InitInfo:
    line: int
    col: int
    context_param: str | None  # the parameter that carries the user context, if any
    context_slot: int | None  # its positional index (after self); None when keyword-only or absent
    forwards_kwargs: bool  # **kwargs handed on to super().__init__
    keeps_context: bool  # passed to super().__init__, stored on self or handed to a setter
    signature: Signature
    # where the context goes: "super=<keyword>", "super#<slot>" (to a base __init__), "setter", "attr=<name>"
    routes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassInfo:
    qualname: str
    name: str
    line: int
    bases: tuple[str, ...]  # resolved through imports and aliases
    init: InitInfo | None
    methods: tuple[tuple[str, Signature], ...] = ()
    attributes: tuple[str, ...] = ()  # other names assigned in the body or on self: they exist, shape unknown
    dynamic: bool = False  # defines __getattr__/__getattribute__: any name may exist
    attr_types: tuple[tuple[str, TypeRefs], ...] = ()  # attribute -> what it may hold (annotations, assignments)
    properties: tuple[str, ...] = ()  # methods read as attributes (@property, cached_property)
    class_level: tuple[str, ...] = ()  # classmethods and staticmethods: callable on the class itself
    async_methods: tuple[str, ...] = ()
    # a @dataclass: its generated __init__ takes these fields (name, has a default, keyword-only), after its
    # dataclass bases' fields; None for other classes
    fields: tuple[tuple[str, bool, bool], ...] | None = None
    method_lines: tuple[tuple[str, int], ...] = ()  # where each method is defined (NIL403 anchors there)

    @cached_property
    def method_map(self) -> dict[str, Signature]:
        return dict(self.methods)

    @cached_property
    def attr_type_map(self) -> dict[str, TypeRefs]:
        return dict(self.attr_types)


@dataclass(frozen=True, slots=True)
class Instantiation:
    callee: str  # resolved qualified name of what is called
    line: int
    col: int
    positional: int
    keywords: tuple[str, ...]
    star_args: bool
    star_kwargs: bool
    context_like_positional: bool
    context_set_after: bool


@dataclass(frozen=True, slots=True)
class ApiCall:
    """A call whose target the walk could describe by type references: checked against the isolation API."""

    target: TypeRefs  # what is called: ("attr", receiver, method) or ("n", function or class)
    line: int
    col: int
    positional: int
    keywords: tuple[str, ...]
    star_args: bool
    star_kwargs: bool
    awaited: bool  # ``await f(...)`` directly
    dropped: bool  # an expression statement: the result (a coroutine, say) is thrown away
    arg_names: tuple[str, ...]  # each positional argument's plain name (``x`` or ``self.x``), "" otherwise


@dataclass(frozen=True, slots=True)
class FunctionInfo:
    """A function or method: what it returns, whether it is async, and (module-level) how it is called."""

    qualname: str
    refs: TypeRefs = ()  # what it returns: return annotation (the awaited value for async) and returned values
    kind: str = "function"  # function | method
    is_async: bool = False
    awaitable: bool | None = None  # a sync function's result: known awaitable, known not, or unknown
    signature: Signature | None = None  # module-level functions; methods keep theirs in ClassInfo.methods
    line: int = 0


@dataclass
class ModuleFacts:
    path: str
    module: str
    findings: list[Finding] = field(default_factory=list)
    bindings: dict[str, str] = field(default_factory=dict)  # module-level name -> qualified name
    classes: list[ClassInfo] = field(default_factory=list)
    instantiations: list[Instantiation] = field(default_factory=list)
    api_calls: list[ApiCall] = field(default_factory=list)
    functions: list[FunctionInfo] = field(default_factory=list)
    variables: dict[str, TypeRefs] = field(default_factory=dict)  # module-level name -> what it holds
    patched: list[tuple[str, str]] = field(default_factory=list)  # (class qualname, attribute) set from outside
    emits: list[tuple[str, int, int]] = field(default_factory=list)  # (event, line, col) of each emitting call


# --------------------------------------------------------------------------- JSON form, for the cache
# JSON, not pickle: a cache directory can be planted in a repository, and reading it must never run code.

def _signature(row: list) -> Signature:
    positional, required, kwonly, required_kw, varargs, varkw, posonly = row
    return Signature(tuple(positional), int(required), tuple(kwonly), tuple(required_kw), bool(varargs),
                     bool(varkw), int(posonly))


def _init(row: list | None) -> InitInfo | None:
    if row is None:
        return None
    line, col, param, slot, forwards, keeps, signature, routes = row
    return InitInfo(int(line), int(col), param, slot, bool(forwards), bool(keeps), _signature(signature),
                    tuple(str(r) for r in routes))


def ref_from_json(data: object, level: int = 0) -> TypeRef:
    """Rebuild a reference from its JSON list form; malformed input raises ValueError (the cache drops it)."""
    if level > MAX_REF_DEPTH + 1 or not isinstance(data, list) or not data:
        raise ValueError("malformed type reference")
    kind = data[0]
    if kind in ("c", "n") and len(data) == 2 and isinstance(data[1], str):
        return (kind, data[1])
    if kind == "call" and len(data) == 2:
        return ("call", ref_from_json(data[1], level + 1))
    if kind == "attr" and len(data) == 3 and isinstance(data[2], str):
        return ("attr", ref_from_json(data[1], level + 1), data[2])
    if kind == "emitters" and len(data) == 1:
        return EMITTERS
    raise ValueError("malformed type reference")


def _refs(rows: list) -> TypeRefs:
    return tuple(ref_from_json(row) for row in rows)


def module_to_json(module: ModuleFacts) -> dict:
    from dataclasses import astuple

    return {
        "path": module.path,
        "module": module.module,
        "findings": [list(f) for f in module.findings],
        "bindings": module.bindings,
        "classes": [[c.qualname, c.name, c.line, list(c.bases), astuple(c.init) if c.init else None,
                     [[name, astuple(sig)] for name, sig in c.methods], list(c.attributes), c.dynamic,
                     [[name, refs] for name, refs in c.attr_types], c.properties, c.class_level, c.async_methods,
                     None if c.fields is None else [list(f) for f in c.fields], [list(m) for m in c.method_lines]]
                    for c in module.classes],
        "instantiations": [astuple(i) for i in module.instantiations],
        "api_calls": [astuple(c) for c in module.api_calls],
        "functions": [[f.qualname, f.refs, f.kind, f.is_async, f.awaitable,
                       astuple(f.signature) if f.signature else None, f.line] for f in module.functions],
        "variables": module.variables,
        "patched": [list(p) for p in module.patched],
        "emits": [list(e) for e in module.emits],
    }


def module_from_json(data: dict) -> ModuleFacts:
    """Rebuild facts; any malformed input raises (ValueError, TypeError, KeyError) for the cache to drop."""
    return ModuleFacts(
        path=str(data["path"]),
        module=str(data["module"]),
        findings=[Finding(int(line), int(col), str(code), str(message))
                  for line, col, code, message in data["findings"]],
        bindings={str(k): str(v) for k, v in data["bindings"].items()},
        classes=[ClassInfo(qualname, name, int(line), tuple(bases), _init(init),
                           tuple((m, _signature(sig)) for m, sig in methods), tuple(attributes), bool(dynamic),
                           tuple((str(a), _refs(refs)) for a, refs in attr_types), tuple(properties),
                           tuple(class_level), tuple(async_methods),
                           None if fields is None else tuple((str(f), bool(d), bool(k)) for f, d, k in fields),
                           tuple((str(m), int(n)) for m, n in method_lines))
                 for qualname, name, line, bases, init, methods, attributes, dynamic, attr_types, properties,
                 class_level, async_methods, fields, method_lines in data["classes"]],
        instantiations=[Instantiation(callee, int(line), int(col), int(positional), tuple(keywords), bool(star_args),
                                      bool(star_kwargs), bool(context_like), bool(set_after))
                        for callee, line, col, positional, keywords, star_args, star_kwargs, context_like, set_after
                        in data["instantiations"]],
        api_calls=[ApiCall(_refs(target), int(line), int(col), int(positional), tuple(keywords), bool(star_args),
                           bool(star_kwargs), bool(awaited), bool(dropped), tuple(str(n) for n in arg_names))
                   for target, line, col, positional, keywords, star_args, star_kwargs, awaited, dropped, arg_names
                   in data["api_calls"]],
        functions=[FunctionInfo(str(qualname), _refs(refs), str(kind), bool(is_async),
                                None if awaitable is None else bool(awaitable),
                                _signature(signature) if signature is not None else None, int(line))
                   for qualname, refs, kind, is_async, awaitable, signature, line in data["functions"]],
        variables={str(name): _refs(refs) for name, refs in data["variables"].items()},
        patched=[(str(cls), str(attr)) for cls, attr in data["patched"]],
        emits=[(str(event), int(line), int(col)) for event, line, col in data["emits"]],
    )
