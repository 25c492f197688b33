"""`uiautomator dump` XML from the widget tree: the same nodes that are drawn and hit-tested."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from devices.sim.ui.theme import HEIGHT, WIDTH
from devices.sim.ui.widgets import Bounds, Node, clip_box

HEADER = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>"


def dump(roots: list[Node], package: str, rotation: int = 0) -> str:
    """One line of XML like Android's, with the window's roots under <hierarchy>."""
    parts = [HEADER, f'<hierarchy rotation="{rotation}">']
    screen = (0, 0, WIDTH, HEIGHT)
    kept = [r for r in roots if r.dump]
    for i, r in enumerate(kept):
        _node(r, i, package, screen, parts)
    parts.append("</hierarchy>")
    return "".join(parts)


def _b(v: bool) -> str:
    return "true" if v else "false"


def _node(n: Node, index: int, package: str, clip: Bounds, out: list[str]) -> None:
    box = clip_box(n.bounds, clip)
    x1, y1, x2, y2 = box
    attrs = (
        f'index="{index}" text={quoteattr(n.text)} resource-id={quoteattr(n.rid)} '
        f'class="{n.cls}" package="{package}" content-desc={quoteattr(n.desc)} '
        f'checkable="{_b(n.checkable)}" checked="{_b(n.checked)}" '
        f'clickable="{_b(n.clickable)}" enabled="{_b(n.enabled)}" '
        f'focusable="{_b(n.focusable)}" focused="{_b(n.focused)}" '
        f'scrollable="{_b(n.scrollable)}" long-clickable="{_b(n.long_clickable)}" '
        f'password="{_b(n.password)}" selected="{_b(n.selected)}" '
        f'bounds="[{x1},{y1}][{x2},{y2}]"'
    )
    inner = box if n.clip else clip
    kids = [c for c in n.children if c.dump and _visible(c.bounds, inner)]
    if not kids:
        out.append(f"<node {attrs} />")
        return
    out.append(f"<node {attrs}>")
    for i, c in enumerate(kids):
        _node(c, i, package, inner, out)
    out.append("</node>")


def _visible(b: Bounds, clip: Bounds) -> bool:
    x1, y1, x2, y2 = clip_box(b, clip)
    return x2 > x1 and y2 > y1
