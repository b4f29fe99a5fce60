"""What a fix is: byte-exact edits of the file, computed on demand for one finding from the file's tree.

Edits are replacements of byte ranges of the file as it is on disk, located through ``ast`` positions (UTF-8
byte columns), so everything else in the file (formatting, comments, line endings) stays as it was. A fixer
returns no edit when it cannot be sure; the driver (``fixes.py``) re-parses and re-lints whatever it applies.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Callable
from dataclasses import dataclass

SAFE, UNSAFE = "safe", "unsafe"


@dataclass(frozen=True, order=True)
class Edit:
    start: int  # byte offset in the file
    end: int
    text: bytes


class Source:
    """A file's bytes, its tree, and byte offsets for ``ast`` positions (the file must be UTF-8)."""

    def __init__(self, data: bytes, tree: ast.Module):
        self.data = data
        self.tree = tree
        self.starts = [3 if data.startswith(b"\xef\xbb\xbf") else 0]  # ast columns of line 1 skip a BOM
        for index, byte in enumerate(data):
            if byte == 0x0A:
                self.starts.append(index + 1)
        self._nodes: dict[tuple[int, int], list[ast.AST]] | None = None

    def offset(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def line_after(self, node: ast.AST) -> int:
        """The offset where the line after ``node`` starts (the end of the file after its last line)."""
        return self.starts[node.end_lineno] if node.end_lineno < len(self.starts) else len(self.data)

    def text(self, node: ast.AST) -> bytes:
        start, end = self.span(node)
        return self.data[start:end]

    def at(self, line: int, col: int) -> list[ast.AST]:
        """The expression nodes that start at (line, col), outermost first, with their parents known."""
        if self._nodes is None:
            self._nodes = {}
            for parent in ast.walk(self.tree):
                for child in ast.iter_child_nodes(parent):
                    child.parent = parent  # type: ignore[attr-defined]
                if hasattr(parent, "col_offset"):
                    self._nodes.setdefault((parent.lineno, parent.col_offset), []).append(parent)
        return self._nodes.get((line, col), [])

    def call_at(self, line: int, col: int) -> ast.Call | None:
        return next((n for n in self.at(line, col) if isinstance(n, ast.Call)), None)


def enclosing_function(node: ast.AST) -> ast.AST | None:
    current = getattr(node, "parent", None)
    while current is not None and not isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        current = getattr(current, "parent", None)
    return current


def enclosing_statement(node: ast.AST | None) -> ast.stmt | None:
    while node is not None and not isinstance(node, ast.stmt):
        node = getattr(node, "parent", None)
    return node


def statement_list(statement: ast.stmt) -> list[ast.stmt] | None:
    """The list of its parent (body, orelse, finalbody, handlers) that holds ``statement``."""
    parent = getattr(statement, "parent", None)
    return next((b for b in (getattr(parent, f, None) for f in ("body", "orelse", "finalbody", "handlers"))
                 if isinstance(b, list) and any(s is statement for s in b)), None)


def indentation(source: Source, statement: ast.stmt) -> bytes:
    start = source.starts[statement.lineno - 1]
    return source.data[start:start + statement.col_offset]


def alone_on_its_lines(source: Source, statement: ast.stmt) -> bool:
    """Only blanks before it on its first line and a newline or a comment after it (no ``;``, no ``if x: ...``)."""
    if indentation(source, statement).strip(b" \t"):
        return False
    rest = source.data[source.span(statement)[1]:].lstrip(b" \t")
    return not rest or rest[:1] in (b"\n", b"\r", b"#")


def has_comment(source: Source, node: ast.AST) -> bool:
    """A comment inside the node's text, which rewriting the node would lose."""
    text = source.text(node)
    if b"#" not in text:
        return False
    try:
        return any(t.type == tokenize.COMMENT for t in tokenize.tokenize(io.BytesIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return True


@dataclass(frozen=True)
class Where:
    """What a fixer may consult besides the file: the configuration, the project and this file's facts."""

    config: object
    project: object = None
    module: object = None


@dataclass(frozen=True)
class Fix:
    """A rule's fix. ``fixer(source, line, col, where)`` returns (safety, edits) for the finding at (line, col),
    or None when it cannot be sure; ``levels`` is what the rule page states ("safe", "unsafe" or both) and
    ``why`` says why each is safe or not."""

    levels: str
    why: str
    fixer: Callable[..., tuple[str, tuple[Edit, ...]] | None]
