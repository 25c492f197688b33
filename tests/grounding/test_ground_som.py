"""Set-of-mark images and the element list that goes with them."""

from __future__ import annotations

import numpy as np
from PIL import Image

from devices.base import Observation
from devices.geometry import Box
from grounding.perceive import Perceiver
from grounding.som import PALETTE, element_list, render_som
from grounding.types import Element


def test_phone_screen_gets_numbered_boxes(tree_only: Perceiver,
                                          sim_screens: dict[str, Observation]) -> None:
    obs = sim_screens["settings"]
    screen = tree_only.perceive(obs)
    out = render_som(obs.image, screen.elements)
    assert out.size == obs.image.size and out.mode == "RGB"
    assert out is not obs.image and np.asarray(obs.image).shape == np.asarray(out).shape
    changed = np.any(np.asarray(out) != np.asarray(obs.image), axis=2)
    for e in screen.elements:  # every box outline is drawn
        assert changed[e.box.y1 + 1, (e.box.x1 + e.box.x2) // 2] or changed[e.box.y1:e.box.y2,
                                                                            e.box.x1].any()
    lines = element_list(screen.elements).splitlines()
    assert lines == [e.describe() for e in screen.elements]
    assert any('"Network & internet"' in line for line in lines)


def test_tag_is_big_enough_to_read_on_a_desktop() -> None:
    image = Image.new("RGB", (1920, 1080), (255, 255, 255))
    e = Element(7, Box(400, 300, 600, 360), "button", "OK")
    out = np.asarray(render_som(image, [e]))
    color = np.array(PALETTE[7 % len(PALETTE)])
    tag = np.all(out == color, axis=2)
    ys, xs = np.nonzero(tag[:300, :])  # the tag sits above the box
    assert len(ys) and ys.max() - ys.min() >= 16 and xs.min() >= 400
    assert np.any(np.all(out[ys.min():ys.max(), xs.min():xs.max()] == 255, axis=2))  # digits


def test_tags_stay_on_screen_at_the_edges() -> None:
    image = Image.new("RGB", (400, 300), (0, 0, 0))
    out = render_som(image, [Element(12, Box(380, 0, 400, 20), "icon")])
    assert out.size == (400, 300)
    assert np.any(np.asarray(out)[:, 340:] != 0)
