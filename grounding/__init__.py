"""Perception and grounding: screenshot -> elements -> the pixel an instruction means.

``perceive``, ``Perceiver``, ``locate``, ``ground``, ``render_som`` and ``element_list`` are
imported lazily: importing ``grounding`` (e.g. for its errors) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from grounding.errors import GroundingError, ImageError, ModelMissing, RemoteGrounderError
from grounding.types import Element, Screen, Target

_LAZY = {"perceive": "grounding.perceive", "Perceiver": "grounding.perceive",
         "PerceiveConfig": "grounding.perceive", "locate": "grounding.locate",
         "render_som": "grounding.som", "element_list": "grounding.som",
         "ground": "grounding.pipeline"}

__all__ = ["Element", "GroundingError", "ImageError", "ModelMissing", "PerceiveConfig",
           "Perceiver", "RemoteGrounderError", "Screen", "Target", "element_list", "ground",
           "locate", "perceive", "render_som"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'grounding' has no attribute {name!r}")
