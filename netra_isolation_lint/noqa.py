"""``# noqa`` exactly as flake8 reads it, for the front ends where flake8 is not there to do it (the CLI and
pylint), and what a security gate adds on top: a reason each suppression must give (``noqa_requires_reason``),
codes nothing may suppress (``unsuppressible``), NIL codes in a comment that suppress nothing (NIL903,
``report_unused_noqa``) and the suppressed findings with their reasons for SARIF (``include_suppressed``)."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

from .config import DEFAULTS, Config
from .engine import finish
from .model.facts import Finding
from .rules.diagnostics import NIL903

# flake8.defaults.NOQA_INLINE_REGEXP and NOQA_FILE, kept identical so both front ends agree.
NOQA_INLINE = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
_SPLIT = re.compile(r"[,\s]")
_CONTINUATION = re.compile(r"\\(?:\r\n?|\n)")  # a backslash ending a line, whatever the line ending
# What may stand between a comment's codes and its reason: "# noqa: NIL101 -- why", "# noqa: NIL101: why".
_SEPARATORS = " \t-:,;\u2013\u2014"
_NIL_CODE = re.compile(r"NIL[0-9]+", re.IGNORECASE)  # a code of ours, however the comment cases it
_INCOMPLETE = frozenset({"NIL900", "NIL901"})  # the file was not fully checked: its findings are partial


FILE_LEVEL = 0  # key of :func:`noqa_lines` for a file-level ``# flake8: noqa``


@dataclass(frozen=True)
class Noqa:
    """One ``# noqa`` as flake8 finds it in the text searched for a line."""

    codes: tuple[str, ...] | None  # None: a bare ``# noqa`` (or a file-level one), which suppresses every code
    reason: str  # what the comment says after its codes; "" when it says nothing
    line: int = 0  # the comment's line within the searched text (which spans lines for a multi-line string)
    col: int = 0  # UTF-8 byte offset of its ``#`` in that line, as ast gives columns
    in_comment: bool = True  # False: the text sits inside a string literal, where flake8 obeys it all the same

    def covers(self, code: str) -> bool:
        return self.codes is None or code.startswith(self.codes)


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
    """The lines a ``# noqa`` applies to, each with the text flake8 would search, and under
    :data:`FILE_LEVEL` the line of a file-level ``# flake8: noqa`` (the first that gives a reason). Small
    enough to cache with a file's facts."""
    if "noqa" not in text.lower():
        return {}
    lines = physical_lines(text)
    found = {}
    file_level = [line for line in lines if NOQA_FILE.match(line)]
    if file_level:
        found[FILE_LEVEL] = next((line for line in file_level if _file_noqa(line).reason), file_level[0])
    # Only a triple-quoted string or a backslash continuation makes flake8 search beyond the physical
    # line; without either, tokenizing the whole file would find nothing new.
    spans_lines = '"""' in text or "'''" in text or _CONTINUATION.search(text) is not None
    mapping = noqa_line_mapping(text, lines) if spans_lines else {}
    for number, line in enumerate(lines, 1):
        searched = mapping.get(number, line)
        if NOQA_INLINE.search(searched):
            found[number] = searched
    return found


def parse_noqa(searched: str) -> Noqa | None:
    """The ``# noqa`` flake8 obeys in ``searched`` (its first), or None."""
    match = NOQA_INLINE.search(searched)
    if match is None:
        return None
    codes_text = match.group("codes")
    codes = None
    if codes_text is not None:
        codes = tuple(dict.fromkeys(c for c in (p.strip() for p in _SPLIT.split(codes_text)) if c))
    start = searched.rfind("\n", 0, match.start()) + 1
    end = searched.find("\n", match.end())
    return Noqa(codes, _reason(searched[match.end():end if end != -1 else len(searched)]),
                searched.count("\n", 0, start), len(searched[start:match.start()].encode("utf-8", "surrogatepass")),
                _in_comment(searched, match.start()))


def _file_noqa(line: str) -> Noqa:
    match = NOQA_FILE.match(line)
    return Noqa(None, _reason(line[match.end():] if match else ""))


def _reason(rest: str) -> str:
    """The reason a comment gives: the rest of its line after the codes and a separator. Another comment
    (``# noqa: NIL101  # type: ignore``) or punctuation alone is no reason."""
    rest = rest.lstrip(_SEPARATORS).rstrip()
    return rest if not rest.startswith("#") and any(ch.isalnum() for ch in rest) else ""


def _in_comment(text: str, position: int) -> bool:
    """Whether the ``#`` at ``position`` of a searched text is in a comment rather than in a string literal.
    A searched text begins a physical line outside any string, so a scan from its start knows the quotes."""
    quote = ""
    index = 0
    while index < position:
        char = text[index]
        if quote:
            if char == "\\":
                index += 2
                continue
            if text.startswith(quote, index):
                index += len(quote)
                quote = ""
                continue
            if char == "\n" and len(quote) == 1:
                quote = ""  # an unterminated one-quote string ends with its line
        elif char == "#":
            end = text.find("\n", index)
            if end == -1 or position < end:
                return True  # part of an earlier comment on the same line
            index = end
            continue
        elif char in "'\"":
            quote = text[index:index + 3] if text[index:index + 3] in ('"""', "'''") else char
            index += len(quote)
            continue
        index += 1
    return not quote


