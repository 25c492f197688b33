"""Wait until the screen stops changing, so that nothing is grounded on a half-drawn frame."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True, slots=True)
class SettleConfig:
    """``threshold``: mean absolute difference (0-255) under which two frames are equal."""

    threshold: float = 0.5
    timeout_s: float = 3.0
    interval_s: float = 0.05
    stable_frames: int = 2
    enabled: bool = True


def frame_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two frames, on small grayscale copies (fast, noise-tolerant)."""
    if a.size != b.size:
        return 255.0
    size = (max(1, a.width // 8), max(1, a.height // 8))
    fa = np.asarray(a.convert("L").resize(size, Image.Resampling.BILINEAR), dtype=np.int16)
    fb = np.asarray(b.convert("L").resize(size, Image.Resampling.BILINEAR), dtype=np.int16)
    return float(np.abs(fa - fb).mean())


def wait_for_settle(
    capture: Callable[[], Image.Image],
    config: SettleConfig,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    transient: Callable[[], bool] | None = None,
) -> tuple[Image.Image, bool]:
    """Capture until ``stable_frames`` consecutive frames match and ``transient`` (a tooltip
    on the desktop) says nothing passing is shown; return (frame, settled)."""
    frame = capture()
    if not config.enabled:
        return frame, True
    deadline = clock() + config.timeout_s
    same = 0
    while clock() < deadline:
        sleep(config.interval_s)
        nxt = capture()
        same = same + 1 if frame_difference(frame, nxt) <= config.threshold else 0
        frame = nxt
        if same >= config.stable_frames - 1 and same > 0 and not (transient and transient()):
            return frame, True
    return frame, False
