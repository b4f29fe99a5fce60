"""The result cache: same results warm or cold, only changed files re-parsed, never fatal."""

from __future__ import annotations

import json
import os

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


def test_corrupt_or_foreign_cache_is_ignored(tmp_path):
    root = project(tmp_path / "src")
    expected = run_cli("--no-cache", ".", cwd=root).stdout
    cache_dir = tmp_path / "cache"
    env = {"NETRA_ISOLATION_CACHE_DIR": str(cache_dir)}
    assert run_cli(".", cwd=root, env=env).stdout == expected
    (cache_file,) = [p for p in cache_dir.iterdir() if p.suffix == ".json"]
    for garbage in (b"\x00\xffnot json", b'{"format": 99, "entries": {}}', b"[]",
                    json.dumps({"format": 1, "entries": {str(root / "core.py"): {"stat": "x", "facts": 3}}}).encode()):
        cache_file.write_bytes(garbage)
        result = run_cli(".", cwd=root, env=env)
        assert (result.stdout, result.returncode) == (expected, 1), garbage


def test_unwritable_cache_location_is_not_fatal(tmp_path):
    root = project(tmp_path / "src")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    result = run_cli("--cache-dir", str(blocker / "cache"), ".", cwd=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout == run_cli("--no-cache", ".", cwd=root).stdout
