"""After the migration: the agent takes the request's user context and emits through
an emitter bound to that one user."""

from myapp.agents.base_agent import BaseAgent
from myapp.agents.supervisor.user_execution_context import UserExecutionContext
from myapp.services.agent_websocket_bridge import AgentWebSocketBridge


class TriageAgent(BaseAgent):
    def __init__(self, llm_manager, tool_dispatcher, user_context: UserExecutionContext):
        super().__init__(llm_manager, name="TriageAgent", user_context=user_context)
        self.tool_dispatcher = tool_dispatcher
        self._websocket_emitter = None

    async def _get_user_emitter(self):
        if self._websocket_emitter is None:
            bridge = AgentWebSocketBridge()
            self._websocket_emitter = await bridge.create_user_emitter(self.user_context)
        return self._websocket_emitter

    def set_user_context(self, user_context: UserExecutionContext) -> None:
        self.user_context = user_context
        self._websocket_emitter = None  # the next event is created for the new user

    async def execute(self, request):
        emitter = await self._get_user_emitter()
        await emitter.emit_agent_started({"agent_name": self.name})
        await emitter.emit_agent_thinking({"message": "Classifying the request"})
        await emitter.emit_tool_executing({"tool_name": "classifier"})
        category = await self.tool_dispatcher.run("classifier", request)
        await emitter.emit_tool_completed({"tool_name": "classifier", "result": category})
        await emitter.emit_agent_completed({"result": category})
        return category


def build_triage_agent(llm_manager, tool_dispatcher, user_context: UserExecutionContext) -> TriageAgent:
    return TriageAgent(llm_manager, tool_dispatcher, user_context=user_context)
