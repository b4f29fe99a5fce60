class UnifiedWebSocketEmitter:
    def __init__(self, manager, user_id: str, context=None):
        self.manager = manager
        self.user_id = user_id

    async def emit_agent_started(self, data: dict) -> bool:
        return True

    async def emit_agent_thinking(self, data: dict) -> bool:
        return True

    async def emit_tool_executing(self, data: dict) -> bool:
        return True

    async def emit_tool_completed(self, data: dict) -> bool:
        return True

    async def emit_agent_completed(self, data: dict) -> bool:
        return True

    async def notify_agent_thinking(self, agent_name: str, reasoning: str, step_number: int = 0) -> bool:
        return True
