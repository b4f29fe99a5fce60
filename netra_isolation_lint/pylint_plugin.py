"""pylint front end: ``pylint --load-plugins netra_isolation_lint.pylint_plugin``.

A thin adapter over the same engine. pylint hands us one module at a time; astroid's module finder
(no inference, no import of the analysed code) locates the modules a class's bases and instantiated
classes come from, and the engine reads those files too, so cross-module agents are seen as the CLI
sees them. Only modules of the same top-level package are followed: that is the project, and it
keeps the plugin from re-reading the standard library.

From the second module of a package on, pylint is checking the package rather than one file (an editor's
run): the engine then checks the whole package once, as the CLI does, with the CLI's cache and prefilter, and
each module is answered from that run. What pylint already paid for (astroid's parse) is not done again per
module, and the cost is one CLI run, nothing when the cache is warm.
"""

from __future__ import annotations

import ast
import os
import sys
from typing import TYPE_CHECKING

from pylint.checkers import BaseRawFileChecker
from pylint.interfaces import HIGH

from .config import DEFAULTS, Config, ConfigError, print_notes
from .engine import finish, parse
from .model.facts import Finding, ModuleFacts
from .model.project import Project
from .noqa import apply_noqa, noqa_lines
from .recover import recover
from .registry import ENGINE, RULES, resolve_known_config
from .runner import decode
from .sources import SourceFile, Skipped, read_source

if TYPE_CHECKING:
    from astroid import nodes
    from pylint.lint import PyLinter

PYLINT_RULES = {code: rule for code, rule in RULES.items() if rule.front_ends == "all"}


class IsolationChecker(BaseRawFileChecker):
    name = "netra-isolation"
    msgs = {
        rule.pylint_msgid: ("%s", rule.slug, f"{rule.summary} See {rule.help_uri}")
        for rule in PYLINT_RULES.values()
    }
    options = (
        ("isolation-config", {
            "default": None, "type": "string", "metavar": "<file>",
            "help": "netra-isolation-lint config: YAML, or a pyproject.toml with [tool.netra-isolation-lint] "
                    "(default: nearest .netra-isolation.yaml or such pyproject.toml upward)",
        }),
    )

    def check_consistency(self) -> None:
        """pylint wants one checker's ids to share their two middle digits; ours encode the rule code
        (NIL101 -> W9101, NIL402 -> W9402) so that one checker, ``netra-isolation``, holds every rule.
        What matters still holds: each id is well-formed and unique."""
        ids = [msgid for msgid in self.msgs]
        if len(set(ids)) != len(ids) or not all(len(i) == 5 and i[0] in "EWCRI" and i[1] == "9" for i in ids):
            super().check_consistency()

    def __init__(self, linter: PyLinter) -> None:
        super().__init__(linter)
        self._config: Config = DEFAULTS
        self._loaded: dict[str, ModuleFacts | None] = {}
        self._seen: dict[str, int] = {}  # package directory -> its modules checked so far
        self._runs: dict[str, dict[str, list[Finding]]] = {}  # package directory -> findings by absolute path

    def open(self) -> None:
        try:
            self._config = resolve_known_config(self.linter.config.isolation_config)
        except ConfigError as error:
            for problem in error.problems:
                print(f"netra-isolation-lint: error: {problem}", file=sys.stderr)
            sys.exit(32)  # pylint's own exit status for a usage error: fail closed, never lint with defaults

    def process_module(self, node: nodes.Module) -> None:
        path = node.file or node.name
        package = node.name.partition(".")[0]
        root = package_root(path, node.name)
        answered = self._from_package_run(path, os.path.join(root, package)) if "." in node.name else None
        if answered is not None:
            self._report(answered)
            return
        try:
            with node.stream() as stream:
                data = stream.read()
            tree = parse(data, path)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OSError):
            return  # pylint reports syntax-error / unreadable files itself
        try:  # one file's trouble is one NIL901 for it; under -j it must never take the run down
            facts = ENGINE.analyze_tree(tree, path, self._config, module=node.name)
            project = Project([facts], self._config, load=lambda name, _value: self._load(name, package, root))
            raw = ENGINE.project_findings(project, facts)
            findings = finish(raw, self._config, path)
            if b"noqa" in data.lower():  # as the CLI applies it; pylint's own disable comments come on top
                findings = apply_noqa(findings, noqa_lines(decode(data)), self._config, path, unfiltered=raw)
        except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - isolation is the point
            findings = ENGINE.internal_error(path, node.name, exc).findings
        self._report(findings)

    def _report(self, findings) -> None:
        for finding in findings:
            rule = RULES[finding.code]
            self.add_message(rule.slug, line=finding.line, col_offset=finding.col, args=(finding.message,),
                             confidence=HIGH)

    def _from_package_run(self, path: str, directory: str) -> list[Finding] | None:
        """This module's findings from the run over its whole package, or None: the package's first module (it
        may be the only one asked for), or a file that run did not check (excluded by the config)."""
        self._seen[directory] = self._seen.get(directory, 0) + 1
        if self._seen[directory] < 2:
            return None
        if directory not in self._runs:
            self._runs[directory] = self._package_run(directory)
        return self._runs[directory].get(os.path.abspath(path))

    def _package_run(self, directory: str) -> dict[str, list[Finding]]:
        from .runner import lint_directory
        from .sources import project_root

        try:
            sources, report = lint_directory(directory, self._config, project_root(self._config, [directory]), None)
        except (Exception, RecursionError, MemoryError):  # noqa: BLE001 - each module is then judged on its own
            return {}
        found: dict[str, list[Finding]] = {os.path.abspath(source.path): [] for source in sources}
        for result in report.results:
            if result.code in PYLINT_RULES:
                finding = Finding(result.line, result.col, result.code, result.message)
                found.setdefault(os.path.abspath(result.path), []).append(finding)
        return found

    def _load(self, name: str, package: str, root: str) -> ModuleFacts | None:
        if name.partition(".")[0] != package:
            return None
        if name not in self._loaded:
            self._loaded[name] = self._analyse_module(name, root)
        return self._loaded[name]

    def _analyse_module(self, name: str, root: str) -> ModuleFacts | None:
        from astroid import modutils

        try:
            path = modutils.file_from_modpath(name.split("."))
        except (ImportError, SyntaxError, ValueError, AttributeError):
            return None
        if not path or not path.endswith(".py"):
            return None
        try:
            data = read_source(SourceFile(path, root), self._config.max_file_bytes)
        except Skipped:
            return None
        try:
            tree: ast.Module | None = parse(data, path)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
            tree = recover(decode(data))  # a broken base module still names its classes and their bases
        return ENGINE.analyze_tree(tree, path, self._config, module=name) if tree is not None else None


def package_root(path: str, module: str) -> str:
    """The directory holding the module's top-level package: followed modules must not leave it."""
    depth = module.count(".") + (0 if os.path.basename(path).startswith("__init__.") else 1)
    root = os.path.abspath(path)
    for _ in range(depth):
        root = os.path.dirname(root)
    return root


def register(linter: PyLinter) -> None:
    linter.register_checker(IsolationChecker(linter))


def load_configuration(linter: PyLinter) -> None:
    """pylint's hook once the options are read. Why the notes are printed here: under ``-j`` only the worker
    processes run ``open()``, so a note printed there would come once per worker, or (suppressed there) never."""
    try:
        print_notes(resolve_known_config(linter.config.isolation_config))
    except ConfigError:
        pass  # open() reports it and stops the run
