"""Walk one app's AT-SPI tree and turn its visible, named controls into grounding instructions.

Runs under Debian's python3 with python3-pyatspi. What a control's box draws decides its kind
(drawn.py, the same function ``generate.py --relabel`` applies to saved rows):

- a *text* target draws its name as text: one line of text-high ink (8-20 px) whose width
  fits the name's length (0.3-1.25 line heights a character, and at least 1.2 heights for
  three characters or more: a picture is about as wide as tall), drawn with the strokes of
  that many letters (1.4 a letter, one stem at least), off a button's sides; a label inside
  a button, when the toolkit exposes one, must be its name;
- an *icon* target is a button, toggle, check box or list item with no label inside whose
  box draws a picture of any size and pieces, no line of text, nothing running out of it;
- anything else is neither: other text than the name, text cut off, nothing drawn.

Controls covered by a popup or dialog above them, off screen or named like another control
on the same screen are left out.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import drawn
import numpy as np
import phrasing
import pyatspi
from PIL import Image

Box = tuple[int, int, int, int]
BUTTON_ROLES = {"push button", "toggle button", "button", "toggle", "menu button"}
TEXT_ROLES = BUTTON_ROLES | {"menu item", "check menu item", "radio menu item", "menu",
                             "label", "page tab", "check box", "radio button", "list item",
                             "link", "table cell", "tree item", "heading", "combo box",
                             "table column header"}
POPUP_ROLES = {"window", "popup menu", "tool tip"}
TEXT_CHILD_ROLES = {"label", "text", "heading", "static"}
ENTRY_ROLES = {"text", "entry", "password text"}
MIN_SIDE, MAX_NAME, MAX_NODES = 8, 40, 8000
ICON_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")  # "emblem-default-symbolic": not shown
MAX_AREA_SHARE, MAX_HEIGHT = 30, 100   # larger boxes are panes, not something one clicks


@dataclass
class Node:
    """What we keep of one accessible: role, name, screen box, text inside, popup layer."""

    role: str
    name: str
    box: Box
    texts: set[str]       # text drawn inside a button (its labels), casefolded
    layer: int
    parent_role: str = ""
    drawn: str = ""   # "text", "icon" or "": drawn.kind of its box (set from the screenshot)
    context: tuple[str, str, bool] = ("", "", False)  # menu, dialog, in a toolbar

    @property
    def text_inside(self) -> bool:
        return bool(self.texts)


def find_app(name: str, timeout: float = 30.0) -> object:
    """The accessible application named ``name`` once it shows a window."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for app in pyatspi.Registry.getDesktop(0):
            if app is not None and (app.name == name or app.name.startswith(name + " -")) \
                    and app.childCount:  # Swing apps are named after their window title
                return app
        time.sleep(0.3)
    raise RuntimeError(f"AT-SPI application {name!r} did not appear")


def extents(acc: object) -> Box:
    e = acc.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    return (e.x, e.y, e.x + e.width, e.y + e.height)


def showing(acc: object) -> bool:
    states = acc.getState()
    return states.contains(pyatspi.STATE_SHOWING) and states.contains(pyatspi.STATE_VISIBLE)


def texts_inside(acc: object, depth: int = 0) -> set[str]:
    """The names of showing labels and texts inside ``acc`` (casefolded), a few levels deep."""
    found: set[str] = set()
    for child in acc:
        if child is None or depth > 4 or not showing(child):
            continue
        name = (child.name or "").strip()
        if child.getRoleName() in TEXT_CHILD_ROLES and name:
            found.add(name.casefold())
        found |= texts_inside(child, depth + 1)
    return found


def walk(app: object) -> tuple[list[Node], list[Box]]:
    """Pre-order walk of showing accessibles and of the layers they are drawn in.

    A new layer starts at each top-level window and at each child drawn over an earlier
    sibling (a popover, a popup, an overlay): a later layer covers every earlier one. A menu's
    item drawn outside the menu's own box is in a popup, drawn above the whole window
    wherever the walk meets it (a menu bar comes before the buttons its menus cover).
    """
    nodes: list[Node] = []
    layers: list[Box] = []
    popups: list[int] = []
    _visit(app, "application", -1, nodes, layers, ("", "", False), popups)
    order = [i for i in range(len(layers)) if i not in popups] + popups
    new = {old: k for k, old in enumerate(order)}
    for n in nodes:
        n.layer = new[n.layer]
    return nodes, [layers[i] for i in order]


