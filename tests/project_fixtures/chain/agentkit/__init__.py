"""Agent chain across modules: core (base) -> tooling (intermediate) -> reporting (concrete) -> registry."""
