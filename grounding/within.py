"""Container phrases on a perceived screen: "in the File menu", "in the menu bar", "the Date
column heading", "in the file list", "in the toolbar" narrow where a target is looked for.

Each kind finds its region from the pixels' elements (an open menu hangs below its title, a
menu bar is the top row of short words, a header sits over a column of entries); a kind
with no region on the screen (a dialog, a keypad) leaves the search as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from devices.geometry import Box
from grounding.query import Container
from grounding.text import similarity
from grounding.types import Element, Screen

Scored = list[tuple[Element, float]]
TOP_BAND = 0.2   # a menu bar lies in the top fifth of the screen


def restrict(screen: Screen, container: Container, pool: Scored) -> tuple[Scored, str]:
    """The pool limited to the container, and a note on what was used (or why not)."""
    finder = _FINDERS.get(container.kind)
    if finder is None:
        return pool, ""
    kept, note = finder(screen, container, pool)
    return (kept, note) if kept else (pool, "")


def _menu(screen: Screen, c: Container, pool: Scored) -> tuple[Scored, str]:
    """Items of an open menu: below its title, about where the title starts."""
    title = _menu_title(screen, c.text)
    if title is None:
        return pool, ""
    w, h = screen.geometry.width, title.box.height
    bar = menu_bar(screen)
    if bar and title not in bar and title.center.y > max(e.box.y2 for e in bar):
        if len(title.text.split()) > len(c.text.split()):
            return pool, ""  # "Number Format" in an open menu that hides its "Format" title
        return _submenu(screen, title, pool), f"in the {title.text or c.text} submenu"
    region = Box(max(0, title.box.x1 - round(0.3 * w)), title.box.y2 - h // 4,
                 min(w, title.box.x1 + round(0.4 * w)), screen.geometry.height)
    kept = [(e, s) for e, s in pool if e is not title and region.contains(e.center)
            and e.center.y > title.box.y2 - h // 4]
    return kept, f"in the {title.text or c.text} menu"


def _submenu(screen: Screen, title: Element, pool: Scored) -> Scored:
    """Items of a submenu: an item inside an open menu opens its own to its right, the
    first entry on the title's row (the parent's other items start where the title does)."""
    w, h = screen.geometry.width, title.box.height
    region = Box(title.box.x2, title.box.y1 - h, min(w, title.box.x2 + round(0.4 * w)),
                 screen.geometry.height)
    return [(e, s) for e, s in pool if e is not title and region.contains(e.center)
            and e.box.x1 > title.box.x2]


def _menu_title(screen: Screen, name: str) -> Element | None:
    """The element named ``name`` nearest the top (menu titles sit in the menu bar)."""
    if not name:
        return None
    named = [e for e in screen.elements if e.text and similarity(name, e.text) >= 0.8]
    return min(named, key=lambda e: (e.center.y, e.box.x1)) if named else None


def menu_bar(screen: Screen) -> list[Element]:
    """The top row of three or more short words in the top of the screen, or []; one
    phrase of menu titles counts as its words (a bar read as one line of text)."""
    words = [e for e in screen.elements if e.kind == "text" and e.text
             and (len(e.text.split()) <= 3 or _titles(e))
             and e.center.y < TOP_BAND * screen.geometry.height]
    for row in _rows(words):
        if len(row) >= 3 or any(_titles(e) for e in row):
            return row
    return []


def _titles(e: Element) -> bool:
    """Whether a read line is a run of four or more menu titles: capitalised words of
    letters, none long ("File Edit View Tools Help"); a window's title or a sentence is not."""
    words = e.text.split()
    return e.source == "ocr" and len(words) >= 4 and all(
        w[:1].isupper() and w.isalpha() and len(w) <= MENU_TITLE for w in words)


MENU_TITLE = 12  # letters at most in a menu's title


def _menu_bar(screen: Screen, c: Container, pool: Scored) -> tuple[Scored, str]:
    row = menu_bar(screen)
    if not row:
        top = TOP_BAND * screen.geometry.height
        return [(e, s) for e, s in pool if e.center.y < top], "at the top of the screen"
    y1, y2 = min(e.box.y1 for e in row), max(e.box.y2 for e in row)
    return [(part, s) for e, s in pool if y1 <= e.center.y <= y2
            for part in (title_words(e) if _titles(e) else [e])], "in the menu bar"


def title_words(e: Element) -> list[Element]:
    """A line of menu titles cut into one element a title, each where its letters' share
    of the line puts it (a space counts 0.6 of a letter, as in a UI font)."""
    words = e.text.split()
    unit = e.box.width / (sum(map(len, words)) + 0.6 * (len(words) - 1))
    out, x = [], float(e.box.x1)
    for w in words:
        x2 = x + len(w) * unit
        box = Box(round(x), e.box.y1, round(x2), e.box.y2)
        out.append(Element(e.id, box, e.kind, w, confidence=e.confidence, source=e.source))
        x = x2 + 0.6 * unit
    return out


def _toolbar(screen: Screen, c: Container, pool: Scored) -> tuple[Scored, str]:
    """Rows holding three or more icons or buttons."""
    controls = [e for e in screen.elements if e.kind in ("icon", "button", "image")]
    bands = [(min(e.box.y1 for e in row), max(e.box.y2 for e in row))
             for row in _rows(controls) if len(row) >= 3]
    kept = [(e, s) for e, s in pool if any(y1 <= e.center.y <= y2 for y1, y2 in bands)]
    return kept, "in a toolbar"


