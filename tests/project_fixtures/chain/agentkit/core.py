from myapp.agents.base_agent import BaseAgent


class CoreAgent(BaseAgent):
    def __init__(self, llm, user_context=None):
        super().__init__(llm, user_context=user_context)
