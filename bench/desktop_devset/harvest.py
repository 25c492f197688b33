"""Walk one app's AT-SPI tree and turn its visible, named controls into grounding instructions.

Runs under Debian's python3 with python3-pyatspi. A control is an *icon* target when it is a
button with no label inside whose drawing (the pixels inside its box) is one small glyph; a
*text* target when its name is what it shows: a drawing about as wide as the name written out.
Controls covered by a popup or dialog above them, drawn as nothing (flat pixels), off screen
or named like another control on the same screen are left out.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import phrasing
import pyatspi
from PIL import Image

Box = tuple[int, int, int, int]
BUTTON_ROLES = {"push button", "toggle button", "button", "toggle", "menu button"}
TEXT_ROLES = BUTTON_ROLES | {"menu item", "check menu item", "radio menu item", "menu",
                             "label", "page tab", "check box", "radio button", "list item",
                             "link", "table cell", "tree item", "heading", "combo box"}
POPUP_ROLES = {"window", "popup menu", "tool tip"}
TEXT_CHILD_ROLES = {"label", "text", "heading", "static"}
ENTRY_ROLES = {"text", "entry", "password text"}
FRAMED_ROLES = BUTTON_ROLES | {"combo box"}
ICON_ROLES = BUTTON_ROLES | {"check box"}  # a toggle drawn as an icon (gedit's Fullscreen)
MIN_SIDE, MAX_NAME, MAX_NODES = 8, 40, 8000
MAX_ICON_INK, MIN_INK_PER_CHAR = 26, 3.5  # px: an icon glyph's largest side; a name's width
EDGE = 6  # px: ink this close to a button's box is its frame or margin
ICON_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")  # "emblem-default-symbolic": not shown
MAX_AREA_SHARE, MAX_HEIGHT = 30, 100   # larger boxes are panes, not something one clicks


@dataclass(frozen=True)
class Ink:
    """What is drawn inside a box: frames left out, the central glyph group, how many
    separate groups lie away from the edges and their span; and the width of all ink."""

    glyph: tuple[int, int] = (0, 0)
    off_center: float = 1.0   # the glyph's distance from the middle, in box widths
    groups: int = 0
    span: int = 0
    width: int = 0
    framed: bool = False      # ink reaches both sides of the box: a frame


@dataclass
class Node:
    """What we keep of one accessible: role, name, screen box, text inside, popup layer."""

    role: str
    name: str
    box: Box
    texts: set[str]       # text drawn inside a button (its labels), casefolded
    layer: int
    parent_role: str = ""
    ink: Ink = Ink()  # what is drawn inside the box (set once the screenshot is read)
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
    sibling (a popover, a popup, an overlay): a later layer covers every earlier one.
    """
    nodes: list[Node] = []
    layers: list[Box] = []
    _visit(app, "application", -1, nodes, layers, ("", "", False))
    return nodes, layers


def _visit(acc: object, acc_role: str, layer: int, nodes: list[Node], layers: list[Box],
           ctx: tuple[str, str, bool]) -> None:
    earlier: list[Box] = []
    for child in acc:
        if child is None or len(nodes) >= MAX_NODES:
            continue
        try:
            if not showing(child):
                continue
            role, name, box = child.getRoleName(), (child.name or "").strip(), extents(child)
            texts = texts_inside(child) if role in BUTTON_ROLES else set()
            if not name and role in ENTRY_ROLES and box[3] - box[1] <= 60:
                name = entry_text(child)   # not a target, but makes its words ambiguous
        except Exception:  # noqa: BLE001, S112 - pyatspi raises bare errors for vanished widgets
            continue
        own = layer
        if layer < 0 or role in POPUP_ROLES or any(covers(box, b) for b in earlier):
            own = len(layers)
            layers.append(box)
        earlier.append(box)
        nodes.append(Node(role, name, box, texts, own, acc_role, context=ctx))
        if _walkable(child):
            _visit(child, role, own, nodes, layers, inner_context(ctx, role, name))


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


