"""The grounding language people write: symbols, key names, containers, window controls.

Screens here are element lists laid out as real apps lay them out (a keypad, a menu bar
with an open menu, a file manager's sidebar and list, a title bar), so each test checks
the language alone; perception of such screens is tested in test_short_labels.py.
"""

from __future__ import annotations

import pytest

from devices.geometry import Box, ScreenGeometry
from grounding.locate import locate
from grounding.query import Container, parse
from grounding.types import Element, Screen


def screen(*items: tuple[str, str, tuple[int, int, int, int]] | tuple[str, str, tuple[int, int,
           int, int], str], size: tuple[int, int] = (1280, 800)) -> Screen:
    """A screen of (kind, text, box[, label]) elements, numbered in the given order."""
    out = []
    for i, item in enumerate(items, start=1):
        kind, text, box = item[0], item[1], item[2]
        label = item[3] if len(item) > 3 else ""
        out.append(Element(i, Box(*box), kind, text, label=label,  # type: ignore[arg-type]
                           source="ocr" if text else "proposal"))
    return Screen(out, ScreenGeometry(*size))


def keypad(labels: list[list[str]]) -> tuple[Screen, dict[str, Box]]:
    """A calculator: a display and a grid of 60x40 keys with the given labels."""
    items: list[tuple[str, str, tuple[int, int, int, int]]] = [("text", "0", (20, 10, 300, 50))]
    boxes: dict[str, Box] = {}
    for r, row in enumerate(labels):
        for c, label in enumerate(row):
            box = (10 + 64 * c, 70 + 44 * r, 70 + 64 * c, 110 + 44 * r)
            items.append(("button", label, box))
            boxes[label] = Box(*box)
    return screen(*items, size=(360, 320)), boxes


UNICODE = [["sin", "(", ")", "⌫", "AC"], ["7", "8", "9", "÷", "√"], ["4", "5", "6", "×", "%"],
           ["1", "2", "3", "−", "x²"], ["0", ".", "±", "+", "="], ["π", "x", "ln", "C", "↑"]]
ASCII = [["(", ")", "<-", "AC", "C"], ["7", "8", "9", "/", "sqrt"], ["4", "5", "6", "*", "%"],
         ["1", "2", "3", "-", "^"], ["0", ".", "+/-", "+", "="]]


def lands(s: Screen, instruction: str, box: Box) -> None:
    t = locate(s, instruction)
    assert t.found and t.point is not None, f"{instruction!r}: {t.reason}"
    assert box.contains(t.point), f"{instruction!r} -> {t.reason}"


@pytest.mark.parametrize(("instruction", "key"), [
    ("click +", "+"), ("press *", "×"), ("=", "="), ("click (", "("), ("press )", ")"),
    ("press .", "."), ("press -", "−"), ("press /", "÷"), ("hit the equals key", "="),
    ("press divide", "÷"), ("the dot key", "."), ("percent", "%"),
    ("delete the last digit", "⌫"), ("plus/minus", "±"), ("root", "√"),
    ("press 4 on the number pad", "4"), ("hit the 6", "6"), ("press 'x'", "x"),
    ("press the letter X key", "x"), ("click the sine button", "sin"), ("press pi", "π"),
    ("tap the square key", "x²"), ("press times", "×"), ("press minus", "−"),
    ("press the + key", "+"), ("press shift", "↑"), ("all clear", "AC"),
    ("natural log", "ln"), ("press the 9 key.", "9"),
])
def test_keys_by_symbol_and_name_unicode_keypad(instruction: str, key: str) -> None:
    s, boxes = keypad(UNICODE)
    lands(s, instruction, boxes[key])


@pytest.mark.parametrize(("instruction", "key"), [
    ("press ×", "*"), ("press ÷", "/"), ("press −", "-"), ("press √", "sqrt"),
    ("press ±", "+/-"), ("press ⌫", "<-"), ("press backspace", "<-"), ("root", "sqrt"),
    ("multiply", "*"), ("press divide", "/"), ("plus minus", "+/-"), ("power", "^"),
    ("the decimal point", "."), ("close parenthesis", ")"), ("clear", "C"),
])
def test_unicode_and_spoken_names_match_ascii_keys(instruction: str, key: str) -> None:
    s, boxes = keypad(ASCII)
    lands(s, instruction, boxes[key])


def test_symbols_are_targets_not_dropped() -> None:
    for text in ("+", "*", "=", "(", ".", "-", "<-", "1/x", "M+"):
        assert parse(f"click {text}").text == text
    assert parse("press .").text == "."
    assert parse("tap Sign in.").text != ""


def test_a_letter_is_not_a_symbol() -> None:
    s, boxes = keypad(UNICODE)
    lands(s, "press 'x'", boxes["x"])       # the letter, not × (multiply)
    lands(s, "press C", boxes["C"])


MENU = screen(
    ("text", "File", (10, 5, 40, 25)), ("text", "Edit", (60, 5, 90, 25)),
    ("text", "Format", (110, 5, 160, 25)), ("text", "Tools", (180, 5, 220, 25)),
    ("text", "Help", (240, 5, 270, 25)),
    ("button", "Copy", (300, 40, 350, 70)),                 # a toolbar button
    ("text", "Cut", (62, 35, 100, 55)), ("text", "Copy", (62, 60, 110, 80)),  # Edit menu, open
    ("text", "Paste", (62, 85, 110, 105)),
    ("text", "Tools", (500, 300, 540, 320)),                # words in the document
    ("text", "Cells", (600, 340, 640, 360)), ("text", "Save As", (600, 380, 660, 400)),
)


