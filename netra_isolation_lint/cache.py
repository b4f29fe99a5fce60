"""Per-file results kept between runs, keyed by file content, configuration, tool and Python version.

Like ruff's cache: a file whose size, mtime and inode are unchanged is not read again; one whose stat
changed is read and hashed, and re-analysed only if its content changed. What is cached is the file's
facts (findings of its own and what the project checks need). Verdicts that depend on other files are
recomputed whenever anything changed, so a change to one module re-judges every module it feeds; a run whose
every input is unchanged (each file's content digest and module name, the modules read from outside the tree,
the anchor) reuses the last run's verdicts, without loading the facts.

The store is one SQLite database per configuration, a row per file for its entry and one for its verdicts (never
pickle: a planted cache must not be able to run code; its rows are JSON and plain text). A run writes only the
rows that changed: an edited file rewrites its entry and the verdicts that moved, a touched one its stat. A
missing, corrupt, foreign, locked or unwritable store is ignored; it can cost time, never a result.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterable

from . import __version__
from .config import Config, dump_effective
from .model.facts import ModuleFacts, module_from_json, module_to_json
from .sources import stat_key, stat_or_none

ENV_DIR = "NETRA_ISOLATION_CACHE_DIR"
DEFAULT_DIR = ".netra-isolation-cache"
# 2: facts gained type references (the API model); 3: entries name their module; 4: method lines; 5: SQLite rows
FORMAT = 5
SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # paths as bytes (os.fsencode): a file name need not be valid UTF-8
    "CREATE TABLE entries (path BLOB PRIMARY KEY, module TEXT NOT NULL, stat TEXT NOT NULL, digest TEXT NOT NULL,"
    " facts TEXT, noqa TEXT NOT NULL)",
    "CREATE TABLE verdicts (path BLOB PRIMARY KEY, rows TEXT NOT NULL)",
    "CREATE TABLE outside (path BLOB PRIMARY KEY, stat TEXT NOT NULL)",  # read from outside the tree: its stat
)
_KEYS = {"verdicts": "path", "outside": "path", "meta": "key"}  # the tables of a key and a value
_TROUBLE = (sqlite3.Error, OSError, ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError)


def cache_dir(explicit: str | None = None, project_root: str = ".") -> str:
    """``--cache-dir``, else ``$NETRA_ISOLATION_CACHE_DIR``, else ``.netra-isolation-cache`` at the project root."""
    return explicit or os.environ.get(ENV_DIR) or os.path.join(project_root, DEFAULT_DIR)


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def stat_text(info: os.stat_result) -> str:
    return ",".join(map(str, stat_key(info)))


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
    """Entries are dicts: ``path``, ``module``, ``stat`` (:func:`stat_text`), ``digest``, ``parsed`` (facts kept,
    else the file was token-free), and either ``stored`` (a row of the store; facts and noqa read on demand) or
    the new row's ``facts_json`` and ``noqa_json`` (made where the file was analysed, in its worker)."""

    def __init__(self, directory: str, config: Config, prefilter: bool):
        self.directory = directory
        fingerprint = json.dumps([FORMAT, __version__, code_digest(), sys.version, prefilter, dump_effective(config)])
        self.path = os.path.join(directory, f"cache-{digest(fingerprint.encode())}.sqlite")
        self._db: sqlite3.Connection | None = None
        self._entries: dict[str, dict] | None = None  # loaded on first use: a reused verdict never needs them
        self._names: list[str] = []

    # ------------------------------------------------------------------ the store

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        """The store, or None: absent and not to be created, or unusable (then deleted when it is corrupt or
        foreign, so that the next run starts a fresh one)."""
        if self._db is not None:
            return self._db
        if not create and not os.path.exists(self.path):
            return None
        try:
            if create:
                _make_directory(self.directory)
            self._db = _open(self.path)
        except sqlite3.OperationalError:  # locked by another run, or unreadable: this run goes without
            self._db = None
        except sqlite3.DatabaseError:  # not a database, or not ours
            try:
                os.remove(self.path)
                self._db = _open(self.path) if create else None
            except (sqlite3.Error, OSError):
                self._db = None
        except (sqlite3.Error, OSError):
            self._db = None
        return self._db

    def _read(self, query: str, *parameters) -> list[tuple]:
        """The rows, none when there is no store; a store that cannot answer raises :class:`sqlite3.Error`."""
        db = self._connect(create=False)
        return db.execute(query, parameters).fetchall() if db is not None else []

    def _meta(self, key: str):
        rows = self._read("SELECT value FROM meta WHERE key = ?", key)
        return json.loads(rows[0][0]) if rows else None

    def _write(self, statements: Iterable[tuple[str, list]]) -> None:
        """One transaction; a store that cannot be written is left as it was (the next run is colder)."""
        db = self._connect(create=True)
        if db is None:
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement, rows in statements:
                    if rows:
                        db.executemany(statement, rows)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                self._discard()  # our tables gone or altered: the next run starts a fresh store
        except sqlite3.Error:
            self._discard()
        except (OSError, ValueError):  # the disk; a value SQLite cannot take
            return

    def _discard(self) -> None:
        self.close()
        try:
            os.remove(self.path)
        except OSError:
            pass

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # ------------------------------------------------------------------ file entries

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
        try:
            rows = self._read("SELECT path, module, stat, digest, facts IS NOT NULL FROM entries")
            self._entries = {}
            for key, module, stat, content, parsed in rows:
                path = os.fsdecode(key)
                self._entries[path] = {"path": path, "module": module, "stat": stat, "digest": content,
                                       "parsed": bool(parsed), "stored": True}
            self._names = [str(n) for n in self._meta("names") or ()]
        except _TROUBLE:
            self._entries, self._names = {}, []

    def lookup(self, path: str, info: os.stat_result, module: str) -> dict | None:
        """The entry for a file whose stat and module name are unchanged, else None."""
        entry = self.entry_of(path, module)
        return entry if entry is not None and entry["stat"] == stat_text(info) else None

    def entry_of(self, path: str, module: str) -> dict | None:
        """The entry for a file still named ``module``, whatever its stat."""
        entry = self.entries.get(os.path.abspath(path))
        return entry if entry is not None and entry["module"] == module else None

    def facts_of(self, entry: dict) -> tuple[ModuleFacts, dict[int, str]] | None:
        """A parsed entry's facts and ``# noqa`` lines, or None when its row cannot be read."""
        try:
            if entry.get("stored"):
                rows = self._read("SELECT facts, noqa FROM entries WHERE path = ?", os.fsencode(entry["path"]))
                facts_json, noqa_json = rows[0]
            else:
                facts_json, noqa_json = entry["facts_json"], entry["noqa_json"]
            noqa = {int(line): str(text) for line, text in json.loads(noqa_json).items()}
            return module_from_json(json.loads(facts_json)), noqa
        except _TROUBLE:
            return None

    def save(self, entries: dict[str, dict], names: list[str]) -> None:
        """Keep this run's entries and those of files it did not look at (a pre-commit run on two files must
        not cost the next full run its cache), but not of files that are gone. The names are those every kept
        token-free entry was checked against: for entries of an earlier run, only the names both runs share.
        Only what changed is written: new rows, new stats of touched files, rows of files gone."""
        stored = self.entries
        fresh = [(os.fsencode(path), e["module"], e["stat"], e["digest"], e["facts_json"], e["noqa_json"])
                 for path, e in entries.items() if not e.get("stored")]
        touched = [(e["stat"], os.fsencode(path)) for path, e in entries.items()
                   if e.get("stored") and path in stored and stored[path]["stat"] != e["stat"]]
        others = [path for path in stored if path not in entries]
        gone = [(os.fsencode(path),) for path in others if not os.path.exists(path)]
        if len(others) > len(gone):
            names = sorted(set(names) & set(self.names))
        if not (fresh or touched or gone) and names == self.names:
            return  # a re-run on an unchanged tree writes nothing
        self._write([("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)", fresh),
                     ("UPDATE entries SET stat = ? WHERE path = ?", touched),
                     ("DELETE FROM entries WHERE path = ?", gone),
                     *self._changes("meta", {"names": json.dumps(names)}, whole=False)])
        self._entries = None  # what the store holds now

    def update_stats(self, touched: list[tuple[str, str]]) -> None:
        """(path, new stat) of files touched but unchanged, found while the verdicts were reused."""
        self._write([("UPDATE entries SET stat = ? WHERE path = ?",
                      [(stat, os.fsencode(path)) for path, stat in touched])])

    # ------------------------------------------------------------------ whole-run verdicts

    def verdicts(self, witness: list) -> tuple[int, list[list], list[list]] | None:
        """(files, result rows, suppressed rows with their reason) of the last run, when its inputs are those
        ``witness`` describes and the files it read from outside the tree are unchanged; else None."""
        try:
            if self._meta("witness") != _digest_of(witness):
                return None
            for path, stat in self._read("SELECT path, stat FROM outside"):
                if stat_or_none(os.fsdecode(path)) != json.loads(stat):
                    return None
            results: list[list] = []
            suppressed: list[list] = []
            for (text,) in self._read("SELECT rows FROM verdicts"):
                shown, hidden = json.loads(text)
                results.extend(list(row) for row in shown)
                suppressed.extend(list(row) for row in hidden)
            if not (all(_is_row(row, ROW) for row in results)
                    and all(_is_row(row, (*ROW, str)) for row in suppressed)):
                return None  # not what this code wrote: judged afresh
            return int(self._meta("files")), sorted(results), sorted(suppressed)
        except _TROUBLE:
            return None

    def save_verdicts(self, witness: list, outside: dict[str, list[int] | None], files: int,
                      results: list[list], suppressed: list[list]) -> None:
        """Rows grouped by file; a file whose verdicts are the same as last time is not written again."""
        grouped: dict[str, tuple[list, list]] = {}
        for row in results:
            grouped.setdefault(row[0], ([], []))[0].append(row)
        for row in suppressed:
            grouped.setdefault(row[0], ([], []))[1].append(row)
        rows = {os.fsencode(path): json.dumps(pair, separators=(",", ":")) for path, pair in grouped.items()}
        read = {os.fsencode(path): json.dumps(stat) for path, stat in outside.items()}
        meta = {"witness": json.dumps(_digest_of(witness)), "files": json.dumps(files)}
        self._write([*self._changes("verdicts", rows), *self._changes("outside", read),
                     *self._changes("meta", meta, whole=False)])

    def _changes(self, table: str, rows: dict, whole: bool = True) -> list[tuple[str, list]]:
        """The statements that make ``table`` (a key and a value) hold ``rows``, writing only the rows that differ
        from the store's; with ``whole``, ``rows`` is the whole table and other keys are deleted."""
        try:
            stored = dict(self._read(f"SELECT * FROM {table}"))
        except _TROUBLE:
            stored = {}
        statements = [(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)",
                       [(key, value) for key, value in rows.items() if stored.get(key) != value])]
        if whole:
            statements.append((f"DELETE FROM {table} WHERE {_KEYS[table]} = ?",
                               [(key,) for key in stored if key not in rows]))
        return statements


