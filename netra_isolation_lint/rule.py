"""What a rule is. Kept apart from the registry so rule modules can import it without a cycle."""

from __future__ import annotations

from dataclasses import dataclass

SEVERITY_LETTER = {"error": "E", "warning": "W", "convention": "C", "refactor": "R", "info": "I"}
DOCS_URL = "https://github.com/netra-systems/netra-isolation-lint/blob/main/docs/rules/{code}.md"


@dataclass(frozen=True)
class Rule:
    code: str  # NILabc, stable forever
    slug: str  # pylint symbol, kebab-case
    severity: str  # error | warning
    message: str  # str.format template; says what is wrong and what to do instead
    summary: str  # one line for listings
    doc: str  # ruff-shaped Markdown: What it does / Why is this bad? / Example / Use instead / Configuration
    front_ends: str = "all"  # all | cli: where the rule can fire

    @property
    def pylint_msgid(self) -> str:
        return f"{SEVERITY_LETTER[self.severity]}9{self.code[3:]}"

    @property
    def help_uri(self) -> str:
        return DOCS_URL.format(code=self.code)

    def format(self, **kwargs: str) -> str:
        return self.message.format(**kwargs)
