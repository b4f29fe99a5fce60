"""Test helpers in a websocket_core directory of the test suite: they match the API module globs, yet tests are
never the isolation API (a fixture named ``manager`` must not make every file that says "manager" matter)."""


def manager(config):
    return config


def check_sends(emitter) -> None:
    manager()  # a missing argument, in a test helper: no call into the API, no NIL405
