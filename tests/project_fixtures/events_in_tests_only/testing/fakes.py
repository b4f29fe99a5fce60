async def fake_run(emitter):
    await emitter.emit_tool_completed({"tool": "fake"})
