"""Accessibility trees: Android ``uiautomator dump`` XML -> candidate elements.

The desktop driver reports AT-SPI in the same form, its role as the class
(``atspi.PushButton``); ``_DESKTOP_KINDS`` maps those roles.

The tree can be missing, stale or wrong; ``perceive`` checks these nodes
against the pixels before it keeps them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devices.geometry import Box
from grounding.types import Kind

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

_BOUNDS = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")

# Android widget class (last dotted part) -> element kind; order matters (first suffix wins).
_KINDS: tuple[tuple[str, Kind], ...] = (
    ("Switch", "toggle"), ("ToggleButton", "toggle"), ("CheckBox", "checkbox"),
    ("RadioButton", "checkbox"), ("EditText", "input"), ("AutoCompleteTextView", "input"),
    ("SearchView", "input"), ("SeekBar", "slider"), ("ImageButton", "icon"),
    ("Button", "button"), ("ImageView", "image"), ("TextView", "text"), ("Tab", "tab"),
)

# AT-SPI role (``atspi.`` + role in CamelCase) -> element kind; first suffix wins.
_DESKTOP_KINDS: tuple[tuple[str, Kind], ...] = (
    ("CheckMenuItem", "checkbox"), ("RadioMenuItem", "checkbox"), ("MenuItem", "button"),
    ("PopupMenu", "container"), ("MenuBar", "container"), ("Menu", "button"),
    ("ToggleButton", "button"), ("CheckBox", "checkbox"), ("RadioButton", "checkbox"),
    ("Switch", "toggle"), ("Button", "button"), ("ComboBox", "button"), ("Entry", "input"),
    ("PasswordText", "input"), ("SpinButton", "input"), ("Slider", "slider"),
    ("ScrollBar", "slider"), ("PageTab", "tab"), ("Link", "button"), ("ListItem", "list_item"),
    ("TableCell", "list_item"), ("TreeItem", "list_item"), ("Icon", "icon"),
    ("Image", "image"), ("Label", "text"), ("Text", "text"), ("Heading", "text"),
    ("StatusBar", "text"),
)


@dataclass(frozen=True, slots=True)
class Node:
    """One accessibility node, flattened: what it is, says and does, and where."""

    box: Box
    cls: str
    text: str
    desc: str
    resource_id: str
    clickable: bool
    checkable: bool
    checked: bool
    scrollable: bool
    has_children: bool

    @property
    def kind(self) -> Kind:
        short = self.cls.rsplit(".", 1)[-1]
        if self.cls.startswith("atspi."):
            return next((k for suffix, k in _DESKTOP_KINDS if short.endswith(suffix)),
                        "container" if self.has_children else "other")
        for suffix, kind in _KINDS:
            if short.endswith(suffix):
                if kind == "image" and self.clickable:
                    return "icon"
                return kind
        if self.checkable:
            return "list_item" if self.has_children else "checkbox"
        if self.clickable and (self.has_children or self.text):
            return "list_item" if self.has_children else "button"
        return "container" if self.has_children else "other"

    @property
    def name(self) -> str:
        return self.text or self.desc


def parse_bounds(value: str) -> Box | None:
    m = _BOUNDS.fullmatch(value.strip())
    if not m:
        return None
    x1, y1, x2, y2 = (int(v) for v in m.groups())
    return Box(x1, y1, x2, y2) if x2 > x1 and y2 > y1 else None


def parse_uiautomator(xml: str) -> list[Node]:
    """Every node with valid bounds, in document order; [] for an empty or broken dump."""
    import xml.etree.ElementTree as ET  # here: a screen with no tree never needs it

    try:
        root = ET.fromstring(xml.strip().split("\n", 1)[-1] if xml.lstrip().startswith("UI h")
                             else xml)
    except ET.ParseError:
        return []
    nodes: list[Node] = []
    for el in root.iter("node"):
        box = parse_bounds(el.get("bounds", ""))
        if box is None:
            continue
        nodes.append(_node(el, box))
    return nodes


def _node(el: ET.Element, box: Box) -> Node:
    flag = lambda name: el.get(name, "false") == "true"  # noqa: E731
    return Node(box=box, cls=el.get("class", ""), text=(el.get("text") or "").strip(),
                desc=(el.get("content-desc") or "").strip(),
                resource_id=el.get("resource-id", ""), clickable=flag("clickable"),
                checkable=flag("checkable"), checked=flag("checked"),
                scrollable=flag("scrollable"), has_children=len(el) > 0)


def useful(node: Node, width: int, height: int) -> bool:
    """Nodes a person could point at: named, or interactive leaves; on screen, not the root."""
    b = node.box
    if b.x2 <= 0 or b.y2 <= 0 or b.x1 >= width or b.y1 >= height:
        return False
    if b.area >= 0.9 * width * height:
        return False
    if node.name:
        return True
    if node.has_children:  # a clickable row: the list entry a person taps
        return (node.clickable or node.checkable) and b.area < 0.5 * width * height
    return node.clickable or node.checkable


def resource_name(resource_id: str) -> str:
    """``com.app:id/search_button`` -> ``search button``."""
    return resource_id.rsplit("/", 1)[-1].replace("_", " ").strip()
