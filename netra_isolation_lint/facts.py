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
    lines_with_noqa: dict[int, str] | None = None
