"""flake8 front end: ``flake8 --select NIL``. A thin adapter; flake8 itself applies ``# noqa`` and skips a file
with ``# flake8: noqa``, so of the suppression keys only ``unsuppressible`` holds here, against
``per_path_ignores`` (applied by the engine); ``noqa_requires_reason`` and NIL903 need the CLI or pylint."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from . import __version__
from .config import DEFAULTS, Config, ConfigError, print_notes
from .model.names import module_name_for
from .prefilter import may_matter_alone
from .registry import ENGINE, resolve_known_config


class Plugin:
    name = "netra-isolation-lint"
    version = __version__
    # Set once per process by parse_options (flake8 re-runs it in every worker) and only read afterwards.
    config: Config = DEFAULTS

    def __init__(self, tree: ast.AST, filename: str, lines: list[str] | None = None):
        self.tree = tree
        self.filename = filename
        self.lines = lines  # flake8 always passes them; a caller without them gets every file judged

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--isolation-config", default=None, parse_from_config=True, normalize_paths=True,
            help="netra-isolation-lint config: YAML, or a pyproject.toml with [tool.netra-isolation-lint] "
                 "(default: nearest .netra-isolation.yaml or such pyproject.toml upward)",
        )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        from flake8.exceptions import ExecutionError

        try:
            cls.config = resolve_known_config(getattr(options, "isolation_config", None))
        except ConfigError as error:
            raise ExecutionError("netra-isolation-lint: " + "; ".join(error.problems)) from None
        print_notes(cls.config)  # once: not again in a worker process that parses the options anew

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if not isinstance(self.tree, ast.Module):
            return
        # Most files name nothing of the isolation API: no walk for them (flake8 runs us on every file it checks)
        if self.lines is not None and not may_matter_alone("".join(self.lines), module_name_for(self.filename),
                                                           self.config):
            return
        for finding in ENGINE.check_tree_alone(self.tree, self.filename, self.config):
            yield finding.line, finding.col, f"{finding.code} {finding.message}", type(self)
