"""Faint labels and labels glued to pictures are read: grey labels the scaled-down text
detector passes over get a second look at full resolution, a greyed menu title under its
mnemonic underline is read again without it, and a menu item's picture read as a letter
before its word ("HSave") is cut off so the word stands alone.

Real pixels: screenshots of the desktop set's variants part (dev apps re-rendered by
bench/desktop_devset/variants.py) and words drawn with a real fixed-width font.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from devices.geometry import Box
from grounding.ocr import picture_cut
from grounding.perceive import Perceiver, load_image

IMAGES = Path(__file__).resolve().parents[2] / "bench" / "desktop_devset" / "images"
MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")


def _rgb(name: str) -> np.ndarray:
    return np.asarray(load_image(IMAGES / name).convert("RGB"))


@pytest.mark.slow
def test_grey_labels_the_detector_passes_over_are_read(perceiver: Perceiver) -> None:
    # eog's properties pane at 1080p, subpixel-rendered grey labels: at the detector's
    # scale "Exposure" and "ISO" fade away; the second look reads them.
    rgb = _rgb("variants/subpixel-eog-1080.png")
    want = {"Exposure": Box(1708, 229, 1796, 250), "ISO": Box(1708, 277, 1796, 298)}
    assert perceiver.ocr is not None
    detected = perceiver.ocr.detect(rgb)
    assert not any(b.contains(w.center) for b in detected for w in want.values())
    screen = perceiver.perceive(IMAGES / "variants/subpixel-eog-1080.png")
    for text, box in want.items():
        assert any(e.text == text and box.contains(e.box.center) for e in screen.elements)


@pytest.mark.slow
def test_a_row_of_pictures_gets_no_words_from_the_second_look(perceiver: Perceiver) -> None:
    # gnumeric's toolbars at 1080p: rows of icons look like text rows, and read as no words.
    rgb = _rgb("gnumeric-1080.png")
    assert perceiver.ocr is not None
    texts = perceiver._read(rgb, perceiver.ocr.detect(rgb))
    assert [t.text for t in perceiver._second_look(rgb, texts) if t.box.y2 < 140] == []


def test_a_greyed_menu_title_is_read_under_its_underline(perceiver: Perceiver) -> None:
    # SwingSet2 in Nimbus: the disabled "Themes" with its mnemonic underline read as
    # "Ihemes"; without the underlines the line reads with one word gap less.
    rgb = _rgb("swingset-nimbus-options.png")
    assert perceiver.ocr is not None
    perceiver.ocr.forget()
    read = perceiver.ocr.recognize(rgb, [Box(289, 73, 436, 87)])
    assert "Themes" in " ".join(t.text for t in read).split()


@pytest.mark.slow
def test_a_picture_read_glued_to_its_word_is_cut_off(perceiver: Perceiver) -> None:
    # FeatherPad's File menu in a 14 pt UI font: the disabled Save item's icon is read
    # as an "H" before "Save".
    rgb = _rgb("variants/big-featherpad-file.png")
    cut = picture_cut(rgb, Box(10, 330, 65, 352), "HSave")
    assert cut is not None
    pic, rest, _ = cut
    assert pic.x2 <= 28 and rest.x1 >= 30
    bar = _rgb("variants/large-featherpad-find.png")  # a short word before a word space
    assert picture_cut(bar, Box(7, 3, 215, 20), "File Edit Options Search Help") is None
    swing = _rgb("freeplane-1080.png")  # ... on a shaded menu bar (Swing's gradient)
    assert picture_cut(swing, Box(5, 2, 429, 21), "File Edit View Format") is None
    screen = perceiver.perceive(IMAGES / "variants/big-featherpad-file.png")
    item = Box(6, 328, 200, 353)   # the item's label, left of its shortcut
    assert [e.text for e in screen.elements if item.contains(e.box.center) and e.text
            and e.kind == "text"] == ["Save"]


def test_letters_set_apart_by_a_fixed_width_font_stay_one_word() -> None:
    # "Fill" and "Tiles" in a fixed-width font: the "i" stands apart from its neighbours
    # almost as far as a picture would, but it is narrow.
    font = ImageFont.truetype(str(MONO), 14)
    for word in ("Fill", "Tiles", "Wide"):
        img = Image.new("RGB", (120, 24), (255, 255, 255))
        ImageDraw.Draw(img).text((4, 3), word, fill=(40, 40, 40), font=font)
        assert picture_cut(np.asarray(img), Box(0, 0, 120, 24), word) is None
