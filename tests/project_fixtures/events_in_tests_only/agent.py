async def run(emitter):
    await emitter.emit_agent_started({"agent": "demo"})
    await emitter.emit_agent_thinking({"message": "working"})
    await emitter.emit_tool_executing({"tool": "search"})
    await emitter.emit_agent_completed({"result": 1})
