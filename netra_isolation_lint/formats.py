"""Report formats. Every string that comes from the analysed tree is escaped before it is shown.

Each format is ``fn(report, index=None, **options) -> str``. ``index`` is a :class:`fingerprint.SourceIndex`
(source lines, scopes, fingerprints); formats that need one build it lazily when none is passed, so
``text`` and ``json`` never read a file again and never import hashlib.

Severity mappings (rule severity -> format):

========== ============ ============= ============== =========
severity   SARIF level  GitHub        GitLab         rdjson
========== ============ ============= ============== =========
error      error        ``::error``   critical       ERROR
warning    warning      ``::warning`` major          WARNING
info       note         ``::notice``  minor          INFO
========== ============ ============= ============== =========
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from .registry import RULES
from .runner import Report, Result

if TYPE_CHECKING:  # pragma: no cover
    from .fingerprint import SourceIndex

TOOL_NAME = "netra-isolation-lint"
INFORMATION_URI = "https://github.com/netra-systems/netra-isolation-lint"
SARIF_SCHEMA = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
SARIF_FINGERPRINT_KEY = "netraIsolation/v1"
SRCROOT = "%SRCROOT%"

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
GITHUB_ANNOTATION_CAP = 10  # per type and step (50 per job); the rest are dropped silently
GITLAB_SEVERITY = {"error": "critical", "warning": "major", "info": "minor"}
RDJSON_SEVERITY = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch.isprintable():
        return ch
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str) -> str:
    """Escape control characters, bidi overrides and other invisibles so output cannot drive a terminal."""
    return text if text.isprintable() else "".join(map(_escape, text))


def severity(code: str) -> str:
    rule = RULES.get(code)
    return rule.severity if rule is not None else "warning"


def _index(report: Report, index: SourceIndex | None) -> SourceIndex:
    if index is not None:
        return index
    from .fingerprint import SourceIndex

    return SourceIndex(report)


def _dumps(document: object) -> str:
    import json  # deferred: the text format never needs it

    return json.dumps(document, indent=2) + "\n"


# -- text ----------------------------------------------------------------------------------------------
# ANSI SGR sequences, ruff's palette: the path bold, the separators cyan, the code and the caret by severity.
BOLD, RESET, CYAN, GREEN = "\x1b[1m", "\x1b[0m", "\x1b[36m", "\x1b[1;32m"
SEVERITY_COLOUR = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "info": "\x1b[1;34m"}
TAB_STOP = 8


def text(report: Report, index: SourceIndex | None = None, *, show_source: bool = False, color: bool = False,
         **_: object) -> str:
    """flake8's ``path:line:col: code message`` lines; with ``show_source``, each finding's source line and a
    caret under its column. ``color`` adds ANSI colours; every text from the analysed tree is escaped first."""
    if show_source:
        index = _index(report, index)
    out = []
    for r in report.results:
        path, message = printable(r.path), printable(r.message)
        if color:
            tone = SEVERITY_COLOUR.get(severity(r.code), SEVERITY_COLOUR["warning"])
            colon = f"{CYAN}:{RESET}"
            out.append(f"{BOLD}{path}{RESET}{colon}{r.line}{colon}{r.col + 1}{colon} {tone}{r.code}{RESET} {message}\n")
            caret = f"{tone}^{RESET}"
        else:
            out.append(f"{path}:{r.line}:{r.col + 1}: {r.code} {message}\n")
            caret = "^"
        # None for a project-wide finding and a skipped (NIL902) file; an unparseable file (NIL900) has lines.
        line = index.source_line(r) if show_source else None
        if line is not None:
            shown, _ = displayed(line)
            _, pad = displayed(line[:index.column(r) - 1])
            out.append(f"    {shown.rstrip()}\n    {' ' * pad}{caret}\n")
    return "".join(out)


def displayed(line: str) -> tuple[str, int]:
    """``line`` as a terminal shows it and how many columns it takes: escaped as :func:`printable` does, tabs
    expanded to the next multiple of 8 columns, East Asian wide and fullwidth characters two columns wide,
    combining marks none. The caret goes under the finding's column whatever comes before it."""
    import unicodedata  # only --show-source needs it

    out = []
    width = 0
    for ch in line:
        if ch == "\t":
            shown = " " * (TAB_STOP - width % TAB_STOP)
            columns = len(shown)
        else:
            shown = _escape(ch)
            if shown != ch:
                columns = len(shown)  # an ASCII escape sequence
            elif unicodedata.combining(ch):
                columns = 0
            else:
                columns = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        out.append(shown)
        width += columns
    return "".join(out), width


