"""What a rule is: its stable code, its pylint symbol, its message and its documentation, in one record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .fix import Fix

SEVERITY_LETTER = {"error": "E", "warning": "W", "convention": "C", "refactor": "R", "info": "I"}
DOCS_URL = "https://github.com/netra-systems/netra-isolation-lint/blob/main/docs/rules/{code}.md"


@dataclass(frozen=True)
class Rule:
    code: str  # NILabc, stable forever
    slug: str  # pylint symbol, kebab-case
    severity: str  # error | warning
    message: str  # str.format template; says what is wrong and what to do instead
    summary: str  # one line for listings
    # ruff-shaped Markdown: What it does / Why is this bad? / Example / Use instead / Configuration, optionally
    # Limitations and Suppression. Python under Example must trigger the rule, under Use instead must not
    # (tests/test_docs.py runs them); rendered to docs/rules/<code>.md and printed by --explain.
    doc: str
    front_ends: str = "all"  # all | cli: where the rule can fire
    fix: Fix | None = None  # --fix: the edits for a finding, with their safety

    @property
    def pylint_msgid(self) -> str:
        return f"{SEVERITY_LETTER[self.severity]}9{self.code[3:]}"

    @property
    def help_uri(self) -> str:
        return DOCS_URL.format(code=self.code)

    def format(self, **kwargs: str) -> str:
        return self.message.format(**kwargs)

    def doc_page(self) -> str:
        """The Markdown page for ``docs/rules/<code>.md`` and ``--explain``."""
        where = "" if self.front_ends == "all" else "\n\n*Reported by the command-line interface only.*"
        header = (
            f"# {self.code}: {self.slug}\n\n"
            f"{self.summary}\n\n"
            f"Severity: {self.severity} · pylint: `{self.pylint_msgid}` / `{self.slug}`{where}\n\n"
        )
        import textwrap

        fix = ("## Fix\n" + textwrap.fill(f"{self.fix.levels.capitalize()}. {self.fix.why.strip()}", 88)
               if self.fix is not None else "## Fix\nNone: reported for a person to fix (`--fix` leaves it).")
        return header + self.doc.strip() + "\n\n" + fix + "\n"
