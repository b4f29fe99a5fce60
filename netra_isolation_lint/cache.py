"""Per-file results kept between runs, keyed by file content, configuration, tool and Python version.

Like ruff's cache: a file whose size, mtime and inode are unchanged is not read again; one whose stat
changed is read and hashed, and re-analysed only if its content changed. What is cached is the file's
facts (findings of its own and what the project checks need). Verdicts that depend on other files are
recomputed whenever anything changed, so a change to one module re-judges every module it feeds; a run whose
every input is unchanged (each file's stat and module name, the modules read from outside the tree, the
anchor) reuses the last run's verdicts whole, without loading the facts.

The cache is one JSON file (never pickle: a planted cache must not be able to run code). A missing,
corrupt, foreign or unwritable cache is ignored; it can cost time, never a result.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

from . import __version__
from .config import Config, dump_effective
from .model.facts import ModuleFacts, module_from_json, module_to_json
from .sources import replace_whole, stat_key, stat_or_none

ENV_DIR = "NETRA_ISOLATION_CACHE_DIR"
DEFAULT_DIR = ".netra-isolation-cache"
FORMAT = 4  # 2: facts gained type references (the API model); 3: entries name their module; 4: method lines


def cache_dir(explicit: str | None = None, project_root: str = ".") -> str:
    """``--cache-dir``, else ``$NETRA_ISOLATION_CACHE_DIR``, else ``.netra-isolation-cache`` at the project root."""
    return explicit or os.environ.get(ENV_DIR) or os.path.join(project_root, DEFAULT_DIR)


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


class Cache:
    def __init__(self, directory: str, config: Config, prefilter: bool):
        self.directory = directory
        fingerprint = json.dumps([FORMAT, __version__, code_digest(), sys.version, prefilter, dump_effective(config)])
        key = digest(fingerprint.encode())
        self.path = os.path.join(directory, f"results-{key}.json")
        self.verdicts_path = os.path.join(directory, f"verdicts-{key}.json")
        self._entries: dict[str, dict] | None = None  # loaded on first use: a reused verdict never needs them
        self._names: list[str] = []

    @property
    def entries(self) -> dict[str, dict]:
        if self._entries is None:
            self._load()
        return self._entries

    @property
    def names(self) -> list[str]:
        """The names the token-free entries were checked against (context-bound classes, the API)."""
        if self._entries is None:
            self._load()
        return self._names

    def _load(self) -> None:
        self._entries = {}
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
            if data.get("format") == FORMAT and isinstance(data.get("entries"), dict):
                self._entries = data["entries"]
                self._names = [str(n) for n in data.get("names", [])]
        except (OSError, ValueError, TypeError, AttributeError, RecursionError):
            self._entries, self._names = {}, []

    def lookup(self, path: str, info: os.stat_result, module: str) -> dict | None:
        """The entry for a file whose stat and module name are unchanged, else None."""
        entry = self.entry_of(path, module)
        return entry if entry is not None and entry.get("stat") == stat_key(info) else None

    def entry_of(self, path: str, module: str) -> dict | None:
        """The entry for a file still named ``module``, whatever its stat."""
        entry = self.entries.get(os.path.abspath(path))
        return entry if isinstance(entry, dict) and entry.get("module") == module else None

    @staticmethod
    def facts_of(entry: dict) -> ModuleFacts | None:
        try:
            return module_from_json(entry["facts"]) if entry.get("facts") is not None else None
        except (KeyError, ValueError, TypeError, AttributeError):
            return None

    def verdicts(self, witness: list) -> tuple[int, list[list]] | None:
        """(files, result rows, suppressed rows with their reason) of the last run, when its inputs are those ``witness`` describes and the files
        it read from outside the tree are unchanged; else None."""
        try:
            with open(self.verdicts_path, encoding="utf-8") as handle:
                data = json.load(handle)
            if data.get("format") != FORMAT or data.get("witness") != _digest_of(witness):
                return None
            for path, stat in data["outside"]:
                if stat_or_none(path) != stat:
                    return None
            return (int(data["files"]), [list(row) for row in data["results"]],
                    [list(row) for row in data["suppressed"]])
        except (OSError, ValueError, TypeError, AttributeError, KeyError, RecursionError):
            return None

    def save_verdicts(self, witness: list, outside: dict[str, list[int] | None], files: int,
                      results: list[list], suppressed: list[list]) -> None:
        self._write(self.verdicts_path, {"format": FORMAT, "witness": _digest_of(witness),
                                         "outside": sorted(outside.items()), "files": files, "results": results, "suppressed": suppressed})

    def save(self, entries: dict[str, dict], names: list[str]) -> None:
        """Keep this run's entries and those of files it did not look at (a pre-commit run on two files must
        not cost the next full run its cache), but not of files that are gone. The names are those every kept
        token-free entry was checked against: for entries of an earlier run, only the names both runs share."""
        kept = {path: entry for path, entry in self.entries.items() if path not in entries and os.path.exists(path)}
        if kept:
            names = sorted(set(names) & set(self.names))
        merged = {**kept, **entries}
        if merged == self.entries and names == self.names:
            return  # a re-run on an unchanged tree writes nothing
        self._write(self.path, {"format": FORMAT, "names": names, "entries": merged})

    def _write(self, path: str, data: dict) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            ignore = os.path.join(self.directory, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w", encoding="utf-8") as handle:
                    handle.write("# created by netra-isolation-lint\n*\n")
            # dumps, not dump: dump streams through the pure-Python encoder, several times slower
            replace_whole(path, json.dumps(data, separators=(",", ":")).encode("utf-8"))
        except OSError:
            return  # a read-only checkout still lints; it only runs cold next time


def _digest_of(witness: list) -> str:
    return digest(json.dumps(witness, separators=(",", ":")).encode())


def entry(info: os.stat_result, content_digest: str, module: str, facts: ModuleFacts | None,
          noqa: dict[int, str]) -> dict:
    return {"stat": stat_key(info), "digest": content_digest, "module": module,
            "facts": module_to_json(facts) if facts is not None else None,
            "noqa": {str(k): v for k, v in noqa.items()}}
