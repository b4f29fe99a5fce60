"""NIL9xx: what the linter reports about files it could not judge. Never silent, never a traceback."""

from __future__ import annotations

from ..rule import Rule
from . import docs

RULES = (
    Rule(
        "NIL900", "unparseable-file", "error",
        "cannot parse file: {error}; fix the syntax or encoding so the isolation rules can check it",
        "A file cannot be decoded or parsed, so no rule could check it.",
        docs.NIL900, front_ends="cli",
    ),
    Rule(
        "NIL901", "internal-error", "error",
        "internal error while checking this file ({error}); other files were still checked, please report "
        "this with the file's shape at the netra-isolation-lint issue tracker",
        "A rule raised an unexpected exception on this file.",
        docs.NIL901,
    ),
    Rule(
        "NIL902", "file-skipped", "warning",
        "file not checked: {reason}",
        "A file was skipped: too large, not a regular file, a symlink leaving the tree, or unreadable.",
        docs.NIL902, front_ends="cli",
    ),
)
