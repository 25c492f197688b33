"""Text read the same whatever the look: a menu bar drawn without smoothing splits into its
items, a tab's close glyph read glued to its name is cut off, and "Text" said as a name is
one.

Real pixels: screenshots of the desktop set's variants part (dev apps re-rendered in other
fonts and rendering options by bench/desktop_devset/variants.py) and a word drawn with a
real font.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from devices.geometry import Box
from grounding.fuse import split_items
from grounding.ocr import TextBox, glyph_cut
from grounding.perceive import load_image
from grounding.query import parse

VARIANTS = Path(__file__).resolve().parents[2] / "bench" / "desktop_devset" / "images" / \
    "variants"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def test_an_unsmoothed_menu_bar_splits_into_its_items() -> None:
    # gnumeric in DejaVu Sans without antialiasing: letters stand as far apart as words.
    rgb = np.asarray(load_image(VARIANTS / "aliased-gnumeric-format.png"))
    left = TextBox(Box(6, 4, 178, 21), "File Edit View Insert", 0.99)
    right = TextBox(Box(244, 5, 455, 22), "Tools Statistics Data Help", 1.0)
    assert [p.text for p in split_items([left, right], rgb)] == [
        "File", "Edit", "View", "Insert", "Tools", "Statistics", "Data", "Help"]
    data = split_items([right], rgb)[2]
    assert data.box.x1 >= 368 and data.box.x2 <= 415   # the Data menu's own place


def test_words_of_one_unsmoothed_item_stay_together() -> None:
    rgb = np.asarray(load_image(VARIANTS / "aliased-gnumeric-format.png"))
    item = TextBox(Box(357, 129, 457, 146), "Auto Fit Height", 0.99)
    assert [p.text for p in split_items([item], rgb)] == ["Auto Fit Height"]


def test_a_close_glyph_read_glued_to_a_tab_name_is_cut_off() -> None:
    # FeatherPad in Nimbus Sans 12: the tab "notes.txt" and its close button read as one.
    rgb = np.asarray(load_image(VARIANTS / "large-featherpad-find.png"))
    cut = glyph_cut(rgb, Box(9, 69, 81, 86), "notes.txtX")
    assert cut is not None
    glyph, words, char = cut
    assert char == "X" and words.x2 < glyph.x1 and glyph.x1 > 58


def test_a_word_ending_in_x_is_no_close_glyph() -> None:
    font = ImageFont.truetype(str(FONT), 13)
    img = Image.new("RGB", (120, 24), "white")
    ImageDraw.Draw(img).text((4, 4), "Mailbox", font=font, fill="black")
    assert glyph_cut(np.asarray(img), Box(0, 0, 120, 24), "Mailbox") is None


def test_text_said_as_a_name_is_the_name() -> None:
    q = parse("Text at the middle right")
    assert (q.text, q.position) == ("text", (1.0, 0.5))
    assert parse("click the text Row 3").text == "Row 3"      # "the text X" still names X
    assert parse("tap the text in the middle").text == ""      # a place, no name
