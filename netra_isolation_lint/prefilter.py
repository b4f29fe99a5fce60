"""Which files can hold a finding at all: a byte test before anything is parsed (semgrep's idea).

Every rule needs a name in the file: the accessor, the bridge, emitter or context class, ``notify_``/``emit_``
methods, an event sink, an emitter factory or getter, an agent base, a bound class, or the name of a class
the project shows to be context-bound (NIL2xx) or of a class or function of the isolation API (NIL404–NIL407).
Files of the API modules (``api.modules``) are always parsed. The first round selects files by the configured names;
the project index built from them yields the context-bound classes and the API, whose names (and the aliases
that stand for them) select more files, until nothing new is found. A file that mentions none of
these names cannot produce a finding and is never parsed. Modules that are needed only to resolve a
name (an intermediate base class, an emitter's class) are parsed on demand by the project's loader.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections.abc import Iterable

from .config import Config
from .model.names import matches_any


def base_tokens(config: Config) -> tuple[bytes, ...]:
    names = {"notify_", "emit_"}
    for group in (config.accessors, config.bridge_classes, config.agent_bases, config.bound_classes,
                  config.context_types, config.emitter_classes):
        names.update(name.rpartition(".")[2] for name in group)
    names.update(config.legacy_methods)
    names.update(config.event_sinks)
    names.update(config.emitter_factories)
    names.update(config.emitter_getters)
    names.update(_literal_names(config.api_modules))
    # Shorter tokens first: they are the likeliest to hit, so ``any`` stops early.
    return tuple(sorted((n.encode() for n in names), key=lambda t: (len(t), t)))


def _literal_names(globs: Iterable[str]) -> set[str]:
    """The wildcard-free parts of module globs (``*.websocket_core.*`` -> ``websocket_core``): an import from such
    a module spells them."""
    return {part for glob in globs for part in glob.split(".") if part and not set(part) & set("*?[]")}


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_PLAIN_ENCODINGS = frozenset({"utf-8", "ascii", "iso8859-1"})  # ASCII names stay the same bytes


def searchable(data: bytes) -> bytes | None:
    """The bytes a name search must look at to see what the tokenizer sees, or None when only parsing can
    tell. Identifiers are NFKC-normalised (a fullwidth ``ｇ`` is ``g``) and a coding cookie can re-spell
    every byte (``utf-7``, ``unicode_escape``): a plain byte search would let such a file hide its names."""
    head = data[:1024]  # PEP 263: a cookie is on line one or two
    for line in head.split(b"\n", 2)[:2] if b"coding" in head else ():
        cookie = _COOKIE.match(line)
        if cookie is not None:
            try:
                encoding = codecs.lookup(cookie.group(1).decode("ascii")).name
            except (LookupError, UnicodeDecodeError):
                return None
            if encoding not in _PLAIN_ENCODINGS:
                return None
            break
    if data.isascii():
        return data
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None  # parsing decides (a latin-1 cookie, or NIL900)
    return unicodedata.normalize("NFKC", text).encode("utf-8")


@functools.lru_cache(maxsize=8)
def _tokens_of(config: Config) -> tuple[bytes, ...]:
    return base_tokens(config)


def may_matter_alone(text: str, module: str, config: Config) -> bool:
    """Whether a file judged on its own (flake8: the project is the file) can hold a finding: it spells a
    configured name (its identifiers as the tokenizer sees them, NFKC-normalised) or is a module of the API.
    Not for pylint, which follows bases into other modules: there an unnamed intermediate base can matter."""
    data = (text if text.isascii() else unicodedata.normalize("NFKC", text)).encode("utf-8", "surrogatepass")
    return any(token in data for token in _tokens_of(config)) or matches_any(module, config.api_modules)


def mentions_any(data: bytes, tokens: tuple[bytes, ...]) -> bool:
    if any(token in data for token in tokens):
        return True
    seen = searchable(data)
    return seen is None or (seen is not data and any(token in seen for token in tokens))


def names_pattern(names: Iterable[str]) -> re.Pattern[bytes] | None:
    """One pass over a file for many identifiers, each as a whole word (``manager`` must not match
    ``websocket_manager``: the tokenizer would not either). The names are merged into a trie first: ``re`` tries
    alternatives one by one, so a flat ``a|b|c`` of hundreds of names costs six times as much."""
    names = set(names)
    if not names:
        return None
    short = {n for n in names if len(n) <= _TRIE_DEPTH}  # the trie is built by recursion
    flat = sorted(re.escape(n) for n in names - short)
    root: dict = {}
    for name in short:
        node = root
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}  # a name ends here
    return re.compile(rb"\b(?:" + "|".join(filter(None, [_trie_pattern(root), *flat])).encode() + rb")\b")


_TRIE_DEPTH = 120


def _trie_pattern(node: dict) -> str:
    ends = "" in node
    branches = [re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


def project_names(project) -> set[str]:
    """Names that make a file matter once the project shows what they are: context-bound classes (NIL2xx), and
    the classes and module-level functions of the isolation API (NIL404–NIL407); each under its own name and its
    aliases. Calling one spells its name: an import names it, and so does ``module.function(...)``."""
    names: set[str] = set()
    types = project.types
    judged: dict[str, bool] = {}  # most imports name the same few hundred targets
    for module in project.all_modules:
        for cls in module.classes:
            if project.class_is_context_bound(cls):
                names.add(cls.name)
        if types.is_api_module(module):
            names.update(cls.name for cls in module.classes)
            names.update(f.qualname.rpartition(".")[2] for f in module.functions if f.kind == "function")
        for name, target in module.bindings.items():
            if name in names or target == f"{module.module}.{name}":
                continue
            if target not in judged:
                judged[target] = _stands_for_api(project, target, module)
            if judged[target]:
                names.add(name)
    return names


def _stands_for_api(project, target: str, module) -> bool:
    if project.is_context_bound(target, module):
        return True
    if target in project.classes:
        return project.types.is_api_class(project.classes[target])
    function = project.functions.get(target)
    return function is not None and project.types.is_api_function(function)
