"""The API package re-exports its classes: importers use the package, not the module."""
from typing import Optional

from .manager import WebSocketManager, create_websocket_manager, get_websocket_manager_async
from .unified_emitter import UnifiedWebSocketEmitter

UserWebSocketEmitter = UnifiedWebSocketEmitter
MaybeEmitter = Optional[UnifiedWebSocketEmitter]  # a typing alias used in annotations

__all__ = ["WebSocketManager", "create_websocket_manager", "get_websocket_manager_async", "UnifiedWebSocketEmitter",
           "UserWebSocketEmitter", "MaybeEmitter"]
