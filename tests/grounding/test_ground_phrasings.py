"""Phrasings people use for desktop targets: "the text X", places that narrow the matches,
role and place words that are names, "the button that does X", menus named from the menu bar.

Each screen is a small element list laid out as a real app lays it out, so each test checks
the language alone (perception of real screens is measured by bench/grounding_desktop.py).
"""

from __future__ import annotations

from devices.geometry import Box, ScreenGeometry
from grounding.locate import locate
from grounding.query import Container, parse, strip_verb
from grounding.types import Element, Screen


def screen(*items: tuple[str, str, tuple[int, int, int, int]] | tuple[str, str, tuple[int, int,
           int, int], str], size: tuple[int, int] = (1280, 800)) -> Screen:
    """A screen of (kind, text, box[, classifier label]) elements, numbered in order."""
    out = []
    for i, item in enumerate(items, start=1):
        label = item[3] if len(item) > 3 else ""
        out.append(Element(i, Box(*item[2]), item[0], item[1], label=label,  # type: ignore[arg-type]
                           source="ocr" if item[1] else "detector"))
    return Screen(out, ScreenGeometry(*size))


def lands(s: Screen, instruction: str, box: tuple[int, int, int, int]) -> None:
    t = locate(s, instruction)
    assert t.found and t.point is not None, f"{instruction!r}: {t.reason}"
    assert Box(*box).contains(t.point), f"{instruction!r} -> {t.reason}"


def test_the_text_x_names_the_shown_text_even_a_role_word() -> None:
    assert (parse("click on the text Row 3").text, parse("click on the text Text").text) == (
        "Row 3", "Text")
    assert parse("click the text field").role == "text field"  # a role, not a name
    s = screen(("text", "3", (30, 600, 40, 620)), ("text", "Row 3", (30, 632, 67, 651)),
               ("text", "Plain Text", (1500, 1050, 1600, 1070)), ("text", "Text", (1396, 239,
                                                                                  1436, 262)))
    lands(s, "click on the text Row 3", (30, 632, 67, 651))
    lands(s, "click on the text Text", (1396, 239, 1436, 262))


MENU_OPEN = screen(  # a menu bar, its open Edit menu with a submenu item, a dialog far right
    ("text", "File", (10, 5, 40, 25)), ("text", "Edit", (60, 5, 90, 25)),
    ("text", "View", (110, 5, 150, 25)), ("text", "Help", (170, 5, 200, 25)),
    ("text", "Preferences", (62, 35, 160, 55)), ("text", "Column", (62, 60, 130, 80)),
    ("text", "Row", (62, 85, 100, 105)), ("text", "Format...", (62, 110, 140, 130)),
    ("text", "Format", (1000, 300, 1060, 320)),
    ("text", "Preferences", (1000, 420, 1100, 440)),  # a dialog's button, middle right
    ("text", "Tabs", (600, 700, 640, 720)),
)


def test_a_place_narrows_good_matches_it_does_not_replace_the_name() -> None:
    q = parse("the Preferences button at the middle right")
    assert (q.text, q.position) == ("preferences", (1.0, 0.5))
    lands(MENU_OPEN, "the Preferences button at the middle right", (1000, 420, 1100, 440))
    lands(MENU_OPEN, "Preferences at the top left", (62, 35, 160, 55))
    s = screen(("text", "comboboxentry", (20, 70, 130, 90)), ("text", "Middle", (132, 281, 248,
                                                                               315)),
               ("text", "Left", (20, 281, 130, 315)))
    assert parse("Middle at the top left") == parse("Middle at the top left")
    assert (parse("Middle at the top left").text, parse("Middle at the top left").position) == (
        "middle", (0.0, 0.0))
    lands(s, "Middle at the top left", (132, 281, 248, 315))


def test_place_or_role_words_alone_are_a_name() -> None:
    assert (parse("press center").text, parse("press center").position) == ("center", None)
    assert parse("the top left corner").text == ""  # a place said as one
    assert parse("click Row in the menu bar").text == "row"
    assert parse("tick the box").text == ""  # a role alone stays a role
    s = screen(("text", "G", (620, 380, 640, 400)), ("icon", "", (265, 64, 302, 99), "center"),
               ("icon", "", (228, 64, 265, 99), "align left"))
    lands(s, "press center", (265, 64, 302, 99))


def test_the_x_menu_is_a_role_and_an_open_menu_serves_the_menu_bar() -> None:
    q = parse("the Tab Size menu in the menu bar")
    assert (q.text, q.role, q.container) == ("tab size", "menu", Container("menu bar"))
    assert (parse("select the Help menu item").text, parse("select the Help menu item").role) \
        == ("help", "menu item")
    lands(MENU_OPEN, "the Help menu in the menu bar", (170, 5, 200, 25))
    lands(MENU_OPEN, "the Column menu in the menu bar", (62, 60, 130, 80))  # a submenu
    lands(MENU_OPEN, "click Row in the menu bar", (62, 85, 100, 105))
    t = locate(MENU_OPEN, "click Tabs in the menu bar")
    assert t.found and t.element is not None and t.element.text == "Tabs"
    t = locate(MENU_OPEN, "choose Save As in the File menu")  # other menus: still no guess
    assert not t.found


