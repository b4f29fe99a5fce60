"""NIL9xx: what the linter reports about files it could not judge, and about its own suppression comments.
Never silent, never a traceback."""

from __future__ import annotations

from .rule import Rule

NIL900 = Rule(
    "NIL900", "unparseable-file", "error",
    "cannot parse file: {error}; fix the syntax or encoding so the isolation rules can check it",
    "A file cannot be decoded or parsed, so no rule could check it.",
    doc='''
## What it does
Reported by the command-line interface when a file cannot be parsed: a syntax error, an
undecodable encoding or coding cookie, null bytes, or nesting too deep for the Python
parser. The finding sits at the parser's line and column and quotes its message. The
statements that parse on their own are still checked (and give other modules their
classes), so findings can appear beside it.

## Why is this bad?
No isolation rule could look at all of the file, so it might contain any of the problems
this linter exists to catch. A gate that stays green on code it could not read is not a gate.

## Example
```python
class ForecastAgent(BaseAgent):
    async def _send_update(self, message: str) -> None
        await self.emitter.emit_agent_thinking({"thought": message})
```

## Use instead
```python
class ForecastAgent(BaseAgent):
    async def _send_update(self, message: str) -> None:
        await self.emitter.emit_agent_thinking({"thought": message})
```

## Configuration
No rule-specific keys. `exclude` keeps files (fixtures with deliberate syntax errors)
from being checked at all.

## Limitations
flake8 and pylint parse files themselves and report their own error (`E999`,
`syntax-error`), so NIL900 appears only in the CLI. A file is parsed with the Python
running the linter: syntax newer than that interpreter is reported as unparseable.

## Suppression
`# noqa` is not read from a file that cannot be parsed. Use `exclude`, `ignore` or a
`per_path_ignores` entry for `NIL900`.
''', front_ends="cli",
)


NIL901 = Rule(
    "NIL901", "internal-error", "error",
    "internal error while checking this file ({error}); other files were still checked, please report "
    "this with the file's shape at the netra-isolation-lint issue tracker",
    "A rule raised an unexpected exception on this file.",
    doc='''
## What it does
Reported at line 1 of a file when a rule raised an unexpected exception while checking
it. The message names the exception type. Every other file is still checked, and the
CLI exits with status 2 instead of 1.

## Why is this bad?
It is a bug in the linter, not in your code, but it means the file was not checked:
findings from the failed pass are dropped, so the file may hide real problems.

## Example
There is no code that should cause this. It appears as
`app/agents/forecast.py:1:1: NIL901 internal error while checking this file (KeyError); ...`.

## Use instead
Report the file's shape (a minimal snippet that reproduces it) at the
netra-isolation-lint issue tracker. Until it is fixed, exclude the file (`exclude` or a
`per_path_ignores` entry for `NIL901`) so the rest of the project stays gated.

## Configuration
No rule-specific keys.

## Limitations
flake8 and pylint report NIL901 like any other message. Only the CLI turns it into exit
status 2, and only while the finding is still reported after `select`, `ignore`,
`per_path_ignores` and `# noqa` are applied. An error in a whole-project check replaces
that file's findings with a single NIL901 in the same way.

## Suppression
`ignore: [NIL901]` and per-path ignores hide the finding and with it the exit status 2;
prefer a narrow `per_path_ignores` entry over a global ignore.
''',
)


NIL902 = Rule(
    "NIL902", "file-skipped", "warning",
    "file not checked: {reason}",
    "A file was skipped: too large, not a regular file, a symlink leaving the tree, or unreadable.",
    doc='''
## What it does
Reported by the command-line interface at line 1 of a file it did not read. The reason
is one of: larger than `max_file_bytes`; not a regular file (FIFO, device, socket); a
symlink that points outside the directory being checked, or a broken one; permission
denied; the file disappeared; a directory below a given path could not be listed
(reported at the directory); or another read error. A symlinked file is followed only when its target
is a regular file inside the directory given on the command line (for a file named
directly, inside the current directory).

## Why is this bad?
A skipped file is an unchecked file. The linter never skips silently, so a vendored
blob, a dangling link or a generated file that grew past the limit shows up in review
rather than quietly weakening the gate.

## Example
A 3 MB generated module with the default limit:
`app/generated/schemas.py:1:1: NIL902 file not checked: larger than max_file_bytes (3145728 > 2097152 bytes)`.

## Use instead
Exclude files that are not meant to be checked, or raise the limit:
```yaml
exclude: ["*/generated/*"]
max_file_bytes: 4194304
```

## Configuration
- `max_file_bytes`: the size limit (default 2 MiB).
- `exclude`: globs of files and directories that are not checked at all (CLI only;
  see docs/configuration.md for how they are matched).

## Suppression
The file is not read, so `# noqa` in it cannot apply. Use `exclude`, or `ignore` /
`per_path_ignores` for `NIL902`.
''', front_ends="cli",
)

NIL903 = Rule(
    "NIL903", "unused-noqa", "warning",
    "unused # noqa: nothing on this line is reported under {codes}; delete what is unused so that it cannot "
    "hide a future finding here",
    "A `# noqa` names a NIL code that suppresses nothing on its line (opt-in: `report_unused_noqa`).",
    doc='''
## What it does
Reported at a `# noqa: NIL...` comment that names a NIL code (or prefix) under which
nothing on its line is reported: the finding was fixed, moved, or never was. One
finding per comment lists every such code. Only NIL codes are judged: another tool's
codes are not ours to know, and a bare `# noqa` names no code. A code covering NIL903
itself (`NIL903`, `NIL9`) is the comment's own say on NIL903 and is not judged. Only
comments are judged, not `# noqa` inside a string (which flake8 obeys all the same).

## Why is this bad?
A stale suppression is a hole in the gate: the next call added on that line is silenced
before anyone sees it, and reviewers learn to skim over `# noqa` because most are dead.

## Example
```python
async def notify(emitter, run_id: str) -> None:
    await emitter.emit_agent_started(run_id)  # noqa: NIL401
```

## Use instead
```python
async def notify(emitter, run_id: str) -> None:
    await emitter.emit_agent_started(run_id)
```

## Configuration
Off by default, as ruff's RUF100 and pylint's `useless-suppression` are: turn it on with
`report_unused_noqa: true`. `select`, `ignore` and `per_path_ignores` then apply to it
as to any code. A code not selected, ignored or per-path ignored on that file reports
nothing, so its `# noqa` counts as unused. A NIL903 can be suppressed on its line by
`# noqa: NIL903` (subject to `noqa_requires_reason` and `unsuppressible`).

## Limitations
The CLI and pylint report it; flake8 applies `# noqa` itself and never shows the plugin
a comment (use the flake8-noqa plugin there). Nothing is judged in a file with NIL900 or
NIL901 (its findings are partial), nor, in the CLI, in a file the prefilter left unread
because it names nothing the rules look for. pylint sees only the file and the modules
it imports from its own package: a `# noqa` for a finding only a whole-project run
makes (NIL201-NIL203 and NIL404-NIL407 across packages) can look unused there.

## Suppression
Remove the code from the comment (the whole comment if it was the last). To keep it on
purpose, add `NIL903` to the same comment: `# noqa: NIL101, NIL903 -- why`.
''',
)

RULES = (NIL900, NIL901, NIL902, NIL903)
