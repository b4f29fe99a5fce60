from typing import Optional


class WebSocketManager:
    async def send_to_user(self, user_id: str, message: dict) -> None:
        return None


def create_websocket_manager(user_context=None) -> WebSocketManager:
    """Synchronous since the merge: awaiting it raises TypeError."""
    return WebSocketManager()


async def get_websocket_manager_async(user_context=None) -> Optional[WebSocketManager]:
    return WebSocketManager()


def manager_later(user_context=None):
    """Unannotated, returns a constructor: known not awaitable."""
    return WebSocketManager()


def whatever(user_context=None):
    """Unannotated and returns something the model cannot type: never judged."""
    return user_context.make()
