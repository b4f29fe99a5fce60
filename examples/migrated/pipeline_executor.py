"""After the migration: one executor per request, events through that request's emitter."""

from myapp.agents.supervisor.user_execution_context import UserExecutionContext
from myapp.services.agent_websocket_bridge import AgentWebSocketBridge


class PipelineExecutor:
    def __init__(self, engine, state_persistence, user_context: UserExecutionContext):
        self.engine = engine
        self.state_persistence = state_persistence
        self.user_context = user_context

    async def run(self, steps):
        async with AgentWebSocketBridge.create_scoped_emitter(self.user_context) as emitter:
            for step in steps:
                await emitter.emit_custom_event("agent_thinking", {"step": step})
                await self.engine.execute(step)
