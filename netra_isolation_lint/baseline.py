"""Baselines for gradual adoption: accept today's findings, fail only on new ones, report fixed ones.

A baseline is JSON::

    {"version": 1, "tool": "netra-isolation-lint", "tool_version": "0.1.0",
     "entries": [{"code": "NIL101", "path": "app/agents/report.py", "scope": "ReportAgent._send_update",
                  "fingerprint": "<sha256>", "message": "...", "count": 1}, ...]}

Matching is a multiset over fingerprints (see :mod:`fingerprint`): an entry with ``count: 2`` absorbs
two identical findings; a third is new. Internal errors (NIL901) are never recorded or absorbed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass

from . import __version__
from .fingerprint import SourceIndex
from .runner import Result

BASELINE_VERSION = 1
TOOL = "netra-isolation-lint"
NEVER_BASELINED = frozenset({"NIL901"})
MAX_BASELINE_BYTES = 64 * 1024 * 1024


class BaselineError(Exception):
    """The baseline file cannot be used; the message is one line."""


@dataclass(frozen=True)
class Entry:
    code: str
    path: str
    scope: str
    fingerprint: str
    message: str
    count: int


def entries_for(results: list[Result], index: SourceIndex) -> list[Entry]:
    counts: Counter[str] = Counter()
    first: dict[str, Result] = {}
    for result in results:
        if result.code in NEVER_BASELINED:
            continue
        fingerprint = index.fingerprint(result)
        counts[fingerprint] += 1
        first.setdefault(fingerprint, result)
    entries = [
        Entry(r.code, index.relative(r.path), index.scope(r), fp, r.message, counts[fp]) for fp, r in first.items()
    ]
    entries.sort(key=lambda e: (e.path, e.code, e.scope, e.fingerprint))
    return entries


def write(path: str, entries: list[Entry]) -> None:
    document = {
        "version": BASELINE_VERSION,
        "tool": TOOL,
        "tool_version": __version__,
        "entries": [
            {"code": e.code, "path": e.path, "scope": e.scope, "fingerprint": e.fingerprint,
             "message": e.message, "count": e.count}
            for e in entries
        ],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise BaselineError(f"{path}: cannot write baseline: {exc.strerror or type(exc).__name__}") from None


def load(path: str) -> list[Entry]:
    try:
        if os.path.isdir(path):
            raise BaselineError(f"{path}: is a directory, expected a baseline JSON file")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BASELINE_BYTES + 1)
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found (create it with --write-baseline {path})") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or type(exc).__name__}") from None
    if len(raw) > MAX_BASELINE_BYTES:
        raise BaselineError(f"{path}: baseline is larger than {MAX_BASELINE_BYTES} bytes")
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BaselineError(f"{path}: baseline is not valid UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}:{exc.colno}: baseline is not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise BaselineError(f"{path}: baseline is not valid JSON: nesting too deep") from None
    return _entries(path, document)


def _entries(path: str, document: object) -> list[Entry]:
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise BaselineError(f"{path}: not a netra-isolation-lint baseline (expected an object with 'entries')")
    version = document.get("version")
    if version != BASELINE_VERSION:
        raise BaselineError(f"{path}: unsupported baseline version {version!r} (expected {BASELINE_VERSION}); "
                            "regenerate it with --write-baseline")
    entries = []
    for number, item in enumerate(document["entries"]):
        if not isinstance(item, dict):
            raise BaselineError(f"{path}: entries[{number}]: expected an object")
        values = {}
        for key in ("code", "path", "scope", "fingerprint", "message"):
            value = item.get(key, "" if key == "message" else None)
            if not isinstance(value, str) or (key != "message" and not value):
                raise BaselineError(f"{path}: entries[{number}].{key}: expected a non-empty string")
            values[key] = value
        count = item.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise BaselineError(f"{path}: entries[{number}].count: expected a positive integer")
        entries.append(Entry(count=count, **values))
    return entries


@dataclass
class Outcome:
    new: list[Result]
    fixed: list[tuple[Entry, int]]  # entry and how many of its occurrences no longer occur


def apply(results: list[Result], entries: list[Entry], index: SourceIndex, in_scope) -> Outcome:
    """Drop baselined findings (multiset on fingerprints). ``in_scope(entry)`` says whether this run could
    have seen the entry at all (its file was linted, its code selected); others are neither matched nor fixed.
    """
    remaining: Counter[str] = Counter()
    for entry in entries:
        remaining[entry.fingerprint] += entry.count
    new = []
    for result in results:
        if result.code in NEVER_BASELINED:
            new.append(result)
            continue
        fingerprint = index.fingerprint(result)
        if remaining[fingerprint] > 0:
            remaining[fingerprint] -= 1
        else:
            new.append(result)
    fixed = []
    for entry in entries:
        left = min(entry.count, remaining[entry.fingerprint])
        if left > 0 and in_scope(entry):
            fixed.append((entry, left))
        remaining[entry.fingerprint] -= left
    return Outcome(new, fixed)
