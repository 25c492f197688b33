"""A new screen after ``reset`` is perceived cold: nothing read on an earlier screen is reused.

Uses a gtk3-widget-factory screenshot of the desktop dev set: it has text lines, short
labels in empty buttons and nameless icons, so every per-content cache has work to do.
"""

from __future__ import annotations

from pathlib import Path

from grounding.perceive import Perceiver, load_image
from grounding.types import Screen

SHOT = Path(__file__).resolve().parents[2] / "bench" / "desktop_devset" / "images" / \
    "widgets-1.png"


def _elements(screen: Screen) -> list[tuple[str, str, str, tuple[int, int, int, int]]]:
    return [(e.kind, e.text, e.label, (e.box.x1, e.box.y1, e.box.x2, e.box.y2))
            for e in screen.elements]


def test_reset_forgets_lines_short_labels_and_icon_names(perceiver: Perceiver) -> None:
    image = load_image(SHOT)
    perceiver.reset()
    first = perceiver.perceive(image)
    assert perceiver.ocr is not None and perceiver.labels is not None
    assert perceiver.icons is not None
    caches = [perceiver.ocr._cache, perceiver.labels._seen, perceiver.icons._seen]
    assert all(len(c) for c in caches), [len(c) for c in caches]
    perceiver.reset()
    assert [len(c) for c in caches] == [0, 0, 0]
    again = perceiver.perceive(image)
    assert _elements(again) == _elements(first)
    assert all(len(c) for c in caches)
