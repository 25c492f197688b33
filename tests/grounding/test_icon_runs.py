"""A run of adjacent toolbar icons that the text detector reads as one line ("BIU" for Bold,
Italic, Underline; "三三" for alignment buttons) becomes one icon candidate per button, which
the icon classifier names; short words ("OK", "Cut", "Sum") stay text.

Real pixels: LibreOffice Calc's dev screenshot at 1920x1080, and lines drawn with a real font.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from devices.geometry import Box
from grounding.locate import locate
from grounding.ocr import TextBox, icon_run
from grounding.perceive import Perceiver, load_image

DEVSET = Path(__file__).resolve().parents[2] / "bench" / "desktop_devset" / "images"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def drawn(parts: list[tuple[str, int]], size: int = 16) -> tuple[np.ndarray, Box]:
    """One line of ``(text, gap before it in px)`` parts, and the box a detector gives it."""
    face = ImageFont.truetype(str(FONT), size)
    im = Image.new("RGB", (400, 40), (246, 246, 246))
    d = ImageDraw.Draw(im)
    x = 10
    for text, gap in parts:
        x += gap
        d.text((x, 10), text, font=face, fill=(40, 40, 40))
        x += round(d.textlength(text, font=face))
    return np.asarray(im), Box(4, 6, x + 6, 34)


@pytest.mark.skipif(not FONT.is_file(), reason="fonts-dejavu-core is not installed")
def test_letters_in_button_cells_are_icons_and_words_stay_text() -> None:
    rgb, box = drawn([("B", 0), ("I", 18), ("U", 18)])
    cells = icon_run(rgb, TextBox(box, "BIU", 0.84))
    assert len(cells) == 3, cells
    assert all(a.x2 <= b.x1 + 4 for a, b in zip(cells, cells[1:], strict=False)), cells
    for word in ("OK", "Cut", "Sum", "Go to"):
        rgb, box = drawn([(word, 0)])
        assert icon_run(rgb, TextBox(box, word, 0.85)) == [], word  # unsure, yet one word
    rgb, box = drawn([("B", 0), ("I", 18), ("U", 18)])
    assert icon_run(rgb, TextBox(box, "BIU", 0.97)) == []  # sure letters: an abbreviation
    rgb, box = drawn([("100%", 0), ("▼", 8)])  # a zoom box and its drop-down arrow
    assert icon_run(rgb, TextBox(box, "100%▼", 0.8)) == []  # the words' cell is no icon


@pytest.mark.skipif(not FONT.is_file(), reason="fonts-dejavu-core is not installed")
def test_a_letter_beside_a_grid_line_is_no_icon_run() -> None:
    rgb, box = drawn([("D", 0)])
    rgb = rgb.copy()
    rgb[6:34, box.x2 + 20] = 120  # a spreadsheet's column border, read as "DI"
    wide = Box(box.x1, box.y1, box.x2 + 24, box.y2)
    assert icon_run(rgb, TextBox(wide, "DI", 0.65)) == []


@pytest.mark.slow
def test_calc_formatting_toolbar_buttons_are_found(perceiver: Perceiver) -> None:
    """Before: "BIU" and "三三" were text lines, and no icon was proposed inside them."""
    perceiver.reset()
    screen = perceiver.perceive(load_image(DEVSET / "calc-1080.png"))
    for instruction, (x1, y1, x2, y2) in (
            ("the Bold icon at the top left", (328, 68, 361, 103)),
            ("hit the button that does italic", (361, 68, 394, 103)),
            ("click the Align Left icon", (542, 68, 575, 103)),
            ("the Align Center button", (575, 68, 608, 103))):
        t = locate(screen, instruction)
        assert t.point is not None and x1 <= t.point.x < x2 and y1 <= t.point.y < y2, \
            (instruction, t.point, t.reason)
