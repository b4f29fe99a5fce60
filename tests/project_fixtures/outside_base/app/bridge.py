from lib.monitoring import MonitorableComponent


class AgentWebSocketBridge(MonitorableComponent):
    async def notify_agent_started(self, run_id: str, agent_name: str) -> bool:
        return True
