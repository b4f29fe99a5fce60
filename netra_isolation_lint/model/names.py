"""Names and small AST helpers the model and the rules share: configured-name matching, module names
from paths, relative imports, assignment pairing. Pure functions over ``ast`` nodes and strings."""

from __future__ import annotations

import ast
import difflib
import functools
import os
import re
from collections.abc import Iterable
from fnmatch import fnmatchcase


def name_matches(qualname: str, configured: Iterable[str]) -> bool:
    """A configured name matches the last segment (bare names) or a dotted suffix (dotted names)."""
    return any(qualname == name or qualname.endswith("." + name) for name in configured)


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
    """Dotted module name from a file path, walking up through package directories: those with
    ``__init__.py``, and (PEP 420) directories without one that sit inside such a package
    (``pkg/app/admin/corpus/x.py`` with no ``admin/__init__.py`` is ``pkg.app.admin.corpus.x``)."""
    absolute = os.path.abspath(path)
    directory, filename = os.path.split(absolute)
    stem = filename.rsplit(".", 1)[0]
    parts = [] if stem == "__init__" else [stem]
    cache = package_dirs if package_dirs is not None else {}

    def has_init(folder: str) -> bool:
        known = cache.get(folder)
        if known is None:
            known = os.path.isfile(os.path.join(folder, "__init__.py"))
            if len(cache) < _PACKAGE_CACHE_LIMIT:
                cache[folder] = known
        return known

    while True:
        if not has_init(directory) and not _inside_package(directory, has_init):
            break
        parent, name = os.path.split(directory)
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) or parent == directory:
            break
        parts.append(name)
        directory = parent
    return ".".join(reversed(parts)) if parts else stem


_NAMESPACE_DEPTH = 4  # namespace directories looked through to find the regular package around them


def _inside_package(directory: str, has_init) -> bool:
    for _ in range(_NAMESPACE_DEPTH):
        parent = os.path.dirname(directory)
        if parent == directory or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", os.path.basename(directory)):
            return False
        if has_init(parent):
            return True
        directory = parent
    return False


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate a typo most likely meant, for did-you-mean hints."""
    return _closest(word, tuple(candidates))


@functools.lru_cache(maxsize=4096)  # the same typo against the same class, in every file (and every commit)
def _closest(word: str, candidates: tuple[str, ...]) -> str | None:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def relative_posix(path: str, root: str) -> str:
    try:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:  # another drive on Windows
        relative = path
    return relative.replace(os.sep, "/")


def path_matches(relative: str, pattern: str) -> bool:
    """A glob over the path relative to the config's directory; a plain directory name matches below it. A
    pattern without a slash names one path component, as in ``.gitignore`` (``test_*.py`` is a file name: it
    must not match ``test_data/example.py``, where ``*`` would cross the slash)."""
    pattern = pattern.rstrip("/")
    if "/" not in pattern:
        return any(fnmatchcase(part, pattern) for part in relative.split("/"))
    return (fnmatchcase(relative, pattern) or fnmatchcase(relative, pattern + "/*")
            or fnmatchcase("/" + relative, "*/" + pattern) or fnmatchcase("/" + relative, "*/" + pattern + "/*"))


def is_test_path(path: str, config) -> bool:
    """A file of the test suite (``test_paths``, relative to the project root): its emits prove nothing about
    what production code sends."""
    return _is_test_path(path, config.root, config.test_paths)


@functools.lru_cache(maxsize=65536)  # asked for the same few thousand paths by every project check
def _is_test_path(path: str, root: str, patterns: tuple[str, ...]) -> bool:
    relative = relative_posix(path, root)
    return any(path_matches(relative, pattern) for pattern in patterns)


def call_shape(call: ast.Call) -> dict:
    """How a call passes its arguments, as the signature checks need it: the ``positional``, ``keywords``,
    ``star_args`` and ``star_kwargs`` fields of the call records."""
    return {
        "positional": sum(1 for a in call.args if not isinstance(a, ast.Starred)),
        "keywords": tuple(k.arg for k in call.keywords if k.arg is not None),
        "star_args": any(isinstance(a, ast.Starred) for a in call.args),
        "star_kwargs": any(k.arg is None for k in call.keywords),
    }


def looks_like_context(name: str) -> bool:
    """A name that reads as the user context (``user_context``, ``exec_ctx``): taken as it when the signature that
    would say so is not known."""
    return "context" in name.lower() or name.lower().endswith("ctx")
