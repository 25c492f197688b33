"""Perception reads every label as its own element: a menu item's icon is no letter of its
label, menu bar items and menu rows are separate entries, and OCR's look-alikes in words of
letters ("0tto", "Ctr|+1") are mended.

Real pixels: a crop of a dev screenshot (FeatherPad, a Qt editor, with its Edit menu open)
and labels drawn with a real font.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from devices.geometry import Box, ScreenGeometry
from grounding.fuse import split_items
from grounding.locate import locate, stacked
from grounding.ocr import TextBox, glyph_cut
from grounding.perceive import Perceiver, load_image
from grounding.text import mend
from grounding.types import Element, Screen

DEVSET = Path(__file__).resolve().parents[2] / "bench" / "desktop_devset" / "images"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.fixture(scope="module")
def qt_menu(perceiver: Perceiver) -> Screen:
    """FeatherPad's menu bar and open Edit menu at 1080p: each item has an icon before it."""
    perceiver.reset()
    return perceiver.perceive(load_image(DEVSET / "featherpad-edit-1080.png").crop(
        (0, 0, 400, 260)))


def texts(s: Screen) -> list[str]:
    return [e.text for e in s.elements if e.kind == "text"]


def test_a_menu_items_icon_is_not_read_into_its_label(qt_menu: Screen) -> None:
    read = texts(qt_menu)
    labels = ("Cut", "Copy", "Delete", "Select All", "Ctrl+X", "Ctrl+A")
    for label in labels:
        assert label in read, f"{label!r} not read alone: {read}"
    assert not [t for t in read for label in labels if t.endswith(" " + label)], read


def test_menu_bar_items_are_separate(qt_menu: Screen) -> None:
    read = texts(qt_menu)
    assert {"Options", "Search", "Help"} <= set(read), read
    t = locate(qt_menu, "choose Search")
    assert t.point is not None and 142 <= t.point.x < 192 and t.point.y < 23, t.reason


def test_select_all_is_found_in_the_menu(qt_menu: Screen) -> None:
    t = locate(qt_menu, "select all")
    assert t.point is not None and 41 <= t.point.x < 371 and 183 <= t.point.y < 209, t.reason


def draw_line(parts: list[tuple[str, int]], size: int = 14) -> tuple[np.ndarray, Box]:
    """One text line of ``(text, gap before it in px)`` parts; a "■" part is a filled
    square as tall as a capital, like an icon."""
    face = ImageFont.truetype(str(FONT), size)
    im = Image.new("RGB", (400, 40), (250, 250, 250))
    d = ImageDraw.Draw(im)
    x = 10
    for text, gap in parts:
        x += gap
        if text == "■":
            d.rectangle((x, 13, x + size - 2, 13 + size - 2), fill=(60, 60, 60))
            x += size - 2
        else:
            d.text((x, 12), text, font=face, fill=(30, 30, 30))
            x += round(d.textlength(text, font=face))
    return np.asarray(im), Box(4, 10, x + 6, 30)  # as tall as the detector boxes it


@pytest.mark.skipif(not FONT.is_file(), reason="fonts-dejavu-core is not installed")
def test_a_glyph_is_cut_only_when_set_apart_from_the_words() -> None:
    icon, box = draw_line([("■", 0), ("Select All", 9)])
    cut = glyph_cut(icon, box, "目 Sect Al")
    assert cut is not None and cut[2] == "目"
    assert cut[0].x1 == 10 and cut[0].x2 <= 23 and cut[1].x1 >= 30 and cut[1].x2 == box.x2
    tab, box = draw_line([("notes.txt", 0), ("x", 12)])
    cut = glyph_cut(tab, box, "notes.txt X")
    assert cut is not None and cut[2] == "X" and cut[1].x1 == box.x1 and cut[0].x1 >= cut[1].x2
    full = np.asarray(load_image(DEVSET / "featherpad-edit-1080.png"))
    cut = glyph_cut(full, Box(45, 183, 130, 210), "目 Sect Al")  # the detector's box at 1080p
    assert cut is not None and cut[1].x1 == 69
    calc = np.asarray(load_image(DEVSET / "calc-format-1080.png"))  # a check box, taller
    cut = glyph_cut(calc, Box(463, 54, 526, 79), "□ talic")       # than the words
    assert cut is not None and cut[0].x2 <= 484 and cut[1].x1 == 490
    spaced, box = draw_line([("D Copy", 0)])
    assert glyph_cut(spaced, box, "D Copy") is None  # a word space is no gap
    spaced, box = draw_line([("a", 0), ("cat", 9)])
    assert glyph_cut(spaced, box, "a cat") is None  # a word of one letter
    assert glyph_cut(*draw_line([("Row", 0), ("3", 12)]), "Row 3") is None
    assert glyph_cut(icon, box, "Select All") is None    # no lone character read first


def test_look_alikes_in_words_of_letters_are_mended() -> None:
    assert [mend(t) for t in ("0tto", "Ctr|+1", "Ctr|+Shift+Z", "He1p", "|tems", "0pen")] \
        == ["Otto", "Ctrl+1", "Ctrl+Shift+Z", "Help", "Items", "Open"]
    kept = ["Sheet1", "F11", "0 items", "Tab 1", "10pt", "x264", "v1.0", "0xff", "a | b",
            "100%", "|"]
    assert [mend(t) for t in kept] == kept


def test_menu_bar_split_measures_the_ink_not_the_padded_box() -> None:
    rgb = np.asarray(load_image(DEVSET / "featherpad-edit-1080.png"))
    bar = TextBox(Box(76, 1, 234, 23), "Options Search Help", 1.0)  # as the detector boxes it
    assert [p.text for p in split_items([bar], rgb)] == ["Options", "Search", "Help"]


def rows(*items: tuple[str, int], x: int = 1060, h: int = 18) -> Screen:
    return Screen([Element(i, Box(x, y, x + 10 * len(t), y + h), "text", t, source="ocr")
                   for i, (t, y) in enumerate(items, start=1)], ScreenGeometry(1280, 800))


def test_menu_rows_are_not_joined_into_one_label() -> None:
    menu = rows(("Preferences", 382), ("Keyboard Shortcuts", 408), ("Help", 432),
                ("About Image Viewer", 460))
    assert stacked(menu) == []
    label = rows(("REFRESHING", 300), ("DRINKS", 320), ("Order now", 500))
    assert [e.text for e in stacked(label)] == ["REFRESHING DRINKS"]
    t = locate(menu, "the Preferences button at the middle right")
    assert t.element is not None and t.element.text == "Preferences", t.reason
