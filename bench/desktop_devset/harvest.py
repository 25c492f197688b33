"""Walk one app's AT-SPI tree and turn its visible, named controls into grounding instructions.

Runs under Debian's python3 with python3-pyatspi. A control is an *icon* target when it is a
button that draws no text (no label inside) and shows an image (AT-SPI Image), or, when the
toolkit does not say, is small and square.
Controls covered by a popup or dialog above them, drawn as nothing (flat pixels), off screen
or named like another control on the same screen are left out.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pyatspi
from PIL import Image, ImageStat

Box = tuple[int, int, int, int]
BUTTON_ROLES = {"push button", "toggle button", "button", "toggle", "menu button"}
TEXT_ROLES = BUTTON_ROLES | {"menu item", "check menu item", "radio menu item", "menu",
                             "label", "page tab", "check box", "radio button", "list item",
                             "link", "table cell", "tree item", "heading", "combo box"}
POPUP_ROLES = {"window", "popup menu", "tool tip"}
TEXT_CHILD_ROLES = {"label", "text", "heading", "static"}
MAX_ICON_SIDE, MIN_SIDE, MAX_NAME, MAX_NODES = 64, 8, 40, 8000
MAX_AREA_SHARE, MAX_HEIGHT = 30, 100   # larger boxes are panes, not something one clicks


@dataclass
class Node:
    """What we keep of one accessible: role, name, screen box, text inside, popup layer."""

    role: str
    name: str
    box: Box
    texts: set[str]       # text drawn inside a button (its labels), casefolded
    layer: int
    image_side: int = -1  # the icon the toolkit says the control shows; -1 none or unknown

    @property
    def text_inside(self) -> bool:
        return bool(self.texts)


def find_app(name: str, timeout: float = 15.0) -> object:
    """The accessible application named ``name`` once it shows a window."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for app in pyatspi.Registry.getDesktop(0):
            if app is not None and app.name == name and app.childCount:
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
    _visit(app, -1, nodes, layers)
    return nodes, layers


def _visit(acc: object, layer: int, nodes: list[Node], layers: list[Box]) -> None:
    earlier: list[Box] = []
    for child in acc:
        if child is None or len(nodes) >= MAX_NODES:
            continue
        try:
            if not showing(child):
                continue
            role, name, box = child.getRoleName(), (child.name or "").strip(), extents(child)
            texts = texts_inside(child) if role in BUTTON_ROLES else set()
            image = image_side(child) if role in BUTTON_ROLES else -1
        except Exception:  # noqa: BLE001, S112 - pyatspi raises bare errors for vanished widgets
            continue
        own = layer
        if layer < 0 or role in POPUP_ROLES or any(covers(box, b) for b in earlier):
            own = len(layers)
            layers.append(box)
        earlier.append(box)
        nodes.append(Node(role, name, box, texts, own, image))
        _visit(child, own, nodes, layers)


def image_side(acc: object) -> int:
    """The side of the image a button shows (AT-SPI Image), -1 when none or not told."""
    try:
        w, h = acc.queryImage().getImageSize()
    except NotImplementedError:
        return -1
    return max(w, h)


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


def visible(n: Node, layers: list[Box], image: Image.Image) -> bool:
    """On screen, sized like a control, not under a later layer, and something is drawn."""
    x1, y1, x2, y2 = n.box
    w, h = x2 - x1, y2 - y1
    if x1 < 0 or y1 < 0 or x2 > image.width or y2 > image.height or min(w, h) < MIN_SIDE:
        return False
    if w * h > image.width * image.height / MAX_AREA_SHARE or h > MAX_HEIGHT:
        return False
    if any(overlaps(n.box, box) for box in layers[n.layer + 1:]):
        return False
    return max(ImageStat.Stat(image.crop(n.box).convert("L")).stddev) > 4.0


def is_icon(n: Node) -> bool:
    """A text-less button that shows an image, or (image unknown) a small square one."""
    x1, y1, x2, y2 = n.box
    w, h = x2 - x1, y2 - y1
    if n.role not in BUTTON_ROLES or n.text_inside or max(w, h) > MAX_ICON_SIDE:
        return False
    if n.image_side > 0:
        return 0.5 <= w / h <= 2.0
    return 0.75 <= w / h <= 1.34 and max(w, h) <= 48


def usable(n: Node) -> bool:
    """Named like something a person would ask for; text roles, or a text-less icon button."""
    if not n.name or len(n.name) > MAX_NAME or not any(ch.isalnum() for ch in n.name):
        return False
    if any(unicodedata.category(ch).startswith("C") for ch in n.name):
        return False
    if n.role in BUTTON_ROLES and not n.text_inside and n.image_side > 0:
        return is_icon(n)     # an image button too large or oddly shaped to call an icon
    if n.text_inside and n.name.casefold() not in n.texts:
        return False          # the name is not what the button shows
    return n.role in TEXT_ROLES


def unique(nodes: list[Node]) -> list[Node]:
    """One node per name: nested same-named nodes keep the outermost; disjoint ones go."""
    by_name: dict[str, list[Node]] = {}
    for n in nodes:
        by_name.setdefault(n.name.casefold(), []).append(n)
    out = []
    for group in by_name.values():
        outer = max(group, key=lambda n: (n.box[2] - n.box[0]) * (n.box[3] - n.box[1]))
        if all(inside(n.box, outer.box) for n in group):
            out.append(outer)
    return out


def instruction(n: Node, icon: bool, i: int) -> str:
    if icon:
        return f"click the {n.name} icon"
    return f'click "{n.name}"' if i % 2 else f"click {n.name}"


def harvest(app_name: str, image_path: Path, dump: Path | None = None) -> list[dict]:
    """Instructions with ground-truth boxes for the app's current screen."""
    nodes, layers = walk(find_app(app_name))
    if dump is not None:
        dump.write_text("".join(f"{n.layer} {n.role!r} {n.name!r} {n.box} {sorted(n.texts)}\n"
                                for n in nodes))
    with Image.open(image_path) as im:
        image = im.convert("RGB")
    named = [n for n in nodes if n.name and visible(n, layers, image)]
    keep = [n for n in unique(named) if usable(n)]
    keep.sort(key=lambda n: (n.box[1], n.box[0]))
    return [{"instruction": instruction(n, is_icon(n), i), "box": list(n.box),
             "icon": is_icon(n), "role": n.role, "name": n.name} for i, n in enumerate(keep)]
