"""Text read across a field's frame is split at the frame ("Sans | 10" was read "Sans10a"),
and a menu's mnemonic underlines are wiped before reading (an underlined "T" read "J").

Real pixels: the desktop dev set's gnumeric and qpdfview screenshots at 1920x1080, and lines
drawn with a real font.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from devices.geometry import Box
from grounding.locate import locate
from grounding.ocr import _no_underline, rule_split
from grounding.perceive import Perceiver, load_image

DEVSET = Path(__file__).resolve().parents[2] / "bench" / "desktop_devset" / "images"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
needs_font = pytest.mark.skipif(not FONT.is_file(), reason="fonts-dejavu-core is not installed")


def line(text: str) -> tuple[np.ndarray, Box, ImageDraw.ImageDraw, ImageFont.FreeTypeFont]:
    """``text`` drawn dark on light grey, its detector-like box, and the pen to add to it."""
    face = ImageFont.truetype(str(FONT), 15)
    im = Image.new("RGB", (300, 40), (242, 242, 242))
    d = ImageDraw.Draw(im)
    d.text((10, 11), text, font=face, fill=(30, 30, 30))
    right = 10 + round(d.textlength(text, font=face))
    return np.asarray(im), Box(4, 6, right + 6, 34), d, face


@needs_font
def test_a_rule_across_a_line_splits_it_and_letters_do_not() -> None:
    face = ImageFont.truetype(str(FONT), 15)
    im = Image.new("RGB", (300, 40), (242, 242, 242))
    d = ImageDraw.Draw(im)
    d.text((10, 11), "Sans", font=face, fill=(30, 30, 30))
    d.line([(60, 4), (60, 36)], fill=(190, 190, 190))   # the font box's frame
    d.text((70, 11), "10", font=face, fill=(30, 30, 30))
    pieces = rule_split(np.asarray(im), Box(4, 6, 100, 34))
    assert len(pieces) == 2 and pieces[0].x2 <= 60 < pieces[1].x1, pieces
    for text in ("Fill | lines", "Illegal", "H1 ll"):  # stems and bars as tall as the text
        rgb, box, _, _ = line(text)
        assert rule_split(rgb, box) == [box], text


def test_gnumeric_font_name_is_read_apart_from_the_size_box(perceiver: Perceiver) -> None:
    screen = perceiver.perceive(load_image(DEVSET / "gnumeric-1080.png"))
    target = locate(screen, 'click "Sans"')
    assert target.found and target.point is not None, target.reason
    assert Box(4, 64, 103, 99).contains(target.point), target


@needs_font
def test_an_underline_under_a_letter_is_wiped_and_an_underscore_stays() -> None:
    rgb, box, d, face = line("View Tabs Help")
    x1, _, x2, bottom = d.textbbox((10 + round(d.textlength("View ", font=face)), 11), "T",
                                   font=face)
    y = bottom + 2
    d.line([(x1, y), (x2, y)], fill=(30, 30, 30))   # the mnemonic under "T"
    crop = np.asarray(d._image)[box.y1:box.y2, box.x1:box.x2]
    wiped = _no_underline(crop)
    assert (wiped[y - box.y1, x1 - box.x1:x2 - box.x1] >= 200).all(), "the underline stays"
    assert (wiped[:y - 1 - box.y1] == crop[:y - 1 - box.y1]).all()  # the letters are untouched
    rgb, box, _, _ = line("my_notes.txt")
    crop = rgb[box.y1:box.y2, box.x1:box.x2]
    assert _no_underline(crop) is crop


def test_qpdfview_menu_title_with_a_mnemonic_is_read(perceiver: Perceiver) -> None:
    screen = perceiver.perceive(load_image(DEVSET / "qpdfview-edit-1080.png"))
    target = locate(screen, 'click "Tabs"')
    assert target.found and target.point is not None, target.reason
    assert Box(123, 0, 159, 23).contains(target.point), target
