"""Lint a set of files as one project: read, parse, walk, judge across modules, apply suppressions."""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import os
import sys
import tokenize
from typing import TYPE_CHECKING
from dataclasses import astuple, dataclass, field

from .config import Config
from .engine import finish, parse
from .model.facts import Finding, ModuleFacts
from .model.names import is_test_path, matches_any, module_name_for
from .model.project import Project
from .noqa import apply_noqa, noqa_lines
from .recover import recover
from .prefilter import base_tokens, mentions_any, names_pattern, project_names, searchable
from .registry import ENGINE, RULES
from .rules.api import RAISING as RAISING_CODES
from .sources import DEFAULT_EXCLUDES, SourceFile, Skipped, check_source, discover, open_source, stat_or_none

if TYPE_CHECKING:
    from collections.abc import Callable

    from .cache import Cache


@dataclass(frozen=True, order=True)
class Result:
    path: str
    line: int
    col: int  # 0-based like flake8's; formats add 1 where they show columns
    code: str
    message: str


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    files: int = 0
    cached: int = 0  # files whose facts or whole verdicts were reused from the cache, not read again
    traces: list[tuple[int, int, list[str]]] = field(default_factory=list)  # --explain-finding: (line, col, steps)
    # include_suppressed: what a ``# noqa`` suppressed, with the comment's reason (SARIF shows them as such)
    suppressed: list[tuple[Result, str]] = field(default_factory=list)
    project: object = field(default=None, repr=False, compare=False)  # what --fix asks the model (not cached)

    @property
    def internal_errors(self) -> bool:
        return any(r.code == "NIL901" for r in self.results)


