"""Which files to lint and how to read them without following a hostile tree anywhere.

A file symlink is followed only when its target is a regular file inside the analysed root; FIFOs,
devices and sockets are never opened for reading; size is capped before anything is read in full.
Every refusal is a reason string the CLI reports as NIL902, never a silent skip.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from fnmatch import fnmatchcase

DEFAULT_EXCLUDES = (
    ".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".nox", ".eggs", "*.egg", ".venv", "venv",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".netra-isolation-cache", "node_modules", "build", "dist",
)


@dataclass(frozen=True)
class SourceFile:
    path: str  # as shown in reports: as given, or joined below a given directory
    root: str  # the directory a symlink must not leave


class Skipped(Exception):
    """A file that was not read, with the reason to report."""


def excluded(path: str, patterns: tuple[str, ...]) -> bool:
    name = os.path.basename(path.rstrip("/\\")) or path
    absolute = os.path.abspath(path)
    return any(fnmatchcase(name, p) or fnmatchcase(absolute, p) or fnmatchcase(path, p) for p in patterns)


def discover(paths: list[str], excludes: tuple[str, ...]) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """Files to check, sorted and de-duplicated, and (path, reason) for named paths that do not exist."""
    found: list[SourceFile] = []
    missing: list[tuple[str, str]] = []
    cwd = os.getcwd()
    for given in paths:
        if os.path.isdir(given) and not os.path.islink(given):
            found.extend(_walk(given, excludes))
        elif os.path.lexists(given):
            if not excluded(given, excludes):
                found.append(SourceFile(given, cwd))
        else:
            missing.append((given, "no such file or directory"))
    seen: set[str] = set()
    unique = []
    for source in found:
        key = os.path.normpath(source.path)
        if key not in seen:
            seen.add(key)
            unique.append(source)
    return unique, missing


def _walk(top: str, excludes: tuple[str, ...]) -> list[SourceFile]:
    files = []
    root = top
    for directory, dirnames, filenames in os.walk(top, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not excluded(os.path.join(directory, d), excludes))
        for filename in sorted(filenames):
            if filename.endswith(".py"):
                path = os.path.join(directory, filename)
                if not excluded(path, excludes):
                    files.append(SourceFile(path, root))
    return files


def read_source(source: SourceFile, max_bytes: int) -> bytes:
    """The file's bytes, or :class:`Skipped` with the reason. Never blocks on a FIFO, never reads past the cap."""
    path = source.path
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            target = os.path.realpath(path)
            root = os.path.realpath(source.root)
            if os.path.commonpath([target, root]) != root:
                raise Skipped("symlink points outside the analysed tree")
            info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise Skipped("not a regular file")
        if info.st_size > max_bytes:
            raise Skipped(f"larger than max_file_bytes ({info.st_size} > {max_bytes} bytes)")
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
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
    except FileNotFoundError:
        raise Skipped("file disappeared before it could be read") from None
    except PermissionError:
        raise Skipped("permission denied") from None
    except (OSError, ValueError) as exc:
        raise Skipped(f"cannot read file ({getattr(exc, 'strerror', None) or type(exc).__name__})") from None
    if len(data) > max_bytes:
        raise Skipped(f"larger than max_file_bytes (> {max_bytes} bytes)")
    return data
