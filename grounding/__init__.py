"""Perception and grounding: screenshot -> elements -> the pixel an instruction means."""

from grounding.errors import GroundingError, ImageError, ModelMissing, RemoteGrounderError
from grounding.types import Element, Screen, Target

__all__ = ["Element", "GroundingError", "ImageError", "ModelMissing", "RemoteGrounderError",
           "Screen", "Target"]
