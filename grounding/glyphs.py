"""Single glyphs that read alike: a character table or a keypad shows "0", "O" and "o",
"C" and "c", "S", "s" and "5" side by side, and the recognizer gives some of them the same
reading. Among equally good matches for one asked character, the glyph whose ink has the
asked character's shape comes first: a capital or a digit stands as tall as the tallest
of them, a small letter without ascender or descender is the shortest, a digit zero is
narrower than a capital O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from grounding.types import Element

if TYPE_CHECKING:
    from PIL import Image

INK = 24        # grey levels from the background that count as ink
TALL = 0.9      # of the tallest ink among the matches: a capital's or a digit's height
SMALL = set("acemnorsuvwxz")  # small letters within the x-height


def shape_order(image: Image.Image | None, asked: str, ties: list[Element]) -> list[Element]:
    """``ties`` (single glyphs read alike) with those shaped like ``asked`` first; as given
    when ``asked`` is not one letter or digit, or the pixels cannot tell."""
    char = asked.strip()
    if image is None or len(char) != 1 or not char.isalnum() or len(ties) < 2:
        return ties
    sizes = {id(e): ink_size(image, e) for e in ties}
    if any(s is None for s in sizes.values()):
        return ties
    top = max(s[1] for s in sizes.values() if s)

    def fit(e: Element) -> tuple[int, float]:
        w, h = sizes[id(e)] or (0, 0)
        if char in SMALL:
            return (0 if h < TALL * top else 1, h)
        tall = 0 if h >= TALL * top else 1
        return (tall, w / h if char.isdigit() else -w / h)
    return sorted(ties, key=fit)


def ink_size(image: Image.Image, e: Element) -> tuple[int, int] | None:
    """Width and height of the ink in an element's box (the box's commonest grey is the
    background); None for a box that is not one small glyph's."""
    b = e.box
    if len(e.text.strip()) != 1 or not 4 <= b.height <= 80 or b.width > 2 * b.height:
        return None
    px = np.asarray(image.crop((b.x1, b.y1, b.x2, b.y2)).convert("L"), dtype=np.int16)
    bg = int(np.bincount(px.ravel()).argmax())
    ys, xs = np.nonzero(np.abs(px - bg) >= INK)
    if not len(xs):
        return None
    return int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)
