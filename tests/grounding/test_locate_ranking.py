"""How locate ranks text matches: the rules, each on a small built screen, and on real pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from devices.geometry import Box, ScreenGeometry
from grounding.fuse import split_items
from grounding.locate import locate
from grounding.ocr import TextBox
from grounding.perceive import Perceiver, load_image
from grounding.query import parse
from grounding.text import similarity
from grounding.types import Element, Screen

DEVSET = Path(__file__).resolve().parents[2] / "bench" / "desktop_devset" / "images"


def screen(*items: tuple[str, tuple[int, int, int, int]], kind: str = "text") -> Screen:
    """A pixel-only screen of OCR phrases, numbered in the given (reading) order."""
    elements = [Element(i, Box(*box), kind, text, source="ocr")  # type: ignore[arg-type]
                for i, (text, box) in enumerate(items, start=1)]
    return Screen(elements, ScreenGeometry(1280, 800))


def picked(s: Screen, instruction: str) -> str:
    t = locate(s, instruction)
    assert t.found and t.element is not None, t.reason
    return t.element.text


def test_whole_text_beats_containing_it() -> None:
    s = screen(("Search for:", (440, 276, 511, 294)), ("Incremental Search", (160, 140, 300, 158)),
               ("Search", (80, 4, 130, 24)), ("Open Terminal", (30, 60, 124, 78)),
               ("Terminal", (125, 4, 185, 24)))
    assert picked(s, "click Search") == "Search"
    assert picked(s, 'click "Search"') == "Search"
    assert picked(s, 'click "Terminal"') == "Terminal"


def test_whole_word_beats_part_of_a_word() -> None:
    assert similarity("Edit", "File Edit View") > similarity("Edit", "Editor")
    s = screen(("Editor", (540, 160, 585, 182)), ("File Edit View", (4, 4, 130, 24)))
    t = locate(s, "click Edit")
    assert t.element is not None and t.element.text == "File Edit View"
    assert t.point is not None and 40 <= t.point.x <= 80  # on the word, not the line's middle


def test_a_word_between_spaces_beats_one_glued_to_other_script() -> None:
    s = screen(("为何 Tooltip的内容", (1800, 500, 1900, 520)),
               ("Tooltip 文字提示", (368, 104, 606, 141)), ("多彩文字提示", (1800, 250, 1878, 270)))
    assert picked(s, "tap Tooltip") == "Tooltip 文字提示"
    assert picked(s, 'click "文字提示"') == "Tooltip 文字提示"


def test_words_the_screen_runs_together_still_match_whole() -> None:
    line = "想要3分钟实现登录表单?试试ProComponents!"
    assert similarity("Pro Components", line) >= 0.75  # quoted text must reach this
    assert picked(screen((line, (388, 65, 684, 85))), 'click "Pro Components"') == line


def test_literal_words_beat_a_role_read_into_them() -> None:
    s = screen(("File", (4, 4, 30, 24)), ("Help", (240, 4, 270, 24)),
               ("Close Other Tabs", (60, 170, 180, 188)))
    assert parse("click Tabs").role == "tab"
    assert picked(s, "click Tabs") == "Close Other Tabs"  # not "the first of 3 tabs"
    s.elements.append(Element(4, Box(190, 4, 230, 24), "text", "Tabs", source="ocr"))
    assert picked(s, "click Tabs") == "Tabs"


def test_a_label_holding_a_relation_word_is_a_label() -> None:
    s = screen(("Icons only", (380, 420, 470, 440)), ("Text only", (380, 445, 460, 465)),
               ("Text beside icons", (380, 470, 520, 490)),
               ("Text below icons", (380, 495, 515, 515)),
               ("Undo", (40, 40, 80, 60)), ("Redo", (90, 40, 130, 60)), ("Cut", (140, 40, 170, 60)))
    assert parse("click Text beside icons").relation == "near"
    assert picked(s, "click Text beside icons") == "Text beside icons"
    assert picked(s, "select Text below icons") == "Text below icons"
    assert picked(s, "click Cut next to Redo") == "Cut"  # no label reads so: a relation


def test_symbols_asked_for_count() -> None:
    s = screen(("Carousel 走马灯", (341, 109, 608, 137)),
               ('import { Carousel } from "antd";', (398, 197, 668, 217)))
    t = locate(s, "tap { Carousel }")
    assert t.element is not None and t.element.text.startswith("import")
    assert t.point is not None and 440 <= t.point.x <= 560
    assert picked(s, "tap Carousel") == "Carousel 走马灯"


def test_a_label_cut_short_matches_its_full_text() -> None:
    s = screen(("徒步鞋选对，户...", (336, 550, 440, 567)), ("户外", (600, 550, 640, 567)))
    assert picked(s, 'click "徒步鞋选对，户外环境全hold住"') == "徒步鞋选对，户..."
    full = "Shopping list for the weekend"
    assert similarity(full, "Shopping li…") > 0.8 > similarity(full, "Shopping li")
    assert similarity("甘肃礼县：“小”苹果迎来“大”升级", "甘肃礼县：“小”.") > 0.75  # "..." as "."
    assert similarity("Find and Replace…", "Find...") < 0.6  # a menu's "...": a whole word


def test_written_case_breaks_a_tie() -> None:
    s = screen(("otto", (394, 287, 432, 309)), ("Otto", (1145, 114, 1183, 136)))
    assert locate(s, "click Otto").point == s.elements[1].center
    assert locate(s, "click otto").point == s.elements[0].center


def test_quotes_inside_quotes() -> None:
    q = parse('click "江西寻乌:以“橙”为媒 点亮乡村振兴路"')
    assert (q.text, q.quoted) == ("江西寻乌:以“橙”为媒 点亮乡村振兴路", True)
    assert parse("tap “Wi-Fi\"").text == "Wi-Fi"


def test_a_misread_word_is_still_pointed_at() -> None:
    s = screen(("Splittr 分隔面板", (44, 693, 200, 712)))
    t = locate(s, "tap Splitter")
    assert t.found and t.point is not None and t.point.x < 100


def test_a_label_on_two_lines_is_one_target() -> None:
    s = screen(("Your code editor.", (376, 157, 905, 209)),
               ("Redefined with AI.", (353, 243, 925, 295)), ("Download", (435, 333, 657, 384)))
    t = locate(s, 'click "Your code editor. Redefined with AI."')
    assert t.found and t.point is not None and 209 < t.point.y < 243
    assert picked(s, "tap Your code editor") == "Your code editor."
    off = screen(("REFRESHING", (2, 645, 79, 661)), ("DRINKS", (300, 662, 350, 680)))
    assert picked(off, 'tap "REFRESHING DRINKS"') == "REFRESHING"  # not stacked: not joined


def test_a_role_many_elements_fit_is_no_guess() -> None:
    s = screen(("", (900, 100, 960, 140)), ("", (900, 300, 960, 340)), kind="toggle")
    t = locate(s, "tap the switch")
    assert not t.found and len(t.candidates) == 2 and "which" in t.reason
    assert locate(s, "tap the second switch").point == s.elements[1].center
    s.elements.pop()
    assert locate(s, "tap the switch").found


def test_nothing_close_enough_is_not_found() -> None:
    s = screen(("Tabs", (190, 4, 230, 24)), ("Close Other Tabs", (60, 170, 180, 188)))
    t = locate(s, "click Zebra crossing")
    assert not t.found and t.point is None and t.candidates
    assert "zebra crossing" in t.reason


def test_menu_bar_phrase_splits_at_wide_gaps_on_real_pixels() -> None:
    rgb = np.asarray(load_image(DEVSET / "terminal-edit.png"))
    bar = TextBox(Box(43, 6, 272, 24), "Edit View Terminal Tabs Help", 0.99)
    item = TextBox(Box(66, 171, 215, 189), "Copy Input To All Tabs...", 0.99)
    parts = split_items([bar, item], rgb)
    assert [p.text for p in parts] == ["Edit", "View", "Terminal", "Tabs", "Help",
                                       "Copy Input To All Tabs..."]
    tabs = parts[3].box
    assert tabs.x1 >= 189 and tabs.x2 <= 232  # AT-SPI's box of the "Tabs" menu


def test_a_fixed_width_space_does_not_split_but_a_menu_bar_still_does() -> None:
    """A fixed-width UI font's space is 0.8 text heights wide (one character), no item gap;
    a menu bar's gaps are two characters or more, at any scale."""
    rgb = np.asarray(load_image(DEVSET / "variants" / "mono-terminal-edit.png"))
    item = TextBox(Box(76, 54, 175, 72), "Copy as HTML", 0.99)
    assert split_items([item], rgb) == [item]
    rgb = np.asarray(load_image(DEVSET / "variants" / "scaled-thunar-prefs.png"))
    bar = TextBox(Box(9, 6, 357, 28), "File Edit View Go Bookmarks Help", 0.99)
    assert [p.text for p in split_items([bar], rgb)][:3] == ["File", "Edit", "View"]


