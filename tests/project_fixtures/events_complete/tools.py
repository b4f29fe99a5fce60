async def finish_tool(tool_emitter, result):
    await tool_emitter.emit_custom_event("tool_completed", {"result": result})
