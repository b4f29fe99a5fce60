from . import tooling


class ReportAgent(tooling.ToolAgent):
    def __init__(self, llm, tools, user_context):  # expect[project]: NIL202
        super().__init__(llm, tools)


class SummaryAgent(tooling.ForwardingToolAgent):
    def __init__(self, llm, *, user_context):
        super().__init__(llm, user_context=user_context)


def make_parser():
    from agentkit.parsers import UserAgentParser

    return UserAgentParser("Mozilla/5.0")