def test_a_normal_space_does_not_split(android_screens: Path) -> None:
    rgb = np.asarray(load_image(android_screens / "yelp_2017-08-11_202334.jpg"))
    login = TextBox(Box(295, 2221, 459, 2271), "LOG IN", 0.99)  # the "I" is one solid stroke
    assert split_items([login], rgb) == [login]


@pytest.mark.slow
def test_menu_items_on_a_real_screenshot(perceiver: Perceiver) -> None:
    perceiver.reset()
    s = perceiver.perceive(DEVSET / "terminal-file.png")
    for instruction, (x1, x2) in (("click Tabs", (189, 232)), ('click "Terminal"', (120, 189))):
        t = locate(s, instruction)
        assert t.found and t.point is not None and x1 <= t.point.x < x2 and t.point.y < 27, \
            f"{instruction} -> {t.point} {t.reason}"


@pytest.mark.slow
def test_a_menu_hiding_its_title_on_a_real_screenshot(perceiver: Perceiver) -> None:
    """Calc at 1.25 text scale: the open Format menu covers its own title in the menu bar,
    so 'Format' reads only inside 'Number Format', an item, not a submenu's title; the
    Chart item opens a submenu the bar has no name for (its best is half a synonym)."""
    perceiver.reset()
    s = perceiver.perceive(DEVSET / "variants" / "scaled-calc-format.png")
    for instruction, box in (("in the Format menu choose Page Style", (218, 398, 586, 432)),
                             ("Name in the Format menu", (218, 706, 586, 740)),
                             ("show the Chart menu", (218, 604, 586, 638)),
                             ("click Insert in the menu bar", (170, 0, 220, 35))):
        t = locate(s, instruction)
        assert t.found and t.point is not None, f"{instruction}: {t.reason}"
        assert Box(*box).contains(t.point), f"{instruction} -> {t.point} {t.reason}"