def _visit(acc: object, acc_role: str, layer: int, nodes: list[Node], layers: list[Box],
           ctx: tuple[str, str, bool], popups: list[int]) -> None:
    earlier: list[Box] = []
    own_box = extents(acc) if acc_role == "menu" else (0, 0, 0, 0)
    dy = popup_shift(acc, own_box) if acc_role == "menu" else 0
    for child in acc:
        if child is None or len(nodes) >= MAX_NODES:
            continue
        try:
            if not showing(child):
                continue
            role, name, box = child.getRoleName(), (child.name or "").strip(), extents(child)
            box = (box[0], box[1] + dy, box[2], box[3] + dy)
            texts = texts_inside(child) if role in BUTTON_ROLES else set()
            if not name and role in ENTRY_ROLES and box[3] - box[1] <= 60:
                name = entry_text(child)   # not a target, but makes its words ambiguous
        except Exception:  # noqa: BLE001, S112 - pyatspi raises bare errors for vanished widgets
            continue
        own = layer
        popup = acc_role == "menu" and not inside(box, own_box)
        if layer < 0 or role in POPUP_ROLES or popup or any(covers(box, b) for b in earlier):
            own = len(layers)
            layers.append(box)
            popups += [own] if popup else []
        earlier.append(box)
        nodes.append(Node(role, name, box, texts, own, acc_role, context=ctx))
        if _walkable(child) and (area(box) or not _closed_list(acc_role, role)):
            _visit(child, role, own, nodes, layers, inner_context(ctx, role, name), popups)


def popup_shift(menu: object, own: Box) -> int:
    """How far down a menu's items are drawn from where they are reported: the menu's height
    when an item is reported over the menu's own title, outside it (a popup never covers the
    menu that opened it, but Java's bridge reports a menu bar's popup at the menu's origin
    instead of below it), else 0."""
    try:
        boxes = [extents(c) for c in menu if c is not None and showing(c)]
    except Exception:  # noqa: BLE001 - pyatspi raises bare errors for vanished widgets
        return 0
    wrong = area(own) and any(overlaps(b, own) and not inside(b, own) for b in boxes)
    return own[3] - own[1] if wrong else 0


def _closed_list(parent_role: str, role: str) -> bool:
    """A closed combo's list or popup: reported showing but without size. Other controls
    without size are still walked (eog's side-pane tab reports (-1, -1, -2, -2) around
    labels that are on screen)."""
    return parent_role == "combo box" or role in POPUP_ROLES | {"list", "menu"}


def _walkable(acc: object) -> bool:
    """False for a container too large to walk: a spreadsheet's grid reports every cell
    of the sheet (billions) as a child, and AT-SPI fetches them one call at a time."""
    try:
        return acc.childCount <= MAX_NODES
    except Exception:  # noqa: BLE001 - pyatspi raises bare errors for vanished widgets
        return False


def inner_context(ctx: tuple[str, str, bool], role: str, name: str) -> tuple[str, str, bool]:
    """The menu, dialog and toolbar that a child of (role, name) sits in."""
    menu, dialog, toolbar = ctx
    if role == "menu" and name:
        menu = name
    elif role in ("dialog", "file chooser", "alert") and name:
        dialog, menu = name, ""
    elif role == "tool bar":
        toolbar = True
    return menu, dialog, toolbar


def entry_text(acc: object) -> str:
    """The first line of a one-line text field's content."""
    try:
        return acc.queryText().getText(0, 80).strip().split("\n")[0]
    except NotImplementedError:
        return ""


