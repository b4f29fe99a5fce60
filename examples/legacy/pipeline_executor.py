"""Before the migration: the pipeline keeps one bridge for the whole process."""

from myapp.services.agent_websocket_bridge import AgentWebSocketBridge

_bridge = AgentWebSocketBridge()


class PipelineExecutor:
    def __init__(self, engine, state_persistence):
        self.engine = engine
        self.state_persistence = state_persistence

    async def run(self, steps, run_id):
        for step in steps:
            await _bridge.notify_custom(run_id, "PipelineExecutor", "step_started", {"step": step})
            await self.engine.execute(step)
