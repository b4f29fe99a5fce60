async def report(emitter):
    await emitter.emit_agent_thinking({"message": "still working"})
