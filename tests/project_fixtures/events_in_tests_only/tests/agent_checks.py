async def check_tool_completed_is_sent(emitter):
    await emitter.emit_tool_completed({"tool": "search"})  # a test sending it proves nothing about production
