"""``# noqa`` exactly as flake8 reads it, for the front ends where flake8 is not there to do it."""

from __future__ import annotations

import io
import re
import tokenize

from .model.facts import Finding

# flake8.defaults.NOQA_INLINE_REGEXP and NOQA_FILE, kept identical so both front ends agree.
NOQA_INLINE = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
_SPLIT = re.compile(r"[,\s]")
_CONTINUATION = re.compile(r"\\(?:\r\n?|\n)")  # a backslash ending a line, whatever the line ending


FILE_LEVEL = 0  # key of :func:`noqa_lines` for a file-level ``# flake8: noqa``


def physical_lines(text: str) -> list[str]:
    """Lines as the tokenizer numbers them: split on \\n, \\r\\n and \\r only (``str.splitlines`` also
    splits on form feeds and U+2028, which would shift every later line)."""
    return io.StringIO(text, newline=None).readlines()


def noqa_line_mapping(text: str, lines: list[str]) -> dict[int, str]:
    """Line number -> the text searched for ``noqa``: the physical line, or the whole range of a token
    that spans lines (a triple-quoted string), as flake8's ``FileProcessor._noqa_line_mapping`` does."""
    mapping: dict[int, str] = {}
    first, last = len(lines) + 2, -1
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            first = min(first, token.start[0])
            last = max(last, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                joined = "".join(lines[first - 1:last])
                for number in range(first, last + 1):
                    mapping[number] = joined
                first, last = len(lines) + 2, -1
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError):
        return {}
    if last != -1:  # a last line without a newline token
        joined = "".join(lines[first - 1:last])
        for number in range(first, last + 1):
            mapping[number] = joined
    return mapping


def noqa_lines(text: str) -> dict[int, str]:
    """The lines a ``# noqa`` applies to, each with the text flake8 would search; ``{FILE_LEVEL: ""}`` for
    a file-level ``# flake8: noqa``. Small enough to cache with a file's facts."""
    if "noqa" not in text.lower():
        return {}
    lines = physical_lines(text)
    if any(NOQA_FILE.match(line) for line in lines):
        return {FILE_LEVEL: ""}
    # Only a triple-quoted string or a backslash continuation makes flake8 search beyond the physical
    # line; without either, tokenizing the whole file would find nothing new.
    spans_lines = '"""' in text or "'''" in text or _CONTINUATION.search(text) is not None
    mapping = noqa_line_mapping(text, lines) if spans_lines else {}
    found = {}
    for number, line in enumerate(lines, 1):
        searched = mapping.get(number, line)
        if NOQA_INLINE.search(searched):
            found[number] = searched
    return found


def apply_noqa(findings: list[Finding], lines: dict[int, str]) -> list[Finding]:
    if not lines:
        return findings
    if FILE_LEVEL in lines:
        return []
    return [f for f in findings if f.line not in lines or not is_suppressed(f.code, lines[f.line])]


def filter_noqa(findings: list[Finding], text: str) -> list[Finding]:
    """Drop findings suppressed by ``# noqa`` / ``# noqa: CODE`` or a file-level ``# flake8: noqa``."""
    return apply_noqa(findings, noqa_lines(text))


def is_suppressed(code: str, line: str) -> bool:
    match = NOQA_INLINE.search(line)
    if match is None:
        return False
    codes_text = match.group("codes")
    if codes_text is None:
        return True
    codes = {c.strip() for c in _SPLIT.split(codes_text) if c.strip()}
    return code in codes or code.startswith(tuple(codes))
