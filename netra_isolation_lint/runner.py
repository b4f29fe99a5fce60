"""Lint a set of files as one project: read, parse, walk, judge across modules, apply suppressions."""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass, field

from .checker import analyze_tree, finish, internal_error, parse, project_findings
from .config import Config
from .engine import module_name_for
from .facts import Finding, ModuleFacts
from .noqa import filter_noqa
from .project import Project
from .registry import RULES
from .sources import SourceFile, Skipped, read_source


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


def lint(sources: list[SourceFile], config: Config, project_anchor: str | None = None) -> Report:
    """Check ``sources`` as one project. With ``project_anchor`` (a directory or several files were
    given), project-wide findings (NIL403) are reported against that path."""
    report = Report(files=len(sources))
    analysed: list[tuple[ModuleFacts, str | None]] = []
    package_dirs: dict[str, bool] = {}
    for source in sources:
        # Why the outer try: analyze_tree already turns a rule's crash into NIL901, but reading, naming,
        # parsing and decoding run outside it; an unexpected error there must cost this file only (one
        # NIL901 for it) and never the findings of every other file.
        try:
            _analyse_one(source, config, package_dirs, analysed, report)
        except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - isolation is the point
            analysed.append((internal_error(source.path, _safe_module_name(source.path), exc), None))
    project = Project((facts for facts, _ in analysed), config)
    broken: set[tuple[str, int, int]] = set()  # emitter calls that will raise: they emit nothing (NIL403)
    for facts, text in analysed:
        try:  # the same per-file isolation for the verdicts, selection and ``# noqa``
            raw = project_findings(project, facts)
            broken.update((facts.path, f.line, f.col) for f in raw if f.code in ("NIL404", "NIL405"))
            findings = finish(raw, config, facts.path)
            if text is not None:
                findings = filter_noqa(findings, text)
        except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001
            findings = internal_error(facts.path, facts.module, exc).findings
        report.results.extend(_results(facts.path, findings))
    if project_anchor is not None:
        wide = project_wide_findings(project, broken)
        report.results.extend(_results(project_anchor, finish(wide, config, project_anchor)))
    report.results.sort()
    return report


def _analyse_one(source: SourceFile, config: Config, package_dirs: dict[str, bool],
                 analysed: list[tuple[ModuleFacts, str | None]], report: Report) -> None:
    try:
        data = read_source(source, config.max_file_bytes)
    except Skipped as skipped:
        finding = Finding(1, 0, "NIL902", RULES["NIL902"].format(reason=str(skipped)))
        report.results.extend(_results(source.path, finish([finding], config, source.path)))
        return
    module = module_name_for(source.path, package_dirs)
    try:
        tree = parse(data, source.path)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as exc:
        facts = ModuleFacts(path=source.path, module=module, findings=[unparseable(source.path, exc)])
        analysed.append((facts, None))
        return
    facts = analyze_tree(tree, source.path, config, module)
    del tree
    analysed.append((facts, decode(data) if b"noqa" in data.lower() else None))


def _safe_module_name(path: str) -> str:
    try:
        return module_name_for(path)
    except (Exception, RecursionError):  # noqa: BLE001 - only a label for the NIL901 record
        return path


def project_wide_findings(project: Project, broken: set[tuple[str, int, int]]) -> list[Finding]:
    from .rules.events import critical_events_never_emitted

    return [Finding(1, 0, "NIL403", RULES["NIL403"].format(event=event))
            for event in critical_events_never_emitted(project, broken)]


def _results(path: str, findings: list[Finding]) -> list[Result]:
    return [Result(path, f.line, f.col, f.code, f.message) for f in findings]