def summary(report: Report, *, color: bool = False) -> str:
    """The line after a text report on a terminal: how many findings, in how many files checked, and how many
    of those the cache answered for without reading them."""
    cached = f" ({_count(report.cached, 'file')} checked from cache)" if report.cached else ""
    if report.results:
        line = f"Found {_count(len(report.results), 'finding')} in {_count(report.files, 'file')}{cached}."
        return f"{BOLD}{line}{RESET}\n" if color else line + "\n"
    line = f"No findings in {_count(report.files, 'file')}{cached}."
    return f"{GREEN}{line}{RESET}\n" if color else line + "\n"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


# -- json ----------------------------------------------------------------------------------------------
def json_format(report: Report, index: SourceIndex | None = None, **_: object) -> str:
    rows = [
        {"path": r.path, "line": r.line, "col": r.col + 1, "code": r.code, "message": r.message,
         "severity": RULES[r.code].severity, "symbol": RULES[r.code].slug}
        for r in report.results
    ]
    return _dumps(rows)


# -- SARIF 2.1.0 ---------------------------------------------------------------------------------------
def _artifact_location(path: str, index: SourceIndex) -> dict[str, str]:
    """A relative URI reference below %SRCROOT% (the current directory), each segment percent-encoded."""
    from urllib.parse import quote

    relative = index.relative(path)
    if relative == ".." or relative.startswith("../") or os.path.isabs(relative):
        from pathlib import Path

        return {"uri": Path(os.path.abspath(path)).as_uri()}
    segments = [quote(os.fsencode(segment), safe="") for segment in relative.split("/")]
    return {"uri": "/".join(segments), "uriBaseId": SRCROOT}


def _srcroot_uri(cwd: str) -> str:
    from pathlib import Path

    uri = Path(os.path.abspath(cwd)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def sarif_rules() -> list[dict]:
    rules = []
    for rule in RULES.values():
        page = rule.doc_page()
        rules.append({
            "id": rule.code,
            "name": rule.slug,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": page},
            "help": {"text": page, "markdown": page},
            "helpUri": rule.help_uri,
            "defaultConfiguration": {"level": SARIF_LEVEL.get(rule.severity, "warning")},
            "properties": {"tags": ["multi-user-isolation"], "pylintMessageId": rule.pylint_msgid},
        })
    return rules


def sarif(report: Report, index: SourceIndex | None = None, *,
          suppressed: Sequence[tuple[Result, str]] = (), fixes: Mapping = MappingProxyType({}), **_: object) -> str:
    """One SARIF 2.1.0 run. ``suppressed`` (``--include-suppressed``): findings a ``# noqa`` suppressed, with the
    comment's reason, emitted after the others with ``suppressions: [{"kind": "inSource"}]``, which SARIF
    viewers and code scanning treat as suppressed rather than open."""
    from . import __version__

    index = _index(report, index)
    rule_index = {code: position for position, code in enumerate(RULES)}
    everything = report.results + [r for r, _ in suppressed]
    # The reported results first: their fingerprints (and repeat salts) are those of a run without suppressed ones.
    fingerprints = index.unique_fingerprints(everything)
    reasons = [None] * len(report.results) + [reason for _, reason in suppressed]
    results = []
    for r, fingerprint, reason in zip(everything, fingerprints, reasons):
        result = {
            "ruleId": r.code,
            "ruleIndex": rule_index[r.code],
            "level": SARIF_LEVEL.get(severity(r.code), "warning"),
            "message": {"text": r.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": _artifact_location(r.path, index),
                    "region": {"startLine": max(1, r.line), "startColumn": max(1, index.column(r))},
                },
            }],
            "partialFingerprints": {SARIF_FINGERPRINT_KEY: fingerprint},
        }
        if reason is not None:
            result["suppressions"] = [{"kind": "inSource", **({"justification": reason} if reason else {})}]
        if r in fixes:
            safety, edits, _ = fixes[r]
            result["fixes"] = [{
                "description": {"text": f"{safety} fix (netra-isolation-lint --fix"
                                        f"{'' if safety == 'safe' else ' --unsafe-fixes'})"},
                "artifactChanges": [{
                    "artifactLocation": _artifact_location(r.path, index),
                    "replacements": [{"deletedRegion": {"byteOffset": e.start, "byteLength": e.end - e.start},
                                      "insertedContent": {"text": e.text.decode("utf-8")}} for e in edits],
                }],
            }]
        results.append(result)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": TOOL_NAME,
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": sarif_rules(),
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": _srcroot_uri(index.cwd)}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": not report.internal_errors}],
            "results": results,
        }],
    }
    return _dumps(document)


