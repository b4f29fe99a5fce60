"""Per-file results kept between runs, keyed by file content, configuration, tool and Python version.

Like ruff's cache: a file whose size, mtime and inode are unchanged is not read again; one whose stat
changed is read and hashed, and re-analysed only if its content changed. What is cached is the file's
facts (findings of its own and what the project checks need), never a verdict that depends on other
files: those are recomputed every run, so a change to one module re-judges every module it feeds.

The cache is one JSON file (never pickle: a planted cache must not be able to run code). A missing,
corrupt, foreign or unwritable cache is ignored; it can cost time, never a result.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile

from . import __version__
from .config import Config, dump_effective
from .model.facts import ModuleFacts, module_from_json, module_to_json

ENV_DIR = "NETRA_ISOLATION_CACHE_DIR"
DEFAULT_DIR = ".netra-isolation-cache"
FORMAT = 2  # facts gained type references (the isolation API model)


def cache_dir(explicit: str | None = None) -> str:
    return explicit or os.environ.get(ENV_DIR) or DEFAULT_DIR


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


_CODE_DIGEST: list[str] = []


def code_digest() -> str:
    """The linter's own code: a result computed by other rules (an unreleased change, a local edit) never
    counts as fresh, whatever ``__version__`` says."""
    if not _CODE_DIGEST:
        package = os.path.dirname(os.path.abspath(__file__))
        hasher = hashlib.sha256()
        for folder, directories, files in sorted(os.walk(package)):
            directories[:] = sorted(d for d in directories if d != "__pycache__")
            for name in sorted(f for f in files if f.endswith(".py")):
                path = os.path.join(folder, name)
                hasher.update(os.path.relpath(path, package).encode())
                with open(path, "rb") as handle:
                    hasher.update(handle.read())
        _CODE_DIGEST.append(hasher.hexdigest())
    return _CODE_DIGEST[0]


def stat_key(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ino]


class Cache:
    def __init__(self, directory: str, config: Config, prefilter: bool):
        self.directory = directory
        fingerprint = json.dumps([FORMAT, __version__, code_digest(), sys.version, prefilter, dump_effective(config)])
        self.path = os.path.join(directory, f"results-{digest(fingerprint.encode())}.json")
        self.entries: dict[str, dict] = {}
        self.names: list[str] = []  # context-bound names the token-free entries were checked against
        self._load()

    def _load(self) -> None:
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
            if data.get("format") == FORMAT and isinstance(data.get("entries"), dict):
                self.entries = data["entries"]
                self.names = [str(n) for n in data.get("names", [])]
        except (OSError, ValueError, TypeError, AttributeError, RecursionError):
            self.entries, self.names = {}, []

    def lookup(self, path: str, info: os.stat_result) -> dict | None:
        """The entry for a file whose stat is unchanged, else None."""
        entry = self.entries.get(os.path.abspath(path))
        if isinstance(entry, dict) and entry.get("stat") == stat_key(info):
            return entry
        return None

    @staticmethod
    def facts_of(entry: dict) -> ModuleFacts | None:
        try:
            return module_from_json(entry["facts"]) if entry.get("facts") is not None else None
        except (KeyError, ValueError, TypeError, AttributeError):
            return None

    def save(self, entries: dict[str, dict], names: list[str]) -> None:
        if entries == self.entries and names == self.names:
            return  # a re-run on an unchanged tree writes nothing
        try:
            os.makedirs(self.directory, exist_ok=True)
            ignore = os.path.join(self.directory, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w", encoding="utf-8") as handle:
                    handle.write("# created by netra-isolation-lint\n*\n")
            descriptor, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                # dumps, not dump: dump streams through the pure-Python encoder, several times slower
                handle.write(json.dumps({"format": FORMAT, "names": names, "entries": entries}, separators=(",", ":")))
            os.replace(temporary, self.path)
        except OSError:
            return  # a read-only checkout still lints; it only runs cold next time


def entry(info: os.stat_result, content_digest: str, facts: ModuleFacts | None, noqa: dict[int, str]) -> dict:
    return {"stat": stat_key(info), "digest": content_digest,
            "facts": module_to_json(facts) if facts is not None else None,
            "noqa": {str(k): v for k, v in noqa.items()}}
