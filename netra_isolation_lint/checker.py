"""The engine's entry points, shared by the CLI, the flake8 plugin and the pylint plugin."""

from __future__ import annotations

import ast
import os
import warnings
from fnmatch import fnmatchcase

from . import rules
from .config import Config
from .engine import FileContext, Walker, module_name_for
from .facts import Finding, ModuleFacts
from .project import Project


def analyze_tree(tree: ast.Module, path: str, config: Config, module: str | None = None) -> ModuleFacts:
    """Walk one parsed file once. An internal error becomes one NIL901 finding, never an exception."""
    ctx = FileContext(config, path, module if module is not None else module_name_for(path))
    try:
        Walker(ctx, rules.ON, rules.ON_LEAVE).run(tree)
    except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - isolation is the point
        return internal_error(path, ctx.module, exc)
    ctx.facts.bindings = dict(ctx.module_scope.names)
    return ctx.facts


def internal_error(path: str, module: str, exc: BaseException) -> ModuleFacts:
    from .registry import RULES

    facts = ModuleFacts(path=path, module=module)
    facts.findings.append(Finding(1, 0, "NIL901", RULES["NIL901"].format(error=type(exc).__name__)))
    return facts


def project_findings(project: Project, facts: ModuleFacts) -> list[Finding]:
    try:
        return project.findings_for(facts)
    except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001
        return internal_error(facts.path, facts.module, exc).findings


def check_tree_alone(tree: ast.Module, path: str, config: Config) -> list[Finding]:
    """One file on its own, as flake8 and pylint see it: the project is just this file."""
    facts = analyze_tree(tree, path, config)
    return finish(project_findings(Project([facts], config), facts), config, path)


def parse(data: bytes, path: str) -> ast.Module:
    """``ast.parse`` on bytes, so coding cookies and BOMs are honoured exactly as CPython does."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning and friends belong to the file's owner
        return ast.parse(data, filename=path)


def finish(findings: list[Finding], config: Config, path: str) -> list[Finding]:
    """Apply the config's selection and per-path ignores; sort and drop duplicates."""
    ignored_here = path_ignored_codes(config, path)
    kept = {f for f in findings if code_selected(f.code, config.select, config.ignore)
            and not f.code.startswith(ignored_here)}
    return sorted(kept)


def code_selected(code: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """flake8's rule: the longest matching prefix decides; an empty select selects everything."""
    chosen = max((len(p) for p in select if code.startswith(p)), default=-1) if select else 0
    dropped = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return chosen >= 0 and chosen > dropped


def path_ignored_codes(config: Config, path: str) -> tuple[str, ...]:
    if not config.per_path_ignores:
        return ()
    relative = relative_posix(path, config.root)
    codes: list[str] = []
    for pattern, pattern_codes in config.per_path_ignores:
        if path_matches(relative, pattern):
            codes.extend(pattern_codes)
    return tuple(codes)


def relative_posix(path: str, root: str) -> str:
    try:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:  # another drive on Windows
        relative = path
    return relative.replace(os.sep, "/")


def path_matches(relative: str, pattern: str) -> bool:
    """A glob over the path relative to the config's directory; a plain directory name matches below it."""
    pattern = pattern.rstrip("/")
    return (fnmatchcase(relative, pattern) or fnmatchcase(relative, pattern + "/*")
            or fnmatchcase("/" + relative, "*/" + pattern) or fnmatchcase("/" + relative, "*/" + pattern + "/*"))
