"""The documented Netra backend profile (docs/profiles/netra-backend.yaml) loads and does what it says."""

from __future__ import annotations

import json
import shutil

from conftest import ROOT, run_cli
from netra_isolation_lint.config import load_config

PROFILE = ROOT / "docs" / "profiles" / "netra-backend.yaml"


def test_profile_loads():
    config = load_config(str(PROFILE))
    assert "agent_error" in config.custom_events
    assert all("." in name for name in config.bound_classes)


def test_profile_on_a_small_backend(tmp_path):
    shutil.copy(PROFILE, tmp_path / ".netra-isolation.yaml")
    app = tmp_path / "netra_backend" / "app"
    tests = tmp_path / "netra_backend" / "tests"
    for directory in (app / "agents" / "supervisor", app / "agents" / "chat_orchestrator", tests):
        directory.mkdir(parents=True)
    for package in (tmp_path / "netra_backend", app, app / "agents", app / "agents" / "supervisor",
                    app / "agents" / "chat_orchestrator"):
        (package / "__init__.py").write_text("")
    (app / "agents" / "supervisor" / "pipeline_executor.py").write_text(
        "class PipelineExecutor:\n    def __init__(self, engine):\n        self.engine = engine\n")
    (app / "agents" / "chat_orchestrator" / "pipeline_executor.py").write_text(
        "class PipelineExecutor:\n    def __init__(self, orchestrator):\n        self.orchestrator = orchestrator\n")
    (app / "agents" / "errors.py").write_text(
        "async def fail(emitter):\n    await emitter.emit_custom_event('agent_error', {})\n"
        "    await emitter.emit_custom_event('agent_exploded', {})\n")
    (tests / "test_agents.py").write_text(
        "from netra_backend.app.agents.supervisor.pipeline_executor import PipelineExecutor\n"
        "from x import get_agent_websocket_bridge\n\n\ndef test_it():\n    PipelineExecutor(None)\n"
        "    get_agent_websocket_bridge()\n\n\ndef broken(:\n")
    rows = json.loads(run_cli("--format", "json", "--ignore", "NIL403", ".", cwd=tmp_path).stdout)
    found = sorted((r["path"].split("netra_backend/")[1], r["code"]) for r in rows)
    assert found == [
        ("app/agents/errors.py", "NIL402"),  # agent_exploded is not declared; agent_error is
        ("app/agents/supervisor/pipeline_executor.py", "NIL201"),  # the supervisor's, not the chat helper
        ("tests/test_agents.py", "NIL900"),  # tests keep their syntax errors
    ]
