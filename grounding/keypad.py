"""Keys drawn as pictures: a calculator's multiply key shows a "×" that the text recognizer
skips and the icon classifier names "close"; its plus key is named "add". Inside a keypad
(a row of keys that show digits or key symbols) such an icon is the key its picture draws,
and becomes a button showing that key's glyph (its picture's name kept as its label only
when it is a name of the key: "add" for plus, not "close" for times). The
same picture anywhere else (a window's or a tab's close button) stays as it was.
"""

from __future__ import annotations

from grounding.names import asked_key, pictured_key, shown_key
from grounding.types import Element

ROW = 0.5      # of the picture's height: how far apart centres in one row may lie
REACH = 9.0    # glyph sizes: how far along the row the nearest keys may be (two keys over)
NEIGHBOURS = 2  # keys showing digits or symbols in the row, at least


def keypad_keys(elements: list[Element]) -> None:
    """Turn, in place, each icon whose picture draws a key's glyph into that key when it
    sits in a keypad row; other elements are left as they are."""
    keys = [e for e in elements if _shows_key(e)]
    for e in elements:
        glyph = pictured_key(e.label) if e.kind == "icon" and not e.text else None
        if glyph is None or len(_row_keys(e, keys)) < NEIGHBOURS:
            continue
        named = asked_key(e.label) == shown_key(glyph)  # "add" is a name of the plus key,
        e.kind, e.text, e.clickable = "button", glyph, True  # "close" none of the times key
        e.label = e.label if named else ""


def _shows_key(e: Element) -> bool:
    """A key's label: a digit or a key symbol, read as text."""
    t = e.text.strip()
    return bool(t) and len(t) <= 4 and (t.isdigit() or shown_key(t) is not None)


def _row_keys(e: Element, keys: list[Element]) -> list[Element]:
    """The keys in ``e``'s row within reach of it."""
    h, w = e.box.height, max(e.box.width, e.box.height)
    return [k for k in keys if k is not e and abs(k.center.y - e.center.y) <= ROW * h
            and abs(k.center.x - e.center.x) <= REACH * w]
