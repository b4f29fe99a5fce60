from agentkit.core import CoreAgent as Core

Intermediate = Core


class ToolAgent(Intermediate):
    def __init__(self, llm, tools):  # expect[project]: NIL201
        super().__init__(llm)
        self.tools = tools


class ForwardingToolAgent(Core):
    def __init__(self, llm, **kwargs):
        super().__init__(llm, **kwargs)


class InheritsInit(Core):
    pass
