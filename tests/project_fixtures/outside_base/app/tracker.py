from app.bridge import AgentWebSocketBridge


async def track(bridge: AgentWebSocketBridge) -> None:
    bridge.get_health_status()
    await bridge.notify_execution_started("run")  # the base is read from the project root: NIL404
