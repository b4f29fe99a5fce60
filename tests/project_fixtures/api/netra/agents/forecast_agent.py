import asyncio

from netra import websocket_core
from netra.agents.base_agent import BaseAgent
from netra.services.agent_websocket_bridge import AgentWebSocketBridge, CompleteBridge, create_agent_websocket_bridge
from netra.services.user_execution_context import UserExecutionContext
from netra.websocket_core import UserWebSocketEmitter, create_websocket_manager, get_websocket_manager_async


class ForecastAgent(BaseAgent):
    def __init__(self, user_context: UserExecutionContext):
        super().__init__("forecast", user_context=user_context)
        self._bridge = create_agent_websocket_bridge(user_context)

    async def think(self, run_id: str, message: str) -> None:
        emitter = await self._get_user_emitter()  # the getter's returned attribute, assigned from the factory
        await emitter.emit_agent_thinking(run_id, {"thought": message})  # expect[project]: NIL405
        await emitter.emit_agent_thinking({"thought": message})
        await self.websocket_emitter.emit_custom_event("x", {})  # expect: NIL402  # expect[project]: NIL404
        await self._websocket_emitter.emit_agent_started({"agent": self.name})
        await self._websocket_emitter.notify_agent_started(run_id)  # expect[project]: NIL404

    async def report(self, emitter: UserWebSocketEmitter, agent_name: str, reasoning: str) -> None:
        await emitter.emit_tool_done({})  # expect: NIL401  # expect[project]: NIL404
        await emitter.notify_agent_thinking(reasoning, agent_name)  # expect[project]: NIL407
        await emitter.notify_agent_thinking(agent_name, reasoning)
        if hasattr(emitter, "emit_extra"):
            await emitter.emit_extra({})  # expect: NIL401 (a name rule); NIL404 is silent: the code allows for it
        asyncio.create_task(emitter.emit_agent_completed({}))
        emitter.emit_agent_completed({})  # expect[project]: NIL406

    async def managers(self) -> None:
        manager = await create_websocket_manager(self.user_context)  # expect[project]: NIL406
        manager = create_websocket_manager(self.user_context)
        await manager.send_to_user("u1", {"type": "ping"})
        await manager.send_to_user({"type": "ping"})  # expect[project]: NIL405
        later = await websocket_core.manager.manager_later()  # expect[project]: NIL406
        maybe = await websocket_core.manager.whatever(self.user_context)
        fine = await get_websocket_manager_async(self.user_context)
        await fine.send_to_user("u1", {})
        self._bridge.create_user_emitter(self.user_context)  # expect[project]: NIL406
        await self._bridge.notify_execution_started(run_id="r")  # the bridge's base is outside the tree: silent
        await CompleteBridge().notify_execution_started("r")  # expect[project]: NIL404
        return later, maybe

    def contexts(self, user_id: str, thread_id: str, run_id: str) -> UserExecutionContext:
        swapped = UserExecutionContext.from_request(thread_id, user_id, run_id)  # expect[project]: NIL407
        missing = UserExecutionContext.from_ids(user_id)  # expect[project]: NIL404
        bridge = AgentWebSocketBridge(self.user_context, "extra")  # expect[project]: NIL405
        child = self.user_context.child(f"op-{run_id}")
        child.get_state("x")  # expect[project]: NIL404
        return swapped or missing or bridge


class LocalEmitter:
    """Made by a factory defined in this file: even flake8, seeing one file, checks calls on it."""

    async def emit_agent_started(self, data: dict) -> bool:
        return True


class LocalFactory:
    async def create_user_emitter(self, user_context) -> LocalEmitter:
        return LocalEmitter()


async def local(user_context) -> None:
    emitter = await LocalFactory().create_user_emitter(user_context)
    await emitter.emit_agent_started("a", "b")  # expect: NIL405
    await emitter.emit_agent_started({"agent": f"{user_context}"})

    class Nested:
        async def go(self, e: LocalEmitter) -> None:
            await e.emit_agent_begun({})  # expect: NIL404

    return Nested


async def legacy(user_context) -> None:
    bridge = create_agent_websocket_bridge(user_context)  # annotated -> AgentWebSocketBridge in another module
    await bridge.notify_agent_completed("run", "forecast", {})  # expect: NIL103 (its name says it)
    conn = create_agent_websocket_bridge(user_context)
    await conn.notify_agent_completed("run", "forecast", {})  # expect[project]: NIL103 (only the model says it)
    via_factory = websocket_core.manager.whatever(user_context)
    await via_factory.notify_agent_completed("run")  # the model cannot type it: silent
    sent = await AgentWebSocketBridge().create_user_emitter(user_context)
    await sent.notify_agent_completed("run")  # expect[project]: NIL404


async def through_alias(emitter: "websocket_core.MaybeEmitter") -> None:
    await emitter.emit_agent_done({})  # expect: NIL401  # expect[project]: NIL404