def test_an_asked_ellipsis_prefers_the_label_that_shows_one() -> None:
    assert parse("click Format...").text == "format"
    lands(MENU_OPEN, "click Format...", (62, 110, 140, 130))
    lands(MENU_OPEN, "click Format", (1000, 300, 1060, 320))
    assert strip_verb("tap Sign in.") == "Sign in"  # a sentence's stop is no ellipsis


def test_the_button_that_does_x() -> None:
    q = parse("hit the button that does save/restore session")
    assert (q.role, q.text) == ("button", "save restore session")
    assert parse("hit the button that does combo box").text == "combo box"
    s = screen(("icon", "", (365, 27, 398, 59), "save restore session"),
               ("icon", "", (300, 27, 330, 59), "save"), ("text", "Buttons", (10, 500, 80, 520)))
    lands(s, "hit the button that does save/restore session", (365, 27, 398, 59))


def test_names_with_opposite_words_never_match() -> None:
    s = screen(("text", "Sort Ascending", (10, 100, 120, 120)),
               ("text", "Unmerge Cells", (10, 140, 120, 160)),
               ("text", "Zoom Out", (10, 180, 120, 200)))
    for instruction in ("click Sort Descending", "click Merge Cells", "click Zoom In"):
        t = locate(s, instruction)
        assert not t.found, f"{instruction!r} -> {t.reason}"
    lands(s, "click Sort Ascending", (10, 100, 120, 120))


def test_a_name_missing_an_asked_word_is_a_partial_match() -> None:
    s = screen(("button", "Save", (1040, 10, 1090, 40)), ("text", "Save ASs...", (1021, 155,
                                                                                1083, 173)))
    lands(s, "press the Save As button", (1021, 155, 1083, 173))
    lands(s, "press the Save button", (1040, 10, 1090, 40))


SORTS = screen(("icon", "", (583, 30, 613, 60), "sort"), ("icon", "", (618, 30, 648, 60), "sort"),
               ("text", "Format", (183, 5, 227, 24)), size=(1920, 1080))


def test_an_ordered_pair_picks_among_equal_generic_matches() -> None:
    lands(SORTS, "the Sort Descending icon in the toolbar", (618, 30, 648, 60))
    lands(SORTS, 'tap the "Sort Ascending" icon', (583, 30, 613, 60))  # quotes name an icon
    lands(SORTS, "the Sort Ascending icon at the top", (583, 30, 613, 60))
    lands(SORTS, "the Sort Descending icon at the top left", (618, 30, 648, 60))


def test_the_anchor_of_next_to_is_any_element_of_that_name() -> None:
    """"Find" is the toolbar's search icon here, not the Search menu (a synonym, read as
    text so ranked first): the target beside the icon wins over one far from both."""
    s = screen(("text", "Search", (142, 0, 192, 23)), ("icon", "", (261, 31, 284, 54), "search"),
               ("icon", "", (297, 31, 320, 54), "sidebar"),
               ("icon", "", (150, 160, 173, 183), "sidebar"))
    lands(s, "the Side-Pane icon next to Find", (297, 31, 320, 54))
    s = screen(("text", "Cancel", (1114, 755, 1166, 780)), ("text", "OK", (1212, 755, 1246, 782)),
               ("icon", "", (1300, 755, 1330, 782), "menu"))
    lands(s, "the OK icon next to Cancel", (1212, 755, 1246, 782))  # an icon's name in words


def test_capitalised_place_words_are_part_of_a_name() -> None:
    q = parse("toggle the Right to Left Document option")
    assert (q.text, q.position) == ("right left document", None)
    assert parse("Top left button").position == (0.0, 0.0)  # a plain sentence's first word
    assert (parse("click Align Left").text, parse("click Align Left").position) == (
        "align left", None)
    s = screen(("text", "Quarterly report, page 1", (20, 130, 200, 150)),
               ("checkbox", "", (2, 135, 14, 147)),
               ("text", "Right to Left Document", (1026, 360, 1173, 377)),
               ("checkbox", "", (1206, 357, 1224, 375)))
    lands(s, "toggle the Right to Left Document option", (1206, 357, 1224, 375))


