from emitter import Bridge


async def run(user_context):
    emitter = await Bridge().create_user_emitter(user_context)
    await emitter.emit_agent_started({"agent": "demo"})
    await emitter.emit_agent_thinking({"message": "working"})
    await emitter.emit_tool_executing({"tool": "search"})
    await emitter.emit_tool_completed({"tool": "search"})
    await emitter.emit_agent_completed("demo", {"result": 1})  # expect: NIL405