def covers(a: Box, b: Box) -> bool:
    """Whether ``a`` overlaps a quarter or more of the smaller of the two."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    small = min(area(a), area(b))
    return w > 0 and h > 0 and small > 0 and w * h >= small / 4


def area(b: Box) -> int:
    return max(b[2] - b[0], 0) * max(b[3] - b[1], 0)


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(a: Box, b: Box) -> bool:
    """Whether box ``a`` lies within ``b``."""
    return b[0] <= a[0] and b[1] <= a[1] and a[2] <= b[2] and a[3] <= b[3]


def on_screen(n: Node, layers: list[Box], size: tuple[int, int]) -> bool:
    """Inside the screen, not a sliver, and not under a layer drawn later."""
    x1, y1, x2, y2 = n.box
    if x1 < 0 or y1 < 0 or x2 > size[0] or y2 > size[1] or min(x2 - x1, y2 - y1) < MIN_SIDE:
        return False
    return not any(overlaps(n.box, box) for box in layers[n.layer + 1:])


def control_sized(n: Node, size: tuple[int, int]) -> bool:
    """Not a pane: larger boxes are containers, not something one clicks."""
    w, h = n.box[2] - n.box[0], n.box[3] - n.box[1]
    return w * h <= size[0] * size[1] / MAX_AREA_SHARE and h <= MAX_HEIGHT


def is_icon(n: Node) -> bool:
    """An icon-only control: its box draws a picture and no text, and it holds no label."""
    return n.drawn == "icon" and not n.text_inside


def is_text(n: Node) -> bool:
    """A text target: its box draws its name as text, and a label inside (when the toolkit
    exposes one) says the same."""
    if n.text_inside and n.name.casefold() not in n.texts:
        return False          # the button shows another text than its name
    return n.drawn == "text" and n.role in TEXT_ROLES


def named(n: Node) -> bool:
    """Named like something a person would ask for, where its box can be trusted."""
    if not n.name or len(n.name) > MAX_NAME or not any(ch.isalnum() for ch in n.name):
        return False
    if any(unicodedata.category(ch).startswith("C") for ch in n.name) or ICON_ID.match(n.name):
        return False
    return n.parent_role != "tree table"  # GTK 3 shifts tree cells by the expander indent


def usable(n: Node) -> bool:
    """A text target or an icon-only control, named in words (phrasing.id_like)."""
    return named(n) and (is_icon(n) or is_text(n)) and not phrasing.id_like(n.name, is_icon(n))


def targets(nodes: list[Node], size: tuple[int, int]) -> list[Node]:
    """One target per name; a name on two separate places on screen is ambiguous: none."""
    by_name: dict[str, list[Node]] = {}
    for n in nodes:
        if control_sized(n, size):    # panes' names (a terminal's "Terminal") are not drawn
            by_name.setdefault(n.name.casefold(), []).append(n)
    out = []
    for group in by_name.values():
        if any(not (inside(a.box, b.box) or inside(b.box, a.box)) for a in group for b in group):
            continue
        good = [n for n in group if usable(n)]
        if good:
            out.append(max(good, key=lambda n: area(n.box)))
    return out


def neighbour(n: Node, keep: list[Node]) -> str:
    """The name of the nearest text target on the same row (phrasing.neighbour)."""
    return phrasing.neighbour(n.box, [(m.name, m.box) for m in keep
                                      if m is not n and not is_icon(m)])


def phrased(keep: list[Node], size: tuple[int, int]) -> list[dict]:
    """One instruction per target, the patterns taken in turn within each kind."""
    counts: dict[str, int] = {}
    out = []
    for n in keep:
        menu, dialog, toolbar = n.context
        t = phrasing.Target(n.name, n.role, is_icon(n), menu if n.role != "menu" else "",
                            dialog, toolbar, neighbour(n, keep), phrasing.position(n.box, size))
        k = phrasing.kind(t)
        text, pattern = phrasing.phrase(t, counts.get(k, 0))
        counts[k] = counts.get(k, 0) + 1
        out.append({"instruction": text, "box": list(n.box), "icon": t.icon, "role": n.role,
                    "name": n.name, "kind": k, "pattern": pattern})
    return out


def balanced(keep: list[Node], text_per_icon: float = 2.0, least: int = 6) -> list[Node]:
    """Every icon target and at most ``text_per_icon`` text targets per icon (``least`` at
    least), spread evenly over the screen: about a third of the set is icon-only."""
    icons = [n for n in keep if is_icon(n)]
    texts = [n for n in keep if not is_icon(n)]
    room = max(least, round(text_per_icon * len(icons)))
    if len(texts) > room:
        step = len(texts) / room
        texts = [texts[int(i * step)] for i in range(room)]
    return sorted(icons + texts, key=lambda n: (n.box[1], n.box[0]))


def harvest(app_name: str, image_path: Path, dump: Path | None = None) -> list[dict]:
    """Instructions with ground-truth boxes for the app's current screen."""
    nodes, layers = walk(find_app(app_name))
    with Image.open(image_path) as im:
        image = im.convert("RGB")
    seen = [n for n in nodes if n.name and on_screen(n, layers, image.size)]
    pixels = np.asarray(image)
    for n in seen:
        if named(n) and control_sized(n, image.size):
            n.drawn = drawn.kind(pixels, n.box, n.role, n.name)
    if dump is not None:
        dump.write_text("".join(f"{n.layer} {n.role!r} {n.name!r} {n.box} {n.drawn!r}"
                                f" {sorted(n.texts)}\n" for n in nodes))
    keep = sorted(targets(seen, image.size), key=lambda n: (n.box[1], n.box[0]))
    return phrased(balanced(keep), image.size)