def test_place_words_after_a_name_word_are_the_name() -> None:
    assert (parse("press align left").text, parse("press align left").position) == (
        "align left", None)
    assert parse("tap the left button").position == (0.0, None)  # before the noun: a place
    assert parse("tap the button top right").position == (1.0, 0.0)
    q = parse("tap the second icon from the left")
    assert (q.text, q.ordinal, q.position) == ("", 2, (0.0, None))
    s = screen(("icon", "", (228, 64, 265, 99), "align left"),
               ("icon", "", (302, 64, 339, 99), "align right"),
               ("text", "Align", (1100, 500, 1150, 520)))
    lands(s, "press align left", (228, 64, 265, 99))


def test_show_the_menu_and_switch_to_are_verbs() -> None:
    q = parse("show the Tools menu")
    assert (q.text, q.container) == ("tools", Container("menu bar"))
    assert parse("show hidden files").text == "show hidden files"  # a name, not a verb
    q = parse("switch to Layout")
    assert (q.text, q.role, q.toggle) == ("layout", "", False)
    assert parse("switch on Wi-Fi").toggle


def test_a_preposition_that_ends_a_name_stays() -> None:
    assert parse("click Zoom In").text == "zoom in"
    assert parse("the Jump to icon at the top left").text == "jump to"
    assert parse("click the icon").text == ""
    s = screen(("text", "Jump", (600, 300, 650, 320)), ("text", "Jump to", (20, 40, 80, 60)))
    lands(s, "the Jump to button at the top left", (20, 40, 80, 60))


def test_a_submenu_is_looked_for_right_of_its_title() -> None:
    s = screen(
        ("text", "File", (10, 5, 40, 25)), ("text", "Edit", (60, 5, 90, 25)),
        ("text", "Document", (110, 5, 190, 25)), ("text", "Help", (210, 5, 240, 25)),
        ("text", "Line Ending", (112, 35, 200, 55)), ("text", "Tab Size", (112, 60, 180, 80)),
        ("text", "Word Wrap", (112, 85, 200, 105)),                    # the Document menu
        ("text", "2", (330, 60, 340, 80)), ("text", "4", (330, 85, 340, 105)),
        ("text", "8", (330, 110, 340, 130)),                           # Tab Size's submenu
        ("text", "4", (700, 500, 710, 520)),                           # a 4 in the document
    )
    lands(s, "pick 4 from the Tab Size menu", (330, 85, 340, 105))
    lands(s, "in the Tab Size menu choose 2", (330, 60, 340, 80))      # on the title's row
    assert not locate(s, "choose Word Wrap in the Tab Size menu").found  # a sibling
    lands(s, "choose Word Wrap in the Document menu", (112, 85, 200, 105))


def test_capitalised_ordinal_words_are_part_of_a_name() -> None:
    q = parse("click the First Page icon")
    assert (q.text, q.ordinal) == ("first page", 0)
    assert parse("tap the second contact").ordinal == 2
    assert parse("Second item").ordinal == 2  # a plain sentence's first word
    s = screen(("icon", "", (10, 30, 40, 60), "first page"), ("icon", "", (50, 30, 80, 60),
                                                             "last page"),
               ("text", "Page 1", (600, 300, 660, 320)), ("text", "Page 2", (600, 700, 660, 720)))
    lands(s, "the Last Page button at the top", (50, 30, 80, 60))
    lands(s, "click the First Page icon", (10, 30, 40, 60))


def test_a_label_that_says_the_asked_word_beats_one_that_only_means_it() -> None:
    s = screen(("icon", "", (1030, 10, 1052, 40), "expand"),         # a drop-down, higher up
               ("icon", "", (741, 57, 776, 91), "arrow up"),
               ("icon", "", (785, 65, 803, 83), "arrow down"))
    lands(s, "the Down icon at the top", (785, 65, 803, 83))
    lands(s, 'tap the "Up" icon', (741, 57, 776, 91))


def test_a_capitalised_first_word_may_start_a_sentence() -> None:
    q = parse("Bottom right Customer service button (rounded icon)")
    assert q.position == (1.0, 1.0) and "customer service" in q.text
    assert parse("Top left menu bar icon").position == (0.0, 0.0)


def test_what_a_button_does_may_be_a_container_word() -> None:
    q = parse("hit the button that does heading")   # a heading style, not a column's heading
    assert (q.text, q.role, q.container) == ("heading", "button", None)
    q = parse("the button that does Copy in the Edit menu")
    assert (q.text, q.container) == ("copy", Container("menu", "Edit"))


def test_previous_is_back_and_strike_is_strikethrough() -> None:
    s = screen(("icon", "", (9, 75, 33, 98), "back"), ("icon", "", (39, 75, 63, 98), "forward"),
               ("icon", "", (120, 82, 157, 117), "strikethrough"),
               ("icon", "", (157, 82, 194, 117), "underline"))
    lands(s, "click the Previous in History icon", (9, 75, 33, 98))
    lands(s, "the Strike button", (120, 82, 157, 117))