# -- GitHub Actions workflow commands ------------------------------------------------------------------
def escape_data(value: str) -> str:
    """actions/toolkit ``escapeData``; remaining control characters are then made visible."""
    return printable(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(value: str) -> str:
    """actions/toolkit ``escapeProperty``: like data, plus ``:`` and ``,``."""
    escaped = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(escaped.replace(":", "%3A").replace(",", "%2C"))


def github(report: Report, index: SourceIndex | None = None, **_: object) -> str:
    index = _index(report, index)
    lines = []
    for r in report.results:
        command = GITHUB_COMMAND.get(severity(r.code), "warning")
        properties = ",".join((
            f"file={escape_property(index.relative(r.path))}",
            f"line={max(1, r.line)}",
            f"col={max(1, index.column(r))}",
            f"title={escape_property(r.code)}",
        ))
        lines.append(f"::{command} {properties}::{escape_data(r.message)}\n")
    counts: dict[str, int] = {}
    for r in report.results:
        command = GITHUB_COMMAND.get(severity(r.code), "warning")
        counts[command] = counts.get(command, 0) + 1
    over = {command: n for command, n in counts.items() if n > GITHUB_ANNOTATION_CAP}
    if over:  # GitHub drops annotations beyond the cap without a word; say so in one that is shown
        summary = ", ".join(f"{n} {command}s" for command, n in sorted(over.items()))
        lines.append(f"::notice title={TOOL_NAME}::{summary} reported; GitHub shows only the first "
                     f"{GITHUB_ANNOTATION_CAP} annotations of each type per step. See the full report "
                     "(--format text, or --format sarif for code scanning).\n")
    return "".join(lines)


# -- GitLab Code Quality -------------------------------------------------------------------------------
def gitlab(report: Report, index: SourceIndex | None = None, **_: object) -> str:
    index = _index(report, index)
    fingerprints = index.unique_fingerprints(report.results)
    issues = [
        {
            "description": f"{r.code} {r.message}",
            "check_name": r.code,
            "fingerprint": fingerprint,
            "severity": GITLAB_SEVERITY.get(severity(r.code), "major"),
            "location": {"path": index.relative(r.path), "lines": {"begin": max(1, r.line)}},
        }
        for r, fingerprint in zip(report.results, fingerprints)
    ]
    return _dumps(issues)


# -- reviewdog Diagnostic Format (rdjson) --------------------------------------------------------------
def rdjson(report: Report, index: SourceIndex | None = None, *, fixes: Mapping = MappingProxyType({}),
           **_: object) -> str:
    index = _index(report, index)
    diagnostics = []
    for r in report.results:
        rule = RULES.get(r.code)
        diagnostic = {
            "message": r.message,
            "location": {
                "path": index.relative(r.path),
                # rdjson columns are 1-based UTF-8 byte counts, which is what ast gives (0-based).
                "range": {"start": {"line": max(1, r.line), "column": max(0, r.col) + 1}},
            },
            "severity": RDJSON_SEVERITY.get(severity(r.code), "WARNING"),
            "code": {"value": r.code, "url": rule.help_uri if rule else INFORMATION_URI},
        }
        if r in fixes:  # reviewdog offers each as a suggested change
            _, edits, data = fixes[r]
            diagnostic["suggestions"] = [{"range": {"start": _position(data, e.start), "end": _position(data, e.end)},
                                          "text": e.text.decode("utf-8")} for e in edits]
        diagnostics.append(diagnostic)
    present = {severity(r.code) for r in report.results}
    overall = next((RDJSON_SEVERITY[s] for s in ("error", "warning", "info") if s in present), "UNKNOWN_SEVERITY")
    return _dumps({"source": {"name": TOOL_NAME, "url": INFORMATION_URI}, "severity": overall,
                   "diagnostics": diagnostics})


def _position(data: bytes, offset: int) -> dict:
    """rdjson's position of a byte offset: 1-based line, 1-based column in UTF-8 bytes."""
    return {"line": data.count(b"\n", 0, offset) + 1, "column": offset - (data.rfind(b"\n", 0, offset) + 1) + 1}


# -- statistics ----------------------------------------------------------------------------------------
def statistics(results: list[Result], cwd: str | None = None) -> str:
    """Counts per code (with the rule's symbol) and per top-level directory: the migration's remaining work."""
    from collections import Counter

    from .engine import relative_posix

    cwd = cwd or os.getcwd()
    by_code = Counter(r.code for r in results)
    by_directory: Counter[str] = Counter()
    for r in results:
        parts = relative_posix(r.path, cwd).split("/")
        by_directory[parts[0] if len(parts) > 1 else "."] += 1
    width = max(5, len(str(len(results))))
    out = ["Findings by rule:\n"]
    for code in sorted(by_code):
        slug = RULES[code].slug if code in RULES else ""
        out.append(f"  {by_code[code]:>{width}}  {code}  {slug}\n")
    out.append("Findings by top-level directory:\n")
    for directory in sorted(by_directory):
        out.append(f"  {by_directory[directory]:>{width}}  {printable(directory)}\n")
    files = len({r.path for r in results})
    out.append(f"  {len(results):>{width}}  total in {files} file{'s' if files != 1 else ''}\n")
    return "".join(out)


FORMATS: dict[str, Callable[..., str]] = {
    "text": text,
    "json": json_format,
    "sarif": sarif,
    "github": github,
    "gitlab": gitlab,
    "rdjson": rdjson,
}
MACHINE_FORMATS = frozenset(FORMATS) - {"text"}


# ---------------------------------------------------------------------- progress on a terminal
PROGRESS_DELAY = 1.0  # seconds before the progress line appears: a quicker run never shows one
PROGRESS_INTERVAL = 0.1  # seconds between two redraws


class Progress:
    """``N/M files checked`` on one line of stderr, redrawn in place, erased before anything else is printed."""

    def __init__(self, stream):
        self.stream = stream
        self.due = time.monotonic() + PROGRESS_DELAY
        self.width = 0

    def __call__(self, done: int, total: int) -> None:
        self.show(f"netra-isolation-lint: {done}/{total} files checked")

    def show(self, line: str) -> None:
        now = time.monotonic()
        if now < self.due:
            return
        self.due = now + PROGRESS_INTERVAL
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def erase(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
