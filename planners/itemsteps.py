"""Steps on an app's items that take a few screens: delete one, open a conversation.

``DeleteWalk`` uses the item's own delete control wherever the app puts it: on the
item's row (an alarm's bin), on the screen the item opens (a note's "Delete note"), or
under More options (a contact's menu); then it answers the question that follows.
``ChatWalk`` opens the conversation with a name or a number: the thread when there is
one, else a new chat to it. Their ``next`` answers the element to tap, an action, a
reason to fail, or None when the walk is over; the offline planner issues the taps, so
the loop's safety sees every one (a delete asks first, or needs ``--yes``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grounding.types import Element, Screen
from planners.actions import Action, parse_action
from planners.navigate import covers

DELETE = re.compile(r"^(?:delete|remove|trash|move to (?:the )?(?:bin|trash))\b", re.I)
MORE = re.compile(r"^(?:more options|more)$", re.I)
CONFIRM = ("delete", "remove", "ok", "yes", "confirm", "move to bin", "move to trash")
NUMBER = re.compile(r"^\+?[\d\s\-().]{3,}$")
MAX_TAPS = 6


def name(e: Element) -> str:
    return (e.text or e.label).strip()


def delete_controls(screen: Screen) -> list[Element]:
    """Controls whose text or label says delete (never a text field)."""
    return [e for e in screen.elements if e.kind != "input"
            and (DELETE.match(e.text.strip()) or DELETE.match(e.label.strip()))]


def row_control(screen: Screen, item: Element, target: str) -> Element | None:
    """The item's own delete control on the list: one that names it, else the nearest
    one level with it or just below it (an alarm card's bin)."""
    controls = delete_controls(screen)
    named = [c for c in controls if covers(target, name(c))]
    if named:
        return named[0]
    tol = 0.05 * screen.geometry.height
    level = [c for c in controls if c.box.y1 < item.box.y2 + tol and item.box.y1 - tol < c.box.y2]
    return min(level, key=lambda c: abs(c.center.y - item.center.y), default=None)


def confirm_button(screen: Screen) -> Element | None:
    """The answer that goes ahead in a question such as "Delete this contact?"."""
    if not any(name(e).casefold() == "cancel" for e in screen.elements):
        return None
    answers = [e for e in screen.elements if e.text.strip().casefold() in CONFIRM]
    return max(answers, key=lambda e: e.center.y, default=None)


@dataclass(slots=True)
class DeleteWalk:
    """find -> (opened -> menu ->) confirm -> done: see the module's docstring."""

    target: str
    phase: str = "find"
    taps: int = 0
    note: str = ""           # what it is doing, in words, for the progress lines

    def found(self, screen: Screen, item: Element) -> Element:
        """The item is on the screen: its row's delete control, or the item to open it."""
        own = item if DELETE.match(name(item)) else row_control(screen, item, self.target)
        self.phase = "confirm" if own is not None else "opened"
        self.note = (f"'{self.target}' has its own delete control" if own is not None
                     else f"opening '{self.target}' to find its delete control")
        return self._tap(own or item)

    def next(self, screen: Screen) -> Element | str | None:
        if self.taps > MAX_TAPS:
            return f"'{self.target}' is still there after {self.taps} taps"
        if self.phase == "done":
            still = [e for e in screen.elements if name(e).casefold() == self.target.casefold()]
            return f"'{self.target}' is still on the screen" if still else None
        if self.phase == "confirm":
            answer = confirm_button(screen)
            self.phase, self.note = "done", f"confirming: delete '{self.target}'"
            return self._tap(answer) if answer is not None else self.next(screen)
        controls = delete_controls(screen)
        if controls:
            self.phase, self.note = "confirm", f"deleting '{self.target}': '{name(controls[0])}'"
            return self._tap(controls[0])
        more = next((e for e in screen.elements if MORE.match(name(e))), None)
        if self.phase == "opened" and more is not None:
            self.phase, self.note = "menu", "looking for Delete under More options"
            return self._tap(more)
        where = "its menu" if self.phase == "menu" else "its screen"
        return f"found '{self.target}' but no delete control on {where}"

    def _tap(self, e: Element) -> Element:
        self.taps += 1
        return e


@dataclass(slots=True)
class ChatWalk:
    """find -> (to -> pick ->) done: the thread with ``who``, or a new chat to it."""

    who: str
    phase: str = "find"
    waited: bool = False
    note: str = ""

    def next(self, screen: Screen) -> Element | Action | str | None:
        if self.phase == "find":
            return self._find(screen)
        if self.phase == "to":
            field = next((e for e in screen.elements if e.kind == "input"), None)
            if field is None:
                return "the new chat has no recipient field"
            self.phase, self.note = "pick", f"new chat: to '{self.who}'"
            return parse_action({"type": "type", "text": self.who, "element": field.id})
        if self.phase == "pick":
            self.phase = "done"
            row = self._row(screen)
            return row if row is not None else parse_action({"type": "key", "key": "enter"})
        return None

    def _find(self, screen: Screen) -> Element | Action | str:
        thread = None if NUMBER.match(self.who) else self._row(screen)
        if thread is not None:
            self.phase, self.note = "done", f"the conversation with '{self.who}'"
            return thread
        start = next((e for e in screen.elements if re.match(r"(?:start|new) (?:chat|"
                                                             r"conversation|message)",
                                                             name(e), re.I)), None)
        if start is not None:
            self.phase, self.note = "to", f"no conversation with '{self.who}': a new chat"
            return start
        if not self.waited:
            self.waited = True
            return parse_action({"type": "wait", "seconds": 1.0})
        return f"no conversation with '{self.who}' and no way to start one on this screen"

    def _row(self, screen: Screen) -> Element | None:
        """A row (not a text field) that names ``who``: its first words are the name."""
        rows = [e for e in screen.elements if e.kind != "input" and e.text.strip()
                and covers(self.who, e.text) and len(e.text) < len(self.who) + 24]
        return min(rows, key=lambda e: e.center.y, default=None)