def _column_header(screen: Screen, c: Container, pool: Scored) -> tuple[Scored, str]:
    """Elements with two or more entries stacked below them in the same column."""
    texts = [e for e in screen.elements if e.text]
    kept = [(e, s) for e, s in pool if sum(
        1 for t in texts if t.box.y1 >= e.box.y2 - 2 and _overlap_x(e.box, t.box)) >= 2]
    return kept, "a column heading"


def _list(screen: Screen, c: Container, pool: Scored) -> tuple[Scored, str]:
    """The column of entries the phrase names: a sidebar is the leftmost, any other list
    the longest column of left-aligned entries."""
    columns = _columns([e for e in screen.elements if e.text and e.kind in ("text",
                                                                         "list_item")])
    columns = [col for col in columns if len(col) >= 3]
    if not columns:
        return pool, ""
    side = any(w in c.text.casefold() for w in ("side", "place", "nav"))
    col = min(columns, key=lambda col: col[0].box.x1) if side else max(columns, key=len)
    x1, x2 = min(e.box.x1 for e in col), max(e.box.x2 for e in col)
    y1, y2 = min(e.box.y1 for e in col), max(e.box.y2 for e in col)
    h = col[0].box.height
    region = Box(x1 - 3 * h, y1 - h, x2 + h, y2 + h)
    return [(e, s) for e, s in pool if region.contains(e.center)], "in the list"


def _columns(elements: list[Element]) -> list[list[Element]]:
    columns: dict[int, list[Element]] = {}
    for e in sorted(elements, key=lambda e: e.box.y1):
        key = next((k for k in columns if abs(k - e.box.x1) <= 12), e.box.x1)
        columns.setdefault(key, []).append(e)
    return list(columns.values())


def _rows(elements: list[Element]) -> list[list[Element]]:
    """Elements grouped into rows by vertical center, top row first."""
    rows: list[list[Element]] = []
    for e in sorted(elements, key=lambda e: e.center.y):
        if rows and abs(e.center.y - rows[-1][0].center.y) <= max(4, rows[-1][0].box.height // 2):
            rows[-1].append(e)
        else:
            rows.append([e])
    return rows


def _overlap_x(a: Box, b: Box) -> bool:
    return min(a.x2, b.x2) - max(a.x1, b.x1) > 0.3 * min(a.width, b.width)


CONTROLS = ("close", "maximize", "minimize")  # a title bar's buttons, from the right


def title_controls(screen: Screen) -> dict[str, Element]:
    """The topmost run of two or three small nameless buttons that ends a row holding a
    title (or at the top of the screen), named from the right: close, maximize,
    minimize (two: only the rightmost is surely close)."""
    small = [e for e in screen.elements if e.kind in ("icon", "image", "button")
             and len(e.text) <= 1 and min(e.box.width, e.box.height) >= 8
             and max(e.box.width, e.box.height) <= 48]
    for row in _rows(small):
        run = _end_run(screen, _distinct(sorted(row, key=lambda e: e.center.x)))
        if len(run) >= 2:
            names = CONTROLS if len(run) == 3 else CONTROLS[:1]
            return dict(zip(names, reversed(run), strict=False))
    return {}


def _distinct(row: list[Element]) -> list[Element]:
    """One element per control: boxes centred within a few pixels are the same button."""
    out: list[Element] = []
    for e in row:
        if out and abs(e.center.x - out[-1].center.x) <= 4:
            continue
        out.append(e)
    return out


def _end_run(screen: Screen, row: list[Element]) -> list[Element]:
    """The last run of evenly spaced, like-sized buttons in ``row``, when nothing else sits
    right after it and a title (text) sits left of it on the same line, or it is at the top."""
    run = row[-3:]
    while len(run) >= 2 and not _even(run):
        run = run[1:]
    if len(run) < 2:
        return []
    size = max(e.box.height for e in run)
    y1, y2 = min(e.box.y1 for e in run), max(e.box.y2 for e in run)
    end = run[-1].box.x2
    same_line = [e for e in screen.elements if y1 <= e.center.y <= y2 and e not in run]
    if any(end < e.center.x <= end + 4 * size for e in same_line):
        return []
    titled = any(e.kind == "text" and len(e.text) > 1 and e.box.x2 < run[0].box.x1
                 for e in same_line)
    return run if titled or y1 < 0.05 * screen.geometry.height else []


def _even(run: list[Element]) -> bool:
    size = max(e.box.width for e in run)
    gaps = [b.center.x - a.center.x for a, b in zip(run, run[1:], strict=False)]
    return all(size <= g <= 2.5 * size for g in gaps) and max(gaps) - min(gaps) <= 0.25 * size


def title_bar_first(good: Scored) -> Scored:
    """Window controls: the topmost match first, then the one furthest right."""
    return sorted(good, key=lambda es: (es[0].center.y // 12, -es[0].center.x))


_FINDERS: dict[str, Callable[[Screen, Container, Scored], tuple[Scored, str]]] = {
    "menu": _menu, "menu bar": _menu_bar, "toolbar": _toolbar,
    "column header": _column_header, "list": _list,
}
