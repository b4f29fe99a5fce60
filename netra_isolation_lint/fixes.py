"""``--fix`` / ``--diff``: apply the rules' fixes, each pass verified against the whole project.

Fixes are applied in passes until none is left (at most ``MAX_PASSES``). In a pass every file's edits are
applied together, an edit overlapping an earlier one waits for the next pass (semgrep's lesson), and a file
whose result does not parse is left as it was. The project is then linted again with the fixed contents: a
file whose fixes brought a finding that was not there before is put back, with the reason. Nothing is written
here; the caller writes (atomically) or prints a diff.
"""

from __future__ import annotations

import dataclasses
import io
import re
import tokenize
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .config import Config
from .engine import code_selected, parse
from .registry import RULES
from .rules.fix import SAFE, Edit, Source, Where
from .runner import Report, Result, lint
from .sources import SourceFile, Skipped, open_source

MAX_PASSES = 5
_LINE_REFERENCE = re.compile(r":\d+\b")  # a definition's path:line inside a message


@dataclass
class Outcome:
    original: dict[str, bytes] = field(default_factory=dict)  # path -> bytes before, for every changed file
    fixed: dict[str, bytes] = field(default_factory=dict)  # path -> bytes after
    applied: Counter = field(default_factory=Counter)  # code -> fixes applied
    refused: list[str] = field(default_factory=list)  # why a file's fixes were not kept
    next_steps: int = 0  # NIL203 at the call sites of classes the fixes taught to accept the context
    converged: bool = True
    report: Report = field(default_factory=Report)  # the findings left, judged on the fixed contents


def fix_project(sources: list[SourceFile], config: Config, *, unsafe: bool, anchor: str | None,
                jobs: int = 1) -> Outcome:
    outcome = Outcome()
    contents: dict[str, bytes] = {}

    def run(overlay: dict[str, bytes]) -> Report:
        with_overlay = [dataclasses.replace(s, content=overlay[s.path]) if s.path in overlay else s for s in sources]
        return lint(with_overlay, config, anchor, prefilter=True, jobs=jobs)

    def current(path: str) -> bytes | None:
        return contents[path] if path in contents else _read(path, sources, config)

    report = run(contents)
    before = report.results
    taught: set[str] = set()  # classes the kept fixes taught to accept the context
    refused: set[str] = set()  # files put back: not tried again
    for _ in range(MAX_PASSES):
        candidates: dict[str, tuple[bytes, Counter, set[str]]] = {}
        for path, (edits, codes, classes) in _edits(report, config, unsafe, current).items():
            if path in refused:
                continue
            fixed = apply_edits(current(path), edits)
            if not parses(fixed):
                outcome.refused.append(f"{path}: its fixes would make it unparseable; left as it was")
                refused.add(path)
                continue
            candidates[path] = (fixed, codes, classes)
        if not candidates:
            break
        trial = run({**contents, **{path: fixed for path, (fixed, _, _) in candidates.items()}})
        teaching = taught.union(*(classes for _, _, classes in candidates.values()))
        added, _ = _new_findings(before, trial, teaching)
        blame = _blame(added, set(candidates))
        for path in sorted(blame):
            new = blame[path]
            outcome.refused.append(f"{path}: its fixes would bring {new.code} at {new.path}:{new.line} "
                                   f"({new.message[:80]}); left as it was")
        refused |= set(blame)
        kept = {path: value for path, value in candidates.items() if path not in blame}
        if not kept:
            break
        for path, (fixed, codes, classes) in kept.items():
            if path not in outcome.original:
                outcome.original[path] = _read(path, sources, config)
            contents[path] = fixed
            outcome.applied.update(codes)
            taught |= classes
        report = run(contents) if blame else trial
    else:
        outcome.converged = not set(_edits(report, config, unsafe, current)) - refused
    outcome.next_steps = _new_findings(before, report, taught)[1]
    outcome.fixed = {path: data for path, data in contents.items() if data != outcome.original.get(path)}
    outcome.report = report
    return outcome


def _new_findings(before: list[Result], after: Report, taught: set[str]) -> tuple[list[Result], int]:
    """The findings ``after`` has beyond ``before``, and how many of them are the migration's next step.

    Counted per file and code: a fix moves lines and may change the message of a finding it leaves (NIL405's
    advice names the signature), so neither can tell a new finding from an old one. NIL203 where a class a fix
    taught to accept the context is created (or a class that inherits that ``__init__``) is the next step:
    reported, never a reason to put the fix back."""
    had, groups = _by_file_and_code(before), _by_file_and_code(after.results)
    modules = {m.path: m for m in getattr(after.project, "all_modules", ())}
    new: list[Result] = []
    steps = 0
    for key, results in sorted(groups.items()):
        earlier = had.get(key, [])
        extra = len(results) - len(earlier)
        if extra > 0 and key[1] == "NIL203":
            taught_now = sum(1 for r in results if _taught(r, after.project, modules.get(r.path), taught))
            taught_before = sum(1 for r in earlier if r.message.split("(")[0] in taught)
            allowed = min(extra, max(0, taught_now - taught_before))
            steps, extra = steps + allowed, extra - allowed
        if extra > 0:
            seen = Counter(_LINE_REFERENCE.sub("", r.message) for r in earlier)
            fresh = [r for r in results if seen[_LINE_REFERENCE.sub("", r.message)] <= 0]
            new.extend((fresh or results)[:extra])
    return new, steps


