from kit.mid import MidAgent


class ChildAgent(MidAgent):
    def __init__(self, llm, tools):
        super().__init__(llm)
        self.tools = tools


class TakesContext(MidAgent):
    def __init__(self, llm, user_context=None):
        super().__init__(llm)
        self.user_context = user_context


async def lost_member(agent: MidAgent):
    return await agent.method_after_the_error()  # MidAgent is incomplete: not judged (no NIL404)
