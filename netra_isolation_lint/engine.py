"""The engine: one file's walk, the verdicts across modules, and the config's selection.

It is handed its rules (a :class:`RuleSet`, built by :mod:`.registry`) and never imports the rule list,
so a front end, a test or a fault injection can run it over any set of handlers. Every front end goes
through one :class:`Engine`; only what its :class:`~.model.project.Project` can see differs.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from .config import Config
from .model.facts import Finding, ModuleFacts
from .model.names import module_name_for, path_matches, relative_posix
from .model.project import Project
from .model.semantic import FileContext, Handler
from .rules.rule import Rule
from .walk import Walker

ProjectCheck = Callable[[ModuleFacts, Project], list[Finding]]
WideCheck = Callable[[Project, set[tuple[str, int, int]], "tuple[str, int] | None"], list[tuple[str, Finding]]]


@dataclass(frozen=True)
class RuleSet:
    """What the engine runs: the rule records by code, node handlers (on entering and on leaving a node),
    per-module checks against the project, and checks of the project as a whole."""

    rules: dict[str, Rule]
    on: dict[type, tuple[Handler, ...]]
    on_leave: dict[type, tuple[Handler, ...]]
    project_checks: tuple[ProjectCheck, ...]
    wide_checks: tuple[WideCheck, ...]


class Engine:
    def __init__(self, rules: RuleSet):
        self.rules = rules

    def analyze_tree(self, tree: ast.Module, path: str, config: Config, module: str | None = None) -> ModuleFacts:
        """Walk one parsed file once. An internal error becomes one NIL901 finding, never an exception."""
        ctx = FileContext(config, path, module if module is not None else module_name_for(path))
        try:
            Walker(ctx, self.rules.on, self.rules.on_leave).run(tree)
        except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - isolation is the point
            return self.internal_error(path, ctx.module, exc)
        ctx.facts.bindings = dict(ctx.module_scope.names)
        ctx.facts.variables = ctx.module_variables()
        return ctx.facts

    def internal_error(self, path: str, module: str, exc: BaseException) -> ModuleFacts:
        facts = ModuleFacts(path=path, module=module)
        facts.findings.append(Finding(1, 0, "NIL901", self.rules.rules["NIL901"].format(error=type(exc).__name__)))
        return facts

    def project_findings(self, project: Project, facts: ModuleFacts) -> list[Finding]:
        """One module's own findings and what the project checks say about it."""
        try:
            found = list(facts.findings)
            for check in self.rules.project_checks:
                found.extend(check(facts, project))
            return found
        except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001
            return self.internal_error(facts.path, facts.module, exc).findings

    def project_wide_findings(self, project: Project, broken: set[tuple[str, int, int]],
                              fallback: tuple[str, int] | None) -> list[tuple[str, Finding]]:
        """Verdicts on the project as a whole (NIL403), each with the path it is placed in; ``broken`` holds the
        calls known to raise; ``fallback`` (path, line) is where a verdict with no better place goes, None when
        the run does not cover a whole project."""
        return [placed for check in self.rules.wide_checks for placed in check(project, broken, fallback)]

    def check_tree_alone(self, tree: ast.Module, path: str, config: Config) -> list[Finding]:
        """One file on its own, as flake8 and pylint see it: the project is just this file."""
        facts = self.analyze_tree(tree, path, config)
        return finish(self.project_findings(Project([facts], config), facts), config, path)


def parse(data: bytes, path: str) -> ast.Module:
    """``ast.parse`` on bytes, so coding cookies and BOMs are honoured exactly as CPython does."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning and friends belong to the file's owner
        return ast.parse(data, filename=path)


def finish(findings: list[Finding], config: Config, path: str) -> list[Finding]:
    """Apply the config's selection and per-path ignores; sort and drop duplicates. A per-path ignore never
    drops an ``unsuppressible`` code, even through a broader prefix (an ignored ``NIL1`` keeps NIL101)."""
    ignored_here = path_ignored_codes(config, path)
    kept = {f for f in findings if code_selected(f.code, config.select, config.ignore)
            and not (f.code.startswith(ignored_here) and not f.code.startswith(config.unsuppressible))}
    return sorted(kept)


def code_selected(code: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """flake8's rule: the longest matching prefix decides; an empty select selects everything."""
    chosen = max((len(p) for p in select if code.startswith(p)), default=-1) if select else 0
    dropped = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return chosen >= 0 and chosen > dropped


def path_ignored_codes(config: Config, path: str) -> tuple[str, ...]:
    """The codes and prefixes per-path ignores drop in ``path``, less those all of whose codes are
    ``unsuppressible`` (a code that is, under a broader prefix, is kept by :func:`finish`)."""
    if not config.per_path_ignores:
        return ()
    relative = relative_posix(path, config.root)
    codes: list[str] = []
    for pattern, pattern_codes in config.per_path_ignores:
        if path_matches(relative, pattern):
            codes.extend(c for c in pattern_codes if not c.startswith(config.unsuppressible))
    return tuple(codes)
