"""What is known across modules: class hierarchies, signatures, emitter classes, emitted events.

Every front end builds a :class:`Project`: flake8 from the one file it was handed, pylint from that
file plus the modules it imports from (loaded on first use), the CLI from every file it was given.
The checks are the same; only what the project can see differs.

Module names come from paths, so two scripts outside any package can share one (``a/run.py`` and
``b/run.py``). Nothing is dropped for that: a name is looked up in the asking module first, then in the
first module that defined it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..config import Config
from .facts import ClassInfo, FunctionInfo, InitInfo, ModuleFacts
from .names import is_test_path, name_matches
from .types import VALUE, TypeModel

MAX_CHAIN = 32  # re-export hops and inheritance depth followed before giving up (cycles, pathologies)
# Bases that add no method a call could be looking for: a class deriving only from these is fully known.
EMPTY_BASES = frozenset({"object", "builtins.object", "abc.ABC", "typing.Generic", "typing.Protocol"})

# (module name, whether only a value's type is wanted) -> its facts. A value can be resolved only through a module
# that mentions an API name, which the CLI's prefilter has parsed already; a base class can live anywhere.
Loader = Callable[[str, bool], "ModuleFacts | None"]


class Project:
    """What is known across modules. ``load`` (pylint) fetches a module by name on first use; the CLI
    passes every file up front and no loader."""

    def __init__(self, modules: Iterable[ModuleFacts], config: Config, load: Loader | None = None,
                 load_for_hierarchy: bool = True):
        self.config = config
        # The CLI's prefilter guarantees that every file defining a context-bound class was analysed, so it
        # loads only to resolve emitter classes; pylint, seeing one file at a time, loads for both.
        self._load_for_hierarchy = load_for_hierarchy
        self._load = load
        self._index(modules)

    def _index(self, modules: Iterable[ModuleFacts]) -> None:
        self.all_modules: list[ModuleFacts] = []
        self.modules: dict[str, ModuleFacts] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.functions: dict[str, FunctionInfo] = {}
        self._home: dict[int, ModuleFacts] = {}  # id(ClassInfo) -> the module defining it
        self._function_home: dict[str, ModuleFacts] = {}
        self._local: dict[int, dict[str, ClassInfo]] = {}  # id(module) -> its classes by qualname
        self._bound: dict[int, bool] = {}  # id(ClassInfo) -> context-bound
        self._tried: set[tuple[str, bool | str]] = set()
        self._patched: set[tuple[str, str]] = set()
        self._hierarchies: dict[int, tuple[list[ClassInfo], bool, bool]] = {}
        for module in modules:
            self.add(module)
        self.types = TypeModel(self)

    def forget_types(self) -> None:
        """Start the type model afresh after modules were added by hand (not by the loader, whose modules a
        resolution asked for itself): what it concluded may depend on what was missing."""
        self.types = TypeModel(self)

    def add(self, module: ModuleFacts) -> None:
        self.all_modules.append(module)
        self._hierarchies.clear()  # a base that was unknown may be known now
        self._patched.update(module.patched)
        self.modules.setdefault(module.module, module)
        local = self._local.setdefault(id(module), {})
        for cls in module.classes:
            self.classes.setdefault(cls.qualname, cls)
            local.setdefault(cls.qualname, cls)
            self._home[id(cls)] = module
        for function in module.functions:
            self.functions.setdefault(function.qualname, function)
            self._function_home.setdefault(function.qualname, module)

    def replace(self, path: str, module: ModuleFacts | None) -> None:
        """The language server's edit: the facts of the file at ``path`` out, ``module`` (None: deleted) in. The
        lookups are rebuilt from the modules left (another file may define the same name) and the type model and
        every memo start afresh, since what they concluded may hang on the old facts."""
        kept = [m for m in self.all_modules if m.path != path]
        self._index(kept if module is None else [*kept, module])

    def _module(self, name: str, load: bool | str) -> ModuleFacts | None:
        facts = self.modules.get(name)
        if facts is None and load and self._load is not None and name and (name, load) not in self._tried:
            self._tried.add((name, load))
            facts = self._load(name, load == VALUE)
            if facts is not None:
                self.add(facts)
        return facts

    # ------------------------------------------------------------------ lookups
    def lookup(self, qualname: str, load: bool | str = False) -> str:
        """Follow module-level re-exports (``from .impl import X`` in a package) to a definition."""
        for _ in range(MAX_CHAIN):
            if qualname in self.classes or qualname in self.functions:
                return qualname
            module, _, name = qualname.rpartition(".")
            facts = self._module(module, load)
            target = facts.bindings.get(name) if facts is not None else None
            if target is None or target == qualname:
                return qualname
            qualname = target
        return qualname

    def class_info(self, qualname: str, asking: ModuleFacts | None = None,
                   load: bool | str | None = None) -> ClassInfo | None:
        """The class a name refers to. ``load`` (default: the hierarchy policy; ``VALUE``: only a module that can
        tell a value's type) may parse its module."""
        if asking is not None:
            local = self._local.get(id(asking), {}).get(qualname)
            if local is not None:
                return local
        return self.classes.get(self.lookup(qualname, self._load_for_hierarchy if load is None else load))

    def is_context_bound(self, qualname: str, asking: ModuleFacts | None = None) -> bool:
        cls = self.class_info(qualname, asking)
        if cls is None:
            return name_matches(qualname, self.config.bound_classes)
        return self.class_is_context_bound(cls)

    def class_is_context_bound(self, cls: ClassInfo, depth: int = 0) -> bool:
        key = id(cls)
        if key in self._bound:
            return self._bound[key]
        config = self.config
        self._bound[key] = False  # cycle guard while the bases are walked
        result = name_matches(cls.qualname, config.bound_classes)
        home = self._home.get(key)
        for base in cls.bases:
            if result or depth > MAX_CHAIN:
                break
            if name_matches(base, config.agent_bases) or name_matches(base, config.bound_classes):
                result = True
            else:
                info = self.class_info(base, home)
                result = info is not None and self.class_is_context_bound(info, depth + 1)
        self._bound[key] = result
        return result

    def init_of(self, qualname: str, asking: ModuleFacts | None = None) -> InitInfo | None:
        """The ``__init__`` a class uses: its own or the nearest one up its in-project bases."""
        cls = self.class_info(qualname, asking)
        for _ in range(MAX_CHAIN):
            if cls is None:
                return None
            if cls.init is not None:
                return cls.init
            home = self._home.get(id(cls))
            cls = next((b for b in (self.class_info(q, home) for q in cls.bases) if b is not None), None)
        return None

    # ------------------------------------------------------------------ homes
    def home_of(self, cls: ClassInfo) -> ModuleFacts | None:
        return self._home.get(id(cls))

    def function_home(self, function: FunctionInfo) -> ModuleFacts | None:
        return self._function_home.get(function.qualname)

    def hierarchy(self, cls: ClassInfo) -> list[ClassInfo]:
        """``cls`` and the bases the project knows, breadth-first, each once: linear on diamonds, finite on
        cycles, bounded on pathologies."""
        return self._walk(cls)[0]

    def _walk(self, cls: ClassInfo) -> tuple[list[ClassInfo], bool, bool]:
        """(the hierarchy, whether some base is unknown, whether the walk was cut at its bound); memoised."""
        known = self._hierarchies.get(id(cls))
        if known is not None:
            return known
        order, queue, seen, unknown = [], [cls], set(), False
        while queue and len(order) < 4 * MAX_CHAIN:
            current = queue.pop(0)
            if id(current) in seen:
                continue
            seen.add(id(current))
            order.append(current)
            home = self._home.get(id(current))
            for base in (self.class_info(q, home, load=True) for q in current.bases if q not in EMPTY_BASES):
                if base is None:
                    unknown = True
                else:
                    queue.append(base)
        walked = (order, unknown, bool(queue))
        self._hierarchies[id(cls)] = walked
        return walked

    def member(self, cls: ClassInfo, name: str, complete: bool = False):
        """(True, Signature) for a method, (True, None) for another attribute, (False, None) when the class
        and all its bases are in the project and none has it, (None, None) when that cannot be known.
        ``complete``: the config declares the class's known methods to be all there is."""
        order, unknown, cut = self._walk(cls)
        for current in order:
            if current.dynamic:
                return None, None
            methods = current.method_map
            if name in methods:
                return True, methods[name]
            if name in current.attributes or name in current.attr_type_map or (current.qualname, name) in self._patched:
                return True, None
        return (None, None) if cut or unknown and not complete else (False, None)

    # ------------------------------------------------------------------ verdicts
    def emitted_events(self, broken: set[tuple[str, int, int]] = frozenset()) -> set[str]:
        """Events some production module emits (test files prove nothing), not counting calls in ``broken``
        ((path, line, col) of calls that NIL404–NIL406 show will raise: they emit nothing)."""
        return {event for module in self.all_modules if not is_test_path(module.path, self.config)
                for event, line, col in module.emits if (module.path, line, col) not in broken}
