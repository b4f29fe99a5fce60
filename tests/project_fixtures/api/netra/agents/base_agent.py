from typing import Optional

from netra.services.agent_websocket_bridge import AgentWebSocketBridge
from netra.services.user_execution_context import UserExecutionContext
from netra.websocket_core import UnifiedWebSocketEmitter


class BaseAgent:
    def __init__(self, name: str, user_context: Optional[UserExecutionContext] = None):
        self.name = name
        self.user_context = user_context
        self._websocket_emitter = None

    @property
    def websocket_emitter(self) -> Optional[UnifiedWebSocketEmitter]:
        return self._websocket_emitter

    @websocket_emitter.setter
    def websocket_emitter(self, emitter):
        self._websocket_emitter = emitter  # untyped: must not erase what the getter says

    async def _get_user_emitter(self):
        if self._websocket_emitter is None:
            self._websocket_emitter = await AgentWebSocketBridge().create_user_emitter(self.user_context)
        return self._websocket_emitter
