"""Instructions the way people write them: several phrasing patterns per kind of target.

Plain Python (no pyatspi): harvest.py calls ``phrase`` for each target with what it knows of
the screen (the menu or window around the target, a neighbour on its row, where it is), so
the set asks for one control in many ways: by visible text, quoted, by what it does, inside
a container ("Save in the File menu"), by position ("at the top right"), beside another
control ("next to Bold"). Pattern ``i % len(patterns)`` is used for the ``i``-th target of
a kind on a screen, so every pattern occurs on every app.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MENU_ROLES = {"menu item", "check menu item", "radio menu item"}
CHECK_ROLES = {"check box", "radio button", "toggle button"}
SNAKE_ID = re.compile(r"^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+$")      # "x_squared", "finc_term"
CAMEL_ID = re.compile(r"^[A-Z]?[a-z]+(?:[A-Z][a-z0-9]+)+$")     # "RadioButton", "spinButton"


@dataclass(frozen=True)
class Target:
    """What a phrase may mention: the name, its kind, container, neighbour and position."""

    name: str
    role: str
    icon: bool
    menu: str = ""        # the menu it sits in ("File"), when it is a menu item
    window: str = ""      # the dialog it sits in, when not the main window
    toolbar: bool = False
    neighbour: str = ""   # a named control beside it on the same row
    position: str = ""    # "top left", "bottom right" ...


Pattern = Callable[[Target], "str | None"]


def kind(t: Target) -> str:
    """The pattern family: icon, menu item, menu, tab, check, button or other text."""
    if t.icon:
        return "icon"
    if t.role in MENU_ROLES:
        return "menu item"
    if t.role == "menu":
        return "menu"
    if t.role == "page tab":
        return "tab"
    if t.role in CHECK_ROLES:
        return "check"
    if "button" in t.role:
        return "button"
    return "text"


def id_like(name: str, icon: bool) -> bool:
    """A name that is a program's identifier, not words a person says: words joined by
    underscores ("x_squared"), or, on an icon target (its name is not drawn), run together
    with capitals ("RadioButton"). A drawn label run together ("FeatherPad") is what people
    read, so it stays."""
    return bool(SNAKE_ID.match(name) or (icon and CAMEL_ID.match(name)))


def _short(t: Target) -> str:
    return t.name.rstrip(".…").strip()


def _container(t: Target) -> str | None:
    if t.menu:
        return f"{_short(t)} in the {t.menu} menu"
    if t.toolbar:
        return f"{_short(t)} in the toolbar"
    if t.window:
        return f"{_short(t)} in the {t.window} dialog"
    return None


def _near(t: Target) -> str | None:
    return f"{_short(t)} next to {t.neighbour}" if t.neighbour else None


def _at(noun: str) -> Pattern:
    return lambda t: f"the {_short(t)} {noun} at the {t.position}" if t.position else None


PATTERNS: dict[str, list[Pattern]] = {
    "icon": [
        lambda t: f"click the {_short(t)} icon",
        lambda t: f"the {_short(t)} button",
        lambda t: f"press {_short(t).lower()}",
        lambda t: f'tap the "{_short(t)}" icon',
        lambda t: (f"the {_short(t)} icon in the toolbar" if t.toolbar
                   else _container(t) and f"the {_container(t)}"),
        _at("icon"),
        lambda t: _near(t) and f"the {_short(t)} icon next to {t.neighbour}",
        lambda t: f"hit the button that does {_short(t).lower()}",
    ],
    "menu item": [
        lambda t: f"click {t.name}",
        lambda t: f'click "{t.name}"',
        lambda t: f"choose {_short(t)}",
        lambda t: t.menu and f"pick {_short(t)} from the {t.menu} menu",
        lambda t: t.menu and f"in the {t.menu} menu choose {_short(t)}",
        lambda t: f"select the {_short(t)} menu item",
        lambda t: f"{_short(t).lower()}",
        lambda t: _container(t),
    ],
    "menu": [
        lambda t: f"click {t.name}",
        lambda t: f'click "{t.name}"',
        lambda t: f"open the {t.name} menu",
        lambda t: f"the {t.name} menu in the menu bar",
        lambda t: f"click {t.name} in the menu bar",
        lambda t: f"show the {t.name} menu",
        _at("menu"),
        lambda t: _near(t) and f"the {t.name} menu next to {t.neighbour}",
    ],
    "tab": [
        lambda t: f"click {t.name}",
        lambda t: f'click "{t.name}"',
        lambda t: f"open the {t.name} tab",
        lambda t: f"switch to {t.name}",
        lambda t: f"the {t.name} tab",
        _at("tab"),
        lambda t: _near(t) and f"the {t.name} tab next to {t.neighbour}",
        lambda t: _container(t),
    ],
    "check": [
        lambda t: f"click {t.name}",
        lambda t: f'click "{t.name}"',
        lambda t: f"tick {t.name}",
        lambda t: f"toggle the {t.name} option",
        lambda t: f"the {t.name} checkbox",
        lambda t: _container(t),
        _at("option"),
        lambda t: _near(t) and f"the {t.name} option next to {t.neighbour}",
    ],
    "button": [
        lambda t: f"click {t.name}",
        lambda t: f'click "{t.name}"',
        lambda t: f"press the {_short(t)} button",
        lambda t: f"hit {_short(t)}",
        lambda t: _container(t),
        _at("button"),
        lambda t: _near(t) and f"the {_short(t)} button next to {t.neighbour}",
        lambda t: f"tap '{t.name}'",
    ],
    "text": [
        lambda t: f"click {t.name}",
        lambda t: f'click "{t.name}"',
        lambda t: f"select {t.name}",
        lambda t: f"click on the text {t.name}",
        lambda t: _container(t),
        lambda t: t.position and f"{t.name} at the {t.position}",
        lambda t: _near(t) and f"{t.name} next to {t.neighbour}",
        lambda t: f"tap '{t.name}'",
    ],
}


def phrase(t: Target, i: int) -> tuple[str, int]:
    """The instruction for the ``i``-th target of its kind and the pattern used; a pattern
    that does not apply (no container, no neighbour) falls to the next that does."""
    patterns = PATTERNS[kind(t)]
    for step in range(len(patterns)):
        n = (i + step) % len(patterns)
        text = patterns[n](t)
        if text:
            return text, n
    return f"click {t.name}", 0


def neighbour(box: tuple[int, int, int, int],
              others: list[tuple[str, tuple[int, int, int, int]]]) -> str:
    """The name of the nearest of ``others`` (text targets) on the same row as ``box``, at
    most 80 px away, or ""."""
    best, name = 80.0, ""
    for other, b in others:
        if min(box[3], b[3]) - max(box[1], b[1]) < 4:
            continue
        gap = max(b[0] - box[2], box[0] - b[2], 0)
        if gap < best:
            best, name = gap, other
    return name


def position(box: tuple[int, int, int, int], size: tuple[int, int]) -> str:
    """Where a box lies in words: "top left", "bottom", "middle right" ..."""
    cx, cy = (box[0] + box[2]) / 2 / size[0], (box[1] + box[3]) / 2 / size[1]
    row = "top" if cy < 1 / 3 else "bottom" if cy > 2 / 3 else "middle"
    col = "left" if cx < 1 / 3 else "right" if cx > 2 / 3 else ""
    if row == "middle":
        return f"middle {col}".strip() if col else "middle"
    return f"{row} {col}".strip()
