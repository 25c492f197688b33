"""The retained widget tree: one source of truth for drawing, hit-testing and `uiautomator dump`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

Bounds = tuple[int, int, int, int]
Handler = Callable[[], None]


@dataclass(eq=False, slots=True)
class Paint:
    """How a node is drawn; ``kind`` picks the painter in ``devices.sim.ui.render``."""

    kind: str = ""          # rect, text, icon, switch, slider, field, fab, app_icon, spinner, ...
    bg: str | None = None
    fg: str | None = None
    size: int = 42          # font or glyph size in pixels
    weight: str = "regular"  # regular | medium
    align: str = "left"     # left | center | right
    radius: int = 0
    icon: str = ""          # Material icon name for icon-like painters
    value: float = 0.0      # slider position 0..1
    hint: str = ""          # field placeholder
    outline: str | None = None
    picture: object = None   # a PIL image for the ``image`` painter


@dataclass(eq=False, slots=True)
class Node:
    """One view: Android semantics (class, text, ids, states) plus bounds and handlers."""

    cls: str = "android.widget.FrameLayout"
    bounds: Bounds = (0, 0, 0, 0)
    text: str = ""
    desc: str = ""
    rid: str = ""
    paint: Paint | None = None
    children: list[Node] = field(default_factory=list)
    clickable: bool = False
    long_clickable: bool = False
    checkable: bool = False
    checked: bool = False
    focusable: bool = False
    focused: bool = False
    scrollable: bool = False
    enabled: bool = True
    selected: bool = False
    password: bool = False
    on_tap: Handler | None = None
    on_long: Handler | None = None
    on_drag: Callable[[int, int], None] | None = None   # (x, y) of a drag's end, e.g. sliders
    scroll_key: str = ""     # scrollable containers: key of their offset in the screen state
    clip: bool = False       # children are drawn clipped to these bounds
    dump: bool = True        # False for pure decoration that uiautomator would not list

    def add(self, *nodes: Node) -> Node:
        self.children.extend(nodes)
        return self

    def contains(self, x: int, y: int) -> bool:
        x1, y1, x2, y2 = self.bounds
        return x1 <= x < x2 and y1 <= y < y2

    def walk(self) -> Iterator[Node]:
        yield self
        for c in self.children:
            yield from c.walk()

    def find(self, text: str) -> Node | None:
        """First node whose text or content-desc equals ``text``."""
        return next((n for n in self.walk() if text in (n.text, n.desc)), None)


def hit(root: Node, x: int, y: int, want: Callable[[Node], bool]) -> Node | None:
    """The topmost (last drawn) deepest node under (x, y) that ``want`` accepts."""
    if not root.contains(x, y) and root.bounds != (0, 0, 0, 0):
        return None
    for child in reversed(root.children):
        found = hit(child, x, y, want)
        if found is not None:
            return found
    return root if root.contains(x, y) and want(root) else None


def tappable(n: Node) -> bool:
    return n.clickable and n.enabled and (n.on_tap is not None or n.on_drag is not None)


def long_tappable(n: Node) -> bool:
    return n.long_clickable and n.on_long is not None


def scrollable(n: Node) -> bool:
    return n.scrollable and bool(n.scroll_key)


def draggable(n: Node) -> bool:
    return n.on_drag is not None


def clip_box(b: Bounds, to: Bounds) -> Bounds:
    """``b`` cut to ``to``; an empty box when they do not overlap."""
    x1, y1 = max(b[0], to[0]), max(b[1], to[1])
    x2, y2 = min(b[2], to[2]), min(b[3], to[3])
    return (x1, y1, max(x1, x2), max(y1, y2))
