"""Errors shared by eager code and whole-step compilation."""


class GraphBreak(RuntimeError):
    """Raised while tracing a compiled step when code needs a concrete tensor value."""
