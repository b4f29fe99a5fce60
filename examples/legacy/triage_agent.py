"""Before the migration: the agent reports progress through the process-wide bridge.

Every user's run shares the one bridge instance, so a slow request can stream its
"thinking" updates into another user's chat.
"""

from myapp.agents.base_agent import BaseAgent
from myapp.services.agent_websocket_bridge import get_agent_websocket_bridge


class TriageAgent(BaseAgent):
    def __init__(self, llm_manager, tool_dispatcher):
        super().__init__(llm_manager, name="TriageAgent")
        self.tool_dispatcher = tool_dispatcher

    async def execute(self, request, run_id):
        bridge = await get_agent_websocket_bridge()
        await bridge.notify_agent_started(run_id, self.name)
        await bridge.notify_agent_thinking(run_id, self.name, "Classifying the request")
        await bridge.notify_tool_executing(run_id, self.name, "classifier", {"text": request})
        category = await self.tool_dispatcher.run("classifier", request)
        await bridge.notify_tool_completed(run_id, self.name, "classifier", category)
        await bridge.notify_agent_completed(run_id, self.name, result=category)
        return category

    async def report_failure(self, run_id, error):
        from myapp.services import agent_websocket_bridge as bridges

        shared_bridge = await bridges.get_agent_websocket_bridge()
        await shared_bridge.notify_agent_error(run_id, self.name, str(error))
