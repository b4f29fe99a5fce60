"""What a file that does not parse still shows: its statements that parse on their own.

A syntax error in one method must not hide the class around it, nor the imports and other classes of its
module, or every cross-module chain through that file breaks (an agent whose base lives there is lost).
Without a full parse, the source is cut into top-level statements (a line starting in column 0 begins
one; a piece that does not parse is grown with the next ones, for strings and brackets that span such
lines). A class whose body holds the error keeps its header and every member that parses alone; a
method that does not parse keeps its ``def`` line (its parameters) with an empty body. Line and column
numbers are the file's own, so whatever the recovered statements show is reported where it stands; the
file still gets its NIL900. A class recovered around the error is marked incomplete (``incomplete``): any
attribute may exist on it, so no call is judged to miss a method.
"""

from __future__ import annotations

import ast
import re
import warnings

MAX_GROWTH = 8  # pieces one statement may span before it is given up
MAX_LINES = 50_000  # beyond this, a broken file is only NIL900
_HEADER = re.compile(r"^(async\s+def|def|class)\b")


def recover(text: str) -> ast.Module | None:
    """A module of the statements that parse, at their own lines, or None when none does."""
    lines = text.splitlines(keepends=True)
    if len(lines) > MAX_LINES:
        return None
    body = _statements(lines, 0, len(lines), 0)
    return ast.Module(body=body, type_ignores=[]) if body else None


def _statements(lines: list[str], start: int, end: int, indent: int) -> list[ast.stmt]:
    """The statements at ``indent`` between ``start`` and ``end`` that parse, or that recover."""
    starts = [i for i in range(start, end) if _begins_statement(lines[i], indent)]
    starts.append(end)
    found: list[ast.stmt] = []
    index = 0
    while index < len(starts) - 1:
        for grow in range(1, min(MAX_GROWTH, len(starts) - 1 - index) + 1):
            parsed = _parse(lines, starts[index], starts[index + grow], indent)
            if parsed is _TOO_DEEP:
                break  # growing cannot help a statement the parser cannot nest: it is skipped
            if parsed is not None:
                found.extend(parsed)
                index += grow
                break
        else:
            found.extend(_salvage(lines, starts[index], starts[index + 1], indent))
            index += 1
            continue
        if parsed is _TOO_DEEP:
            index += 1
    return found


_TOO_DEEP: list = []  # marker: the parser gave up on depth (RecursionError, MemoryError), not on syntax


def _begins_statement(line: str, indent: int) -> bool:
    if len(line) - len(line.lstrip(" ")) != indent or not line.strip():
        return False
    first = line[indent]
    return first not in "#)]}" and not line[indent:].startswith(("else", "elif", "except", "finally", "case "))


def _parse(lines: list[str], start: int, end: int, indent: int) -> list[ast.stmt] | None:
    source = "".join(line[indent:] if len(line) - len(line.lstrip(" ")) >= indent else line.lstrip(" ")
                     for line in lines[start:end])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (RecursionError, MemoryError):
        return _TOO_DEEP
    except SyntaxError as error:
        return _TOO_DEEP if "too many nested" in str(error) or "too deeply nested" in str(error) else None
    except (ValueError, OverflowError):
        return None
    for node in ast.walk(tree):
        if hasattr(node, "lineno"):
            node.lineno += start
            node.end_lineno = (node.end_lineno or node.lineno - start) + start
            node.col_offset += indent
            if getattr(node, "end_col_offset", None) is not None:
                node.end_col_offset += indent
    return tree.body


def _salvage(lines: list[str], start: int, end: int, indent: int) -> list[ast.stmt]:
    """A ``class`` keeps its header and the members that parse; a ``def`` keeps its signature."""
    match = _HEADER.match(lines[start][indent:])
    if match is None:
        return []
    header_end = _header_end(lines, start, end)
    if header_end is None:
        return []
    stub = _parse_stub(lines, start, header_end, indent)
    if stub is None:
        return []
    if isinstance(stub, ast.ClassDef):
        stub.incomplete = True  # members may be missing: the model must not conclude one does not exist
        member_indent = _body_indent(lines, header_end, end, indent)
        if member_indent is not None:
            members = _statements(lines, header_end, end, member_indent)
            if members:
                stub.body = members
    return [stub]


def _header_end(lines: list[str], start: int, end: int) -> int | None:
    """The index after the line that closes a ``def``/``class`` header (brackets balanced, ends with ':')."""
    depth = 0
    for index in range(start, min(end, start + 64)):
        code = lines[index].split("#", 1)[0]
        depth += sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
        if depth <= 0 and code.rstrip().endswith(":"):
            return index + 1
    return None


def _parse_stub(lines: list[str], start: int, header_end: int, indent: int) -> ast.stmt | None:
    stub = lines[start:header_end] + [" " * (indent + 4) + "pass\n"]
    parsed = _parse(stub, 0, len(stub), indent)
    if not parsed or parsed is _TOO_DEEP or not isinstance(parsed[0], (ast.ClassDef, ast.FunctionDef,
                                                                         ast.AsyncFunctionDef)):
        return None
    node = parsed[0]
    for child in ast.walk(node):  # _parse numbered the stub from 0: move it to the header's lines
        if hasattr(child, "lineno"):
            child.lineno += start
            child.end_lineno = (child.end_lineno or child.lineno) + start
    return node


def _body_indent(lines: list[str], start: int, end: int, indent: int) -> int | None:
    for index in range(start, end):
        stripped = lines[index].lstrip(" ")
        if stripped.strip() and not stripped.startswith("#"):
            width = len(lines[index]) - len(stripped)
            return width if width > indent else None
    return None