def decode(data: bytes) -> str:
    """Source text the way the tokenizer reads it (cookie, BOM), for suppression comments."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return data.decode("latin-1")


def unparseable(path: str, exc: BaseException) -> Finding:
    line = getattr(exc, "lineno", None) or 1
    col = max(0, (getattr(exc, "offset", None) or 1) - 1)
    if isinstance(exc, SyntaxError):
        error = f"{type(exc).__name__}: {exc.msg}"
    elif isinstance(exc, RecursionError):
        error = "too deeply nested for the Python parser"
        line, col = 1, 0
    else:
        error = f"{type(exc).__name__}: {str(exc)[:200]}"
        line, col = 1, 0
    return Finding(max(1, line), col, "NIL900", RULES["NIL900"].format(error=error))


@dataclass
class Examined:
    """One file after reading: its facts, or why it was skipped, or that the prefilter let it be."""

    source: SourceFile
    facts: ModuleFacts | None = None
    noqa: dict[int, str] = field(default_factory=dict)
    skipped: str | None = None  # NIL902 reason
    token_free: bool = False  # mentions no name any rule needs: not parsed
    entry: dict | None = None  # what the cache keeps for it
    cached: bool = False  # taken from the cache without reading the file
    checked: frozenset[str] | None = None  # token-free: the names its bytes were searched for and do not hold
    # token-free, then parsed because a name it holds mattered: (facts, noqa, skipped), kept for the history's next
    # run, where it is token-free again until a name selects it
    late: tuple | None = None


def examine(source: SourceFile, config: Config, tokens: tuple[bytes, ...] | None,
            package_dirs: dict[str, bool], keep: bool) -> Examined:
    """Read one file and, unless the prefilter shows it cannot matter, parse and walk it. An error that
    escapes costs this file only: one NIL901 for it."""
    try:
        return _examine(source, config, tokens, package_dirs, keep)
    except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - isolation is the point
        return Examined(source, facts=ENGINE.internal_error(source.path, _safe_module_name(source.path), exc))


def _examine(source: SourceFile, config: Config, tokens: tuple[bytes, ...] | None,
             package_dirs: dict[str, bool], keep: bool) -> Examined:
    try:
        data, info = open_source(source, config.max_file_bytes)
    except Skipped as skipped:
        return Examined(source, skipped=str(skipped))
    module = module_name_for(source.path, package_dirs)
    if (tokens is not None and not source.named and not mentions_any(data, tokens)
            and not (matches_any(module, config.api_modules) and not is_test_path(source.path, config))):
        return Examined(source, token_free=True, entry=_entry(info, data, module, None, {}) if keep else None)
    facts, noqa = analyse_bytes(data, source.path, config, module)
    keep = keep and source.content is None  # a buffer is not the file on disk: never cached
    return Examined(source, facts=facts, noqa=noqa, entry=_entry(info, data, module, facts, noqa) if keep else None)


def _entry(info: os.stat_result, data: bytes, module: str, facts: ModuleFacts | None, noqa: dict[int, str]) -> dict:
    from .cache import digest, entry  # only when caching: keeps hashing and JSON off the editor path

    return entry(info, digest(data), module, facts, noqa)


def analyse_bytes(data: bytes, path: str, config: Config, module: str) -> tuple[ModuleFacts, dict[int, str]]:
    try:
        tree = parse(data, path)
        broken = None
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as exc:
        tree, broken = recover(decode(data)), unparseable(path, exc)
        if tree is None:
            return ModuleFacts(path=path, module=module, findings=[broken]), {}
    facts = ENGINE.analyze_tree(tree, path, config, module)
    del tree  # facts only: no tree outlives its file
    if broken is not None:
        facts.findings.append(broken)  # what the recovered statements show, and that the file does not parse
    return facts, noqa_lines(decode(data)) if b"noqa" in data.lower() else {}


PROGRESS_STEP = 32  # files examined in one process between two progress reports


def _examine_batch(batch: list[SourceFile], config: Config, tokens: tuple[bytes, ...] | None,
                   keep: bool, progress: Callable[[int], None] | None = None) -> list[Examined]:
    package_dirs: dict[str, bool] = {}
    examined = []
    for source in batch:
        examined.append(examine(source, config, tokens, package_dirs, keep))
        if progress is not None and (len(examined) % PROGRESS_STEP == 0 or len(examined) == len(batch)):
            progress(len(examined))
    return examined


PARALLEL_MIN_FILES = 64  # below this, starting workers costs more than it saves


class Workers:
    """Examines batches of files, in ``jobs`` worker processes once there is enough work to share;
    the pool is started on first use and serves every round of the run."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.pool = None

    def examine(self, sources: list[SourceFile], config: Config, tokens: tuple[bytes, ...] | None,
                keep: bool, progress: Callable[[int], None] | None = None) -> list[Examined]:
        """``progress`` is told now and then how many of ``sources`` are done."""
        if self.jobs <= 1 or len(sources) < PARALLEL_MIN_FILES:
            return _examine_batch(sources, config, tokens, keep, progress)
        return self._map(_examine_batch, sources, (config, tokens, keep), progress)

    def search(self, searches: list[tuple[SourceFile, frozenset[str], bool]], config: Config,
               keep: bool) -> list[tuple[bool, Examined | None]]:
        """:func:`_search_batch` over ``searches``, shared among the workers."""
        if self.jobs <= 1 or len(searches) < PARALLEL_MIN_FILES:
            return _search_batch(searches, config, keep)
        return self._map(_search_batch, searches, (config, keep))

    def _map(self, function: Callable, items: list, arguments: tuple,
             progress: Callable[[int], None] | None = None) -> list:
        if self.pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            method = "fork" if sys.platform == "linux" else "spawn"  # fork: no re-import per worker on Linux
            self.pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context(method),
                                            initializer=_ignore_interrupts)
        size = max(1, -(-len(items) // (self.jobs * 8)))  # small batches balance uneven files
        batches = [items[i:i + size] for i in range(0, len(items), size)]
        done = self.pool.map(function, batches, *([argument] * len(batches) for argument in arguments))
        results: list = []
        for batch in done:
            results.extend(batch)
            if progress is not None:
                progress(len(results))
        return results

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _ignore_interrupts() -> None:
    """Ctrl-C reaches the whole process group; the parent alone stops the run, the workers print nothing."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def lint(sources: list[SourceFile], config: Config, project_anchor: str | None = None, *,
         prefilter: bool = False, cache: Cache | None = None, jobs: int = 1,
         explain: tuple[str, int] | None = None, progress: Callable[[int, int], None] | None = None,
         keep_project: bool = False, verdicts: bool = True, memo: dict | None = None) -> Report:
    """Check ``sources`` as one project. With ``project_anchor`` (the directory that holds the project, when the
    run covers one), project-wide findings (NIL403) are judged and placed inside it. ``prefilter`` leaves unparsed
    the files that mention no name any rule needs (files named on the command line are always parsed);
    ``cache`` reuses the facts of unchanged files; ``jobs`` examines files in that many processes. ``explain``
    (path, line) fills ``Report.traces`` with how the type model judged each API call on that line. ``progress``
    is called now and then with (files read or taken from the cache, files in all). Without ``verdicts`` only
    the project is built (``Report.project``; the language server's index) and the files' results are left out.
    ``memo`` (the history command's) keeps what was read of each file by (``SourceFile.blob``, path) across runs:
    a file already seen is never read again."""
    with _rare_collections():
        return _lint(sources, config, project_anchor, prefilter, cache, jobs, explain, progress,
                     keep_project or not verdicts, verdicts, memo)


def lint_directory(directory: str, config: Config, root: str, anchor: str | None, *,
                   verdicts: bool = True) -> tuple[list[SourceFile], Report]:
    """A directory linted as the CLI lints it by default: the built-in and configured excludes, ``.gitignore``,
    the prefilter and the cache of the project at ``root``. The files it covered, and the report. For the front
    ends that lint a whole tree of their own accord: the language server's index, pylint's package run."""
    from .cache import Cache, cache_dir

    sources, _ = discover([directory], DEFAULT_EXCLUDES + config.exclude, root=root)
    cache = Cache(cache_dir(None, root), config, prefilter=True)
    return sources, lint(sources, config, anchor, prefilter=True, cache=cache, verdicts=verdicts)


@contextlib.contextmanager
def _rare_collections():
    """Parsing allocates millions of short-lived, acyclic nodes; at the default thresholds the cyclic collector
    runs thousands of times over them (about 12% of a cold run, and superlinear in the tree's size)."""
    before = gc.get_threshold()
    gc.set_threshold(200_000, 30, 30)  # mypy's setting for the same load
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _lint(sources: list[SourceFile], config: Config, project_anchor: str | None, prefilter: bool,
          cache: Cache | None, jobs: int, explain: tuple[str, int] | None,
          progress: Callable[[int, int], None] | None, keep_project: bool, verdicts: bool,
          memo: dict | None) -> Report:
    # A reused report has no project: --explain-finding and the fixes SARIF and rdjson offer need one
    reuse = cache is not None and explain is None and not keep_project
    package_dirs: dict[str, bool] = {}  # directory -> holds __init__.py, probed once for the whole run
    known = _known_inputs(sources, config, project_anchor, package_dirs, cache) if reuse else None
    kept = cache.verdicts(known[0]) if known is not None else None
    if kept is not None:
        cache.update_stats(known[1])
        files, rows, hidden_rows = kept
        return Report(results=[Result(*row) for row in rows], files=files, cached=files,
                      suppressed=[(Result(*row[:5]), row[5]) for row in hidden_rows])
    report = Report(files=len(sources))
    outside: dict[str, list[int] | None] = {}  # files read from outside the paths given: (path, stat)
    tokens = base_tokens(config) if prefilter else None
    examined: dict[str, Examined] = {}
    todo: list[SourceFile] = []
    for source in sources:
        try:  # a fault reading the cache costs nothing but time: the file is examined, under its own guard
            reused = _from_memo(memo, source) if memo is not None and source.blob else (
                _from_cache(source, config, cache, package_dirs))
        except (Exception, RecursionError, MemoryError):  # noqa: BLE001
            reused = None
        if reused is None:
            todo.append(source)
        else:
            examined[source.path] = reused
    report.cached = len(examined)
    step = (lambda done: progress(report.cached + done, report.files)) if progress is not None else None
    with Workers(jobs) as workers:
        for result in workers.examine(todo, config, tokens, cache is not None, step):
            examined[result.source.path] = result
            if memo is not None and result.source.blob:
                memo[(result.source.blob, result.source.path)] = result
        analysed = [e for e in (examined[s.path] for s in sources) if e.facts is not None]
        unparsed = {e.source.path: e for e in examined.values() if e.token_free}
        project = Project((e.facts for e in analysed), config,
                          load=_loader(unparsed, config, package_dirs, analysed, outside),
                          load_for_hierarchy=False)
        names = sorted(_settle_prefilter(project, unparsed, config, analysed, cache, workers)) if prefilter else []

    if not verdicts:
        _save_facts(cache, examined, names)
        report.project = project
        return report
    broken: set[tuple[str, int, int]] = set()  # emitter calls that will raise: they emit nothing (NIL403)
    for item in examined.values():
        if item.skipped is not None:
            finding = Finding(1, 0, "NIL902", RULES["NIL902"].format(reason=item.skipped))
            report.results.extend(_results(item.source.path, finish([finding], config, item.source.path)))
    for item in analysed:  # grows while it is walked: the loader may parse a module a verdict needs
        findings, raising, hidden = _judge(project, item, config)
        broken.update(raising)
        report.suppressed.extend((Result(item.facts.path, *f), reason) for f, reason in hidden)
        report.results.extend(_results(item.facts.path, findings))
    fallback = _fallback_anchor(project_anchor, config, sources) if project_anchor is not None else None
    for path, finding in ENGINE.project_wide_findings(project, broken, fallback):
        report.results.extend(_results(path, finish([finding], config, path)))
    report.results.sort()
    report.suppressed.sort()  # as a reused report has them, whatever order the files came in
    report.project = project
    if explain is not None:
        report.traces = _traces(project, analysed, *explain)
    _save_facts(cache, examined, names)  # after the verdicts: the loader may have parsed files for them
    witness = _run_inputs(sources, examined, project_anchor) if reuse else None
    if witness is not None:
        cache.save_verdicts(witness, outside, report.files, [list(astuple(r)) for r in report.results],
                            [[*astuple(r), reason] for r, reason in report.suppressed])
    return report


Judgement = tuple[list[Finding], list[tuple[str, int, int]], list[tuple[Finding, str]]]


def _judge(project: Project, item: Examined, config: Config) -> Judgement:
    """One module's verdicts: (its findings after selection and ``# noqa``, its emitter calls that will raise,
    what a ``# noqa`` suppressed), under the same per-file isolation as its analysis."""
    facts = item.facts
    try:
        raw = ENGINE.project_findings(project, facts)
        hidden: list[tuple[Finding, str]] | None = [] if config.include_suppressed else None
        findings = apply_noqa(finish(raw, config, facts.path), item.noqa, config, facts.path, unfiltered=raw,
                              suppressed=hidden)
        return findings, [(facts.path, f.line, f.col) for f in raw if f.code in RAISING_CODES], hidden or []
    except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001
        return ENGINE.internal_error(facts.path, facts.module, exc).findings, [], []


def _save_facts(cache: Cache | None, examined: dict[str, Examined], names: list[str]) -> None:
    if cache is not None:
        cache.save({os.path.abspath(e.source.path): e.entry for e in examined.values() if e.entry is not None},
                   names)


def _fallback_anchor(tree: str, config: Config, sources: list[SourceFile]) -> tuple[str, int] | None:
    """Where a project-wide verdict with no better place goes, always inside the analysed ``tree``: the config
    file when it lives there (at the line of its ``critical_events``), else the first file of the run (whether
    the prefilter or the cache let it be parsed must not move it)."""
    from .config import TOOL_TABLE, line_of_key, origin

    source = origin(config, "critical_events").removesuffix(f" [tool.{TOOL_TABLE}]")  # a base may set it
    if config.source and _inside(source, tree):
        return source, line_of_key(source, "critical_events")
    paths = sorted(source.path for source in sources if source.error is None)
    return (paths[0], 1) if paths else None


def _inside(path: str, tree: str) -> bool:
    real, root = os.path.realpath(path), os.path.realpath(tree)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _traces(project: Project, analysed: list[Examined], path: str, line: int) -> list[tuple[int, int, list[str]]]:
    wanted = os.path.abspath(path)
    traces = []
    for item in analysed:
        if os.path.abspath(item.source.path) == wanted:
            for call in item.facts.api_calls:
                if call.line == line:
                    steps = [step for ref in call.target for step in project.types.trace(ref, item.facts)]
                    traces.append((call.line, call.col, steps))
    return sorted(traces)


def _known_inputs(sources: list[SourceFile], config: Config, anchor: str | None, package_dirs: dict[str, bool],
                  cache: Cache) -> tuple[list, list[tuple[str, str]]] | None:
    """What the verdicts of a run depend on besides the configuration (the cache's key), as the cache knows the
    files: each file's content digest and module name (an ``__init__.py`` added above the tree renames modules),
    and the anchor of NIL403; with the files touched since (stat changed, bytes not), whose new stat the cache
    should keep. None when the last run cannot have had these inputs (a file new to the cache or changed) or when
    it cannot be told: the run then judges every file afresh, each under its own guard."""
    try:
        rows, touched = [], []
        for source in sources:
            if source.content is not None:
                return None  # an editor's buffer: its verdicts are not kept
            _, info = check_source(source, config.max_file_bytes)
            module = module_name_for(source.path, package_dirs)
            entry = cache.lookup(source.path, info, module)
            if entry is None:
                entry = _same_content(source, config, cache, info, module)
                if entry is None:
                    return None
                touched.append((entry["path"], entry["stat"]))
            rows.append([os.path.abspath(source.path), source.path, source.named, entry["digest"], module])
        return [anchor, rows], touched
    except (Skipped, Exception, RecursionError, MemoryError):  # noqa: BLE001 - the normal path reports it
        return None


def _run_inputs(sources: list[SourceFile], examined: dict[str, Examined], anchor: str | None) -> list | None:
    """The same inputs, as this run read them (what :func:`_known_inputs` will find next time)."""
    rows = []
    for source in sources:
        item = examined.get(source.path)
        if source.content is not None or item is None or item.entry is None:
            return None  # a buffer, a file that could not be read, an internal error: judged afresh next time
        rows.append([os.path.abspath(source.path), source.path, source.named, item.entry["digest"],
                     item.entry["module"]])
    return [anchor, rows]


def _from_cache(source: SourceFile, config: Config, cache: Cache | None,
                package_dirs: dict[str, bool]) -> Examined | None:
    """A file whose stat and module name are unchanged since the cache was written, without reading it; or one
    whose stat changed (a checkout, a touch) but whose bytes did not."""
    if cache is None or source.content is not None:
        return None
    try:
        _, info = check_source(source, config.max_file_bytes)
    except Skipped:
        return None  # examined normally, which reports why
    module = module_name_for(source.path, package_dirs)  # a new ``__init__.py`` renames the module
    entry = cache.lookup(source.path, info, module)
    if entry is None:
        entry = _same_content(source, config, cache, info, module)
        if entry is None:
            return None
    if not entry["parsed"]:
        return Examined(source, token_free=True, entry=entry, cached=True) if not source.named else None
    kept = cache.facts_of(entry)
    if kept is None:
        return None
    facts, noqa = kept
    facts.path = source.path  # shown as this run names it (``./a.py`` and ``a.py`` share one entry)
    return Examined(source, facts=facts, noqa=noqa, entry=entry, cached=True)


def _same_content(source: SourceFile, config: Config, cache: Cache, info: os.stat_result, module: str) -> dict | None:
    """The entry of a file whose stat changed but whose content digest did not, updated to its new stat."""
    from .cache import digest, stat_text

    entry = cache.entry_of(source.path, module)
    if entry is None:
        return None
    try:
        data, _ = open_source(source, config.max_file_bytes)
    except Skipped:
        return None
    return dict(entry, stat=stat_text(info)) if digest(data) == entry["digest"] else None


def _analyse_now(item: Examined, config: Config, package_dirs: dict[str, bool], analysed: list[Examined]) -> None:
    """Parse a file the prefilter had left, because a name it mentions matters now."""
    source = item.source
    if item.late is None:
        try:
            data, info = open_source(source, config.max_file_bytes)
            item.facts, item.noqa = analyse_bytes(data, source.path, config,
                                                  module_name_for(source.path, package_dirs))
            item.entry = (_entry(info, data, item.facts.module, item.facts, item.noqa)
                          if item.entry is not None else None)
        except Skipped as skipped:
            item.skipped = str(skipped)
        except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001
            item.facts = ENGINE.internal_error(source.path, _safe_module_name(source.path), exc)
        item.late = (item.facts, item.noqa, item.skipped)
    item.facts, item.noqa, item.skipped = item.late
    item.token_free = False
    if item.facts is not None:
        analysed.append(item)


def _loader(unparsed: dict[str, Examined], config: Config, package_dirs: dict[str, bool], analysed: list[Examined],
            outside: dict[str, list[int] | None]):
    """Module name -> facts for a file the prefilter left unparsed, parsed when the project needs it to
    resolve a name (an intermediate base class, an emitter's class)."""
    by_module: dict[str, Examined] | None = None

    def load(name: str, value_only: bool) -> ModuleFacts | None:
        nonlocal by_module
        if by_module is None:
            by_module = {}
            for item in unparsed.values():
                by_module.setdefault(module_name_for(item.source.path, package_dirs), item)
        item = by_module.get(name)
        if item is None:
            return _outside(name, config, outside)
        if not item.token_free or value_only:
            return None  # token-free: it names nothing of the API, so no value it gives can be one
        _analyse_now(item, config, package_dirs, analysed)
        return item.facts

    return load


def _outside(name: str, config: Config, probed: dict[str, list[int] | None]) -> ModuleFacts | None:
    """A module the paths given do not hold (a base class from a sibling package), read from the project root
    to resolve a name; its own findings are not reported, it was not asked for. ``probed`` records each path
    looked at with its stat (None: absent), on which the run's verdicts now depend."""
    root = os.path.abspath(config.root)
    base = os.path.join(root, *name.split("."))
    for path in (base + ".py", os.path.join(base, "__init__.py")):
        probed[path] = stat_or_none(path)
        if os.path.isfile(path):
            try:
                data, _ = open_source(SourceFile(path, root), config.max_file_bytes)
                facts, _ = analyse_bytes(data, os.path.relpath(path), config, name)
            except (Skipped, Exception, RecursionError, MemoryError):  # noqa: BLE001 - only a name to resolve
                return None
            facts.findings, facts.emits = [], []  # neither its findings nor its events: it was not asked for
            return facts
    return None


def _settle_prefilter(project: Project, unparsed: dict[str, Examined], config: Config, analysed: list[Examined],
                      cache: Cache | None, workers: Workers) -> set[str]:
    """Parse the files that mention a context-bound class found so far, until no new name appears.
    Returns every name the token-free files were checked against (the cache keeps it)."""
    checked: set[str] = set(cache.names) if cache is not None else set()
    names = project_names(project)
    # What each token-free file was searched for already: nothing when found token-free in this run, the cache's
    # names when taken from it, what earlier runs searched when the history's memo kept it.
    known = {path: item.checked if item.checked is not None else frozenset(checked if item.cached else ())
             for path, item in unparsed.items()}
    unions: dict[tuple[frozenset[str], frozenset[str]], frozenset[str]] = {}

    def union(before: frozenset[str], more: frozenset[str]) -> frozenset[str]:
        """One set per distinct union: thousands of token-free files were searched for the same few hundred names
        (one copy each was a third of a cold run's memory)."""
        return unions.setdefault((before, more), before | more)

    while True:
        asked = []
        unsearched: dict[frozenset[str], frozenset[str]] = {}  # what was searched -> what is left: one set each
        for path, item in unparsed.items():
            if item.token_free:
                wanted = unsearched.get(known[path])
                if wanted is None:
                    wanted = unsearched[known[path]] = frozenset(names - known[path])
                if wanted:
                    asked.append((item, wanted))
        selected = []
        searches = [(item.source, wanted, item.late is None) for item, wanted in asked]
        for (item, wanted), (mentioned, result) in zip(asked, workers.search(searches, config, cache is not None)):
            if not mentioned:
                known[item.source.path] = item.checked = union(known[item.source.path], wanted)
                continue
            if result is not None:
                item.late, item.entry = (result.facts, result.noqa, result.skipped), result.entry
            selected.append(item)
        checked |= names
        for item in selected:
            (item.facts, item.noqa, item.skipped), item.token_free = item.late, False
            if item.facts is not None:
                analysed.append(item)
                project.add(item.facts)
        project.forget_types()
        grown = project_names(project)
        if not selected and grown <= checked:
            return checked
        names = grown


def _search_batch(batch: list[tuple[SourceFile, frozenset[str], bool]], config: Config,
                  keep: bool) -> list[tuple[bool, Examined | None]]:
    """For each (file, names, parse it): whether the file mentions one of the names (as a whole identifier), and
    when it does and it is to be parsed, the file examined. Done where the file is parsed: one pass, in parallel."""
    package_dirs: dict[str, bool] = {}
    found = []
    for source, names, wanted in batch:
        try:
            data, _ = open_source(source, config.max_file_bytes)
        except Skipped:
            found.append((False, None))  # examined once already; vanished since: nothing to add
            continue
        seen = searchable(data)
        if seen is not None and not _pattern(names).search(seen):
            found.append((False, None))
        else:
            found.append((True, examine(source, config, None, package_dirs, keep) if wanted else None))
    return found


@functools.lru_cache(maxsize=16)
def _pattern(names: frozenset[str]):
    return names_pattern(names)


def _from_memo(memo: dict, source: SourceFile) -> Examined | None:
    """What an earlier run of the history read of this blob at this path; a file the prefilter let be there is
    token-free again here (its facts kept for when a name selects it), as a plain run on this tree would see it."""
    item = memo.get((source.blob, source.path))
    if item is not None and item.late is not None:
        item.facts, item.noqa, item.skipped, item.token_free = None, {}, None, True
    return item


def _safe_module_name(path: str) -> str:
    try:
        return module_name_for(path)
    except (Exception, RecursionError):  # noqa: BLE001 - only a label for the NIL901 record
        return path


def _results(path: str, findings: list[Finding]) -> list[Result]:
    return [Result(path, f.line, f.col, f.code, f.message) for f in findings]
