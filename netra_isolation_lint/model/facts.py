"""Plain records that one file's analysis leaves for whole-project checks (and the cache)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Finding(NamedTuple):
    line: int
    col: int  # 0-based, as ast gives it and flake8 expects it
    code: str
    message: str


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class InitInfo:
    line: int
    col: int
    context_param: str | None  # the parameter that carries the user context, if any
    context_slot: int | None  # its positional index (after self); None when keyword-only or absent
    forwards_kwargs: bool  # **kwargs handed on to super().__init__
    keeps_context: bool  # passed to super().__init__, stored on self or handed to a setter
    signature: Signature


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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class EmitterCall:
    """A method call on a value known to come from an emitter factory or getter."""

    origin: tuple[str, ...]  # see semantic.Value.origin
    method: str
    line: int
    col: int
    positional: int
    keywords: tuple[str, ...]
    star_args: bool
    star_kwargs: bool


@dataclass(frozen=True)
class FunctionInfo:
    """A function or method that may be an emitter factory or getter (for NIL404/NIL405)."""

    qualname: str
    returns: tuple[str, ...]  # candidate class qualnames: return annotation, returned constructor calls
    returns_origin: tuple[tuple[str, ...], ...] = ()  # emitter origins of returned values


@dataclass
class ModuleFacts:
    path: str
    module: str
    findings: list[Finding] = field(default_factory=list)
    bindings: dict[str, str] = field(default_factory=dict)  # module-level name -> qualified name
    classes: list[ClassInfo] = field(default_factory=list)
    instantiations: list[Instantiation] = field(default_factory=list)
    emitter_calls: list[EmitterCall] = field(default_factory=list)
    functions: list[FunctionInfo] = field(default_factory=list)
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
    line, col, param, slot, forwards, keeps, signature = row
    return InitInfo(int(line), int(col), param, slot, bool(forwards), bool(keeps), _signature(signature))


def module_to_json(module: ModuleFacts) -> dict:
    from dataclasses import astuple

    return {
        "path": module.path,
        "module": module.module,
        "findings": [list(f) for f in module.findings],
        "bindings": module.bindings,
        "classes": [[c.qualname, c.name, c.line, list(c.bases), astuple(c.init) if c.init else None,
                     [[name, astuple(sig)] for name, sig in c.methods], list(c.attributes), c.dynamic]
                    for c in module.classes],
        "instantiations": [astuple(i) for i in module.instantiations],
        "emitter_calls": [astuple(c) for c in module.emitter_calls],
        "functions": [[f.qualname, list(f.returns), [list(o) for o in f.returns_origin]] for f in module.functions],
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
                           tuple((m, _signature(sig)) for m, sig in methods), tuple(attributes), bool(dynamic))
                 for qualname, name, line, bases, init, methods, attributes, dynamic in data["classes"]],
        instantiations=[Instantiation(callee, int(line), int(col), int(positional), tuple(keywords), bool(star_args),
                                      bool(star_kwargs), bool(context_like), bool(set_after))
                        for callee, line, col, positional, keywords, star_args, star_kwargs, context_like, set_after
                        in data["instantiations"]],
        emitter_calls=[EmitterCall(tuple(origin), method, int(line), int(col), int(positional), tuple(keywords),
                                   bool(star_args), bool(star_kwargs))
                       for origin, method, line, col, positional, keywords, star_args, star_kwargs
                       in data["emitter_calls"]],
        functions=[FunctionInfo(qualname, tuple(returns), tuple(tuple(o) for o in origins))
                   for qualname, returns, origins in data["functions"]],
        emits=[(str(event), int(line), int(col)) for event, line, col in data["emits"]],
    )
