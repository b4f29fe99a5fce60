"""Determinism: the same tree gives byte-identical reports across runs and hash seeds, and flake8 (and
pylint) give the same findings serially and in parallel.

The corpus is generated: several modules that produce findings of every family, including cross-module
ones (a context-bound class defined in one file, instantiated in another) whose verdicts depend on the
order modules are seen in, and sets of names (events, emitters) whose iteration order is hash-seeded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reliability_support import HAS_PYLINT_PLUGIN, assert_no_traceback, git_root, run_cli, run_flake8, run_pylint, write

SEEDS = ["0", "1", "4242"]

CORPUS = {
    "app/__init__.py": "",
    "app/agents/__init__.py": "from .base import BaseAgent\nfrom .impl import ReportAgent, SearchAgent\n",
    "app/agents/base.py": (
        "class BaseAgent:\n"
        "    def __init__(self, user_context=None):\n"
        "        self.user_context = user_context\n"
    ),
    "app/agents/impl.py": (
        "from .base import BaseAgent\n"
        "from app.websocket import get_agent_websocket_bridge\n"
        "class ReportAgent(BaseAgent):\n"
        "    def __init__(self, name):\n"
        "        super().__init__()\n"
        "        self.name = name\n"
        "class SearchAgent(BaseAgent):\n"
        "    def __init__(self, user_context, limit=3):\n"
        "        self.limit = limit\n"
        "    async def run(self, emitter):\n"
        "        await emitter.emit_agent_strated()\n"
        "        await emitter.emit_tool_exec()\n"
        "        bridge = get_agent_websocket_bridge()\n"
        "        await bridge.notify_agent_thinking('x')\n"
        "        await bridge.notify_custom('y')\n"
    ),
    "app/service.py": (
        "from app.agents import ReportAgent, SearchAgent\n"
        "from app.websocket import create_user_emitter, emit_custom_event\n"
        "EMITTERS = {}\n"
        "SHARED = create_user_emitter(None)\n"
        "class Cache:\n"
        "    emitter = create_user_emitter(None)\n"
        "def handle(ctx):\n"
        "    a = ReportAgent('r')\n"
        "    b = SearchAgent()\n"
        "    EMITTERS[ctx] = create_user_emitter(ctx)\n"
        "    for name in ('zeta', 'alpha', 'mid', 'agent_thinkin', 'tool_complete'):\n"
        "        emit_custom_event('unknown_' + name)\n"
        "    emit_custom_event('agent_thinkin')\n"
        "    emit_custom_event('tool_complete')\n"
        "    emit_custom_event('zzz_unknown')\n"
        "    return a, b\n"
    ),
    "app/orchestrator.py": (
        "from app.websocket import create_user_emitter\n"
        "class WorkflowOrchestrator:\n"
        "    def __init__(self, user_context):\n"
        "        self.user_context = user_context\n"
        "        self._emitter = create_user_emitter(user_context)\n"
        "        self.__emitter = create_user_emitter(user_context)\n"
        "    def set_user_context(self, user_context):\n"
        "        self.user_context = user_context\n"
        "def build():\n"
        "    return WorkflowOrchestrator()\n"
    ),
    "app/websocket.py": "def get_agent_websocket_bridge():\n    pass\n",
    "scripts/legacy.py": (
        "from app.websocket import get_agent_websocket_bridge as gb\n"
        "BRIDGE = gb()\n"
        "gb().notify_agent_error('e')\n"
    ),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = git_root(tmp_path_factory.mktemp("determinism"))
    for name, text in CORPUS.items():
        write(root / name, text)
    return root


def _formats() -> list[str]:
    from netra_isolation_lint.formats import FORMATS

    return sorted(FORMATS)


@pytest.mark.parametrize("fmt", _formats())
def test_cli_byte_identical_across_hash_seeds(corpus: Path, fmt: str) -> None:
    outputs = []
    for seed in SEEDS:
        proc = run_cli(".", "--format", fmt, cwd=corpus, env={"PYTHONHASHSEED": seed})
        assert_no_traceback(proc.stdout, proc.stderr)
        assert proc.returncode == 1, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    if fmt == "text":
        codes = {line.split(": ", 1)[1].split(" ", 1)[0] for line in outputs[0].splitlines()}
        assert len(codes) >= 6, outputs[0]  # the corpus really exercises several rule families


def test_cli_order_of_arguments_does_not_matter(corpus: Path) -> None:
    files = sorted(str(p.relative_to(corpus)) for p in corpus.rglob("*.py"))
    forward = run_cli(*files, cwd=corpus)
    backward = run_cli(*reversed(files), cwd=corpus, env={"PYTHONHASHSEED": "7"})
    assert forward.returncode == backward.returncode == 1
    assert forward.stdout == backward.stdout  # NIL403 included: its anchor does not depend on the order


def test_flake8_serial_equals_parallel(corpus: Path) -> None:
    runs = {}
    for jobs, seed in (("1", "0"), ("2", "1"), ("2", "4242")):
        proc = run_flake8("-j", jobs, ".", cwd=corpus, env={"PYTHONHASHSEED": seed})
        assert_no_traceback(proc.stdout, proc.stderr)
        assert proc.returncode == 1, proc.stderr
        runs[(jobs, seed)] = sorted(proc.stdout.splitlines())
    first, *rest = runs.values()
    assert first and all(other == first for other in rest)


def test_flake8_agrees_with_itself_run_per_file(corpus: Path) -> None:
    """flake8 hands the plugin one file at a time in both modes; the union over single-file runs must be
    the directory run (no state leaks from one file into the next within a worker)."""
    whole = sorted(run_flake8("-j", "1", ".", cwd=corpus).stdout.splitlines())
    single = []
    for path in sorted(corpus.rglob("*.py")):
        rel = "./" + str(path.relative_to(corpus))
        single.extend(run_flake8(rel, cwd=corpus).stdout.splitlines())
    assert sorted(single) == whole


@pytest.mark.skipif(not HAS_PYLINT_PLUGIN, reason="netra_isolation_lint.pylint_plugin not written yet")
def test_pylint_serial_equals_parallel(corpus: Path) -> None:
    runs = []
    for jobs in ("1", "2"):
        proc = run_pylint("--jobs", jobs, "app", "scripts", cwd=corpus)
        assert_no_traceback(proc.stdout, proc.stderr)
        runs.append(sorted(line for line in proc.stdout.splitlines() if line and not line.startswith("*")))
    assert runs[0] and runs[0] == runs[1]
