from agentkit import reporting
from agentkit.reporting import ReportAgent, SummaryAgent
from agentkit.tooling import InheritsInit


def build_all(llm, user_context):
    agents = [
        ReportAgent(llm, []),  # expect[project]: NIL203
        ReportAgent(llm, [], user_context),
        reporting.ReportAgent(llm, tools=[]),  # expect[project]: NIL203
        SummaryAgent(llm, user_context=user_context),
        SummaryAgent(llm),  # expect[project]: NIL203
        InheritsInit(llm),  # expect[project]: NIL203
        InheritsInit(llm, user_context=user_context),
    ]
    late = ReportAgent(llm, [])
    late.set_user_context(user_context)
    return agents + [late]
