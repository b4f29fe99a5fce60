"""Line-independent fingerprints and per-finding source facts, computed only when a format needs them.

The runner keeps no source text and no scopes. Baselines, SARIF and GitLab reports need both, so this
module re-reads *only the files that have findings*, through :func:`sources.read_source` with the same
path policy the runner used, at most once per file per run. A file reported as NIL902 (refused by the
path policy, too large, unreadable) is never read again, whatever other findings say.

Fingerprint = sha256 over: rule code, path (POSIX, relative to the current directory), the enclosing
scope (``Agent._send_update``, ``<module>``) and the whitespace-collapsed source line. No line or column
numbers, so inserting lines above a finding or re-indenting it does not change its identity.
"""

from __future__ import annotations

import ast
import os
import re

from .engine import parse, relative_posix
from .runner import Report, Result, decode
from .sources import SourceFile, Skipped, read_source

MODULE_SCOPE = "<module>"
# Findings about the whole project (reported against a directory, the config file or the first file
# given): no source line belongs to them, so their message (which names the event) identifies them.
PROJECT_WIDE = frozenset({"NIL403"})
FINGERPRINT_VERSION = "v1"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what the tokenizer counts as a new line (not \f, \u2028, ...)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_STATEMENT_LISTS = ("body", "orelse", "finalbody", "handlers", "cases")


def normalise(line: str) -> str:
    """The source line with runs of whitespace collapsed to one space, stripped."""
    return " ".join(line.split())


def compute(code: str, path: str, scope: str, snippet: str) -> str:
    import hashlib  # deferred: only baseline, SARIF and GitLab output pay for it

    payload = "\0".join((FINGERPRINT_VERSION, code, path, scope, snippet))
    return hashlib.sha256(payload.encode("utf-8", "surrogateescape")).hexdigest()


def salted(fingerprint: str, occurrence: int) -> str:
    """A distinct fingerprint for the n-th (n >= 1) repeat of an identical fingerprint in one file."""
    if occurrence == 0:
        return fingerprint
    import hashlib

    return hashlib.sha256(f"{fingerprint}:{occurrence}".encode("ascii")).hexdigest()


def scope_spans(tree: ast.AST) -> list[tuple[int, int, int, str]]:
    """(first line, last line, depth, qualified name) of every def and class, without recursion.

    Definitions are statements, so only statement lists are followed; expressions are never entered.
    """
    spans: list[tuple[int, int, int, str]] = []
    stack: list[tuple[ast.AST, str, int]] = [(tree, "", 0)]
    while stack:
        node, prefix, depth = stack.pop()
        for field in _STATEMENT_LISTS:
            children = getattr(node, field, None)
            if not isinstance(children, list):
                continue
            for child in children:
                if isinstance(child, _SCOPES):
                    name = f"{prefix}.{child.name}" if prefix else child.name
                    end = getattr(child, "end_lineno", None) or child.lineno
                    spans.append((child.lineno, end, depth + 1, name))
                    stack.append((child, name, depth + 1))
                elif isinstance(child, ast.AST):
                    stack.append((child, prefix, depth))
    spans.sort()
    return spans


def innermost(spans: list[tuple[int, int, int, str]], line: int) -> str:
    best: tuple[int, int, int, str] | None = None
    for span in spans:
        if span[0] > line:
            break  # sorted by first line: nothing later can contain ``line``
        if span[1] >= line and (best is None or (span[0], span[2]) > (best[0], best[2])):
            best = span
    return best[3] if best else MODULE_SCOPE


class _File:
    __slots__ = ("lines", "spans", "data")

    def __init__(self, data: bytes | None):
        self.data = data
        self.lines: list[str] | None = _LINE_BREAK.split(decode(data)) if data is not None else None
        self.spans: list[tuple[int, int, int, str]] | None = None