class _Comments:
    """The ``# noqa`` comments of one file, parsed once each, and the comment each line's text belongs to."""

    def __init__(self, lines: dict[int, str]):
        self.lines = lines
        self.file = _file_noqa(lines[FILE_LEVEL]) if FILE_LEVEL in lines else None
        self._parsed: dict[int, Noqa | None] = {}
        # line -> first line of its comment: the lines of a multi-line string share one searched text (and
        # one comment), which is read once, not once per line
        self.first: dict[int, int] = {}
        previous, left = FILE_LEVEL, 0
        for number in sorted(n for n in lines if n != FILE_LEVEL):
            if left and number == previous + 1:
                self.first[number] = self.first[previous]
                left -= 1
            else:
                self.first[number] = number
                text = lines[number]
                left = text.count("\n", 0, len(text) - 1)  # the further lines this text spans
            previous = number

    def inline(self, line: int) -> Noqa | None:
        first = self.first.get(line)
        if first is None:
            return None
        if first not in self._parsed:
            self._parsed[first] = parse_noqa(self.lines[first])
        return self._parsed[first]

    def verdict(self, finding: Finding, config: Config, used: set[tuple[int, str]] | None) -> tuple[bool, str]:
        """(suppressed, the reason) or (kept, a note for its message; "" when no comment applies)."""
        inline = self.inline(finding.line)
        by_inline = inline is not None and inline.covers(finding.code)
        if not by_inline and self.file is None:
            return False, ""
        if by_inline and used is not None and inline.codes is not None:
            first = self.first[finding.line]
            used.update((first, code) for code in inline.codes if finding.code.startswith(code))
        if finding.code.startswith(config.unsuppressible):
            return False, f" (not suppressed: {finding.code} is unsuppressible in the config)"
        applying = ([inline] if by_inline else []) + ([self.file] if self.file is not None else [])
        reasons = [comment.reason for comment in applying if comment.reason]
        if not reasons and config.noqa_requires_reason:
            how = f"# noqa: {finding.code} -- <why>" if by_inline else "# flake8: noqa -- <why>"
            return False, (" (not suppressed: noqa_requires_reason is set and the comment gives no reason; "
                           f"write '{how}')")
        return True, reasons[0] if reasons else ""

    def unused(self, used: set[tuple[int, str]]) -> list[Finding]:
        """NIL903 for each comment naming NIL codes that matched no finding on its lines."""
        found = []
        for number, first in self.first.items():
            comment = self.inline(number)
            if number != first or comment is None or comment.codes is None or not comment.in_comment:
                continue
            # A code that covers NIL903 itself is the comment's own say on NIL903: it is applied, not judged.
            codes = [c for c in comment.codes if _NIL_CODE.fullmatch(c) and not NIL903.code.startswith(c)
                     and (first, c) not in used]
            if codes:
                found.append(Finding(first + comment.line, comment.col, NIL903.code,
                                     NIL903.format(codes=", ".join(codes))))
        return found


def apply_noqa(findings: list[Finding], lines: dict[int, str], config: Config = DEFAULTS, path: str = "", *,
               unfiltered: list[Finding] | None = None,
               suppressed: list[tuple[Finding, str]] | None = None) -> list[Finding]:
    """``findings`` of the file at ``path`` (the config's selection applied) without those a ``# noqa`` in
    ``lines`` (:func:`noqa_lines`) suppresses. The config adds: a finding of an ``unsuppressible`` code, or
    (``noqa_requires_reason``) one whose comment gives no reason, is kept with a note saying why; with
    ``report_unused_noqa``, NIL903 for NIL codes in a comment that matched nothing, selected and suppressed
    like any finding, unless ``unfiltered`` (the findings before selection) shows a file not fully checked.
    ``suppressed``, when given, receives each suppressed finding with its comment's reason (for SARIF)."""
    if not lines:
        return findings
    comments = _Comments(lines)
    used: set[tuple[int, str]] = set()
    out = [_judged(f, comments.verdict(f, config, used), suppressed) for f in findings]
    checked = unfiltered if unfiltered is not None else findings
    if config.report_unused_noqa and not any(f.code in _INCOMPLETE for f in checked):
        unused = finish(comments.unused(used), config, path)
        out.extend(_judged(f, comments.verdict(f, config, None), suppressed) for f in unused)
        return sorted((f for f in out if f is not None), key=lambda f: (f.line, f.col))  # NIL903 among the others
    return [f for f in out if f is not None]


def _judged(finding: Finding, verdict: tuple[bool, str], suppressed: list | None) -> Finding | None:
    is_suppressed, text = verdict
    if not is_suppressed:
        return finding._replace(message=finding.message + text) if text else finding
    if suppressed is not None:
        suppressed.append((finding, text))
    return None


def filter_noqa(findings: list[Finding], text: str) -> list[Finding]:
    """Drop findings suppressed by ``# noqa`` / ``# noqa: CODE`` or a file-level ``# flake8: noqa``, as
    flake8 does (the built-in defaults: no reason required, every code suppressible)."""
    return apply_noqa(findings, noqa_lines(text))