def ink(image: Image.Image, box: Box) -> Ink:
    """Measure the glyphs in ``box``: edges (colour steps) less frame lines."""
    a = np.asarray(image.crop(box), dtype=np.int16)
    h, w = a.shape[:2]
    m = np.zeros((h, w), bool)
    m[:, :-1] |= np.abs(a[:, 1:] - a[:, :-1]).max(axis=2) > 40
    m[:-1, :] |= np.abs(a[1:] - a[:-1]).max(axis=2) > 40
    left, right = trimmed_extent(m)
    width, framed = right - left, left < EDGE and right > w - EDGE
    for _ in range(2):
        m[:, m.sum(axis=0) > 0.6 * h] = False
        m[m.sum(axis=1) > 0.6 * w, :] = False
    xs = [r for r in runs(m.any(axis=0)) if r[0] >= EDGE and r[1] < w - EDGE]
    if not xs:
        return Ink(width=width, framed=framed)
    x = central(xs, w)
    column = m[:, x[0]:x[1] + 1].any(axis=1)
    y = central([r for r in runs(column) if r[0] >= 2 and r[1] < h - 2] or runs(column), h)
    off = abs((x[0] + x[1]) / 2 - w / 2) / w
    return Ink((x[1] - x[0] + 1, y[1] - y[0] + 1), off, len(xs), xs[-1][1] - xs[0][0] + 1,
               width, framed)


def runs(occupied: np.ndarray, gap: int = 6) -> list[tuple[int, int]]:
    """Runs of occupied indices, gaps up to ``gap`` bridged (letters of a word, words)."""
    out: list[tuple[int, int]] = []
    for i in np.nonzero(occupied)[0]:
        if out and i - out[-1][1] <= gap:
            out[-1] = (out[-1][0], int(i))
        else:
            out.append((int(i), int(i)))
    return out


def central(rs: list[tuple[int, int]], n: int) -> tuple[int, int]:
    """The run at or nearest the middle of ``n``."""
    return min(rs, key=lambda r: 0 if r[0] <= n / 2 <= r[1] else min(abs(r[0] - n / 2),
                                                                    abs(r[1] - n / 2)))


def trimmed_extent(m: np.ndarray) -> tuple[int, int]:
    """Left and right end of the ink once outer rows/columns with a stray pixel or three
    are shaved off."""
    ys, xs = np.nonzero(m)
    if not len(xs):
        return 0, 0
    t, b, left, r = ys.min(), ys.max(), xs.min(), xs.max()
    while t <= b and left <= r:
        sub = m[t:b + 1, left:r + 1]
        if sub[0].sum() <= 3:
            t += 1
        elif sub[-1].sum() <= 3:
            b -= 1
        elif sub[:, 0].sum() <= 3:
            left += 1
        elif sub[:, -1].sum() <= 3:
            r -= 1
        else:
            return int(left), int(r + 1)
    return 0, 0


def is_icon(n: Node) -> bool:
    """A button with no label inside whose drawing is one small centred glyph, not a word."""
    w, h = n.ink.glyph
    if n.role not in ICON_ROLES or n.text_inside or n.ink.groups != 1 or not w:
        return False
    if n.ink.off_center > 0.2:
        return False          # a submenu arrow beside a label that touches the edge
    return max(w, h) <= MAX_ICON_INK and (w <= 12 or w / h <= 1.7)


def shows_name(n: Node) -> bool:
    """Whether the drawing is wide enough to be the name written out (not cut, not other)."""
    if n.text_inside and n.name.casefold() not in n.texts:
        return False          # the button shows another text than its name
    framed = n.role in FRAMED_ROLES and n.ink.framed  # measure inside the frame
    width = n.ink.span if framed else n.ink.width
    return width >= MIN_INK_PER_CHAR * len(n.name)


def usable(n: Node) -> bool:
    """Named like something a person would ask for: a text target or an icon button."""
    if not n.name or len(n.name) > MAX_NAME or not any(ch.isalnum() for ch in n.name):
        return False
    if any(unicodedata.category(ch).startswith("C") for ch in n.name) or ICON_ID.match(n.name):
        return False
    if n.parent_role == "tree table":
        return False          # GTK 3 shifts tree cells' extents by the expander indent
    return is_icon(n) or n.role in TEXT_ROLES and shows_name(n)


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
    """The name of the nearest text target on the same row, at most 80 px away."""
    best, name = 80.0, ""
    for m in keep:
        if m is n or is_icon(m) or min(n.box[3], m.box[3]) - max(n.box[1], m.box[1]) < 4:
            continue
        gap = max(m.box[0] - n.box[2], n.box[0] - m.box[2], 0)
        if gap < best:
            best, name = gap, m.name
    return name


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
    for n in seen:
        n.ink = ink(image, n.box)
    if dump is not None:
        dump.write_text("".join(f"{n.layer} {n.role!r} {n.name!r} {n.box} ink={n.ink}"
                                f" {sorted(n.texts)}\n" for n in nodes))
    keep = sorted(targets(seen, image.size), key=lambda n: (n.box[1], n.box[0]))
    return phrased(balanced(keep), image.size)
