"""Report formats. Every string that comes from the analysed tree is escaped before it is shown."""

from __future__ import annotations

import json
from collections.abc import Callable

from .registry import RULES
from .runner import Report

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


def text(report: Report) -> str:
    return "".join(
        f"{printable(r.path)}:{r.line}:{r.col + 1}: {r.code} {printable(r.message)}\n" for r in report.results
    )


def json_format(report: Report) -> str:
    rows = [
        {"path": r.path, "line": r.line, "col": r.col + 1, "code": r.code, "message": r.message,
         "severity": RULES[r.code].severity, "symbol": RULES[r.code].slug}
        for r in report.results
    ]
    return json.dumps(rows, indent=2) + "\n"


FORMATS: dict[str, Callable[[Report], str]] = {"text": text, "json": json_format}
