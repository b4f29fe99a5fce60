"""The result cache: same results warm or cold, only changed files re-parsed, never fatal."""

from __future__ import annotations

import contextlib
import os
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_cli
from netra_isolation_lint import runner
from netra_isolation_lint.cache import Cache
from netra_isolation_lint.config import DEFAULTS
from netra_isolation_lint.sources import DEFAULT_EXCLUDES, discover

BASE = "from app.base import BaseAgent\n\n\nclass CoreAgent(BaseAgent):\n    pass\n"
LEAF = ("from core import CoreAgent\n\n\nclass ToolAgent(CoreAgent):\n    def __init__(self, llm):\n"
        "        super().__init__(llm)\n")
OTHER = "from x import get_agent_websocket_bridge\n"


def project(tmp_path):
    tmp_path.mkdir(parents=True)
    for name, text in (("core.py", BASE), ("tool.py", LEAF), ("other.py", OTHER)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def lint(root, cache_dir, monkeypatch=None, parsed=None):
    if monkeypatch is not None:
        real = runner.analyse_bytes

        def counting(data, path, config, module):
            parsed.append(os.path.basename(path))
            return real(data, path, config, module)

        monkeypatch.setattr(runner, "analyse_bytes", counting)
    sources, _ = discover([str(root)], DEFAULT_EXCLUDES)
    cache = Cache(str(cache_dir), DEFAULTS, prefilter=True)
    report = runner.lint(sources, DEFAULTS, str(root), prefilter=True, cache=cache)
    return sorted((os.path.basename(r.path), r.code) for r in report.results)


def test_warm_run_reads_nothing_and_gives_the_same_results(tmp_path, monkeypatch):
    root = project(tmp_path / "src")
    cold = lint(root, tmp_path / "cache")
    parsed: list[str] = []
    assert lint(root, tmp_path / "cache", monkeypatch, parsed) == cold
    assert parsed == []


def test_a_change_reparses_that_file_and_rejudges_its_dependents(tmp_path, monkeypatch):
    root = project(tmp_path / "src")
    before = lint(root, tmp_path / "cache")
    assert ("tool.py", "NIL201") in before
    (root / "core.py").write_text(BASE.replace("(BaseAgent)", "(object)"), encoding="utf-8")
    parsed: list[str] = []
    after = lint(root, tmp_path / "cache", monkeypatch, parsed)
    assert parsed == ["core.py"]  # tool.py is not parsed again ...
    assert ("tool.py", "NIL201") not in after  # ... but judged again: its base is no agent any more


def _store(cache_dir):
    [path] = [p for p in cache_dir.iterdir() if p.suffix == ".sqlite"]
    return path


def _damage(path, *statements):
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        for statement in statements:
            db.execute(statement)


DAMAGE = [
    ("UPDATE entries SET facts = '{not json'",),
    ("UPDATE entries SET noqa = '[1]', stat = 'x'",),
    ("UPDATE entries SET facts = '{\"format\": 3}'",),
    ("UPDATE outside SET stat = '[1]'",),
    ("DROP TABLE outside",),
    ("UPDATE meta SET value = 'x' WHERE key = 'names'",),
    ("UPDATE verdicts SET rows = '[1, 2]'",),
    ("UPDATE verdicts SET rows = '[[[\"a\"]], []]'",),
    ("UPDATE verdicts SET rows = '[[[\"a\", 1, 0, \"NIL101\", 5]], []]'",),
    ("DROP TABLE verdicts",),
    ("DROP TABLE entries", "CREATE TABLE entries (path TEXT)"),
    ("PRAGMA user_version = 99",),
]


def test_corrupt_or_foreign_cache_is_ignored(tmp_path):
    root = project(tmp_path / "src")
    expected = run_cli("--no-cache", ".", cwd=root).stdout
    cache_dir = tmp_path / "cache"
    env = {"NETRA_ISOLATION_CACHE_DIR": str(cache_dir)}
    assert run_cli(".", cwd=root, env=env).stdout == expected
    store = _store(cache_dir)
    for garbage in (b"\x00\xffnot a database" * 100, b"", b"SQLite format 3\x00" + b"\xff" * 200):
        store.write_bytes(garbage)
        for _ in range(2):  # ignored, then replaced by a sound store
            result = run_cli(".", cwd=root, env=env)
            assert (result.stdout, result.returncode) == (expected, 1), garbage
    for statements in DAMAGE:
        assert run_cli(".", cwd=root, env=env).stdout == expected
        _damage(store, *statements)
        result = run_cli(".", cwd=root, env=env)
        assert (result.stdout, result.returncode, result.stderr) == (expected, 1, ""), statements


def test_a_locked_store_costs_time_not_a_result(tmp_path):
    root = project(tmp_path / "src")
    cache_dir = tmp_path / "cache"
    cold = lint(root, cache_dir)
    with contextlib.closing(sqlite3.connect(_store(cache_dir))) as db:
        db.execute("BEGIN EXCLUSIVE")  # another run writing
        (root / "core.py").write_text(BASE + "\n", encoding="utf-8")
        assert lint(root, cache_dir) == cold
    assert _store(cache_dir).exists()  # locked is not corrupt: kept


def test_unwritable_cache_location_is_not_fatal(tmp_path):
    root = project(tmp_path / "src")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    result = run_cli("--cache-dir", str(blocker / "cache"), ".", cwd=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout == run_cli("--no-cache", ".", cwd=root).stdout


def test_an_unchanged_run_reuses_its_verdicts_without_loading_the_facts(tmp_path, monkeypatch):
    root = project(tmp_path / "src")
    cold = lint(root, tmp_path / "cache")
    monkeypatch.setattr(Cache, "facts_of", lambda self, entry: pytest.fail("the facts were loaded"))
    parsed: list[str] = []
    assert lint(root, tmp_path / "cache", monkeypatch, parsed) == cold
    assert parsed == []


EMIT = ("class Emitter:\n    async def emit_agent_started(self, data: dict) -> None:\n        return None\n\n\n"
        "async def create_user_emitter(user_context) -> Emitter:\n    return Emitter()\n")
BRIDGE = "from lib.monitoring import Base\n\n\nclass AgentWebSocketBridge(Base):\n    pass\n"
USE = ("from proj.bridge import AgentWebSocketBridge\nfrom proj.emit import create_user_emitter\n\n\n"
       "async def run(user_context, bridge: AgentWebSocketBridge):\n"
       "    emitter = await create_user_emitter(user_context)\n"
       "    await emitter.emit_agent_started('run', {})  # NIL405 once proj.emit resolves\n"
       "    bridge.get_health_status()  # NIL404 once the base outside the tree lacks it\n")
MONITORING = "class Base:\n    def get_health_status(self):\n        return {}\n"


def _edit(tmp):
    (tmp / "src/proj/use.py").write_text(USE.replace("'run', {}", "{}"), encoding="utf-8")


def _remove_package_marker(tmp):
    (tmp / "src/proj/__init__.py").unlink()


def _add_package_above(tmp):
    """Outside the paths given, yet every module is renamed (``proj.emit`` becomes ``src.proj.emit``)."""
    (tmp / "src/__init__.py").write_text("", encoding="utf-8")


def _change_base_outside(tmp):
    (tmp / "lib/monitoring.py").write_text("class Base:\n    pass\n", encoding="utf-8")


@pytest.mark.parametrize("change", [_edit, _remove_package_marker, _add_package_above, _change_base_outside])
def test_verdicts_are_judged_again_when_an_input_changed(tmp_path, change):
    """Each change alters a verdict; the warm run must show what a cold one shows, never the last run's."""
    for path, text in (("src/proj/emit.py", EMIT), ("src/proj/bridge.py", BRIDGE), ("src/proj/use.py", USE),
                       ("src/proj/__init__.py", ""), ("lib/monitoring.py", MONITORING)):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    env = {"NETRA_ISOLATION_CACHE_DIR": str(tmp_path / "cache")}
    first = run_cli("src/proj", cwd=tmp_path, env=env)
    assert first.stdout == run_cli("--no-cache", "src/proj", cwd=tmp_path).stdout
    change(tmp_path)
    expected = run_cli("--no-cache", "src/proj", cwd=tmp_path).stdout
    assert expected != first.stdout, "the change must alter a verdict for the test to mean anything"
    assert run_cli("src/proj", cwd=tmp_path, env=env).stdout == expected


# --------------------------------------------------------------------------- a cached run never differs from a cold one

_VARIANTS = {
    "emit.py": [EMIT, EMIT.replace("data: dict", "run_id, data: dict")],
    "use.py": [USE, USE.replace("'run', {}", "{}")],
    "agent.py": [LEAF.replace("from core", "from pkg.core"), LEAF.replace("(CoreAgent)", "(object)")],
    "core.py": [BASE, BASE.replace("(BaseAgent)", "(object)")],
}


def _tree_state(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))


def _cold_and_warm(root, cache_dir, paths):
    sources, _ = discover([str(root / p) for p in paths], DEFAULT_EXCLUDES)
    anchor = str(root) if paths == ["."] else None
    cold = runner.lint(sources, DEFAULTS, anchor, prefilter=True)
    warm = runner.lint(sources, DEFAULTS, anchor, prefilter=True, cache=Cache(str(cache_dir), DEFAULTS, prefilter=True))
    return cold.results, warm.results


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(["edit", "add", "remove", "rename", "package", "unpackage", "subset"]),
                          st.sampled_from(sorted(_VARIANTS)), st.integers(0, 1)), min_size=1, max_size=12))
