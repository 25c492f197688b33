"""Perceive then locate, with one retry at full resolution on large screens."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from devices.base import Observation
from grounding.locate import MIN_SCORE, locate
from grounding.perceive import Perceiver
from grounding.types import Screen, Target


def ground(perceiver: Perceiver, source: Observation | Image.Image | str | Path,
           instruction: str, min_score: float = MIN_SCORE) -> tuple[Screen, Target]:
    """The screen and the target; a miss on a large screen re-reads its dense regions
    at full resolution (small targets) and tries once more."""
    screen = perceiver.perceive(source)
    target = locate(screen, instruction, min_score)
    if target.found or not perceiver.can_refine(screen):
        return screen, target
    screen = perceiver.refine(source)
    return screen, locate(screen, instruction, min_score)
