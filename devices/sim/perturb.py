"""Seeded disturbances for recovery testing; all off by default."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Perturbations:
    """What can go wrong on the simulated phone, drawn from one seeded generator.

    ``permission_dialog`` / ``rate_popup``: chance (0..1) that opening an app shows a
    runtime-permission dialog / a "rate this app" popup first. ``slow_loading``: seconds
    an app shows a spinner after it starts. ``ignored_tap_rate``: chance a tap is lost.
    ``layout_variant``: 0 the stock layout, 1 a reordered launcher and settings list.
    """

    permission_dialog: float = 0.0
    rate_popup: float = 0.0
    slow_loading: float = 0.0
    ignored_tap_rate: float = 0.0
    layout_variant: int = 0

    def __post_init__(self) -> None:
        for name in ("permission_dialog", "rate_popup", "ignored_tap_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} is a probability 0..1, got {value}")
        if self.slow_loading < 0:
            raise ValueError(f"slow_loading is seconds >= 0, got {self.slow_loading}")
        if self.layout_variant not in (0, 1):
            raise ValueError(f"layout_variant is 0 or 1, got {self.layout_variant}")

    @property
    def any(self) -> bool:
        return bool(self.permission_dialog or self.rate_popup or self.slow_loading
                    or self.ignored_tap_rate or self.layout_variant)

    def happens(self, rng: random.Random, chance: float) -> bool:
        return chance > 0 and rng.random() < chance
