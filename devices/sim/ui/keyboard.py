"""The on-screen keyboard (Gboard-like): letter and symbol layers, drawn above the nav bar."""

from __future__ import annotations

from collections.abc import Callable

from devices.sim.ui.theme import KEYBOARD_H, WIDTH, Palette
from devices.sim.ui.widgets import Node, Paint

LETTERS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
SYMBOLS = ["1234567890", "@#$_&-+()/", "*\"':;!?"]
KEY_CLASS = "android.inputmethodservice.Keyboard$Key"
STRIP_H = 112
KEY_H = (KEYBOARD_H - STRIP_H - 24) // 4


def build(pal: Palette, bottom: int, shift: bool, symbols: bool,
          press: Callable[[str], None]) -> Node:
    """Keyboard window ending at ``bottom``; ``press`` gets a character or a name in <...>."""
    top = bottom - KEYBOARD_H
    kb = Node("android.inputmethodservice.KeyboardView", (0, top, WIDTH, bottom),
              rid="com.google.android.inputmethod.latin:id/keyboard_view",
              paint=Paint("rect", bg=pal.keyboard))
    kb.add(*_strip(pal, top))
    rows = SYMBOLS if symbols else LETTERS
    y = top + STRIP_H
    kb.add(*_letter_row(rows[0], y, 0, pal, shift, press))
    kb.add(*_letter_row(rows[1], y + KEY_H, (WIDTH - len(rows[1]) * 108) // 2, pal, shift, press))
    third = _letter_row(rows[2], y + 2 * KEY_H, 162, pal, shift, press)
    kb.add(_special("shift" if not symbols else "", "Shift" if not symbols else "",
                    (0, y + 2 * KEY_H, 162, y + 3 * KEY_H), pal, "<shift>", press,
                    active=shift),
           *third,
           _special("backspace", "Delete", (WIDTH - 162, y + 2 * KEY_H, WIDTH, y + 3 * KEY_H),
                    pal, "<del>", press))
    kb.add(*_bottom_row(y + 3 * KEY_H, pal, symbols, press))
    return kb


def _strip(pal: Palette, top: int) -> list[Node]:
    """Suggestion strip with the toolbar icons Gboard shows."""
    nodes = []
    for i, (icon, desc) in enumerate((("apps", "Open features menu"), ("emoji", "Emoji"),
                                      ("settings", "Settings"), ("mic_none", "Voice input"))):
        cx = 80 + i * 140 if i < 3 else WIDTH - 80
        nodes.append(Node(KEY_CLASS, (cx - 56, top + 8, cx + 56, top + STRIP_H - 8), desc=desc,
                          paint=Paint("icon", fg=pal.on_variant, icon=icon, size=56)))
    return nodes


def _letter_row(chars: str, y: int, x0: int, pal: Palette, shift: bool,
                press: Callable[[str], None]) -> list[Node]:
    keys = []
    w = 108
    for i, ch in enumerate(chars):
        shown = ch.upper() if shift else ch
        x = x0 + i * w
        keys.append(Node(KEY_CLASS, (x, y, x + w, y + KEY_H), text=shown, desc=shown,
                         clickable=True, on_tap=_presser(press, shown),
                         paint=Paint("key", bg=pal.key, fg=pal.on_bg, size=56)))
    return keys


def _presser(press: Callable[[str], None], value: str) -> Callable[[], None]:
    return lambda: press(value)


def _special(icon: str, desc: str, b: tuple[int, int, int, int], pal: Palette, value: str,
             press: Callable[[str], None], label: str = "", active: bool = False) -> Node:
    bg = pal.primary_container if active else pal.key_special
    return Node(KEY_CLASS, b, text=label, desc=desc or label, clickable=True,
                on_tap=_presser(press, value),
                paint=Paint("key", bg=bg, fg=pal.on_bg, icon=icon, size=44))


def _bottom_row(y: int, pal: Palette, symbols: bool, press: Callable[[str], None]) -> list[Node]:
    b = y + KEY_H
    space = Node(KEY_CLASS, (324, y, 864, b), desc="Space", clickable=True,
                 on_tap=_presser(press, " "), paint=Paint("key", bg=pal.key, fg=pal.on_bg))
    enter = Node(KEY_CLASS, (864 + 108, y, WIDTH, b), desc="Enter", clickable=True,
                 on_tap=_presser(press, "<enter>"),
                 paint=Paint("key", bg=pal.primary, fg=pal.on_primary, icon="keyboard_return"))
    return [_special("", "Symbols" if not symbols else "Letters", (0, y, 162, b), pal,
                     "<symbols>", press, label="?123" if not symbols else "ABC"),
            _key(",", (162, y, 324, b), pal, press), space,
            _key(".", (864, y, 972, b), pal, press), enter]


def _key(ch: str, b: tuple[int, int, int, int], pal: Palette,
         press: Callable[[str], None]) -> Node:
    return Node(KEY_CLASS, b, text=ch, desc=ch, clickable=True, on_tap=_presser(press, ch),
                paint=Paint("key", bg=pal.key_special, fg=pal.on_bg, size=56))


NUMPAD = [["1", "2", "3", "-"], ["4", "5", "6", "+"], ["7", "8", "9", "<del>"],
          ["*", "0", "#", "<enter>"]]


def build_numeric(pal: Palette, bottom: int, press: Callable[[str], None]) -> Node:
    """The digit keypad Gboard shows for number and phone fields."""
    top = bottom - KEYBOARD_H
    kb = Node("android.inputmethodservice.KeyboardView", (0, top, WIDTH, bottom),
              rid="com.google.android.inputmethod.latin:id/keyboard_view",
              paint=Paint("rect", bg=pal.keyboard))
    kb.add(*_strip(pal, top))
    w, y0 = WIDTH // 4, top + STRIP_H
    for r, row in enumerate(NUMPAD):
        for c, value in enumerate(row):
            b = (c * w, y0 + r * KEY_H, (c + 1) * w, y0 + (r + 1) * KEY_H)
            if value == "<del>":
                kb.add(_special("backspace", "Delete", b, pal, value, press))
            elif value == "<enter>":
                kb.add(Node(KEY_CLASS, b, desc="Enter", clickable=True,
                            on_tap=_presser(press, value),
                            paint=Paint("key", bg=pal.primary, fg=pal.on_primary,
                                        icon="keyboard_return")))
            else:
                bg = pal.key if c < 3 else pal.key_special
                kb.add(Node(KEY_CLASS, b, text=value, desc=value, clickable=True,
                            on_tap=_presser(press, value),
                            paint=Paint("key", bg=bg, fg=pal.on_bg, size=64)))
    return kb
