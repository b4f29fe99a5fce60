class MonitorableComponent:
    """A sibling package of the linted one: read from the project root only to know the bridge's methods."""

    def get_health_status(self) -> dict:
        return {}

    def broken_here(self):
        return undefined_name.get_agent_websocket_bridge()  # never reported: this file was not given
