"""Keys drawn as pictures: mate-calc's multiply key shows a "×" that the recognizer skips
and the icon classifier names "close". Inside a keypad it is the times key; a close
picture outside one (a title bar's) stays a close icon.
"""

from __future__ import annotations

from pathlib import Path

from devices.geometry import Box, ScreenGeometry
from grounding.keypad import keypad_keys
from grounding.locate import locate
from grounding.perceive import Perceiver
from grounding.types import Element, Screen

SHOT = Path(__file__).parents[2] / "bench" / "desktop_devset" / "images" / "matecalc.png"


def test_a_times_key_drawn_as_a_cross_is_found_by_name_on_the_real_calculator() -> None:
    screen = Perceiver().perceive(str(SHOT))
    key = Box(210, 146, 278, 180)   # the × key's box as AT-SPI gives it
    for instruction in ("the multiply button", "press times", "click ×", "hit the * key"):
        t = locate(screen, instruction)
        assert t.found and t.point is not None and key.contains(t.point), (instruction,
                                                                           t.reason)
    plus = locate(screen, "press plus")
    assert plus.point is not None and Box(210, 214, 278, 248).contains(plus.point)


def icon(i: int, box: tuple[int, int, int, int], label: str) -> Element:
    return Element(i, Box(*box), "icon", label=label, source="proposal")


def text(i: int, box: tuple[int, int, int, int], t: str) -> Element:
    return Element(i, Box(*box), "text", t)


def test_only_a_picture_among_keys_becomes_a_key() -> None:
    keys = [text(1, (33, 155, 47, 173), "4"), text(2, (101, 155, 115, 173), "5"),
            text(3, (169, 155, 183, 173), "6"), icon(4, (234, 154, 254, 172), "close"),
            icon(5, (239, 223, 251, 239), "add"), text(6, (33, 222, 46, 241), "0"),
            text(7, (165, 220, 187, 243), "%"), text(11, (336, 221, 356, 240), "=")]
    chrome = [text(8, (20, 5, 300, 25), "Calculator - untitled notes"),
              icon(9, (1240, 5, 1260, 25), "close"), icon(10, (1210, 5, 1230, 25), "remove")]
    elements = keys + chrome
    keypad_keys(elements)
    times, plus = elements[3], elements[4]
    assert (times.kind, times.text, times.label) == ("button", "×", "")   # not a close button
    assert (plus.kind, plus.text, plus.label) == ("button", "+", "add")   # add is plus's name
    assert [(e.kind, e.text, e.label) for e in chrome[1:]] == [("icon", "", "close"),
                                                               ("icon", "", "remove")]
    s = Screen(elements, ScreenGeometry(1280, 800))
    assert locate(s, "close the window").point == chrome[1].center
