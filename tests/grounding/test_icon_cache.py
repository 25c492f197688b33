"""The icon classifier answers crops it has seen (an unchanged frame) from its cache."""

from __future__ import annotations

import numpy as np

from grounding.icons import IconClassifier


def glyph(offset: int) -> np.ndarray:
    crop = np.full((32, 32, 3), 250, np.uint8)
    crop[8 + offset:24, 14:18] = 20   # a bar
    crop[14:18, 8:24] = 20            # across it: a plus
    return crop


def test_seen_crops_are_answered_alike_and_remembered_once() -> None:
    icons = IconClassifier()
    a, b = glyph(0), glyph(3)
    first = icons.classify([a, a.copy(), b])
    assert first[0] == first[1] and len(icons._seen) == 2
    assert icons.classify([b, a]) == [first[2], first[0]]
    assert len(icons._seen) == 2
    assert icons.classify([]) == []