def test_container_phrases_narrow_the_search() -> None:
    lands(MENU, "pick Copy from the Edit menu", Box(62, 60, 110, 80))
    lands(MENU, "open the Tools menu", Box(180, 5, 220, 25))
    lands(MENU, "click Tools in the menu bar", Box(180, 5, 220, 25))
    lands(MENU, "click Help in the menu bar", Box(240, 5, 270, 25))
    t = locate(MENU, "choose Save As in the File menu")  # File is closed: not a guess
    assert not t.found and "File menu" in t.reason


def test_container_is_exposed_in_the_query() -> None:
    assert parse("choose Save As in the File menu").container == Container("menu", "File")
    assert parse("pick Copy from the Edit menu").text == "copy"
    q = parse("in the open Format menu choose Cells")
    assert (q.text, q.container) == ("cells", Container("menu", "Format"))
    assert parse("click Help in the menu bar").container == Container("menu bar")
    assert parse("open the Tools menu").container == Container("menu bar")
    assert parse("click the Date column heading").container == Container("column header")
    assert parse("pick Downloads in the file list").container == Container("list", "file")
    assert parse("click Bold in the toolbar").container == Container("toolbar")
    q = parse("tick the box next to 'Show line numbers'")
    assert q.container == Container("next to", "Show line numbers") and q.role == "box"
    assert parse("click Open in new window").text  # a target's own words stay searchable


FILES = screen(
    ("text", "Home", (10, 100, 60, 120)), ("text", "Documents", (10, 130, 90, 150)),
    ("text", "Downloads", (10, 160, 90, 180)), ("text", "Music", (10, 190, 60, 210)),
    ("text", "Name", (200, 70, 250, 90)), ("text", "Date", (500, 70, 540, 90)),
    ("text", "Desktop", (200, 100, 270, 120)), ("text", "Downloads", (200, 130, 290, 150)),
    ("text", "Pictures", (200, 160, 270, 180)), ("text", "Videos", (200, 190, 260, 210)),
    ("text", "Templates", (200, 220, 290, 240)),
    ("text", "Yesterday", (500, 100, 580, 120)), ("text", "Today", (500, 130, 550, 150)),
    ("text", "Date", (900, 600, 940, 620)),                 # a "Date" label in a form
)


def test_list_and_column_header_containers() -> None:
    lands(FILES, "pick Downloads in the file list", Box(200, 130, 290, 150))
    lands(FILES, "click Downloads in the sidebar", Box(10, 160, 90, 180))
    lands(FILES, "click the Date column heading", Box(500, 70, 540, 90))


def test_the_box_next_to_a_label() -> None:
    s = screen(("checkbox", "", (10, 100, 30, 120)), ("text", "Show line numbers", (40, 100,
                                                                                   200, 120)),
               ("checkbox", "", (10, 140, 30, 160)), ("text", "Wrap lines", (40, 140, 140, 160)))
    lands(s, "tick the box next to 'Show line numbers'", Box(10, 100, 30, 120))
    lands(s, "tick the box next to 'Wrap lines'", Box(10, 140, 30, 160))


WINDOW = screen(
    ("icon", "", (1151, 11, 1185, 41), "minimize"), ("icon", "", (1191, 11, 1225, 41),
                                                      "maximize"),
    ("icon", "", (1231, 11, 1265, 41), "close"),
    ("text", "Close", (900, 700, 960, 730)),                # a dialog's Close button
    ("icon", "", (400, 300, 420, 320), "close"),            # a tab's close glyph
)


@pytest.mark.parametrize(("instruction", "box"), [
    ("close the window", (1231, 11, 1265, 41)), ("minimise it", (1151, 11, 1185, 41)),
    ("the maximise button", (1191, 11, 1225, 41)), ("minimize the window", (1151, 11, 1185,
                                                                            41)),
    ("maximize", (1191, 11, 1225, 41)), ("close this window", (1231, 11, 1265, 41)),
])
def test_window_controls(instruction: str, box: tuple[int, int, int, int]) -> None:
    lands(WINDOW, instruction, Box(*box))
    assert parse(instruction).container == Container("title bar")


def test_plain_close_is_still_the_words() -> None:
    lands(WINDOW, 'click "Close"', Box(900, 700, 960, 730))
    assert parse("click Close").container is None


FRAMED = screen(  # a window in the middle of the screen, its frame drawn by the window manager
    ("text", "galculator", (609, 214, 671, 231)),
    ("icon", "", (752, 215, 764, 227), "remove"), ("icon", "", (770, 215, 782, 227)),
    ("icon", "", (788, 215, 800, 227)),
    ("text", "File", (480, 240, 510, 256)), ("button", "C", (640, 340, 690, 370)),
    ("icon", "", (1200, 700, 1220, 720), "close"),          # something else's close glyph
)


@pytest.mark.parametrize(("instruction", "box"), [
    ("close the window", (788, 215, 800, 227)), ("minimise it", (752, 215, 764, 227)),
    ("the maximise button", (770, 215, 782, 227)),
])
def test_window_controls_by_their_place_on_a_title_bar(instruction: str,
                                                       box: tuple[int, int, int, int]) -> None:
    """Nameless buttons ending a title row are close, maximize, minimize from the right;
    a glyph named close elsewhere is no title bar's."""
    lands(FRAMED, instruction, Box(*box))
