"""guiagent: operates phones and desktops the way a person does."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["ActConfig", "Phone", "connect"]


def __getattr__(name: str) -> Any:
    """``guiagent.connect`` and ``guiagent.Phone``, imported on first use so that
    ``import guiagent`` (and the CLI) stays light."""
    if name in __all__:
        from guiagent import api

        return getattr(api, name)
    raise AttributeError(f"module 'guiagent' has no attribute {name!r}")
