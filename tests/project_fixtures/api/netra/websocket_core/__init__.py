"""The API package re-exports its classes: importers use the package, not the module."""
from .manager import WebSocketManager, create_websocket_manager, get_websocket_manager_async
from .unified_emitter import UnifiedWebSocketEmitter

UserWebSocketEmitter = UnifiedWebSocketEmitter

__all__ = ["WebSocketManager", "create_websocket_manager", "get_websocket_manager_async", "UnifiedWebSocketEmitter",
           "UserWebSocketEmitter"]
