"""Which files to lint and how to read them without following a hostile tree anywhere.

A file symlink is followed only when its target is a regular file inside the analysed root; FIFOs,
devices and sockets are never opened for reading; size is capped before anything is read in full.
Every refusal is a reason string the CLI reports as NIL902, never a silent skip.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import functools
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass

DEFAULT_EXCLUDES = (
    ".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".nox", ".eggs", "*.egg", ".venv", "venv",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".netra-isolation-cache", "node_modules", "build", "dist",
)


@dataclass(frozen=True)
class SourceFile:
    path: str  # as shown in reports: as given, or joined below a given directory
    root: str  # the directory a symlink must not leave
    # Set when discovery already knows the path cannot be read (a directory it could not list): the
    # reason is reported as NIL902 for that path instead of the directory's files silently vanishing.
    error: str | None = None
    named: bool = False  # named on the command line: always parsed, never skipped by the prefilter
    content: bytes | None = None  # the editor's buffer (``--stdin-filename``): read instead of the file, never cached
    blob: str | None = None  # the history command's git blob id: what was read of it is kept by that id


class Skipped(Exception):
    """A file that was not read, with the reason to report."""


def excluded(path: str, patterns: tuple[str, ...], root: str | None = None) -> bool:
    """A match of the base name, the absolute path, the path as given, or (with ``root``, the project root) the
    path relative to the root: ``app/legacy`` excludes the same files from wherever the run starts."""
    if not patterns:
        return False
    whole, stripped = _exclusion_patterns(patterns)
    name = os.path.basename(path.rstrip("/\\")) or path
    if whole(name) or whole(path):
        return True
    absolute = os.path.abspath(path)
    return bool(whole(absolute) or (root and stripped(os.path.relpath(absolute, root).replace(os.sep, "/"))))


@functools.lru_cache(maxsize=64)
def _exclusion_patterns(patterns: tuple[str, ...]):
    """Each side of :func:`excluded` as one compiled alternation of the globs (``fnmatchcase``'s own translation):
    discovery asks it of every directory and file."""
    def union(globs) -> Callable[[str], object]:
        return re.compile("|".join(f"(?:{fnmatch.translate(glob)})" for glob in globs)).match

    return union(patterns), union(p.rstrip("/") for p in patterns)


def discover(paths: list[str], excludes: tuple[str, ...], respect_gitignore: bool = True,
             root: str | None = None) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """Files to check, sorted and de-duplicated, and (path, reason) for named paths that do not exist. In a git
    repository, what its ``.gitignore`` files ignore is not walked (a file named on the command line still is)."""
    found: list[SourceFile] = []
    missing: list[tuple[str, str]] = []
    cwd = os.getcwd()
    for given in paths:
        if os.path.isdir(given) and not os.path.islink(given):
            found.extend(_walk(given, excludes, _Gitignore.around(given) if respect_gitignore else None, root))
        elif os.path.lexists(given):
            if not excluded(given, excludes, root):
                found.append(SourceFile(given, cwd, named=True))
        else:
            missing.append((given, "no such file or directory"))
    seen: set[str] = set()
    unique = []
    for source in found:
        key = _shown_path(source.path)
        if key not in seen:
            seen.add(key)
            unique.append(dataclasses.replace(source, path=key))
    return unique, missing


def _shown_path(path: str) -> str:
    """``./pkg//a.py`` is shown as ``pkg/a.py``, as ruff and flake8 show it; a path through ``..`` keeps its
    components (collapsing them would be wrong through a directory symlink)."""
    return path if ".." in path.split(os.sep) else os.path.normpath(path)


def repository_root(path: str) -> str | None:
    """The nearest directory from ``path`` upward that holds ``.git``, or None outside a repository."""
    current = os.path.abspath(path)
    while not os.path.exists(os.path.join(current, ".git")):
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
    return current


class _Gitignore:
    """The ``.gitignore`` files that apply below a directory of a git repository, as git reads them: each
    relative to its own directory (``.git/info/exclude`` and the global excludes file are not read)."""

    def __init__(self, repository: str):
        self.repository = repository
        self.specs: dict[str, object | None] = {}  # directory -> its compiled .gitignore, None when it has none

    @classmethod
    def around(cls, top: str) -> _Gitignore | None:
        repository = repository_root(top)
        if repository is None:
            return None  # not in a repository: nothing is ignored (ruff and the ignore crate agree)
        found = cls(repository)
        # A directory the user names though git ignores it (a Python under pyenv's ignored versions/) is walked:
        # what is ignored inside it cannot be told apart from it with one compiled spec, so nothing is.
        return None if found.ignored(top, True) else found

    def _spec(self, directory: str):
        if directory not in self.specs:
            spec = None
            try:
                with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as handle:
                    lines = handle.read().splitlines()
                from pathspec import GitIgnoreSpec  # only when a .gitignore exists

                spec = GitIgnoreSpec.from_lines(lines)
            except OSError:
                pass
            self.specs[directory] = spec
        return self.specs[directory]

    def ignored(self, path: str, is_dir: bool) -> bool:
        absolute = os.path.abspath(path)
        directory = os.path.dirname(absolute)
        while directory.startswith(self.repository):
            spec = self._spec(directory)
            if spec is not None:
                relative = os.path.relpath(absolute, directory).replace(os.sep, "/") + ("/" if is_dir else "")
                if spec.match_file(relative):
                    return True
            if directory == self.repository:
                break
            directory = os.path.dirname(directory)
        return False


def _walk(top: str, excludes: tuple[str, ...], gitignore: _Gitignore | None = None,
          project_root: str | None = None) -> list[SourceFile]:
    files = []
    root = top

    def unlistable(error: OSError) -> None:
        # Why: os.walk skips a directory it cannot list (mode 000, vanished) without a word, which would
        # silently drop every file below it from a gate; report it as a skipped path instead.
        path = error.filename if isinstance(error.filename, str) else top
        if not excluded(path, excludes, project_root):
            reason = "permission denied" if isinstance(error, PermissionError) else (
                error.strerror or type(error).__name__)
            files.append(SourceFile(path, root, error=f"directory could not be listed ({reason})"))

    for directory, dirnames, filenames in os.walk(top, onerror=unlistable, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not excluded(os.path.join(directory, d), excludes, project_root)
                             and not (gitignore and gitignore.ignored(os.path.join(directory, d), True)))
        for filename in sorted(filenames):
            if filename.endswith(".py"):
                path = os.path.join(directory, filename)
                if not excluded(path, excludes, project_root) and not (gitignore and gitignore.ignored(path, False)):
                    files.append(SourceFile(path, root))
    return files


@contextlib.contextmanager
def _as_skipped() -> Iterator[None]:
    """OS errors while checking or reading a file become the reason it is skipped."""
    try:
        yield
    except FileNotFoundError:
        raise Skipped("file disappeared before it could be read") from None
    except PermissionError:
        raise Skipped("permission denied") from None
    except (OSError, ValueError) as exc:
        raise Skipped(f"cannot read file ({getattr(exc, 'strerror', None) or type(exc).__name__})") from None


def replace_whole(target: str, data: bytes, mode: int | None = None) -> None:
    """``data`` written to a temporary file beside ``target`` and renamed over it, so ``target`` is whole or
    untouched whatever happens (a full disk, Ctrl-C), and no temporary file stays behind. ``mode``: the new
    file's permissions (None: mkstemp's 0600)."""
    import tempfile

    descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(target) or ".", suffix=".tmp",
                                             prefix=f".{os.path.basename(target)}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def stat_key(info: os.stat_result) -> list[int]:
    """What tells a file changed without reading it (ruff's cache keys on the same)."""
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def stat_or_none(path: str) -> list[int] | None:
    try:
        return stat_key(os.stat(path))
    except OSError:
        return None


def check_source(source: SourceFile, max_bytes: int) -> tuple[str, os.stat_result]:
    """The path policy without reading: (the path to open, its stat), or :class:`Skipped`."""
    if source.error is not None:
        raise Skipped(source.error)
    if source.content is not None:
        if len(source.content) > max_bytes:
            raise Skipped(f"larger than max_file_bytes ({len(source.content)} > {max_bytes} bytes)")
        return source.path, os.stat_result((stat.S_IFREG | 0o644, 0, 0, 1, 0, 0, len(source.content), 0, 0, 0))
    path = source.path
    with _as_skipped():
        info = os.lstat(path)
        opened_path = path
        if stat.S_ISLNK(info.st_mode):
            target = os.path.realpath(path)
            root = os.path.realpath(source.root)
            if os.path.commonpath([target, root]) != root:
                raise Skipped("symlink points outside the analysed tree")
            try:
                info = os.stat(path)
            except FileNotFoundError:
                raise Skipped("broken symlink (its target does not exist)") from None
            # Why: open the checked target, not the link again, so a link swapped after the check
            # cannot redirect the read outside the tree (O_NOFOLLOW when opening refuses a swapped-in link).
            opened_path = target
        if not stat.S_ISREG(info.st_mode):
            raise Skipped("not a regular file")
        if info.st_size > max_bytes:
            raise Skipped(f"larger than max_file_bytes ({info.st_size} > {max_bytes} bytes)")
    return opened_path, info


def read_source(source: SourceFile, max_bytes: int) -> bytes:
    """The file's bytes, or :class:`Skipped` with the reason. Never blocks on a FIFO, never reads past the cap."""
    return open_source(source, max_bytes)[0]


def open_source(source: SourceFile, max_bytes: int) -> tuple[bytes, os.stat_result]:
    """The file's bytes and the stat of what was read (the cache's key), or :class:`Skipped`."""
    opened_path, info = check_source(source, max_bytes)
    if source.content is not None:
        return source.content, info
    with _as_skipped():
        descriptor = os.open(opened_path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                             | getattr(os, "O_NOFOLLOW", 0))
        try:
            opened = os.fstat(descriptor)
            if not stat.S_ISREG(opened.st_mode):  # replaced between the check and the open
                raise Skipped("not a regular file")
            chunks = []
            remaining = max_bytes + 1
            while remaining > 0:
                chunk = os.read(descriptor, min(remaining, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
            data = b"".join(chunks)
        finally:
            os.close(descriptor)
    if len(data) > max_bytes:
        raise Skipped(f"larger than max_file_bytes (> {max_bytes} bytes)")
    return data, opened


def common_directory(paths: list[str]) -> str:
    """Where config discovery starts: the linted paths' common ancestor (a file counts as its directory)."""
    directories = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in paths]
    try:
        return os.path.commonpath(directories) if directories else os.getcwd()
    except ValueError:  # paths on different drives
        return os.getcwd()


def project_root(config, paths: list[str]) -> str:
    """One root per project, where its cache lives (not in whichever directory the run started from): the
    discovered config's directory, else the repository around the linted paths, else their common directory.
    A config named by ``--config`` may live anywhere (a contract in ``$RUNNER_TEMP``): it is passed as None."""
    if config is not None and config.source:
        return os.path.dirname(os.path.abspath(config.source))
    common = common_directory([p for p in paths if p != "-"] or ["."])
    return repository_root(common) or common


def write_report(path: str, text: str) -> None:
    """The report whole or not at all: written to a temporary file beside it and renamed over it once complete,
    so a failed or interrupted run never leaves a truncated report for the next CI step to upload. A path that
    is not a regular file (``/dev/stdout``, a FIFO) is written in place: there is nothing to rename over."""
    if os.path.exists(path) and not os.path.isfile(path):
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        return
    umask = os.umask(0o022)
    os.umask(umask)
    # through a symlink: the link keeps pointing at the report; the mode as open() would create it
    replace_whole(os.path.realpath(path), text.encode("utf-8"), 0o666 & ~umask)
