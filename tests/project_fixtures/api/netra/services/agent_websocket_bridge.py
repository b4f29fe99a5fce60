from typing import TYPE_CHECKING, Optional

from shared.monitoring import MonitorableComponent  # outside the tree: the bridge's methods are not all known

if TYPE_CHECKING:
    from netra.services.user_execution_context import UserExecutionContext


class AgentWebSocketBridge(MonitorableComponent):
    def __init__(self, user_context: Optional["UserExecutionContext"] = None):
        self.user_context = user_context

    async def create_user_emitter(self, user_context: "UserExecutionContext") -> "WebSocketEventEmitter":
        from netra.websocket_core.unified_emitter import UnifiedWebSocketEmitter as WebSocketEventEmitter

        return WebSocketEventEmitter(None, user_context.user_id)

    async def notify_tool_executing(self, run_id: str, agent_name: str, tool_name: str) -> bool:
        return True


class CompleteBridge:
    """Declared complete in the fixture's config: its known methods are all there are."""

    async def notify_agent_started(self, run_id: str, agent_name: str) -> bool:
        return True


def create_agent_websocket_bridge(user_context=None) -> AgentWebSocketBridge:
    return AgentWebSocketBridge(user_context)
