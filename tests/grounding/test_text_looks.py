"""Text read the same whatever the look: a menu bar drawn without smoothing splits into its
items, a tab's close glyph read glued to its name is cut off, mnemonic underlines are wiped
even under a sure reading or grown into their letter, and "Text" said as a name is one.

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
from grounding.ocr import TextBox, _no_underline, glyph_cut
from grounding.perceive import Perceiver, load_image
from grounding.query import parse

VARIANTS = Path(__file__).resolve().parents[2] / "bench" / "desktop_devset" / "images" / \
    "variants"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONTS = Path("/usr/share/fonts/truetype")


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
    # A drawn tab label in spaced capitals: its word space (0.7 text heights) is no item gap.
    img = Image.new("RGB", (420, 60), "white")
    face = ImageFont.truetype(str(FONT), 40)
    ImageDraw.Draw(img).text((4, 6), "A L L  I M A G E", font=face, fill="black")
    tab = TextBox(Box(0, 0, 420, 60), "ALL IMAGE", 0.99)
    assert [p.text for p in split_items([tab], np.asarray(img))] == ["ALL IMAGE"]


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


def read(perceiver: Perceiver, image: str, box: Box) -> str:
    rgb = np.asarray(load_image(VARIANTS / image))
    assert perceiver.ocr is not None
    return " ".join(t.text for t in perceiver.ocr.recognize(rgb, [box]))


def test_underlined_letters_read_surely_wrong_are_read_again(perceiver: Perceiver) -> None:
    # qpdfview's menu bar in DejaVu Sans Bold 9 without smoothing, opened by a key: each
    # mnemonic underline made the recognizer sure of another letter ("Eile", "Iabs").
    image = "aliased-bold-qpdfview-edit.png"
    assert read(perceiver, image, Box(5, 1, 34, 20)) == "File"
    assert "Tabs" in read(perceiver, image, Box(77, 2, 279, 19)).split()


def test_an_underline_grown_into_its_letter_is_wiped(perceiver: Perceiver) -> None:
    # mousepad with subpixel text: a faint pixel joins "F" to its underline ("Eind").
    assert read(perceiver, "subpixel-mousepad-search.png", Box(107, 33, 145, 55)) == "Find"
    # gnumeric unsmoothed: the underline under "Q" joins its tail; the tail stays ("Ouit").
    assert read(perceiver, "aliased-bold-gnumeric-file.png", Box(27, 342, 64, 365)) == "Quit"


def test_descenders_and_flat_feet_are_no_underlines() -> None:
    faces = [FONTS / "dejavu" / "DejaVuSans.ttf", FONTS / "dejavu" / "DejaVuSerif.ttf",
             FONTS / "liberation" / "LiberationSans-Regular.ttf"]
    for face in (f for f in faces if f.is_file()):
        for size, mode in ((8, "1"), (8, "L"), (11, "1"), (14, "L")):
            for word in ("Paging", "gypsy", "Jiggle", "Zigzag", "Align"):
                img = Image.new("RGB", (140, 30), "white")
                pen = ImageDraw.Draw(img)
                pen.fontmode = mode
                pen.text((4, 6), word, font=ImageFont.truetype(str(face), size), fill="black")
                rgb = np.asarray(img)
                assert _no_underline(rgb) is rgb, (face.name, size, mode, word)
