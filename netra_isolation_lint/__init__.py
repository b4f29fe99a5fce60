"""netra-isolation-lint: keep one user's agent events away from every other user."""

__version__ = "0.1.0"