def test_a_cached_run_never_differs_from_an_uncached_one(tmp_path_factory, steps):
    """Edits, new, removed and renamed files, packages made and unmade, runs on a subset: after each step the
    run through the cache reports exactly what a run without it reports."""
    base = tmp_path_factory.mktemp("tree")
    root, cache_dir = base / "src", base / "cache"
    (root / "pkg").mkdir(parents=True)
    for name, variants in _VARIANTS.items():
        (root / "pkg" / name).write_text(variants[0], encoding="utf-8")
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    for operation, name, choice in steps:
        files = [p for p in _tree_state(root) if not p.endswith("__init__.py")]
        target = root / "pkg" / name
        if operation == "edit" and target.exists():
            target.write_text(_VARIANTS[name][choice], encoding="utf-8")
        elif operation == "add":
            (root / "pkg" / f"extra_{name}").write_text(_VARIANTS[name][choice], encoding="utf-8")
        elif operation == "remove" and target.exists():
            target.unlink()
        elif operation == "rename" and target.exists():
            target.rename(root / ("pkg" if choice else ".") / f"moved_{name}")
        elif operation == "package":
            (root / "__init__.py").write_text("", encoding="utf-8")
        elif operation == "unpackage" and (root / "pkg" / "__init__.py").exists():
            (root / "pkg" / "__init__.py").unlink()
        paths = files[:2] if operation == "subset" and files else ["."]
        cold, warm = _cold_and_warm(root, cache_dir, paths)
        assert warm == cold, (operation, name, choice, _tree_state(root))


