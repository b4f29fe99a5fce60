class UserAgentParser:
    def __init__(self, header):
        self.header = header
