"""A base agent whose module no longer parses: a stray backslash in one method (as in a real migration)."""
from netra_backend.app.agents.base_agent import BaseAgent


class MidAgent(BaseAgent):  # its header and parsing members survive
    def __init__(self, llm):
        super().__init__(llm)

    async def execute(self, context):
        context = validate(context)\n        self.set_user_context(context)

    async def report(self, bridge_module):
        bridge = await bridge_module.get_agent_websocket_bridge()
        return bridge


def validate(context):
    return context
