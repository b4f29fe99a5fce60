"""``--diff-base REV``: which lines were added or changed in the working tree since a git revision.

git is run with argument lists (never a shell), ``-c core.quotepath=off``, literal pathspecs, fixed
diff prefixes and no external diff or textconv drivers, so neither user configuration nor the analysed
repository's attributes change what is parsed here. Untracked (not ignored) files count as fully added.
Paths git reports relative to the repository root are compared with report paths by ``realpath``.
"""

from __future__ import annotations

import os
import re
import subprocess

ALL_LINES = None  # marker value in the result map: every line of the file counts as changed
_HUNK = re.compile(rb"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_GIT_TIMEOUT = 300
_C_ESCAPES = {ord("a"): 7, ord("b"): 8, ord("t"): 9, ord("n"): 10, ord("v"): 11, ord("f"): 12, ord("r"): 13,
              ord('"'): 34, ord("\\"): 92}


class DiffError(Exception):
    """``--diff-base`` cannot be honoured; the message is one line."""


def _git(args: list[str], cwd: str) -> subprocess.CompletedProcess:
    command = ["git", "-c", "core.quotepath=off", "--literal-pathspecs", *args]
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.pop("GIT_EXTERNAL_DIFF", None)
    try:
        return subprocess.run(command, cwd=cwd, capture_output=True, env=env, timeout=_GIT_TIMEOUT,
                              stdin=subprocess.DEVNULL, check=False)
    except FileNotFoundError:
        raise DiffError("--diff-base needs git, but git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise DiffError(f"--diff-base: git {args[0]} did not finish within {_GIT_TIMEOUT} seconds") from None
    except OSError as exc:
        raise DiffError(f"--diff-base: cannot run git: {exc.strerror or type(exc).__name__}") from None


def _git_message(completed: subprocess.CompletedProcess) -> str:
    text = os.fsdecode(completed.stderr).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    first = next((line for line in lines if line.startswith(("fatal:", "error:"))), lines[0] if lines else "")
    first = first.removeprefix("fatal: ").removeprefix("error: ")
    from .formats import printable

    return printable(first[:300]) or f"git exited with status {completed.returncode}"


def repository_root(cwd: str) -> str:
    completed = _git(["rev-parse", "--show-toplevel"], cwd)
    if completed.returncode != 0:
        message = _git_message(completed)
        if "not a git repository" in message.lower():
            raise DiffError("--diff-base: not inside a git repository")
        raise DiffError(f"--diff-base: cannot use the git repository here: {message}")
    return os.fsdecode(completed.stdout.rstrip(b"\r\n"))


def resolve_revision(revision: str, cwd: str) -> str:
    shown = _shown(revision)
    if not revision or revision.startswith("-") or "\0" in revision:
        raise DiffError(f"--diff-base: unknown revision '{shown}'")
    completed = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], cwd)
    if completed.returncode != 0 or not completed.stdout.strip():
        raise DiffError(f"--diff-base: unknown revision '{shown}' (not a commit in this repository)")
    return completed.stdout.strip().decode("ascii")


def _shown(text: str) -> str:
    from .formats import printable

    return printable(text[:200])


def changed_lines(revision: str, paths: list[str], cwd: str | None = None) -> dict[str, set[int] | None]:
    """realpath -> set of new-side line numbers added or changed since ``revision`` (``None``: all lines)."""
    cwd = cwd or os.getcwd()
    top = repository_root(cwd)
    commit = resolve_revision(revision, cwd)
    real_top = os.path.realpath(top)
    inside = [p for p in paths if _within(os.path.realpath(os.path.join(cwd, p)), real_top)]
    changed: dict[str, set[int] | None] = {}
    if not inside:
        return changed
    diff = _git(["diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames",
                 "--no-relative", "--src-prefix=a/", "--dst-prefix=b/", "--ignore-submodules", commit, "--", *inside],
                cwd)
    if diff.returncode != 0:
        raise DiffError(f"--diff-base: git diff failed: {_git_message(diff)}")
    for relative, lines in parse_diff(diff.stdout).items():
        changed.setdefault(os.path.realpath(os.path.join(top, relative)), set()).update(lines)
    others = _git(["ls-files", "-z", "--others", "--exclude-standard", "--", *inside], cwd)
    if others.returncode != 0:
        raise DiffError(f"--diff-base: git ls-files failed: {_git_message(others)}")
    for raw in others.stdout.split(b"\0"):
        if raw:
            changed[os.path.realpath(os.path.join(cwd, os.fsdecode(raw)))] = ALL_LINES
    return changed


def _within(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:
        return False


def parse_diff(output: bytes) -> dict[str, set[int]]:
    """New-side line numbers per new-side path (relative to the repository root) of a ``-U0`` patch."""
    result: dict[str, set[int]] = {}
    current: set[int] | None = None
    old_left = new_left = 0
    for line in output.split(b"\n"):
        if old_left > 0 or new_left > 0:  # inside a hunk: content lines only, even if they look like headers
            if line.startswith(b"-"):
                old_left -= 1
            elif line.startswith(b"+"):
                new_left -= 1
            elif line.startswith(b" "):
                old_left -= 1
                new_left -= 1
            continue  # "\ No newline at end of file" and anything else
        if line.startswith(b"+++ "):
            name = line[4:]
            if name == b"/dev/null":
                current = None
                continue
            path = _unquote(name.rstrip(b"\r"))
            if path.startswith(b"b/"):
                path = path[2:]
            current = result.setdefault(os.fsdecode(path), set())
            continue
        if line.startswith(b"diff --git "):
            current = None
            continue
        match = _HUNK.match(line)
        if match:
            old_left = int(match.group(1)) if match.group(1) is not None else 1
            start = int(match.group(2))
            count = int(match.group(3)) if match.group(3) is not None else 1
            new_left = count
            if current is not None and count > 0:
                current.update(range(start, start + count))
    return result


def _unquote(name: bytes) -> bytes:
    """A path as git prints it after ``+++``: C-quoted when unusual, else raw (plus a tab if it has spaces)."""
    if not name.startswith(b'"'):
        return name[:-1] if name.endswith(b"\t") else name
    end = name.rfind(b'"')
    body = name[1:end] if end > 0 else name[1:]
    out = bytearray()
    i = 0
    while i < len(body):
        byte = body[i]
        if byte != 0x5C or i + 1 >= len(body):  # not a backslash
            out.append(byte)
            i += 1
            continue
        nxt = body[i + 1]
        if 0x30 <= nxt <= 0x37:
            j = i + 1
            while j < len(body) and j < i + 4 and 0x30 <= body[j] <= 0x37:
                j += 1
            out.append(int(body[i + 1:j], 8) & 0xFF)
            i = j
        else:
            out.append(_C_ESCAPES.get(nxt, nxt))
            i += 2
    return bytes(out)