def test_a_run_on_some_files_keeps_the_cache_entries_of_the_others(tmp_path, monkeypatch):
    root = project(tmp_path / "src")
    full = lint(root, tmp_path / "cache")
    sources, _ = discover([str(root / "other.py")], DEFAULT_EXCLUDES)
    runner.lint(sources, DEFAULTS, None, prefilter=True, cache=Cache(str(tmp_path / "cache"), DEFAULTS, prefilter=True))
    (root / "other.py").write_text(OTHER + "\n", encoding="utf-8")  # the verdicts cannot be reused whole
    parsed: list[str] = []
    assert lint(root, tmp_path / "cache", monkeypatch, parsed) == full
    assert parsed == ["other.py"]


def test_a_touched_but_unchanged_file_is_hashed_not_parsed_and_the_verdicts_are_reused(tmp_path, monkeypatch):
    root = project(tmp_path / "src")
    cold = lint(root, tmp_path / "cache")
    os.utime(root / "tool.py", ns=(1, 1))
    monkeypatch.setattr(Cache, "facts_of", lambda self, entry: pytest.fail("the facts were loaded"))
    parsed: list[str] = []
    assert lint(root, tmp_path / "cache", monkeypatch, parsed) == cold
    assert parsed == []
    monkeypatch.setattr(runner, "open_source", lambda *args: pytest.fail("a file was read"))
    assert lint(root, tmp_path / "cache") == cold  # the new stat was kept: not even read again


def test_one_edited_file_rewrites_its_own_entry_and_the_verdicts_that_moved(tmp_path, monkeypatch):
    root = project(tmp_path / "src")
    lint(root, tmp_path / "cache")
    written: list[tuple[str, list]] = []
    real = Cache._write

    def recording(self, statements):
        statements = list(statements)
        written.extend((statement.split(" (")[0], rows) for statement, rows in statements if rows)
        return real(self, statements)

    monkeypatch.setattr(Cache, "_write", recording)
    (root / "core.py").write_text(BASE.replace("(BaseAgent)", "(object)"), encoding="utf-8")
    lint(root, tmp_path / "cache")
    entries = [row for statement, rows in written if statement.startswith("INSERT OR REPLACE INTO entries")
               for row in rows]
    assert [os.path.basename(os.fsdecode(row[0])) for row in entries] == ["core.py"]
    verdicts = [row for statement, rows in written if "verdicts" in statement for row in rows]
    assert [os.path.basename(os.fsdecode(row[0])) for row in verdicts] == ["tool.py"]  # its NIL201 went; other.py kept its own
    assert not any(statement.startswith(("UPDATE entries", "DELETE FROM entries")) for statement, _ in written)
    assert [row[0] for statement, rows in written if "meta" in statement for row in rows] == ["witness"]
