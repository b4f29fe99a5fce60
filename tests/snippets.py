"""Small programs the server and history tests share: a singleton send, and an emitter with its factory."""

SINGLETON = '''\
from services.bridge import get_agent_websocket_bridge


async def send(run_id):
    bridge = await get_agent_websocket_bridge()
    await bridge.notify_agent_started(run_id, "demo")
'''
EMITTER = '''\
class UserEmitter:
    async def emit_agent_started(self, data):
        return None


class AgentWebSocketBridge:
    async def create_user_emitter(self, user_context) -> UserEmitter:
        return UserEmitter()
'''