class SourceIndex:
    """Per-run cache: each file with findings is read at most once and parsed at most once."""

    def __init__(self, report: Report, sources: list[SourceFile] | None = None, max_bytes: int | None = None,
                 cwd: str | None = None):
        from .config import DEFAULTS

        self.cwd = cwd or os.getcwd()
        self.max_bytes = max_bytes if max_bytes is not None else DEFAULTS.max_file_bytes
        # With the runner's sources, only those files are ever read (never a project anchor such as the
        # config file a whole-project finding is reported against); without them, any regular file.
        self._restricted = sources is not None
        self._sources = {s.path: s for s in sources or ()}
        self.refused = {r.path for r in report.results if r.code == "NIL902"}
        self.unparsed = {r.path for r in report.results if r.code == "NIL900"}
        self._files: dict[str, _File] = {}
        self._relative: dict[str, str] = {}
        self._fingerprints: dict[Result, str] = {}

    # -- reading ---------------------------------------------------------------------------------
    def _file(self, path: str) -> _File:
        cached = self._files.get(path)
        if cached is not None:
            return cached
        data = None
        if path not in self.refused and (not self._restricted or path in self._sources):
            # Without the runner's SourceFile, a symlink may not even leave its own directory.
            source = self._sources.get(path) or SourceFile(path, os.path.dirname(os.path.abspath(path)))
            try:
                data = read_source(source, self.max_bytes)
            except Skipped:
                data = None
        entry = self._files[path] = _File(data)
        return entry

    def source_line(self, result: Result) -> str | None:
        """The finding's own physical line; None for whole-project and skipped-file findings."""
        if result.code in PROJECT_WIDE or result.code == "NIL902":
            return None
        return self.line_text(result.path, result.line)

    def line_text(self, path: str, line: int) -> str | None:
        """The physical line, or None when the file was refused, unreadable or the line does not exist."""
        if path in self.refused:
            return None
        lines = self._file(path).lines
        if lines is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]

    # -- facts per finding -----------------------------------------------------------------------
    def relative(self, path: str) -> str:
        cached = self._relative.get(path)
        if cached is None:
            cached = self._relative[path] = relative_posix(path, self.cwd)
        return cached

    def scope(self, result: Result) -> str:
        if (result.code == "NIL902" or result.code in PROJECT_WIDE or result.path in self.refused
                or result.path in self.unparsed):
            return MODULE_SCOPE
        entry = self._file(result.path)
        if entry.spans is None:
            entry.spans = []
            if entry.data is not None:
                try:
                    entry.spans = scope_spans(parse(entry.data, result.path))
                except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
                    entry.spans = []
            entry.data = None  # the bytes are not needed once the scopes are known
        return innermost(entry.spans, result.line)

    def fingerprint(self, result: Result) -> str:
        cached = self._fingerprints.get(result)
        if cached is None:
            snippet = ""
            if result.code != "NIL902":  # a skipped file is never read; its reason text is not stable
                text = self.source_line(result)
                # No source line (a whole-project finding, or a file gone since the run): the message
                # tells such findings apart (NIL403 names the event).
                snippet = normalise(text if text is not None else result.message)
            cached = compute(result.code, self.relative(result.path), self.scope(result), snippet)
            self._fingerprints[result] = cached
        return cached

    def unique_fingerprints(self, results: list[Result]) -> list[str]:
        """Fingerprints made unique per file: repeats get a counter salt (first occurrence unchanged)."""
        seen: dict[tuple[str, str], int] = {}
        unique = []
        for result in results:
            base = self.fingerprint(result)
            key = (result.path, base)
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            unique.append(salted(base, occurrence))
        return unique

    def column(self, result: Result) -> int:
        """1-based character column. ast gives UTF-8 byte offsets; convert with the source line if known."""
        byte_col = max(0, result.col)
        if result.code == "NIL900":
            return byte_col + 1  # from SyntaxError.offset, which already counts characters
        text = self.source_line(result)
        if text is None:
            return byte_col + 1
        encoded = text.encode("utf-8", "surrogatepass")
        if byte_col > len(encoded):
            return byte_col + 1
        return len(encoded[:byte_col].decode("utf-8", "ignore")) + 1
