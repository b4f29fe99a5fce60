from myapp.services.agent_websocket_bridge import AgentWebSocketBridge


async def run(user_context, tool):
    emitter = await AgentWebSocketBridge().create_user_emitter(user_context)
    await emitter.emit_agent_started({"agent": "demo"})
    await emitter.emit_agent_thinking({"message": "working"})
    await emitter.emit_tool_executing({"tool": tool})
    result = await tool()
    await emitter.emit_agent_completed({"result": result})
