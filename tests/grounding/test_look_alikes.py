"""Locating a label among look-alikes: a menu bar read as one line of text is still a row
of menus (and its shaded background no longer hides the gaps between them), a name holding
a role word ("Checkbox List", "Text From File...") is read as the name, also inside a
container phrase, and a mnemonic's underline that turned F into E still matches.

Real pixels: screenshots of the desktop dev set (Freeplane, a Java Swing app; Zim, GTK 3).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from devices.base import Observation
from devices.geometry import Box, ScreenGeometry
from grounding.locate import locate
from grounding.ocr import ink_runs
from grounding.perceive import Perceiver, load_image
from grounding.text import similarity
from grounding.types import Element, Screen
from grounding.within import menu_bar

IMAGES = Path(__file__).resolve().parents[2] / "bench" / "desktop_devset" / "images"
TOOLS = Box(296, 0, 343, 23)  # Freeplane's Tools menu (AT-SPI) at 1920x1080


def perceive(perceiver: Perceiver, name: str) -> Screen:
    image = load_image(IMAGES / name)
    perceiver.reset()
    return perceiver.perceive(Observation(image=image,
                                          geometry=ScreenGeometry(image.width, image.height)))


def test_a_shaded_menu_bar_shows_the_gaps_between_its_menus() -> None:
    # Swing's menu bar: a gradient from grey 254 to 222 behind the titles, so every pixel
    # column spans more grey levels than ink needs; each row is one level where blank.
    rgb = np.asarray(load_image(IMAGES / "freeplane-1080.png"))
    runs = ink_runs(rgb, Box(5, 2, 429, 21), 3)
    assert len(runs) == 9   # File Edit View Format Navigate Filter Tools Maps Help
    assert TOOLS.x1 <= runs[6][0] and runs[6][1] <= TOOLS.x2


def test_the_menu_bar_menu_not_a_toolbar_word(perceiver: Perceiver) -> None:
    screen = perceive(perceiver, "freeplane-1080.png")
    target = locate(screen, "the Tools menu in the menu bar")
    assert target.found and target.point is not None and TOOLS.contains(target.point)
    # The same bar read as one phrase: it is the menu bar, cut into its titles.
    bar = Element(1, Box(5, 2, 429, 21), "text",
                  "File Edit View Format Navigate Filter Tools Maps Help", source="ocr")
    whole = Screen([bar, *(e for e in screen.elements if e.box.y1 > 22)], screen.geometry)
    assert menu_bar(whole) == [bar]
    for asked in ("the Tools menu in the menu bar", "click Tools in the menu bar"):
        target = locate(whole, asked)
        assert target.point is not None and TOOLS.contains(target.point), asked
        assert target.element is not None and target.element.text == "Tools"


def test_a_window_title_is_no_menu_bar(perceiver: Perceiver) -> None:
    screen = perceive(perceiver, "freeplane-1080.png")
    title = Element(1, Box(5, 2, 429, 21), "text", "Untitled Map 1 - Freeplane", source="ocr")
    whole = Screen([title, *(e for e in screen.elements if e.box.y1 > 22)], screen.geometry)
    assert title not in menu_bar(whole)


def test_names_holding_a_role_word(perceiver: Perceiver) -> None:
    insert = perceive(perceiver, "zim-insert.png")
    # "Text" said first reads as "the text X", yet the whole is a menu item's name, whose
    # underlined F the recognizer read as E ("Text From Eile...").
    assert Box(125, 297, 359, 324).contains(locate(insert, "click Text From File...").point)
    # "Checkbox" is a role word: the name inside the Insert menu, not a checkbox's "List".
    asked = "pick Checkbox List from the Insert menu"
    assert Box(125, 160, 359, 187).contains(locate(insert, asked).point)
    fmt = perceive(perceiver, "zim-format.png")
    asked = "in the Format menu choose Checkbox List"
    assert Box(179, 296, 425, 323).contains(locate(fmt, asked).point)


def test_an_underlined_mnemonic_misread_still_matches_below_the_letter() -> None:
    assert 0.8 <= similarity("File", "Eile") < similarity("File", "File")
    assert similarity("Italic", "ltalic") > similarity("Italic", "Xtalic")
    assert similarity("From File...", "Text From Eile...") >= 0.75
    assert similarity("Help", "Halp") < 0.8   # e and a are no look-alikes


def test_single_glyphs_read_alike_in_a_character_table(perceiver: Perceiver) -> None:
    # kcharselect's table: the digit 0, the capital O and the small o are all read "0";
    # the small c and s are read as capitals. The asked glyph's ink shape decides.
    screen = perceive(perceiver, "kcharselect.png")
    cells = {"0": Box(541, 129, 564, 150), "c": Box(520, 173, 541, 195),
             "C": Box(372, 151, 396, 172), "s": Box(281, 195, 300, 217)}
    for asked, box in cells.items():
        for said in (f"click {asked}", f'click "{asked}"'):
            target = locate(screen, said)
            assert target.point is not None and box.contains(target.point), said
    assert similarity("o", "a") < 0.6   # a lone glyph is no look-alike of another
