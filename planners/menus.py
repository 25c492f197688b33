"""Menus, dialogs and hotkeys as people use them on a desktop.

"choose Save As in the File menu" opens the File menu first when it is closed, then
picks Save As ("choose File > Create New > Folder" walks the levels in turn); "type
'notes.txt' as the file name" finds a dialog's field by the label beside it; "press
ctrl+s" presses the hotkey. The offline planner parses these forms with ``PATTERNS``
and asks ``MenuWalk`` and ``labelled_field`` what to do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from devices.geometry import Box, PixelPoint
from grounding.text import normalize, similarity
from grounding.types import Element, Screen, Target

Locate = Callable[[Screen, str], Target]
MODIFIERS = r"(?:ctrl|control|alt|shift|super|win|meta|cmd)"
PATTERNS: list[tuple[str, re.Pattern[str]]] = [(verb, re.compile(p, re.I)) for verb, p in [
    ("hotkey", rf"^(?:press|hit|use) (?:the )?(?P<key>(?:{MODIFIERS}\s*\+\s*)+[^\s+]+|f\d{{1,2}})"
               r"(?: key| keys| shortcut)?$"),
    ("menu", r"^(?:choose|select|click|pick|open) (?:the )?(?P<target>.+?) "
             r"(?:in|from|on|under) (?:the )?(?P<menu>[^>]+?) menu$"),
    ("menu", r"^(?:choose|select|click|pick|open) (?:the )?(?P<menu>[^>]+?) menu$"),
    ("menu", r"^(?:choose|select|click|pick|open) (?P<menu>[^>]+?)(?P<target>(?:\s*(?:>|→|->)\s*"
             r"[^>]+?)+)$"),
    ("fill", r"^(?:type|enter|write|put) (?P<text>\x00\d+\x00) as (?:the )?(?P<target>.+)$"),
]]
LEVEL_SPLIT = re.compile(r"\s*(?:>|→|->)\s*")
MENU_REACH = 700   # how far right of its title a menu (and its submenus) may reach, in pixels


def menu_levels(menu: str, target: str) -> list[str]:
    """``("File", "Save As")`` -> [File, Save As]; a path's "> a > b" tail adds its levels."""
    rest = [p for p in LEVEL_SPLIT.split(target.strip()) if p] if target else []
    return [menu.strip(), *rest]


def below(screen: Screen, anchor: Element) -> Screen:
    """The part of the screen a menu opened from ``anchor`` covers: below a title in a menu
    bar, or to the right of a submenu's item."""
    a = anchor.box
    inside = [e for e in screen.elements if e is not anchor and e.box.y1 >= a.y1 - 10
              and a.x1 - 20 <= e.center.x <= a.x2 + MENU_REACH
              and not (e.box.y1 < a.y2 and e.center.x < a.x1)]
    return replace(screen, elements=inside)


@dataclass(slots=True)
class MenuWalk:
    """Progress through one menu step: which level was clicked last."""

    levels: list[str]
    clicked: list[Element] = field(default_factory=list)
    waited: bool = False

    def next(self, screen: Screen, locate: Locate) -> Element | str | None:
        """The element to click next, None when every level was clicked, or why not."""
        k = len(self.clicked)
        if k == len(self.levels):
            return None
        where = below(screen, self.clicked[-1]) if self.clicked else screen
        hit = _found(locate(where, self.levels[k]), self.levels[k])
        if hit is None:
            if self.clicked and not self.waited:
                self.waited = True
                return "wait"
            opened = f"the {self.levels[k - 1]} menu" if k else "the screen"
            return f"{opened} shows no '{self.levels[k]}'"
        if k + 1 < len(self.levels) and not self.clicked:
            # Already open (a person sees the item under its title): skip to the item.
            deeper = _found(locate(below(screen, hit), self.levels[k + 1]), self.levels[k + 1])
            if deeper is not None:
                self.clicked.append(hit)
                return deeper
        return hit


def _found(t: Target, wanted: str) -> Element | None:
    """The located element when it is named ``wanted`` (an ellipsis or an accelerator after
    the name allowed): a menu item is picked by its name, never by a near miss."""
    if not t.found or t.element is None:
        return None
    w = normalize(wanted)
    n = normalize(t.element.text or t.element.label)   # a tooltip-like label is no name
    ok = n == w or n.startswith(w + " ") or similarity(w, n) >= 0.85
    return t.element if ok else None


def _label_forms(label: str) -> list[str]:
    """"the file name field" -> ["file name", "name"]: the label as written, then shorter."""
    words = normalize(re.sub(r"\s+(?:field|box|entry)$", "", label.strip())).split()
    words = words[1:] if words[:1] == ["the"] else words
    return [" ".join(words[i:]) for i in range(len(words))]


def labelled_field(screen: Screen, label: str) -> Element | PixelPoint | None:
    """A dialog's text field by its label ("Name:" beside it): an input named so, the input
    right of (or under) the label, or on a screen without inputs the place right of it."""
    forms = _label_forms(label)
    inputs = [e for e in screen.elements if e.kind == "input"]
    for form in forms:
        named = [e for e in inputs if normalize(e.label or "") == form]
        if named:
            return named[0]
        labels = [e for e in screen.elements if e.kind == "text"
                  and normalize(e.text) == form and e not in inputs]
        labels.sort(key=lambda e: not e.text.rstrip().endswith(":"))
        for lab in labels:
            beside = _input_beside(lab.box, inputs)
            if beside is not None:
                return beside
        if labels and labels[0].text.rstrip().endswith(":") and not inputs:
            b = labels[0].box
            return PixelPoint(b.x2 + max(40, 3 * b.height), b.center.y)
    return None


def _input_beside(label: Box, inputs: list[Element]) -> Element | None:
    """The nearest input starting right of the label on its row, else just under it."""
    row = [e for e in inputs if e.box.y1 <= label.center.y < e.box.y2 and e.box.x2 > label.x2]
    if row:
        return min(row, key=lambda e: e.box.x1 - label.x2)
    under = [e for e in inputs if 0 <= e.box.y1 - label.y2 < 3 * label.height
             and e.box.x1 < label.x2 and e.box.x2 > label.x1]
    return min(under, key=lambda e: e.box.y1, default=None)