def _by_file_and_code(results: list[Result]) -> dict[tuple[str, str], list[Result]]:
    groups: dict[tuple[str, str], list[Result]] = {}
    for result in results:
        groups.setdefault((result.path, result.code), []).append(result)
    return groups


def _taught(result: Result, project, module, taught: set[str]) -> bool:
    """NIL203 for a class the fixes taught, itself or through the base whose ``__init__`` it inherits."""
    name = result.message.split("(")[0]
    if name in taught:
        return True
    created = next((i for i in getattr(module, "instantiations", ()) if (i.line, i.col) == (result.line, result.col)),
                   None)
    cls = project.class_info(created.callee, module) if created is not None else None
    return cls is not None and any(c.name in taught for c in project.hierarchy(cls))


def _blame(added: list[Result], candidates: set[str]) -> dict[str, Result]:
    """Which fixed files to put back for the new findings, each with one of them: the file the finding is in;
    for a finding elsewhere, the fixed files its message names (a call site names the definition it judged),
    else every file of the pass, since which one caused it cannot be told."""
    blame: dict[str, Result] = {}
    for result in added:
        named = {c for c in candidates if c == result.path or c in result.message} or candidates
        for culprit in named:
            blame.setdefault(culprit, result)
    return blame


def offered(report: Report, sources: list[SourceFile],
            config: Config) -> dict[Result, tuple[str, tuple[Edit, ...], bytes]]:
    """Each finding's fix as its rule offers it, one at a time and before any verification (SARIF ``fixes``,
    rdjson ``suggestions``: a reviewer applies them one by one): (safety, edits, the bytes they are offsets in)."""
    return {result: (safety, tuple(edits), data)
            for result, (safety, edits), data in _offers(report, config, lambda path: _read(path, sources, config))}


def fixable(code: str, config: Config) -> bool:
    """``fixable`` (default: every code) minus ``unfixable``, as ruff's pair."""
    return code_selected(code, config.fixable, config.unfixable)


def _edits(report: Report, config: Config, unsafe: bool,
           read: Callable[[str], bytes | None]) -> dict[str, tuple[list[Edit], Counter, set[str]]]:
    """Per file: its edits, the codes they fix, and the classes NIL201's fix teaches to accept the context."""
    edits: dict[str, tuple[list[Edit], Counter, set[str]]] = {}
    for result, (safety, made), _ in _offers(report, config, read):
        if safety != SAFE and not unsafe:
            continue
        found, codes, taught = edits.setdefault(result.path, ([], Counter(), set()))
        found.extend(made)
        codes[result.code] += 1
        if result.code == "NIL201":  # "<Class>.__init__ does not accept ...": its call sites come next
            taught.add(result.message.partition(".__init__")[0])
    return edits


def _offers(report: Report, config: Config,
            read: Callable[[str], bytes | None]) -> Iterator[tuple[Result, tuple[str, tuple[Edit, ...]], bytes]]:
    """Each fixable finding whose rule offers edits: (the finding, (safety, edits), the bytes they apply to)."""
    by_path: dict[str, list[Result]] = {}
    for result in report.results:
        rule = RULES.get(result.code)
        if rule is not None and rule.fix is not None and fixable(result.code, config):
            by_path.setdefault(result.path, []).append(result)
    project = report.project
    for path, results in by_path.items():
        data = read(path)
        source = source_of(data)
        if source is None:
            continue
        module = next((m for m in project.all_modules if m.path == path), None) if project is not None else None
        where = Where(config, project, module)
        for result in results:
            made = RULES[result.code].fix.fixer(source, result.line, result.col, where)
            if made is not None and made[1]:
                yield result, made, data


def source_of(data: bytes | None) -> Source | None:
    """The file's tree with byte offsets, only for UTF-8 files (ast columns are UTF-8 bytes of the text)."""
    if data is None:
        return None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        if encoding not in ("utf-8", "utf-8-sig"):
            return None
        return Source(data, parse(data, "<fix>"))
    except (SyntaxError, ValueError, RecursionError, MemoryError, LookupError):
        return None  # NIL900 files are not fixed


def apply_edits(data: bytes, edits: list[Edit]) -> bytes:
    """The edits applied from the end; one overlapping an edit already taken waits for the next pass."""
    for edit in reversed(non_overlapping(edits)):
        data = data[:edit.start] + edit.text + data[edit.end:]
    return data


def non_overlapping(edits: list[Edit]) -> list[Edit]:
    """The edits in order, each that overlaps one taken before it left out (identical ones count once)."""
    taken: list[Edit] = []
    for edit in sorted(set(edits)):
        if not taken or edit.start >= taken[-1].end:
            taken.append(edit)
    return taken


def parses(data: bytes) -> bool:
    try:
        parse(data, "<fix>")
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def _read(path: str, sources: list[SourceFile], config: Config) -> bytes | None:
    source = next((s for s in sources if s.path == path), None)
    if source is None:
        return None
    try:
        return open_source(source, config.max_file_bytes)[0]
    except Skipped:
        return None