def _make_directory(directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    ignore = os.path.join(directory, ".gitignore")
    if not os.path.exists(ignore):
        with open(ignore, "w", encoding="utf-8") as handle:
            handle.write("# created by netra-isolation-lint\n*\n")


def _open(path: str) -> sqlite3.Connection:
    """Our schema at our format, or :class:`sqlite3.DatabaseError`. A planted store runs no code: its schema's
    views and triggers may call no function with side effects (``trusted_schema``), and we only read our tables."""
    created = not os.path.exists(path)
    db = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
    try:
        if created:
            os.chmod(path, 0o600)
        db.execute("PRAGMA trusted_schema = OFF")
        db.execute("PRAGMA synchronous = OFF")  # a cache: a lost write costs a colder run, never a result
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            db.executescript("BEGIN; " + "; ".join(SCHEMA) + f"; PRAGMA user_version = {FORMAT}; COMMIT;")
        elif version != FORMAT:
            raise sqlite3.DatabaseError(f"foreign cache format {version}")
        return db
    except BaseException:
        db.close()
        raise


ROW = (str, int, int, str, str)  # a result's path, line, column, code and message


def _is_row(row: list, kinds: tuple[type, ...]) -> bool:
    return len(row) == len(kinds) and all(type(value) is kind for value, kind in zip(row, kinds))


def _digest_of(witness: list) -> str:
    return digest(json.dumps(witness, separators=(",", ":")).encode())


def entry(info: os.stat_result, content_digest: str, module: str, facts: ModuleFacts | None,
          noqa: dict[int, str]) -> dict:
    """A new entry, its row's JSON made here (in the worker that analysed the file, under ``--jobs``)."""
    return {"stat": stat_text(info), "digest": content_digest, "module": module, "parsed": facts is not None,
            "facts_json": json.dumps(module_to_json(facts), separators=(",", ":")) if facts is not None else None,
            "noqa_json": json.dumps({str(k): v for k, v in noqa.items()})}
