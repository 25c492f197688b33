"""Errors of the grounding layer.

GroundingError
├── ModelMissing        a packaged model file is absent (broken install: user must act)
├── ImageError          the input image cannot be read (user must act)
├── GrounderConfigError the VLM grounder is configured wrongly (user must act)
└── RemoteGrounderError a remote VLM grounder failed or answered nonsense (the model / run)
"""

from __future__ import annotations


class GroundingError(Exception):
    """Base of every error raised by the grounding layer."""


class ModelMissing(GroundingError):
    """A model that should ship inside the package is not there."""


class ImageError(GroundingError):
    """An image file is missing or unreadable."""


class RemoteGrounderError(GroundingError):
    """A remote grounding model failed or gave an unusable answer."""


class GrounderConfigError(GroundingError):
    """The VLM grounder is configured wrongly (unknown coordinate mode): the user must act."""
