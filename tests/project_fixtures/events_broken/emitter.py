class Emitter:
    async def emit_agent_started(self, data):
        pass

    async def emit_agent_thinking(self, data):
        pass

    async def emit_tool_executing(self, data):
        pass

    async def emit_tool_completed(self, data):
        pass

    async def emit_agent_completed(self, data):
        pass


class Bridge:
    async def create_user_emitter(self, user_context) -> Emitter:
        return Emitter()
