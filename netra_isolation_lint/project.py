"""Verdicts that need more than one node: class hierarchies, signatures, emitter classes, events.

Every front end builds a :class:`Project`: flake8 and pylint from the one file they were handed, the CLI
from every file it was given. The checks are the same; only what the project can see differs.
"""

from __future__ import annotations

from collections.abc import Iterable

from .config import Config
from .engine import name_matches
from .facts import ClassInfo, Finding, FunctionInfo, InitInfo, ModuleFacts

MAX_CHAIN = 32  # re-export hops and inheritance depth followed before giving up (cycles, pathologies)


class Project:
    def __init__(self, modules: Iterable[ModuleFacts], config: Config):
        self.config = config
        self.modules: dict[str, ModuleFacts] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.functions: dict[str, FunctionInfo] = {}
        for module in modules:
            self.modules.setdefault(module.module, module)
            for cls in module.classes:
                self.classes.setdefault(cls.qualname, cls)
            for function in module.functions:
                self.functions.setdefault(function.qualname, function)
        self._bound: dict[str, bool] = {}

    # ------------------------------------------------------------------ lookups
    def lookup(self, qualname: str) -> str:
        """Follow module-level re-exports (``from .impl import X`` in a package) to a definition."""
        for _ in range(MAX_CHAIN):
            if qualname in self.classes or qualname in self.functions:
                return qualname
            module, _, name = qualname.rpartition(".")
            facts = self.modules.get(module)
            target = facts.bindings.get(name) if facts is not None else None
            if target is None or target == qualname:
                return qualname
            qualname = target
        return qualname

    def class_info(self, qualname: str) -> ClassInfo | None:
        return self.classes.get(self.lookup(qualname))

    def is_context_bound(self, qualname: str) -> bool:
        if qualname not in self._bound:
            self._bound[qualname] = self._context_bound(qualname, 0)
        return self._bound[qualname]

    def _context_bound(self, qualname: str, depth: int) -> bool:
        config = self.config
        if depth > MAX_CHAIN:
            return False
        cls = self.class_info(qualname)
        if cls is None:
            return name_matches(qualname, config.bound_classes)
        if name_matches(cls.name, config.bound_classes):
            return True
        self._bound.setdefault(cls.qualname, False)  # cycle guard while walking the bases
        for base in cls.bases:
            if name_matches(base, config.agent_bases) or name_matches(base, config.bound_classes):
                return True
            if self.class_info(base) is not None and self._context_bound(base, depth + 1):
                return True
        return False

    def init_of(self, qualname: str) -> InitInfo | None:
        """The ``__init__`` a class uses: its own or the nearest one up its in-project bases."""
        cls = self.class_info(qualname)
        for _ in range(MAX_CHAIN):
            if cls is None:
                return None
            if cls.init is not None:
                return cls.init
            cls = next((b for b in map(self.class_info, cls.bases) if b is not None), None)
        return None

    # ------------------------------------------------------------------ verdicts
    def findings_for(self, module: ModuleFacts) -> list[Finding]:
        from .rules import PROJECT_CHECKS

        found = list(module.findings)
        for check in PROJECT_CHECKS:
            found.extend(check(module, self))
        return found

    def emitted_events(self) -> set[str]:
        events: set[str] = set()
        for module in self.modules.values():
            events |= module.emitted_events
        return events

